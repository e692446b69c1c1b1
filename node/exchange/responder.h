// node/exchange/responder.h — the serving side of an exchange, without HTTP.
//
// Turns the bodies of POST /v1/psi/start and /v1/psi/finish from an
// authenticated peer (its name comes from the pinned TLS certificate) into
// response bodies, applying this node's policy before any expensive work:
// unknown peer, purpose not allowed, count-only peer asking for matches, list
// over the size limit, daily session limit, replayed session id, too many open
// sessions. A session that is not finished within `session_ttl` is dropped and
// marked failed. Results are stored (one transaction) before the last message
// is released, so a peer never holds a result this node did not record.
//
// Audit: every start request from a pinned peer ends in exactly one parent
// record — refused, failed or completed — plus, once this node's blinded list
// has left, one record per child on it. Before a session starts the peer must
// have witnessed with this node (POST /v1/audit/witness, /v1/audit/cosign)
// within `witness_window`; a forked or rolled-back peer log is refused and
// recorded. If the audit records cannot be written, no result is released.
//
// Thread safety: all methods may be called concurrently from server threads.
// The store is used under an internal mutex; the crypto runs outside it.
#ifndef INBEELD_NODE_EXCHANGE_RESPONDER_H_
#define INBEELD_NODE_EXCHANGE_RESPONDER_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/error.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/exchange/results_store.h"
#include "node/node_dir.h"
#include "node/psi/session.h"

namespace inbeeld::node::exchange {

struct ResponderOptions {
  std::chrono::seconds session_ttl{600};
  std::chrono::seconds witness_window{600};
  size_t max_open_sessions = 4;  // across all peers; one per peer at a time
  unsigned threads = 0;          // crypto threads per session; 0 = all cores
};

class Responder {
 public:
  // REQUIRES: `node` outlives the Responder and is used by nobody else meanwhile.
  Responder(UnlockedNode& node, ResponderOptions options);

  Result<std::string> HandleStart(std::string_view peer_name, std::string_view body);
  Result<std::string> HandleFinish(std::string_view peer_name, std::string_view body);
  Result<std::string> HandleWitness(std::string_view peer_name, std::string_view body);
  Result<std::string> HandleCosign(std::string_view peer_name, std::string_view body);

  // Drops sessions past their deadline and marks them failed. Called by the
  // server periodically and before each start.
  void ExpireStale();

 private:
  struct Pending {
    std::string peer;
    std::unique_ptr<psi::ResponderSession> session;
    std::vector<Subject> subjects;
    std::chrono::steady_clock::time_point deadline;
    audit::ExchangeAudit audit;
  };
  const config::PeerConfig* PeerOrNull(std::string_view name) const;
  audit::ExchangeAudit AuditBase(const config::PeerConfig& peer, const schema::wire::StartHeader& header);
  // Records a refusal (nothing of ours was sent). Store lock must NOT be held.
  void RecordRefusal(audit::ExchangeAudit audit, const Error& why);
  // Marks a started session failed and records it with its child records.
  Status RecordFailure(const schema::wire::SessionId& id, audit::ExchangeAudit audit,
                       const std::vector<Subject>& subjects, const std::string& why);

  UnlockedNode& node_;
  ResponderOptions options_;
  std::mutex store_mu_;  // guards node_.store and audit_
  audit::AuditLog audit_;
  std::map<std::string, std::chrono::steady_clock::time_point> witnessed_;  // guarded by store_mu_
  std::mutex pending_mu_;
  std::map<schema::wire::SessionId, Pending> pending_;
  size_t starting_ = 0;  // sessions between policy check and insertion; guarded by pending_mu_
};

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_RESPONDER_H_
