// node/audit/exchange_records.h — the audit records one exchange produces.
//
// One parent record per session (name "inbeeld.exchange.match" or
// "inbeeld.exchange.count"; status, times, purpose, legal basis, peer, counts,
// outcome, reason) and, when this node's blinded list left the node (or was
// attempted to), one child record per child on it: the same trace, the
// parent's operation as parent, the child's audit pseudonym as data subject,
// and whether the peer also knows the child ("yes" for a certain or probable
// pair, "possibly" for possible pairs only, "no", or "not revealed" in count
// mode and for sessions that did not complete).
//
// The trace id is the session id, shared by both nodes. Each side's operation
// id is derived from the session id and its role, so each record can name the
// other side's operation as its foreign operation.
//
// Thread safety: pure functions.
#ifndef INBEELD_NODE_AUDIT_EXCHANGE_RECORDS_H_
#define INBEELD_NODE_AUDIT_EXCHANGE_RECORDS_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/pseudonym.h"
#include "node/audit/audit_log.h"
#include "schema/audit_record.h"

namespace inbeeld::node::audit {

struct ExchangeAudit {
  std::string trace_id;  // session id, 32 hex
  std::string peer_session;  // for refusals: the session id the peer sent
  std::string role;      // "initiator" | "responder"
  std::string node_key;  // this node's fingerprint
  std::string peer;
  std::string peer_key;
  std::string purpose;
  std::string legal_basis;
  std::string mode;     // "match" | "count"
  std::string outcome;  // "completed" | "failed" | "refused"
  std::string reason;   // for failed/refused: words for people, no identifiers
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t list_version = 0;
  std::optional<uint32_t> sent;      // own records sent (blinded)
  std::optional<uint32_t> received;  // peer records received (blinded)
  std::optional<uint32_t> matched;   // own records in a certain or probable pair (overlap)
  std::optional<uint32_t> matched_possible;  // own records in possible pairs only
  std::string match_keys;    // key types offered or agreed: "pgn, name, weak"
  std::string shared_labels;  // label fields offered or agreed: "category, since"
};

std::string OperationIdFor(const std::string& trace_id, const std::string& role);

// Whether the peer knows a child, as a session's pairs say (psi::Outcome).
enum class ChildMatch : uint8_t { kNo, kPossibly, kYes };

// The parent record of an exchange.
schema::AuditRecord ExchangeParentRecord(const ExchangeAudit& exchange);

// Appends the parent and one child record per subject. `subjects` are the
// list subjects of the records sent (empty: none were); `matched[i]` tells
// whether subjects[i] matched (empty: not revealed). Children are written in
// pseudonym order, in chunks, each encoded directly in canonical form, so
// memory beyond the n pseudonyms stays bounded and index inserts sequential.
// REQUIRES (InTransaction): the caller holds a transaction.
Status AppendExchangeInTransaction(AuditLog& log, const ExchangeAudit& exchange,
                                   const crypto::PseudonymKey& audit_key,
                                   const std::vector<std::array<uint8_t, 32>>& subjects,
                                   const std::vector<ChildMatch>& matched);
Status AppendExchange(AuditLog& log, const ExchangeAudit& exchange,
                      const crypto::PseudonymKey& audit_key,
                      const std::vector<std::array<uint8_t, 32>>& subjects,
                      const std::vector<ChildMatch>& matched);

// One child record's canonical JSON line (exposed for tests; equal to
// schema::EncodeAuditRecord of the same record).
std::string EncodeChildRecord(const std::string& trace_id, const std::string& operation_id,
                              const std::string& parent_operation_id, bool ok, int64_t start_ms,
                              int64_t end_ms, const std::string& activity,
                              const std::string& subject, const std::string& matched,
                              uint64_t seq);

// A record for a node event (import, key creation, configuration change,
// witness refusal, purge): its own trace, no data subject.
// Stamped with `clock`'s time.
schema::AuditRecord EventRecord(const Clock& clock, std::string name, bool ok,
                                std::map<std::string, std::string> attributes);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_EXCHANGE_RECORDS_H_
