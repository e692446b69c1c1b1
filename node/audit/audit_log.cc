#include "node/audit/audit_log.h"

#include <sodium.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "crypto/bytes.h"
#include "crypto/signed_note.h"
#include "node/audit/actor.h"
#include "node/audit/list_commitments.h"
#include "node/clock/timestamp.h"
#include "node/store/sqlite_util.h"
#include "schema/json_reader.h"

namespace inbeeld::node::audit {
namespace {

constexpr std::string_view kSubjectDomain = "inbeeld/audit-subject/v1";

std::string RandomHex(size_t bytes) {
  std::vector<uint8_t> b(bytes);
  randombytes_buf(b.data(), b.size());
  return crypto::HexEncode(b);
}

Result<crypto::Hash> HashFromBlob(std::span<const uint8_t> blob) {
  crypto::Hash h{};
  if (blob.size() != h.size())
    return Fail(ErrorCode::kDataLoss, "a stored checkpoint root is malformed");
  std::copy(blob.begin(), blob.end(), h.begin());
  return h;
}

// A (size, root, note) row of audit_checkpoints or witnessed_checkpoints.
Result<SignedCheckpoint> ReadCheckpointRow(const Statement& s) {
  auto root = HashFromBlob(s.ColumnBlobView(1));
  if (!root) return std::unexpected(root.error());
  return SignedCheckpoint{static_cast<uint64_t>(s.ColumnInt(0)), *root, s.ColumnText(2)};
}

// The first (size, root, note) row `s` yields, if any.
Result<std::optional<SignedCheckpoint>> FirstCheckpoint(Statement& s) {
  auto row = s.Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<SignedCheckpoint>();
  auto checkpoint = ReadCheckpointRow(s);
  if (!checkpoint) return std::unexpected(checkpoint.error());
  return std::optional<SignedCheckpoint>(*checkpoint);
}

}  // namespace

std::string OriginFor(const crypto::VerifyingKey& key) {
  return "inbeeld/" + crypto::HexEncode(key.bytes());
}

std::string SubjectPseudonym(const crypto::PseudonymKey& audit_key,
                             const std::array<uint8_t, 32>& list_subject) {
  auto p = audit_key.Pseudonymise(kSubjectDomain, list_subject);
  std::string out;
  out.reserve(p.size() * 2);
  for (uint8_t b : p) {
    out.push_back(static_cast<char>('a' + (b >> 4)));
    out.push_back(static_cast<char>('a' + (b & 0x0f)));
  }
  return out;
}

std::string NewTraceId() { return RandomHex(16); }
std::string NewOperationId() { return RandomHex(8); }

int64_t NowMs(const Clock& clock) { return UnixMs(clock.Now()); }

AuditLog::AuditLog(Store& store, const crypto::SigningKey& key)
    : store_(store), key_(key), origin_(OriginFor(key.PublicKey())), tree_(store) {}

Status AuditLog::AppendInTransaction(std::vector<schema::AuditRecord> records) {
  auto size = tree_.Size();
  if (!size) return std::unexpected(size.error());
  std::vector<std::string> lines;
  std::vector<LeafIndex> index;
  lines.reserve(records.size());
  index.reserve(records.size());
  uint64_t seq = *size;
  for (auto& r : records) {
    StampActor(r.attributes);
    r.attributes["inbeeld.seq"] = std::to_string(seq++);
    auto subject = r.attributes.find(std::string(schema::kAttrDataSubject));
    index.push_back(
        {r.trace_id, subject == r.attributes.end() ? "" : subject->second, r.start_time_ms});
    lines.push_back(schema::EncodeAuditRecord(r));
  }
  return tree_.AppendInTransaction(lines, index);
}

Status AuditLog::AppendLinesInTransaction(const std::vector<std::string>& lines,
                                          const std::vector<LeafIndex>& index) {
  return tree_.AppendInTransaction(lines, index);
}

Status AuditLog::InTransaction(const std::function<Status()>& body) {
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  INBEELD_RETURN_IF_ERROR(body());
  return tx->Commit();
}

Status AuditLog::Append(std::vector<schema::AuditRecord> records) {
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  INBEELD_RETURN_IF_ERROR(AppendInTransaction(std::move(records)));
  return tx->Commit();
}

Result<std::optional<SignedCheckpoint>> AuditLog::Latest() {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT size, root, note FROM audit_checkpoints ORDER BY size DESC "
                              "LIMIT 1");
  if (!s) return std::unexpected(s.error());
  return FirstCheckpoint(*s);
}

Result<std::vector<SignedCheckpoint>> AuditLog::Checkpoints() {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT size, root, note FROM audit_checkpoints ORDER BY size");
  if (!s) return std::unexpected(s.error());
  std::vector<SignedCheckpoint> out;
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto checkpoint = ReadCheckpointRow(*s);
    if (!checkpoint) return std::unexpected(checkpoint.error());
    out.push_back(std::move(*checkpoint));
  }
  return out;
}

Result<SignedCheckpoint> AuditLog::Checkpoint() {
  auto size = tree_.Size();
  if (!size) return std::unexpected(size.error());
  auto latest = Latest();
  if (!latest) return std::unexpected(latest.error());
  if (*latest && (*latest)->size == *size) return **latest;
  if (*latest) {
    // Never sign a checkpoint inconsistent with one already signed.
    auto old_root = tree_.RootAt((*latest)->size);
    if (!old_root) return std::unexpected(old_root.error());
    if (*old_root != (*latest)->root) {
      return Fail(ErrorCode::kDataLoss,
                  "the audit log no longer matches its checkpoint of " +
                      std::to_string((*latest)->size) +
                      " records; refusing to sign a new checkpoint (restore the store from a "
                      "backup and have a privacy officer run `inbeeld audit verify`)");
    }
  }
  auto root = tree_.RootAt(*size);
  if (!root) return std::unexpected(root.error());
  auto body = crypto::CheckpointBody({origin_, *size, *root, {}});
  if (!body) return std::unexpected(body.error());
  auto note = crypto::SignNote(*body, origin_, key_);
  if (!note) return std::unexpected(note.error());
  auto s =
      Statement::Prepare(store_.handle(),
                         // Another process of this node may sign the same size at
                         // the same moment: Ed25519 is deterministic, so its note
                         // is this one, byte for byte.
                         "INSERT OR IGNORE INTO audit_checkpoints(size, root, note, signed_at) "
                         "VALUES(?,?,?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(*size)));
  INBEELD_RETURN_IF_ERROR(s->BindBlob(2, *root));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, *note));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(s->Run());
  return SignedCheckpoint{*size, *root, *note};
}

namespace {
constexpr const char* kPreviousKeysMeta = "node_key.history";
}  // namespace

Result<std::vector<PreviousKey>> AuditLog::PreviousKeys() {
  auto text = store_.GetMeta(kPreviousKeysMeta);
  if (!text) return std::unexpected(text.error());
  std::vector<PreviousKey> keys;
  if (text->empty()) return keys;
  auto doc = schema::JsonDocument::ParseObjectArray(
      *text, "stored previous node keys", 4096, {.max_bytes = size_t{16} << 20, .max_depth = 2});
  auto malformed = [] {
    return Fail(ErrorCode::kDataLoss, "the stored list of previous node keys is malformed");
  };
  if (!doc) return malformed();
  for (const auto& entry : doc->Entries()) {
    auto key = entry.String("key", schema::JsonString::Text(512));
    auto through_size = entry.Uint("through_size");
    auto announcement = entry.String("announcement", schema::JsonString::Text(64 * 1024));
    if (!key || !through_size || !announcement) return malformed();
    keys.push_back({*key, *through_size, *announcement});
  }
  return keys;
}

Status AuditLog::RetireKeyInTransaction(uint64_t through_size, const std::string& announcement) {
  auto keys = PreviousKeys();
  if (!keys) return std::unexpected(keys.error());
  nlohmann::json j = nlohmann::json::array();
  keys->push_back({key_.PublicKey().Fingerprint(), through_size, announcement});
  for (const auto& k : *keys) {
    j.push_back(
        {{"key", k.key}, {"through_size", k.through_size}, {"announcement", k.announcement}});
  }
  return store_.PutMeta(kPreviousKeysMeta, j.dump());
}

Result<bool> AuditLog::AddCosignature(const Cosignature& c) {
  auto s = Statement::Prepare(
      store_.handle(),
      "INSERT OR IGNORE INTO audit_cosignatures(size, witness, witness_key, line, timestamp) "
      "VALUES(?,?,?,?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(c.size)));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, c.witness));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, c.witness_key));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, c.line));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, static_cast<int64_t>(c.timestamp)));
  INBEELD_RETURN_IF_ERROR(s->Run());
  return Changes(store_.handle()) > 0;
}

Result<std::vector<Cosignature>> AuditLog::Cosignatures() {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT size, witness, witness_key, line, timestamp FROM "
                              "audit_cosignatures ORDER BY size, witness");
  if (!s) return std::unexpected(s.error());
  std::vector<Cosignature> out;
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({static_cast<uint64_t>(s->ColumnInt(0)), s->ColumnText(1), s->ColumnText(2),
                   s->ColumnText(3), static_cast<uint64_t>(s->ColumnInt(4))});
  }
  return out;
}

Result<uint64_t> AuditLog::LastCosignedSize(const std::string& witness_key) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT max(size) FROM audit_cosignatures WHERE witness_key = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, witness_key));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  return s->ColumnIsNull(0) ? uint64_t{0} : static_cast<uint64_t>(s->ColumnInt(0));
}

Result<std::optional<SignedCheckpoint>> AuditLog::LastWitnessed(const std::string& peer_key) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT size, root, note FROM witnessed_checkpoints WHERE peer_key "
                              "= ? ORDER BY size DESC LIMIT 1");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, peer_key));
  return FirstCheckpoint(*s);
}

Status AuditLog::StoreWitnessed(const std::string& peer_key, const SignedCheckpoint& c) {
  auto s = Statement::Prepare(store_.handle(),
                              "INSERT OR IGNORE INTO witnessed_checkpoints(peer_key, size, root, "
                              "note, seen_at) VALUES(?,?,?,?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, peer_key));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, static_cast<int64_t>(c.size)));
  INBEELD_RETURN_IF_ERROR(s->BindBlob(3, c.root));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, c.note));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, NowIso(store_.clock())));
  return s->Run();
}

Result<std::optional<SignedCheckpoint>> AuditLog::WitnessedAtMost(const std::string& peer_key,
                                                                  uint64_t size) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT size, root, note FROM witnessed_checkpoints WHERE peer_key "
                              "= ? AND size <= ? ORDER BY size DESC LIMIT 1");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, peer_key));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, static_cast<int64_t>(size)));
  return FirstCheckpoint(*s);
}

Status AuditLog::ForgetWitnessedAboveInTransaction(const std::string& peer_key, uint64_t size) {
  auto s = Statement::Prepare(store_.handle(),
                              "DELETE FROM witnessed_checkpoints WHERE peer_key = ? AND size > ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, peer_key));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, static_cast<int64_t>(size)));
  return s->Run();
}

Result<std::vector<StoredRecord>> AuditLog::Query(const std::string& where,
                                                  const std::string& arg) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT idx, record FROM audit_leaves " + where + " ORDER BY idx");
  if (!s) return std::unexpected(s.error());
  if (!arg.empty()) INBEELD_RETURN_IF_ERROR(s->Bind(1, arg));
  return Collect(*s);
}

Result<std::vector<StoredRecord>> AuditLog::RecordsBetween(int64_t from_ms, int64_t to_ms,
                                                           bool include_subjects) {
  // time_ms is each leaf's start time. A record's start time is not always
  // in log order (a refusal batch is written after its first refusal), so
  // this reads by time, not by a range of indexes.
  auto s = Statement::Prepare(
      store_.handle(), std::string("SELECT idx, record FROM audit_leaves WHERE time_ms >= ? AND "
                                   "time_ms < ?") +
                           (include_subjects ? "" : " AND subject IS NULL") + " ORDER BY idx");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, from_ms));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, to_ms));
  return Collect(*s);
}

Result<std::vector<StoredRecord>> AuditLog::Collect(Statement& s) {
  std::vector<StoredRecord> out;
  while (true) {
    auto row = s.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    StoredRecord r{static_cast<uint64_t>(s.ColumnInt(0)), s.ColumnText(1), {}};
    if (r.line.empty()) continue;  // redacted by retention
    auto decoded = schema::DecodeAuditRecord(r.line);
    if (!decoded) {
      return Fail(ErrorCode::kDataLoss,
                  "audit record " + std::to_string(r.index) + ": " + decoded.error().message);
    }
    r.record = std::move(*decoded);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<StoredRecord>> AuditLog::Records(const RecordFilter& filter) {
  auto all = Query(filter.include_subjects ? "" : "WHERE subject IS NULL", "");
  if (!all) return all;
  std::vector<StoredRecord> out;
  for (auto& r : *all) {
    const auto& a = r.record.attributes;
    if (r.record.start_time_ms < filter.since_ms) continue;
    if (!filter.peer.empty()) {
      auto it = a.find("inbeeld.peer");
      if (it == a.end() || it->second != filter.peer) continue;
    }
    if (!filter.purpose.empty()) {
      auto it = a.find(std::string(schema::kAttrProcessingActivity));
      if (it == a.end() || !it->second.ends_with(":" + filter.purpose)) continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<StoredRecord>> AuditLog::RecordsForSubject(const std::string& pseudonym) {
  return Query("WHERE subject = ?", pseudonym);
}

Result<std::vector<StoredRecord>> AuditLog::RecordsForTrace(const std::string& trace_id) {
  return Query("WHERE trace_id = ? AND subject IS NULL", trace_id);
}

Result<std::optional<uint64_t>> AuditLog::LatestIndexNamed(std::string_view event_name) {
  // The record is its canonical JSON line, which spells the member exactly
  // so; an event name holds no LIKE wildcard.
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT idx FROM audit_leaves WHERE record LIKE ? ORDER BY idx DESC "
                              "LIMIT 1");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, "%\"name\":\"" + std::string(event_name) + "\"%"));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(s->ColumnInt(0)));
}

Result<std::vector<StoredRecord>> AuditLog::RecordsNamingList(int64_t list_id) {
  return Query("WHERE idx IN (SELECT idx FROM audit_list_uses WHERE list_id = CAST(? AS INTEGER))",
               std::to_string(list_id));
}

Status AuditLog::ForEachLeaf(
    const std::function<Status(uint64_t, const std::string&, const crypto::Hash&)>& visit) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT idx, record, leaf_hash FROM audit_leaves ORDER BY idx");
  if (!s) return std::unexpected(s.error());
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto hash = HashFromBlob(s->ColumnBlobView(2));
    if (!hash) return std::unexpected(hash.error());
    INBEELD_RETURN_IF_ERROR(visit(static_cast<uint64_t>(s->ColumnInt(0)), s->ColumnText(1), *hash));
  }
  return {};
}

Result<uint64_t> AuditLog::RedactBeforeInTransaction(int64_t cutoff_ms) {
  // The prefix ends at the first record that is still within retention.
  auto first_kept =
      Statement::Prepare(store_.handle(),
                         "SELECT coalesce(min(idx), (SELECT count(*) FROM audit_leaves)) FROM "
                         "audit_leaves WHERE time_ms >= ?");
  if (!first_kept) return std::unexpected(first_kept.error());
  INBEELD_RETURN_IF_ERROR(first_kept->Bind(1, cutoff_ms));
  auto row = first_kept->Step();
  if (!row) return std::unexpected(row.error());
  int64_t end = first_kept->ColumnInt(0);
  auto redact =
      Statement::Prepare(store_.handle(),
                         "UPDATE audit_leaves SET record = '', subject = NULL, trace_id = '' "
                         "WHERE idx < ? AND record != ''");
  if (!redact) return std::unexpected(redact.error());
  INBEELD_RETURN_IF_ERROR(redact->Bind(1, end));
  INBEELD_RETURN_IF_ERROR(redact->Run());
  const auto redacted = static_cast<uint64_t>(Changes(store_.handle()));
  INBEELD_RETURN_IF_ERROR(ForgetListsBeforeInTransaction(*this, static_cast<uint64_t>(end)));
  return redacted;
}

}  // namespace inbeeld::node::audit
