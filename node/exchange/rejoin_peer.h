// node/exchange/rejoin_peer.h — asks one partner, over mutual TLS, to accept
// this node's log after a restore (the transport side of node/audit/rejoin.h).
//
// Thread safety: one call at a time per node (it writes the audit log).
#ifndef INBEELD_NODE_EXCHANGE_REJOIN_PEER_H_
#define INBEELD_NODE_EXCHANGE_REJOIN_PEER_H_

#include "base/error.h"
#include "config/node_config.h"
#include "node/audit/rejoin.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node::exchange {

// Sends the rejoin request to `peer` (following a typed retry once) and, when
// the peer answers "accepted", records "inbeeld.log.rejoined" here.
// Errors: the transport's (kUnavailable, kDeadlineExceeded, kUnauthenticated
// for a wrong key), the peer's refusal, kFailedPrecondition when this node
// was never restored.
Result<audit::RejoinResponse> RejoinPeer(UnlockedNode& node, const config::PeerConfig& peer);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_REJOIN_PEER_H_
