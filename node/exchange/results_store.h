// node/exchange/results_store.h — exchange sessions and what each one taught us.
//
// One row per session this node took part in (as initiator or responder) and,
// for a completed match-mode session, one row per pair: an own record and a
// peer record the protocol linked, with the pair's strength (certain,
// probable, possible), the pair code both sides share, the peer's agreed
// labels and, for a possible pair, the operator's decision (confirmed or
// rejected). A session's pairs are written in the same transaction that
// marks it completed, so a failed or interrupted session never leaves a
// partial result. Rows refer to records by their subject pseudonym, never by
// identifier.
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
#include "node/clock/timestamp.h"
#include "node/psi/session.h"
#include "node/store/store.h"
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
  std::optional<uint32_t> overlap;  // own records in a certain or probable pair
  std::optional<uint8_t> label_mask;
  std::optional<uint8_t> key_mask;
  std::optional<schema::wire::MatchCounts> own_counts;   // strong / possible only
  std::optional<schema::wire::MatchCounts> peer_counts;  // the peer's records likewise
};

enum class Decision { kNone, kConfirmed, kRejected };

// "confirmed", "rejected", or "" for kNone: as stored and in JSON.
std::string_view DecisionName(Decision decision);

struct StoredMatch {
  Subject subject{};
  uint32_t peer_record = 0;
  std::string pair_code;  // "" for a protocol-v1 session
  schema::Strength strength = schema::Strength::kCertain;
  schema::wire::Labels peer_labels;
  Decision decision = Decision::kNone;  // only a possible pair is decided
  std::string decided_by;

  // The pair counts as the same child: certain, probable, or possible and
  // confirmed by an operator.
  bool SameChild() const {
    return strength != schema::Strength::kPossible || decision == Decision::kConfirmed;
  }
};

std::string SessionIdHex(const schema::wire::SessionId& id);
Result<schema::wire::SessionId> ParseSessionId(std::string_view hex);

class ResultsStore {
 public:
  explicit ResultsStore(Store& store) : store_(store) {}
  // The node's clock, which stamps the sessions stored here.
  const Clock& clock() const { return store_.clock(); }

  // Inserts a running session. kAlreadyExists if the id was seen before
  // (a replayed session id).
  Status Begin(const SessionRecord& session);
  // Marks the session completed with its outcome and stores its pairs;
  // `subjects[i]` is the subject of local record i. `also` runs inside the
  // same transaction (the audit records): if it fails, nothing is stored and
  // the error is returned.
  Status Complete(const schema::wire::SessionId& id, const psi::Outcome& outcome,
                  const std::vector<Subject>& subjects, const std::function<Status()>& also = {});
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
  // The session's pairs in (subject, peer record) order.
  Result<std::vector<StoredMatch>> Matches(const schema::wire::SessionId& id);

  // Records an operator's decision on a possible pair of a completed
  // session, found by its pair code. `also` runs in the same transaction
  // (the audit record). kNotFound for an unknown code; kFailedPrecondition
  // for a certain or probable pair (nothing to decide).
  Result<StoredMatch> Decide(const schema::wire::SessionId& id, std::string_view pair_code,
                             Decision decision, const std::string& by,
                             const std::function<Status(const StoredMatch&)>& also = {});

 private:
  Store& store_;
};

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_RESULTS_STORE_H_
