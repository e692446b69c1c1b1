// node/audit/refusal_log.h — refused requests of pinned peers, in the audit
// log without letting a misbehaving peer flood it.
//
// Requests refused before a session exists — a transport refusal (unknown
// path, missing or oversized length, chunked body), a message that does not
// decode, a message 3 for a session that is unknown or finished — are recorded
// per (peer, request, reason): the first in a minute at once, one record
// "inbeeld.request.refused", and any further ones of that minute counted and
// recorded together ("inbeeld.count.requests") when the minute is over, at
// the next Flush() or when the log is destroyed. Nothing is dropped: a
// record that cannot be written stays pending and is retried at the next
// Flush(). A record names the peer, its key, the request (the route, or
// "unknown") and the reason in words — never a byte of the request.
//
// Thread safety: all methods may be called from any thread; `append` is
// called without the log's own mutex held, one call at a time.
#ifndef INBEELD_NODE_AUDIT_REFUSAL_LOG_H_
#define INBEELD_NODE_AUDIT_REFUSAL_LOG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "base/error.h"
#include "schema/audit_record.h"

namespace inbeeld::node::audit {

struct RefusedRequest {
  std::string peer;      // pinned name
  std::string peer_key;  // "ed25519:<hex>"
  std::string request;   // e.g. "POST /v1/psi/start", or "unknown"
  std::string reason;    // words for people, no payload
};

class RefusalLog {
 public:
  using AppendFn = std::function<Status(std::vector<schema::AuditRecord>)>;
  using NowFn = std::function<int64_t()>;  // Unix milliseconds
  RefusalLog(AppendFn append, NowFn now);
  ~RefusalLog();  // flushes what is pending; errors go to stderr

  // Records `refused` (at once, or counted into this minute's record).
  // Returns the error of an immediate write that failed; the refusal then
  // stays pending.
  Status Note(const RefusedRequest& refused);
  // Writes the counts of minutes that are over (all of them with `all`).
  Status Flush(bool all = false);

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // peer, request, reason
  struct Pending {
    std::string peer_key;
    int64_t minute = 0;  // the minute whose first refusal was recorded at once
    int64_t first_ms = 0;
    int64_t last_ms = 0;
    uint64_t count = 0;  // refusals not yet recorded
  };
  static schema::AuditRecord MakeRecord(const Key& key, const Pending& pending);
  Status Write(std::vector<schema::AuditRecord> records);

  AppendFn append_;
  NowFn now_;
  std::mutex mu_;  // guards pending_
  std::map<Key, Pending> pending_;
  std::mutex write_mu_;  // one append at a time
};

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_REFUSAL_LOG_H_
