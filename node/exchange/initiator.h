// node/exchange/initiator.h — run one exchange with a configured peer.
//
// Applies this node's own policy for the peer first (purpose, mode, list size,
// daily limit), then runs the PSI session over mutual TLS with the peer's key
// pinned. A refusal by either side stores nothing. Once the peer has accepted,
// the session is recorded; any later failure (peer dies, too slow, malformed
// message) marks it failed with no partial result, and a re-run starts afresh.
// A busy peer (429 or 503 with Retry-After) is asked again with backoff, up to
// eight times, before the run fails with its refusal.
//
// A caller that counts sessions (serve's metrics and event log, for the
// sessions its console and scheduler start) passes MatchRequest::
// session_ended: called once the run's outcome is on record.
//
// Thread safety: uses the node's store; one call at a time per UnlockedNode.
#ifndef INBEELD_NODE_EXCHANGE_INITIATOR_H_
#define INBEELD_NODE_EXCHANGE_INITIATOR_H_

#include <functional>
#include <optional>
#include <string>

#include "base/error.h"
#include "node/audit/exchange_records.h"
#include "node/datadir/node_dir.h"
#include "node/exchange/results_store.h"
#include "node/net/client.h"
#include "node/psi/session.h"

namespace inbeeld::node::exchange {

struct MatchRequest {
  std::string peer;
  std::string purpose;
  schema::wire::Mode mode = schema::wire::Mode::kMatch;
  net::ClientOptions client;
  unsigned threads = 0;
  // Called once the session's outcome (audit.outcome: completed, failed or
  // refused) is on record, or its recording failed, on the caller's thread;
  // `code` is the error's code when RunMatch fails. Not called when nothing
  // was recorded (an unknown peer, no list, a key that does not parse).
  std::function<void(const audit::ExchangeAudit& audit, std::optional<ErrorCode> code)>
      session_ended;
};

struct MatchReport {
  SessionRecord session;
  psi::Outcome outcome;
};

Result<MatchReport> RunMatch(UnlockedNode& node, const MatchRequest& request);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_INITIATOR_H_
