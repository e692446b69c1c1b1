// node/audit/session_journal.h — the audit log's write-ahead journal of open
// sessions, so that no exchange can vanish from the log.
//
// A session (a PSI exchange in either role, or a participation in a regional
// count) is opened before any blinded value of this node leaves it: in one
// transaction the "opened" record goes into the audit log and a row into
// `open_sessions` holding the record to append should the session never be
// closed (its outcome "interrupted"). Closing the session — completed, failed,
// refused or expired — deletes the row in the transaction that appends the
// closing record. A process that stops or crashes in between leaves its rows
// behind; the next process to open the node (any command, or `serve`) appends
// their "interrupted" records once the owning process is gone.
//
// Ownership: each row names its process as "<boot id>/<pid>/<start time>"
// (/proc), so a row of a process still running — a `match` next to `serve` —
// is never closed under it, and a pid reused after a reboot or by another
// program does not keep a row open forever.
//
// Thread safety: like the Store, one thread at a time per connection.
#ifndef INBEELD_NODE_AUDIT_SESSION_JOURNAL_H_
#define INBEELD_NODE_AUDIT_SESSION_JOURNAL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"
#include "node/audit/audit_log.h"
#include "schema/audit_record.h"

namespace inbeeld::node::audit {

// This process as a journal owner: "<boot id>/<pid>/<start time>".
const std::string& CurrentProcessOwner();
// Whether the process `owner` names still runs (false for a malformed owner).
bool OwnerAlive(const std::string& owner);

class SessionJournal {
 public:
  // REQUIRES: `log` writes to `store`; both outlive the journal.
  SessionJournal(Store& store, AuditLog& log) : store_(store), log_(log) {}

  // Appends `opened` and journals `interrupted` (the record to append if the
  // session is never closed) under `key`, owned by this process. With
  // `list_id`, the interrupted record, once written, is noted as naming that
  // committed list (list_commitments.h), so `audit subject` finds the
  // session for each child on it.
  // kAlreadyExists if `key` is open already. REQUIRES: a transaction.
  Status OpenInTransaction(const std::string& key, const schema::AuditRecord& opened,
                           const schema::AuditRecord& interrupted,
                           std::optional<int64_t> list_id = std::nullopt);
  // Forgets `key` (no-op if it is not open). REQUIRES: a transaction, the one
  // that appends the session's closing record.
  Status CloseInTransaction(const std::string& key);

  // Appends, in one transaction, the "interrupted" record of every open
  // session whose owner no longer runs (with `now_ms` as its end time) and
  // forgets them. Returns how many were closed.
  Result<size_t> CloseAbandoned(int64_t now_ms);

 private:
  Store& store_;
  AuditLog& log_;
};

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_SESSION_JOURNAL_H_
