// node/exchange/results_store.h — exchange sessions and what each one taught us.
//
// One row per session this node took part in (as initiator or responder) and,
// for a completed match-mode session, one row per own record the peer also
// holds, with the peer's agreed labels. A session's matches are written in the
// same transaction that marks it completed, so a failed or interrupted session
// never leaves a partial result. Rows refer to records by their subject
// pseudonym, never by identifier.
//
// Thread safety: as the Store it wraps (one thread at a time; callers that
// share a Store across threads hold their own mutex).
#ifndef INBEELD_NODE_EXCHANGE_RESULTS_STORE_H_
#define INBEELD_NODE_EXCHANGE_RESULTS_STORE_H_

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/psi/session.h"
#include "node/store.h"
#include "node/timestamp.h"
#include "schema/wire.h"

namespace inbeeld::node::exchange {

using Subject = std::array<uint8_t, 32>;

struct SessionRecord {
  schema::wire::SessionId id{};
  std::string role;  // "initiator" | "responder"
  std::string peer;  // peer name from the configuration
  std::string peer_key;
  std::string purpose;
  schema::wire::Mode mode = schema::wire::Mode::kMatch;
  std::string started_at;
  std::string finished_at;
  std::string status;  // "running" | "completed" | "failed"
  std::string error;
  int64_t list_version = 0;
  uint32_t own_list_size = 0;
  std::optional<uint32_t> peer_list_size;
  std::optional<schema::Date> peer_list_date;
  std::optional<uint32_t> overlap;
  std::optional<uint8_t> label_mask;
};

struct StoredMatch {
  Subject subject{};
  schema::wire::Labels peer_labels;
};

std::string SessionIdHex(const schema::wire::SessionId& id);
Result<schema::wire::SessionId> ParseSessionId(std::string_view hex);

class ResultsStore {
 public:
  explicit ResultsStore(Store& store) : store_(store) {}

  // Inserts a running session. kAlreadyExists if the id was seen before
  // (a replayed session id).
  Status Begin(const SessionRecord& session);
  // Marks the session completed with its outcome; `subjects[i]` is the subject
  // of local record i. `also` runs inside the same transaction (the audit
  // records): if it fails, nothing is stored and the error is returned.
  Status Complete(const schema::wire::SessionId& id, const psi::Outcome& outcome,
                  const std::vector<Subject>& subjects,
                  const std::function<Status()>& also = {});
  // Marks the session failed with a message for people (no identifiers);
  // `also` as for Complete.
  Status MarkFailed(const schema::wire::SessionId& id, const std::string& error,
                    const std::function<Status()>& also = {});
  // Sessions with `peer` in `role` started at or after `since_iso` (any status).
  Result<int> CountSince(const std::string& peer, const std::string& role,
                         const std::string& since_iso);
  // Running sessions that started before `before_iso` become failed.
  Status FailStale(const std::string& role, const std::string& before_iso, const std::string& why);

  Result<std::vector<SessionRecord>> Recent(size_t limit);
  Result<SessionRecord> Get(const schema::wire::SessionId& id);
  Result<std::vector<StoredMatch>> Matches(const schema::wire::SessionId& id);

 private:
  Store& store_;
};

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_RESULTS_STORE_H_
