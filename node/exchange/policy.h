// node/exchange/policy.h — may this exchange with this peer go ahead?
//
// Both sides apply the same checks from their own configuration: the responder
// for the peer that called, the initiator for the peer it is about to call (so
// a node never sends a list its own policy would refuse). Every refusal says
// what was refused and why, in words fit to show the other side's operator; no
// identifier is ever involved.
//
// Thread safety: pure functions over a config and a ResultsStore.
#ifndef INBEELD_NODE_EXCHANGE_POLICY_H_
#define INBEELD_NODE_EXCHANGE_POLICY_H_

#include <cstdint>
#include <string>

#include "base/error.h"
#include "config/node_config.h"
#include "node/exchange/results_store.h"
#include "schema/wire.h"

namespace inbeeld::node::exchange {

// The wire label bits this node's policy allows with `peer`.
uint8_t AllowedLabelMask(const config::PeerConfig& peer);

// The key types (schema::kKeyType* bits) this node's policy allows with
// `peer`. PGN keys never go to or come from a samenwerkingsverband, nor from
// a node that holds no PGN (UAVG art. 46; DESIGN.md "Who may hold which
// identifier"), whatever the configuration says.
uint8_t AllowedKeyMask(const config::NodeConfig& config, const config::PeerConfig& peer);

// kPermissionDenied: purpose not in the register, not allowed for the peer, or
// match mode for a count-only peer. kResourceExhausted: list too large.
Status CheckRequest(const config::NodeConfig& config, const config::PeerConfig& peer,
                    std::string_view purpose, schema::wire::Mode mode, uint64_t list_size);

// kPermissionDenied when the peer's list holds fewer records than its
// min_list_size: a list of one child is a question about that child.
Status CheckPeerListSize(const config::NodeConfig& config, const config::PeerConfig& peer,
                         uint64_t peer_list_size);

// kResourceExhausted when `peer` already had max_sessions_per_day sessions in
// `role` during the 24 hours before `results`' clock's now (a rolling day, not
// a calendar one).
Status CheckDailyLimit(const config::PeerConfig& peer, const std::string& role,
                       ResultsStore& results);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_POLICY_H_
