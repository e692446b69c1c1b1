#include "node/exchange/results_store.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "crypto/bytes.h"
#include "node/clock/timestamp.h"
#include "node/store/sqlite_util.h"

namespace inbeeld::node::exchange {
namespace {

std::string_view ModeName(schema::wire::Mode mode) {
  return mode == schema::wire::Mode::kCount ? "count" : "match";
}

constexpr const char* kSessionColumns =
    "id, role, peer, peer_key, purpose, mode, started_at, finished_at, status, error, "
    "list_version, own_list_size, peer_list_size, peer_list_date, overlap, label_mask, "
    "key_mask, own_strong, own_possible, peer_strong, peer_possible";

Result<schema::Strength> ParseStrength(std::string_view text) {
  for (auto s :
       {schema::Strength::kCertain, schema::Strength::kProbable, schema::Strength::kPossible}) {
    if (schema::StrengthName(s) == text) return s;
  }
  return Fail(ErrorCode::kDataLoss, "a stored pair has an unknown strength");
}

Result<SessionRecord> ReadSession(const Statement& s) {
  SessionRecord r;
  auto id = s.ColumnBlobView(0);
  if (id.size() != r.id.size())
    return Fail(ErrorCode::kDataLoss, "a stored session id is malformed");
  std::copy(id.begin(), id.end(), r.id.begin());
  r.role = s.ColumnText(1);
  r.peer = s.ColumnText(2);
  r.peer_key = s.ColumnText(3);
  r.purpose = s.ColumnText(4);
  r.mode = s.ColumnText(5) == "count" ? schema::wire::Mode::kCount : schema::wire::Mode::kMatch;
  r.started_at = s.ColumnText(6);
  r.finished_at = s.ColumnText(7);
  r.status = s.ColumnText(8);
  r.error = s.ColumnText(9);
  r.list_version = s.ColumnInt(10);
  r.own_list_size = static_cast<uint32_t>(s.ColumnInt(11));
  if (!s.ColumnIsNull(12)) r.peer_list_size = static_cast<uint32_t>(s.ColumnInt(12));
  if (!s.ColumnIsNull(13)) {
    auto date = schema::ParseDate(s.ColumnText(13));
    if (!date) return Fail(ErrorCode::kDataLoss, "a stored session date is malformed");
    r.peer_list_date = *date;
  }
  if (!s.ColumnIsNull(14)) r.overlap = static_cast<uint32_t>(s.ColumnInt(14));
  if (!s.ColumnIsNull(15)) r.label_mask = static_cast<uint8_t>(s.ColumnInt(15));
  if (!s.ColumnIsNull(16)) r.key_mask = static_cast<uint8_t>(s.ColumnInt(16));
  if (!s.ColumnIsNull(17) && !s.ColumnIsNull(18)) {
    r.own_counts = schema::wire::MatchCounts{static_cast<uint32_t>(s.ColumnInt(17)),
                                             static_cast<uint32_t>(s.ColumnInt(18))};
  }
  if (!s.ColumnIsNull(19) && !s.ColumnIsNull(20)) {
    r.peer_counts = schema::wire::MatchCounts{static_cast<uint32_t>(s.ColumnInt(19)),
                                              static_cast<uint32_t>(s.ColumnInt(20))};
  }
  return r;
}

}  // namespace

std::string_view DecisionName(Decision d) {
  return d == Decision::kConfirmed ? "confirmed" : d == Decision::kRejected ? "rejected" : "";
}

std::string SessionIdHex(const schema::wire::SessionId& id) { return crypto::HexEncode(id); }

Result<schema::wire::SessionId> ParseSessionId(std::string_view hex) {
  auto bytes = crypto::HexDecode(hex);
  schema::wire::SessionId id{};
  if (!bytes || bytes->size() != id.size()) {
    return Fail(ErrorCode::kInvalidArgument, "a session id is 32 hexadecimal characters");
  }
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

Status ResultsStore::Begin(const SessionRecord& r) {
  auto s = Statement::Prepare(
      store_.handle(),
      "INSERT INTO sessions(id, role, peer, peer_key, purpose, mode, started_at, status, "
      "list_version, own_list_size) VALUES(?,?,?,?,?,?,?,'running',?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, r.id));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, r.role));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, r.peer));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, r.peer_key));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, r.purpose));
  INBEELD_RETURN_IF_ERROR(s->Bind(6, ModeName(r.mode)));
  INBEELD_RETURN_IF_ERROR(s->Bind(7, r.started_at.empty() ? NowIso(store_.clock()) : r.started_at));
  INBEELD_RETURN_IF_ERROR(s->Bind(8, r.list_version));
  INBEELD_RETURN_IF_ERROR(s->Bind(9, int64_t{r.own_list_size}));
  auto done = s->Run();
  if (!done && LastErrorWasUniqueViolation(store_.handle())) {
    return Fail(ErrorCode::kFailedPrecondition,
                "session id " + SessionIdHex(r.id) + " was used before (replay)");
  }
  return done;
}

Status ResultsStore::Complete(const schema::wire::SessionId& id, const psi::Outcome& outcome,
                              const std::vector<Subject>& subjects,
                              const std::function<Status()>& also) {
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  auto s = Statement::Prepare(
      store_.handle(),
      "UPDATE sessions SET status = 'completed', finished_at = ?, peer_list_size = ?, "
      "peer_list_date = ?, overlap = ?, label_mask = ?, key_mask = ?, own_strong = ?, "
      "own_possible = ?, peer_strong = ?, peer_possible = ? WHERE id = ? AND status = 'running'");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, int64_t{outcome.peer_list_size}));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, schema::FormatIso(outcome.peer_list_date)));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, int64_t{outcome.overlap}));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, int64_t{outcome.label_mask}));
  INBEELD_RETURN_IF_ERROR(s->Bind(6, int64_t{outcome.key_mask}));
  INBEELD_RETURN_IF_ERROR(s->Bind(7, int64_t{outcome.own.strong}));
  INBEELD_RETURN_IF_ERROR(s->Bind(8, int64_t{outcome.own.possible}));
  INBEELD_RETURN_IF_ERROR(s->Bind(9, int64_t{outcome.peer.strong}));
  INBEELD_RETURN_IF_ERROR(s->Bind(10, int64_t{outcome.peer.possible}));
  INBEELD_RETURN_IF_ERROR(s->BindBlob(11, id));
  INBEELD_RETURN_IF_ERROR(s->Run());
  if (Changes(store_.handle()) != 1) {
    return Fail(ErrorCode::kFailedPrecondition, "session " + SessionIdHex(id) + " is not running");
  }
  auto m = Statement::Prepare(
      store_.handle(),
      "INSERT INTO session_pairs(session_id, subject, peer_record, pair_code, strength, "
      "peer_category, peer_since, peer_school, peer_plan) VALUES(?,?,?,?,?,?,?,?,?)");
  if (!m) return std::unexpected(m.error());
  // In (subject, peer record) order, so the primary-key B-tree only appends.
  std::vector<const psi::MatchedPair*> ordered;
  ordered.reserve(outcome.pairs.size());
  for (const psi::MatchedPair& pair : outcome.pairs) {
    if (pair.local_index >= subjects.size()) {
      return Fail(ErrorCode::kInternal, "a match refers to a record outside the list");
    }
    ordered.push_back(&pair);
  }
  std::sort(ordered.begin(), ordered.end(), [&](const auto* a, const auto* b) {
    const Subject& x = subjects[a->local_index];
    const Subject& y = subjects[b->local_index];
    return x != y ? x < y : a->peer_record < b->peer_record;
  });
  for (const psi::MatchedPair* pair_ptr : ordered) {
    const psi::MatchedPair& pair = *pair_ptr;
    const auto& l = pair.peer_labels;
    INBEELD_RETURN_IF_ERROR(m->BindBlob(1, id));
    INBEELD_RETURN_IF_ERROR(m->BindBlob(2, subjects[pair.local_index]));
    INBEELD_RETURN_IF_ERROR(m->Bind(3, int64_t{pair.peer_record}));
    INBEELD_RETURN_IF_ERROR(m->Bind(4, pair.pair_code));
    INBEELD_RETURN_IF_ERROR(m->Bind(5, schema::StrengthName(pair.strength)));
    INBEELD_RETURN_IF_ERROR(l.category ? m->Bind(6, static_cast<int64_t>(*l.category))
                                       : m->BindNull(6));
    INBEELD_RETURN_IF_ERROR(l.since ? m->Bind(7, schema::FormatIso(*l.since)) : m->BindNull(7));
    INBEELD_RETURN_IF_ERROR(l.school ? m->Bind(8, *l.school) : m->BindNull(8));
    INBEELD_RETURN_IF_ERROR(l.plan ? m->Bind(9, int64_t{*l.plan ? 1 : 0}) : m->BindNull(9));
    INBEELD_RETURN_IF_ERROR(m->Run());
  }
  if (also) INBEELD_RETURN_IF_ERROR(also());
  return tx->Commit();
}

Status ResultsStore::MarkFailed(const schema::wire::SessionId& id, const std::string& error,
                                const std::function<Status()>& also) {
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  auto s = Statement::Prepare(store_.handle(),
                              "UPDATE sessions SET status = 'failed', finished_at = ?, error = ? "
                              "WHERE id = ? AND status = 'running'");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, error));
  INBEELD_RETURN_IF_ERROR(s->BindBlob(3, id));
  INBEELD_RETURN_IF_ERROR(s->Run());
  if (also) INBEELD_RETURN_IF_ERROR(also());
  return tx->Commit();
}

Result<int> ResultsStore::CountSince(const std::string& peer, const std::string& role,
                                     const std::string& since_iso) {
  auto s = Statement::Prepare(
      store_.handle(),
      "SELECT count(*) FROM sessions WHERE peer = ? AND role = ? AND started_at >= ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, peer));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, role));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, since_iso));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  return static_cast<int>(s->ColumnInt(0));
}

Status ResultsStore::FailStale(const std::string& role, const std::string& before_iso,
                               const std::string& why) {
  auto s = Statement::Prepare(store_.handle(),
                              "UPDATE sessions SET status = 'failed', finished_at = ?, error = ? "
                              "WHERE role = ? AND status = 'running' AND started_at < ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, why));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, role));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, before_iso));
  return s->Run();
}

Result<std::vector<SessionRecord>> ResultsStore::Recent(size_t limit) {
  auto s = Statement::Prepare(
      store_.handle(), fmt::format("SELECT {} FROM sessions ORDER BY started_at DESC, rowid DESC "
                                   "LIMIT ?",
                                   kSessionColumns));
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(limit)));
  std::vector<SessionRecord> out;
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto r = ReadSession(*s);
    if (!r) return std::unexpected(r.error());
    out.push_back(std::move(*r));
  }
  return out;
}

Result<SessionRecord> ResultsStore::Get(const schema::wire::SessionId& id) {
  auto s = Statement::Prepare(store_.handle(),
                              fmt::format("SELECT {} FROM sessions WHERE id = ?", kSessionColumns));
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, id));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kNotFound, "no session " + SessionIdHex(id));
  return ReadSession(*s);
}

namespace {

constexpr const char* kPairColumns =
    "subject, peer_record, pair_code, strength, peer_category, peer_since, peer_school, "
    "peer_plan, decision, decided_by";

Result<StoredMatch> ReadPair(const Statement& s) {
  StoredMatch m;
  auto subject = s.ColumnBlobView(0);
  if (subject.size() != m.subject.size()) {
    return Fail(ErrorCode::kDataLoss, "a stored match is malformed");
  }
  std::copy(subject.begin(), subject.end(), m.subject.begin());
  m.peer_record = static_cast<uint32_t>(s.ColumnInt(1));
  m.pair_code = s.ColumnText(2);
  auto strength = ParseStrength(s.ColumnText(3));
  if (!strength) return std::unexpected(strength.error());
  m.strength = *strength;
  if (!s.ColumnIsNull(4)) {
    int64_t c = s.ColumnInt(4);
    if (c < 0 || c > static_cast<int64_t>(schema::Category::kDreigend)) {
      return Fail(ErrorCode::kDataLoss, "a stored match has an unknown category");
    }
    m.peer_labels.category = static_cast<schema::Category>(c);
  }
  if (!s.ColumnIsNull(5)) {
    auto d = schema::ParseDate(s.ColumnText(5));
    if (!d) return Fail(ErrorCode::kDataLoss, "a stored match has a malformed date");
    m.peer_labels.since = *d;
  }
  if (!s.ColumnIsNull(6)) m.peer_labels.school = s.ColumnText(6);
  if (!s.ColumnIsNull(7)) m.peer_labels.plan = s.ColumnInt(7) != 0;
  if (!s.ColumnIsNull(8)) {
    m.decision = s.ColumnText(8) == "confirmed" ? Decision::kConfirmed : Decision::kRejected;
  }
  if (!s.ColumnIsNull(9)) m.decided_by = s.ColumnText(9);
  return m;
}

}  // namespace

Result<std::vector<StoredMatch>> ResultsStore::Matches(const schema::wire::SessionId& id) {
  auto s = Statement::Prepare(store_.handle(),
                              fmt::format("SELECT {} FROM session_pairs WHERE session_id = ? "
                                          "ORDER BY subject, peer_record",
                                          kPairColumns));
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, id));
  std::vector<StoredMatch> out;
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto m = ReadPair(*s);
    if (!m) return std::unexpected(m.error());
    out.push_back(std::move(*m));
  }
  return out;
}

Result<StoredMatch> ResultsStore::Decide(const schema::wire::SessionId& id,
                                         std::string_view pair_code, Decision decision,
                                         const std::string& by,
                                         const std::function<Status(const StoredMatch&)>& also) {
  if (decision == Decision::kNone) {
    return Fail(ErrorCode::kInvalidArgument, "a decision is 'confirmed' or 'rejected'");
  }
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  auto q = Statement::Prepare(store_.handle(),
                              fmt::format("SELECT {} FROM session_pairs WHERE session_id = ? "
                                          "AND pair_code = ?",
                                          kPairColumns));
  if (!q) return std::unexpected(q.error());
  INBEELD_RETURN_IF_ERROR(q->BindBlob(1, id));
  INBEELD_RETURN_IF_ERROR(q->Bind(2, std::string(pair_code)));
  auto row = q->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) {
    return Fail(ErrorCode::kNotFound,
                "no pair with that code in session " + SessionIdHex(id) +
                    " (codes look like K7F-2QX; see `inbeeld results SESSION`)");
  }
  auto pair = ReadPair(*q);
  if (!pair) return std::unexpected(pair.error());
  if (pair->strength != schema::Strength::kPossible) {
    return Fail(ErrorCode::kFailedPrecondition,
                "pair " + std::string(pair_code) + " is " +
                    std::string(schema::StrengthName(pair->strength)) +
                    ": only a possible pair is confirmed or rejected");
  }
  auto u = Statement::Prepare(store_.handle(),
                              "UPDATE session_pairs SET decision = ?, decided_at = ?, "
                              "decided_by = ? WHERE session_id = ? AND pair_code = ?");
  if (!u) return std::unexpected(u.error());
  INBEELD_RETURN_IF_ERROR(u->Bind(1, DecisionName(decision)));
  INBEELD_RETURN_IF_ERROR(u->Bind(2, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(u->Bind(3, by));
  INBEELD_RETURN_IF_ERROR(u->BindBlob(4, id));
  INBEELD_RETURN_IF_ERROR(u->Bind(5, std::string(pair_code)));
  INBEELD_RETURN_IF_ERROR(u->Run());
  pair->decision = decision;
  pair->decided_by = by;
  if (also) INBEELD_RETURN_IF_ERROR(also(*pair));
  INBEELD_RETURN_IF_ERROR(tx->Commit());
  return *pair;
}

}  // namespace inbeeld::node::exchange
