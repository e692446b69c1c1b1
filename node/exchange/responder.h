// node/exchange/responder.h — the serving side of an exchange, without HTTP.
//
// Turns the bodies of POST /v1/psi/start and /v1/psi/finish from an
// authenticated peer (its name comes from the pinned TLS certificate) into
// response bodies, applying this node's policy before any expensive work:
// unknown peer, purpose not allowed, count-only peer asking for matches, list
// over the size limit or under the peer's minimum, daily session limit, too
// many open sessions. A session that is not finished within `session_ttl` is
// dropped and marked failed (ExpireStale). The time to live and the witness
// window run on the node's Clock::Monotonic() (node/clock/clock.h), so tests
// move them with a FakeClock (tests/node/serve/peer_routes_test.cc). Results are stored (one
// transaction) before the last message is released, so a peer never holds a result this node did
// not record.
//
// Concurrency: up to `max_sessions_per_peer` sessions of one peer and
// `max_open_sessions` in all are open at once; a start beyond either is
// refused as busy — kUnavailable, which the server sends as a 429 with
// Retry-After: busy_retry_after — and the initiator retries with backoff. A
// new session never ends another.
//
// Audit: every start request from a pinned peer ends in exactly one parent
// record — refused, failed, completed, or interrupted should the node stop in
// between. The session is opened in the audit journal (session_journal.h)
// before message 2, which carries this node's blinded list, leaves; the
// closing record is written in the transaction that closes it. Requests
// refused before a session exists (a malformed message, a message 3 for an
// unknown session, a transport refusal) go to the RefusalLog. Before a
// session starts the peer must have witnessed with this node (POST
// /v1/audit/witness, /v1/audit/cosign) within `witness_window`; a forked or
// rolled-back peer log is refused and recorded. If an audit record cannot be
// written, the request fails and nothing more of this node's is released.
//
// Thread safety: all methods may be called concurrently from server threads.
// The store is used under an internal mutex; the crypto runs outside it.
#ifndef INBEELD_NODE_EXCHANGE_RESPONDER_H_
#define INBEELD_NODE_EXCHANGE_RESPONDER_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/error.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/audit/refusal_log.h"
#include "node/audit/session_journal.h"
#include "node/datadir/node_dir.h"
#include "node/exchange/results_store.h"
#include "node/psi/session.h"

namespace inbeeld::node::exchange {

struct ResponderOptions {
  std::chrono::seconds session_ttl{600};
  std::chrono::seconds witness_window{600};
  size_t max_open_sessions = 8;              // across all peers
  size_t max_sessions_per_peer = 4;          // of one peer at a time
  std::chrono::seconds busy_retry_after{5};  // the hint sent with a busy refusal
  unsigned threads = 0;                      // crypto threads per session; 0 = all cores
};

// What the serving process is told, for its event log and metrics
// (node/ops/). Each callback may be empty. They run on the request's thread
// — witness_refused, and session_ended for a result that could not be
// stored, with the Responder's store lock held — so they must be
// thread-safe, quick, and must not call back into the Responder. Nothing
// passed holds a child's identifier (audit records never do).
struct ResponderObserver {
  // A session ended: completed, failed or refused (audit.outcome), after its
  // audit record was written (or failed to be). `code`: the error's code for
  // a failure or refusal.
  std::function<void(const audit::ExchangeAudit& audit, std::optional<ErrorCode> code)>
      session_ended;
  // A peer's witness request was refused: its log was rolled back or forked.
  std::function<void(std::string_view peer, std::string_view reason)> witness_refused;
  // A request refused before any session existed (malformed, an unknown
  // session, a transport refusal); `request` is "POST /v1/…" or "unknown".
  std::function<void(std::string_view peer, std::string_view request, std::string_view reason)>
      request_refused;
};

class Responder {
 public:
  // REQUIRES: `node` outlives the Responder and is used by nobody else meanwhile.
  Responder(UnlockedNode& node, ResponderOptions options);

  // REQUIRES: before the first request.
  void SetObserver(ResponderObserver observer) { observer_ = std::move(observer); }

  // Totals read at a metrics scrape, on the Responder's connection under its
  // lock: records in the audit log, rows of the current list version (0
  // before the first import). Errors: the store's.
  struct Totals {
    uint64_t audit_records = 0;
    int64_t list_rows = 0;
    // Per peer, when its latest completed session (either role, any
    // process) finished, as ISO 8601 UTC; from the 1000 most recent sessions.
    std::map<std::string, std::string> last_completed;
  };
  Result<Totals> ReadTotals();

  Result<std::string> HandleStart(std::string_view peer_name, std::string_view body);
  Result<std::string> HandleFinish(std::string_view peer_name, std::string_view body);
  Result<std::string> HandleWitness(std::string_view peer_name, std::string_view body);
  // POST /v1/audit/rejoin (node/audit/rejoin.h): a restored peer asks to be
  // accepted; kept for this node's operator, or answered from the outcome.
  Result<std::string> HandleRejoin(std::string_view peer_name, std::string_view body);
  Result<std::string> HandleCosign(std::string_view peer_name, std::string_view body);

  // Drops sessions past their deadline and marks them failed, and writes the
  // refusal counts of minutes that are over. Called by the server
  // periodically and before each start.
  void ExpireStale();

  // A request of pinned peer `peer_name` that the transport refused (unknown
  // path, bad length, chunked body, too slow…): recorded in the RefusalLog.
  void RecordTransportRefusal(std::string_view peer_name, std::string_view request,
                              std::string_view reason);

  // The session ends "the node stopped" for every open session; call after
  // the server stopped handing requests to this object.
  void Shutdown();

 private:
  struct Pending {
    std::string peer;
    std::unique_ptr<psi::ResponderSession> session;
    std::vector<Subject> subjects;
    std::chrono::steady_clock::time_point deadline;
    audit::ExchangeAudit audit;
  };
  const config::PeerConfig* PeerOrNull(std::string_view name) const;
  audit::ExchangeAudit AuditBase(const config::PeerConfig& peer,
                                 const schema::wire::StartHeader& header);
  // Records a refusal (nothing of ours was sent). Store lock must NOT be held.
  Status RecordRefusal(audit::ExchangeAudit audit, const Error& why);
  // A request refused before any session existed. Store lock must NOT be held.
  void NoteRefused(std::string_view peer_name, std::string_view request, std::string reason);
  // Records "inbeeld.witness.refused" (a forked or rolled-back log, a forged
  // rejoin). REQUIRES: store_mu_ is held.
  Status RecordWitnessRefused(const config::PeerConfig& peer, const std::string& reason);
  // Marks a started session failed and records it with its child records
  // (`subjects` empty: none of ours was sent), closing its journal entry.
  Status RecordFailure(const schema::wire::SessionId& id, audit::ExchangeAudit audit,
                       const std::vector<Subject>& subjects, const std::string& why);
  // RecordFailure whose own failure can only be reported: the request that
  // led here already fails. The journal closes the session at the next start.
  void RecordFailureOrReport(const schema::wire::SessionId& id, const audit::ExchangeAudit& audit,
                             const std::vector<Subject>& subjects, const std::string& why);
  Error Busy(std::string what) const;

  UnlockedNode& node_;
  ResponderOptions options_;
  std::mutex store_mu_;  // guards node_.store and audit_
  audit::AuditLog audit_;
  std::map<std::string, std::chrono::steady_clock::time_point> witnessed_;  // guarded by store_mu_
  std::mutex pending_mu_;
  std::map<schema::wire::SessionId, Pending> pending_;
  // Sessions between the capacity check and insertion, per peer; guarded by
  // pending_mu_.
  std::map<std::string, size_t, std::less<>> starting_;
  ResponderObserver observer_;
  audit::RefusalLog refusals_;  // last: destroyed (and flushed) first
};

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_RESPONDER_H_
