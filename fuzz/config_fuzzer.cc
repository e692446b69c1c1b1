// Fuzzes the configuration parser (config/node_config.h: ParseConfig, which
// runs toml++ and every validation) with the text of inbeeld.toml, and the
// address parser with the same bytes.
//
// Invariants beyond "no crash": a configuration that parses holds only what
// the validators accept (names, keys, addresses, purposes that name an
// activity), and an error message stays short (a hostile key or value is
// never copied into it).
#include <string_view>

#include "config/node_config.h"
#include "fuzz/fuzz_target.h"

INBEELD_FUZZ_TARGET(config) {
  using namespace inbeeld::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseAddress(text, /*allow_any_port=*/true);
  auto config = ParseConfig(text, "inbeeld.toml");
  if (!config) {
    INBEELD_FUZZ_CHECK(config.error().message.size() <= 1024);
    return;
  }
  INBEELD_FUZZ_CHECK(ParseAddress(config->listen_address, /*allow_any_port=*/true).has_value());
  for (const PeerConfig& peer : config->peers) {
    INBEELD_FUZZ_CHECK(ValidateName(peer.name).has_value());
    INBEELD_FUZZ_CHECK(ValidatePeerKey(peer.key).has_value());
    INBEELD_FUZZ_CHECK(ValidateAddress(peer.address).has_value());
    INBEELD_FUZZ_CHECK(config->FindPeer(peer.name) == &peer);
    INBEELD_FUZZ_CHECK(config->FindPeerByKey(peer.key) == &peer);
    INBEELD_FUZZ_CHECK(!peer.policy.match_keys.empty());
    for (const auto& purpose : peer.policy.allowed_purposes) {
      INBEELD_FUZZ_CHECK(config->FindActivity(purpose) != nullptr);
    }
  }
  if (!config->sync.purpose.empty()) {
    INBEELD_FUZZ_CHECK(config->FindActivity(config->sync.purpose) != nullptr);
  }
}
