#include "tests/support/in_process_node.h"

#include <stdexcept>

namespace inbeeld::testing {
namespace {

node::UnlockedNode Create(const std::filesystem::path& home, const node::Clock& clock,
                          std::string name, config::Role role) {
  node::NodeDir dir(home, clock);
  node::InitOptions options;
  options.config.node_name = std::move(name);
  options.config.organisation = "Org " + options.config.node_name;
  options.config.role = role;
  options.kdf_profile = "interactive";
  const std::string text = "passphrase of an in-process test node";
  auto passphrase = crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  if (auto made = dir.Initialise(options, passphrase); !made) {
    throw std::runtime_error("init: " + made.error().message);
  }
  auto unlocked = dir.Unlock(passphrase);
  if (!unlocked) throw std::runtime_error("unlock: " + unlocked.error().message);
  return std::move(*unlocked);
}

}  // namespace

InProcessNode::InProcessNode(const node::Clock& clock, std::string name, config::Role role)
    : node_(Create(dir_.path() / "node", clock, std::move(name), role)) {}

node::ListVersion InProcessNode::Import(const std::vector<schema::ListRow>& rows,
                                        schema::Date list_date) {
  auto version =
      node_.store->ImportList(rows, list_date, "lijst.csv", node_.subject_key, node_.field_key);
  if (!version) throw std::runtime_error("import: " + version.error().message);
  return *version;
}

}  // namespace inbeeld::testing
