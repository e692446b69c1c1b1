#include "tests/support/local_node.h"

#include "tests/support/fake_clock.h"

#include <stdlib.h>

#include "schema/synthetic.h"

namespace inbeeld::testing {

namespace fs = std::filesystem;

Result<std::unique_ptr<LocalNode>> LocalNode::Create(const std::string& name, config::Role role,
                                                     size_t rows) {
  return CreateWithList(name, role,
                        rows > 0 ? schema::GenerateList(7, rows, {2026, 11, 2})
                                 : std::vector<schema::ListRow>());
}

Result<std::unique_ptr<LocalNode>> LocalNode::CreateWithList(
    const std::string& name, config::Role role, const std::vector<schema::ListRow>& list) {
  std::string pattern = (fs::temp_directory_path() / "inbeeld-local-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Fail(ErrorCode::kInternal, "mkdtemp failed");
  const fs::path dir = pattern;
  auto fail = [&](Error e) -> Result<std::unique_ptr<LocalNode>> {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return std::unexpected(std::move(e));
  };
  const std::string text = "passphrase for " + name;
  const auto passphrase = crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  // A fixed day, the one the list is drawn around: nothing here depends on
  // the day the test runs.
  auto clock = std::make_unique<FakeClock>("2026-11-02T12:00:00Z");
  node::NodeDir node_dir(dir / "node", *clock);
  node::InitOptions options;
  options.config.node_name = name;
  options.config.organisation = "Organisatie " + name;
  options.config.role = role;
  options.kdf_profile = "interactive";
  if (auto meta = node_dir.Initialise(options, passphrase); !meta) return fail(meta.error());
  auto unlocked = node_dir.Unlock(passphrase);
  if (!unlocked) return fail(unlocked.error());
  if (!list.empty()) {
    auto version = unlocked->store->ImportList(list, {2026, 11, 2}, "lijst.csv",
                                               unlocked->subject_key, unlocked->field_key);
    if (!version) return fail(version.error());
  }
  return std::unique_ptr<LocalNode>(new LocalNode(dir, std::move(clock), std::move(*unlocked)));
}

LocalNode::~LocalNode() {
  node_.store.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

crypto::SigningKey LocalNode::AddPeer(const std::string& name, config::Role role) {
  crypto::SigningKey key = crypto::SigningKey::Generate();
  AddPeer(name, role, key.PublicKey().Fingerprint());
  return key;
}

void LocalNode::AddPeer(const std::string& name, config::Role role,
                        const std::string& fingerprint) {
  config::PeerConfig peer;
  peer.name = name;
  peer.address = "127.0.0.1:9";
  peer.key = fingerprint;
  peer.role = role;
  peer.policy.allowed_purposes = {"thuiszitters-afstemming"};
  peer.policy.match_keys =
      config::DefaultMatchKeys(node_.config.role, node_.config.holds_pgn, role);
  node_.config.peers.push_back(std::move(peer));
}

}  // namespace inbeeld::testing
