// tests/support/partner_config.h — one node's configuration of another as
// its partner, for tests that run two nodes in one process.
#ifndef INBEELD_TESTS_SUPPORT_PARTNER_CONFIG_H_
#define INBEELD_TESTS_SUPPORT_PARTNER_CONFIG_H_

#include <string>

#include "config/node_config.h"
#include "crypto/signing.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::testing {

// `self`'s configuration of partner `other` at `address`: `purpose`
// allowed, lists up to 1,000 children, 100 sessions a day, the default key
// types for the two roles.
inline config::PeerConfig PartnerConfig(const node::UnlockedNode& self,
                                        const node::UnlockedNode& other, const std::string& address,
                                        const std::string& purpose = "thuiszitters-afstemming") {
  config::PeerConfig peer;
  peer.name = other.config.node_name;
  peer.address = address;
  peer.key = other.metadata.fingerprint;
  peer.role = other.config.role;
  peer.policy.allowed_purposes = {purpose};
  peer.policy.max_list_size = 1000;
  peer.policy.max_sessions_per_day = 100;
  peer.policy.match_keys =
      config::DefaultMatchKeys(self.config.role, self.config.holds_pgn, other.config.role);
  return peer;
}

// A partner no test process serves: SWV `name` at 127.0.0.1:9 (the discard
// port) with a fresh key, for tests that only need one in the configuration
// (whom to tell of a new key).
inline config::PeerConfig UnservedPartner(const std::string& name) {
  config::PeerConfig peer;
  peer.name = name;
  peer.address = "127.0.0.1:9";
  peer.key = crypto::SigningKey::Generate().PublicKey().Fingerprint();
  peer.role = config::Role::kSwv;
  return peer;
}

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_PARTNER_CONFIG_H_
