// node/audit/exchange_records.h — the audit records one exchange produces.
//
// One parent record per session (name "inbeeld.exchange.match" or
// "inbeeld.exchange.count"; status, times, purpose, legal basis, peer, counts,
// outcome, reason, list version). When this node's blinded list left the node
// (or was attempted to), the log holds the list once, not once per session:
//
//   - the list — the children's audit pseudonyms, sorted — is committed by
//     an "inbeeld.list.committed" record the first time it is sent
//     (list_commitments.h); a list version sent again reuses it;
//   - the parent names it: inbeeld.list_root, inbeeld.list_size, and
//     inbeeld.members_without_record, what the session says of a child on the
//     list that has no record of its own in it: "no" after a completed match,
//     "not revealed" in count mode and for sessions that did not complete;
//   - after a completed match, each child the peer also knows gets a child
//     record: the same trace, the parent's operation as parent, the child's
//     audit pseudonym as data subject, inbeeld.matched "yes" (a certain or
//     probable pair) or "possibly" (possible pairs only).
//
// So a session costs its parent and its matches, and `audit subject` still
// answers exactly: every session whose list held the child, with yes,
// possibly, no or not revealed. (Logs written before list commitments hold
// one child record per child instead; `audit subject` reads both.)
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
#include "node/audit/session_journal.h"
#include "schema/audit_record.h"

namespace inbeeld::node::audit {

struct ExchangeAudit {
  std::string trace_id;      // session id, 32 hex
  std::string peer_session;  // for refusals: the session id the peer sent
  std::string role;          // "initiator" | "responder"
  std::string node_key;      // this node's fingerprint
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
  std::optional<uint32_t> sent;              // own records sent (blinded)
  std::optional<uint32_t> received;          // peer records received (blinded)
  std::optional<uint32_t> matched;           // own records in a certain or probable pair (overlap)
  std::optional<uint32_t> matched_possible;  // own records in possible pairs only
  std::string match_keys;                    // key types offered or agreed: "pgn, name, weak"
  std::string shared_labels;                 // label fields offered or agreed: "category, since"
};

std::string OperationIdFor(const std::string& trace_id, const std::string& role);

// Whether the peer knows a child, as a session's pairs say (psi::Outcome).
enum class ChildMatch : uint8_t { kNo, kPossibly, kYes };

// The parent record of an exchange.
schema::AuditRecord ExchangeParentRecord(const ExchangeAudit& exchange);

// The record that opens an exchange in the session journal
// (session_journal.h), written before this node's blinded list leaves:
// "inbeeld.exchange.opened", status unset, with what is about to be sent. And
// the parent record journalled with it, appended should the session never be
// closed: outcome "interrupted". The journal key of the exchange.
schema::AuditRecord ExchangeOpenedRecord(const ExchangeAudit& exchange);
schema::AuditRecord ExchangeInterruptedRecord(const ExchangeAudit& exchange);
std::string ExchangeJournalKey(const ExchangeAudit& exchange);

// Opens the exchange in `journal`: commits the list of `subjects` (the
// children whose blinded keys are about to leave), and writes the opened
// record and journals the interrupted one, both naming that list.
// REQUIRES: the caller holds a transaction.
Status OpenExchangeInTransaction(AuditLog& log, SessionJournal& journal,
                                 const ExchangeAudit& exchange,
                                 const crypto::PseudonymKey& audit_key,
                                 const std::vector<std::array<uint8_t, 32>>& subjects);

// Appends the list's commitment (if new), the parent, and a child record for
// each matched subject. `subjects` are the list subjects of the records sent
// (empty: none were, and only the parent is written); `matched[i]` tells
// whether subjects[i] matched (empty: not revealed; else the same size as
// `subjects`). Children are written in pseudonym order, in chunks, each
// encoded directly in canonical form.
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
                              const std::string& subject, const std::string& matched, uint64_t seq);

// A record for a node event (import, key creation, configuration change,
// witness refusal, purge): its own trace, no data subject.
// Stamped with `clock`'s time.
schema::AuditRecord EventRecord(const Clock& clock, std::string name, bool ok,
                                std::map<std::string, std::string> attributes);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_EXCHANGE_RECORDS_H_
