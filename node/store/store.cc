#include "node/store/store.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>

#include "crypto/aead.h"
#include "crypto/bytes.h"
#include "node/clock/timestamp.h"
#include "node/store/sqlite_util.h"

namespace inbeeld::node {
namespace {

// Each entry moves the schema one version up; PRAGMA user_version records where
// a file stands. Never edit a shipped entry: append a new one.
constexpr const char* kMigrations[] = {
    // 1: list versions, pseudonymised rows, secrets.
    R"sql(
CREATE TABLE secrets(
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;
CREATE TABLE list_versions(
  id          INTEGER PRIMARY KEY,
  list_date   TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  source      TEXT NOT NULL,
  row_count   INTEGER NOT NULL
) STRICT;
CREATE TABLE list_rows(
  version_id        INTEGER NOT NULL REFERENCES list_versions(id) ON DELETE CASCADE,
  subject           BLOB NOT NULL,
  identifier_sealed BLOB NOT NULL,
  category          INTEGER NOT NULL,
  since             TEXT NOT NULL,
  school            TEXT NOT NULL,
  plan              INTEGER NOT NULL,
  own_reference     TEXT NOT NULL,
  personal_sealed   BLOB,
  PRIMARY KEY(version_id, subject)
) STRICT, WITHOUT ROWID;
)sql",
    // 2: exchange sessions (both roles) and the matches each side learned.
    R"sql(
CREATE TABLE sessions(
  id             BLOB PRIMARY KEY,
  role           TEXT NOT NULL CHECK(role IN ('initiator', 'responder')),
  peer           TEXT NOT NULL,
  peer_key       TEXT NOT NULL,
  purpose        TEXT NOT NULL,
  mode           TEXT NOT NULL CHECK(mode IN ('match', 'count')),
  started_at     TEXT NOT NULL,
  finished_at    TEXT,
  status         TEXT NOT NULL CHECK(status IN ('running', 'completed', 'failed')),
  error          TEXT,
  list_version   INTEGER NOT NULL,
  own_list_size  INTEGER NOT NULL,
  peer_list_size INTEGER,
  peer_list_date TEXT,
  overlap        INTEGER,
  label_mask     INTEGER
) STRICT;
CREATE INDEX sessions_by_peer ON sessions(peer, role, started_at);
CREATE TABLE session_matches(
  session_id    BLOB NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  subject       BLOB NOT NULL,
  peer_category INTEGER,
  peer_since    TEXT,
  peer_school   TEXT,
  peer_plan     INTEGER,
  PRIMARY KEY(session_id, subject)
) STRICT, WITHOUT ROWID;
)sql",
    // 3: the audit log (RFC 9162 tree), checkpoints, cosignatures, witnessed
    // peer checkpoints, and node metadata (e.g. the configuration's hash).
    R"sql(
CREATE TABLE audit_leaves(
  idx       INTEGER PRIMARY KEY,
  record    TEXT NOT NULL,
  leaf_hash BLOB NOT NULL,
  trace_id  TEXT NOT NULL,
  subject   TEXT,
  time_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_by_subject ON audit_leaves(subject) WHERE subject IS NOT NULL;
CREATE INDEX audit_by_trace ON audit_leaves(trace_id) WHERE subject IS NULL;
CREATE TABLE audit_blocks(
  idx  INTEGER PRIMARY KEY,
  hash BLOB NOT NULL
) STRICT;
CREATE TABLE audit_checkpoints(
  size      INTEGER PRIMARY KEY,
  root      BLOB NOT NULL,
  note      TEXT NOT NULL,
  signed_at TEXT NOT NULL
) STRICT;
CREATE TABLE audit_cosignatures(
  size        INTEGER NOT NULL REFERENCES audit_checkpoints(size),
  witness     TEXT NOT NULL,
  witness_key TEXT NOT NULL,
  line        TEXT NOT NULL,
  timestamp   INTEGER NOT NULL,
  PRIMARY KEY(size, witness_key)
) STRICT;
CREATE TABLE witnessed_checkpoints(
  peer_key TEXT NOT NULL,
  size     INTEGER NOT NULL,
  root     BLOB NOT NULL,
  note     TEXT NOT NULL,
  seen_at  TEXT NOT NULL,
  PRIMARY KEY(peer_key, size)
) STRICT;
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
)sql",
    // 4: region sync runs (one row per `inbeeld sync`, one per peer in it) and
    // the multi-party regional count sessions (node/region/).
    R"sql(
CREATE TABLE sync_runs(
  id           INTEGER PRIMARY KEY,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  purpose      TEXT NOT NULL,
  list_version INTEGER NOT NULL
) STRICT;
CREATE TABLE sync_run_peers(
  run_id     INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
  peer       TEXT NOT NULL,
  status     TEXT NOT NULL CHECK(status IN ('completed', 'failed', 'refused', 'skipped')),
  mode       TEXT NOT NULL CHECK(mode IN ('match', 'count')),
  session_id BLOB,
  error      TEXT,
  PRIMARY KEY(run_id, peer)
) STRICT;
CREATE TABLE region_sessions(
  id                BLOB PRIMARY KEY,
  role              TEXT NOT NULL CHECK(role IN ('coordinator', 'participant')),
  coordinator       TEXT NOT NULL,
  purpose           TEXT NOT NULL,
  participants      INTEGER NOT NULL,
  started_at        TEXT NOT NULL,
  finished_at       TEXT,
  status            TEXT NOT NULL CHECK(status IN ('running', 'completed', 'failed')),
  error             TEXT,
  list_version      INTEGER NOT NULL,
  own_list_size     INTEGER NOT NULL,
  distinct_children INTEGER,
  single_list       INTEGER,
  list_sizes        TEXT
) STRICT;
CREATE INDEX region_sessions_by_start ON region_sessions(started_at);
)sql",
    // 5: children without a PGN (issue 8). identifier_sealed may be NULL; the
    // person fields (all name parts, a possibly partial birth date, sex) are
    // sealed in person_sealed. Rows from before keep their name and birth date
    // in personal_sealed, sealed in the old form, and are read as a full name
    // and a full birth date (DecodeLegacyPersonal).
    R"sql(
CREATE TABLE list_rows_v5(
  version_id        INTEGER NOT NULL REFERENCES list_versions(id) ON DELETE CASCADE,
  subject           BLOB NOT NULL,
  identifier_sealed BLOB,
  category          INTEGER NOT NULL,
  since             TEXT NOT NULL,
  school            TEXT NOT NULL,
  plan              INTEGER NOT NULL,
  own_reference     TEXT NOT NULL,
  personal_sealed   BLOB,
  person_sealed     BLOB,
  PRIMARY KEY(version_id, subject)
) STRICT, WITHOUT ROWID;
INSERT INTO list_rows_v5(version_id, subject, identifier_sealed, category, since, school, plan,
                         own_reference, personal_sealed, person_sealed)
  SELECT version_id, subject, identifier_sealed, category, since, school, plan, own_reference,
         personal_sealed, NULL
  FROM list_rows;
DROP TABLE list_rows;
ALTER TABLE list_rows_v5 RENAME TO list_rows;
)sql",
    // 6: protocol v2 results. A match is a pair (own record, peer record) with
    // a strength, a pair code both sides share and, for a possible pair, the
    // operator's decision; an own record may pair with several peer records.
    // v1 matches were made on the PGN alone: certain, without a code.
    R"sql(
CREATE TABLE session_pairs(
  session_id    BLOB NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  subject       BLOB NOT NULL,
  peer_record   INTEGER NOT NULL,
  pair_code     TEXT NOT NULL,
  strength      TEXT NOT NULL CHECK(strength IN ('certain', 'probable', 'possible')),
  peer_category INTEGER,
  peer_since    TEXT,
  peer_school   TEXT,
  peer_plan     INTEGER,
  decision      TEXT CHECK(decision IN ('confirmed', 'rejected')),
  decided_at    TEXT,
  decided_by    TEXT,
  PRIMARY KEY(session_id, subject, peer_record)
) STRICT, WITHOUT ROWID;
INSERT INTO session_pairs(session_id, subject, peer_record, pair_code, strength, peer_category,
                          peer_since, peer_school, peer_plan)
  SELECT session_id, subject, 0, '', 'certain', peer_category, peer_since, peer_school, peer_plan
  FROM session_matches;
DROP TABLE session_matches;
ALTER TABLE sessions ADD COLUMN key_mask INTEGER;
ALTER TABLE sessions ADD COLUMN own_strong INTEGER;
ALTER TABLE sessions ADD COLUMN own_possible INTEGER;
ALTER TABLE sessions ADD COLUMN peer_strong INTEGER;
ALTER TABLE sessions ADD COLUMN peer_possible INTEGER;
UPDATE sessions SET key_mask = 1, own_strong = overlap, own_possible = 0
  WHERE status = 'completed' AND overlap IS NOT NULL;
)sql",
    // 7: the audit log's journal of open sessions (node/audit/session_journal.h):
    // a session's row lives from its "opened" record to its closing record;
    // rows left by a process that stopped are closed as interrupted.
    R"sql(
CREATE TABLE open_sessions(
  key         TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  opened_ms   INTEGER NOT NULL,
  interrupted TEXT NOT NULL,
  list_id     INTEGER
) STRICT;
)sql",
    // 8: the audit log commits to each list of children once
    // (node/audit/list_commitments.h): the list's root, its children's audit
    // pseudonyms (32 bytes each, sorted, concatenated), and which exchange
    // records name it.
    R"sql(
CREATE TABLE audit_lists(
  id           INTEGER PRIMARY KEY,
  root         BLOB NOT NULL UNIQUE,
  list_version INTEGER NOT NULL,
  size         INTEGER NOT NULL,
  record_idx   INTEGER NOT NULL,
  members      BLOB NOT NULL
) STRICT;
CREATE TABLE audit_list_uses(
  list_id INTEGER NOT NULL REFERENCES audit_lists(id) ON DELETE CASCADE,
  idx     INTEGER NOT NULL,
  PRIMARY KEY(list_id, idx)
) STRICT, WITHOUT ROWID;
)sql",
    // 9: the console's people, their sessions and the column mappings they
    // chose (node/console/people.h). Tokens are stored as SHA-256 hashes,
    // passwords as Argon2id strings.
    R"sql(
CREATE TABLE console_people(
  name            TEXT PRIMARY KEY,
  role            TEXT NOT NULL,
  password_hash   TEXT,
  invite_hash     BLOB UNIQUE,
  invite_expires  TEXT,
  invited_at      TEXT NOT NULL,
  last_login_at   TEXT,
  failures        INTEGER NOT NULL DEFAULT 0,
  locked_until    TEXT,
  revoked         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE console_sessions(
  token_hash  BLOB PRIMARY KEY,
  name        TEXT NOT NULL REFERENCES console_people(name) ON DELETE CASCADE,
  csrf        TEXT NOT NULL,
  origin      TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  last_seen   TEXT NOT NULL
) STRICT;
CREATE TABLE console_mappings(
  signature   TEXT PRIMARY KEY,
  mapping     TEXT NOT NULL,
  saved_at    TEXT NOT NULL
) STRICT;
)sql",
    // 10: the quarterly Inspectie registration (node/report/quarterly.h). One
    // row per spell a child was on the list: the child's subject (the list
    // rows' pseudonym, never an identifier), its row number (stable across
    // quarters and spells, never reused), the quarter the number was first
    // given, the list date that opened the spell, start (the child's since),
    // end (the list date of the first later version without the child; NULL
    // while on the list), category and onderwijstype. And which list versions
    // the registration has taken in, so each is applied once.
    R"sql(
CREATE TABLE report_registrations(
  id            INTEGER PRIMARY KEY,
  subject       BLOB NOT NULL,
  row_number    INTEGER NOT NULL CHECK(row_number > 0),
  first_quarter TEXT NOT NULL,
  listed_from   TEXT NOT NULL,
  start_date    TEXT NOT NULL,
  end_date      TEXT,
  category      INTEGER NOT NULL,
  sector        TEXT NOT NULL CHECK(sector IN ('po', 'vo', 'onbekend'))
) STRICT;
CREATE UNIQUE INDEX report_registrations_open ON report_registrations(subject)
  WHERE end_date IS NULL;
CREATE INDEX report_registrations_by_subject ON report_registrations(subject, row_number);
CREATE TABLE report_versions(
  version_id   INTEGER PRIMARY KEY,
  list_date    TEXT NOT NULL,
  processed_at TEXT NOT NULL
) STRICT;
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));
// The first version with the meta table (migration 3).
constexpr int kMetaSince = 3;
}  // namespace

int Store::LatestSchemaVersion() { return kSchemaVersion; }

Result<std::optional<int>> Store::UnrecordedMigrationFrom() {
  auto from = GetMeta("schema_migrated_from");
  if (!from) return std::unexpected(from.error());
  if (from->empty()) return std::nullopt;
  int version = 0;
  auto [end, ec] = std::from_chars(from->data(), from->data() + from->size(), version);
  if (ec != std::errc() || end != from->data() + from->size()) {
    return Fail(ErrorCode::kDataLoss, "the store's schema_migrated_from is not a number");
  }
  return version;
}

Status Store::MigrationRecorded() {
  auto stmt = Statement::Prepare(db_, "DELETE FROM meta WHERE key = 'schema_migrated_from'");
  if (!stmt) return std::unexpected(stmt.error());
  return stmt->Run();
}

namespace {

constexpr std::string_view kSubjectDomain = "inbeeld/list-subject/v1";
// Children without a PGN: the domain keeps their subjects apart from any PGN's.
constexpr std::string_view kPersonSubjectDomain = "inbeeld/list-subject-person/v1";
constexpr std::string_view kIdentifierAad = "inbeeld/list-identifier/v1";
constexpr std::string_view kPersonalAad = "inbeeld/list-personal/v1";  // before schema 5
constexpr std::string_view kPersonAad = "inbeeld/list-person/v2";

std::vector<uint8_t> Aad(std::string_view label, std::span<const uint8_t> subject) {
  std::vector<uint8_t> aad(label.begin(), label.end());
  aad.insert(aad.end(), subject.begin(), subject.end());
  return aad;
}

Result<schema::Date> ReadDate(const std::string& text, std::string_view what) {
  auto date = schema::ParseDate(text);
  if (!date)
    return Fail(ErrorCode::kDataLoss,
                std::string("stored ") + std::string(what) + " is not a date");
  return *date;
}

// The person fields, sealed as one value:
//   u8 format (1)
//   6 × name part, in PersonName's order: u8 present, u32 LE length, bytes
//   u8 birth date present, u16 LE year, u8 month, u8 day
//   u8 sex: 0 absent, 1 + Sex
// Length-prefixed, so any text survives; strictly checked on the way back.
constexpr uint8_t kPersonFormat = 1;

std::array<const std::optional<std::string>*, 6> NameParts(const schema::PersonName& name) {
  return {&name.first_names, &name.roepnaam, &name.initials,
          &name.prefix,      &name.surname,  &name.full_name};
}

bool HasPerson(const schema::ListRow& row) {
  return !row.name.empty() || row.birth_date || row.sex;
}

std::vector<uint8_t> EncodePerson(const schema::ListRow& row) {
  std::vector<uint8_t> out;
  out.push_back(kPersonFormat);
  for (const std::optional<std::string>* part : NameParts(row.name)) {
    out.push_back(*part ? 1 : 0);
    if (!*part) continue;
    const auto size = static_cast<uint32_t>((*part)->size());
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<uint8_t>(size >> shift));
    out.insert(out.end(), (*part)->begin(), (*part)->end());
  }
  out.push_back(row.birth_date ? 1 : 0);
  const schema::PartialDate date = row.birth_date.value_or(schema::PartialDate{});
  out.push_back(static_cast<uint8_t>(date.year & 0xFF));
  out.push_back(static_cast<uint8_t>((date.year >> 8) & 0xFF));
  out.push_back(static_cast<uint8_t>(date.month));
  out.push_back(static_cast<uint8_t>(date.day));
  out.push_back(row.sex ? static_cast<uint8_t>(1 + static_cast<int>(*row.sex)) : 0);
  return out;
}

Status DecodePerson(std::span<const uint8_t> bytes, StoredRow& row) {
  auto malformed = [] { return Fail(ErrorCode::kDataLoss, "stored person fields are malformed"); };
  size_t at = 0;
  auto take = [&](size_t n) -> std::optional<std::span<const uint8_t>> {
    if (bytes.size() - at < n) return std::nullopt;
    auto part = bytes.subspan(at, n);
    at += n;
    return part;
  };
  auto format = take(1);
  if (!format || (*format)[0] != kPersonFormat) return malformed();
  schema::PersonName name;
  for (std::optional<std::string>* part : {&name.first_names, &name.roepnaam, &name.initials,
                                           &name.prefix, &name.surname, &name.full_name}) {
    auto present = take(1);
    if (!present || (*present)[0] > 1) return malformed();
    if ((*present)[0] == 0) continue;
    auto size_bytes = take(4);
    if (!size_bytes) return malformed();
    uint32_t size = 0;
    for (int i = 3; i >= 0; --i) size = (size << 8) | (*size_bytes)[static_cast<size_t>(i)];
    auto text = take(size);
    if (!text) return malformed();
    part->emplace(reinterpret_cast<const char*>(text->data()), text->size());
  }
  auto date = take(5);
  auto sex = take(1);
  if (!date || !sex || at != bytes.size() || (*date)[0] > 1 || (*sex)[0] > 3) return malformed();
  std::optional<schema::PartialDate> birth_date;
  if ((*date)[0] == 1) {
    birth_date = schema::PartialDate{(*date)[1] | ((*date)[2] << 8), (*date)[3], (*date)[4]};
    if (!schema::IsValidPartialDate(*birth_date)) return malformed();
  }
  row.name = std::move(name);
  row.birth_date = birth_date;
  if ((*sex)[0] != 0) row.sex = static_cast<schema::Sex>((*sex)[0] - 1);
  return {};
}

// Before schema 5 the name and birth date were sealed as "name\0YYYY-MM-DD".
Status DecodeLegacyPersonal(std::span<const uint8_t> bytes, StoredRow& row) {
  std::string text(bytes.begin(), bytes.end());
  size_t nul = text.find('\0');
  if (nul == std::string::npos) {
    std::fill(text.begin(), text.end(), '\0');
    return Fail(ErrorCode::kDataLoss, "stored personal fields are malformed");
  }
  if (nul > 0) row.name.full_name = text.substr(0, nul);
  std::string birth = text.substr(nul + 1);
  std::fill(text.begin(), text.end(), '\0');
  if (!birth.empty()) {
    auto date = schema::ParseDate(birth);
    std::fill(birth.begin(), birth.end(), '\0');
    if (!date) return Fail(ErrorCode::kDataLoss, "stored birth date is malformed");
    row.birth_date = schema::PartialDate::FromDate(*date);
  }
  return {};
}

// Raw key: SQLCipher takes x'<64 hex>' and skips its own PBKDF2. The hex copy
// lives in a SecretBytes so it is wiped when we are done.
crypto::SecretBytes RawKeyLiteral(const crypto::SecretBytes& key) {
  crypto::SecretBytes literal(3 + 64);
  auto out = literal.MutableForCrypto();
  std::string hex = crypto::HexEncode(key.RevealForCrypto());
  out[0] = 'x';
  out[1] = '\'';
  std::memcpy(out.data() + 2, hex.data(), 64);
  out[66] = '\'';
  std::fill(hex.begin(), hex.end(), '\0');
  return literal;
}

}  // namespace

std::array<uint8_t, 32> SubjectOf(const crypto::PseudonymKey& subject_key,
                                  const schema::Identifier& identifier) {
  const std::string& digits = identifier.digits();
  return subject_key.Pseudonymise(
      kSubjectDomain, std::span(reinterpret_cast<const uint8_t*>(digits.data()), digits.size()));
}

std::array<uint8_t, 32> SubjectOf(const crypto::PseudonymKey& subject_key,
                                  const schema::ListRow& row, const schema::SubjectSource& source) {
  if (source.basis == schema::SubjectBasis::kPgn && row.identifier) {
    return SubjectOf(subject_key, *row.identifier);
  }
  return subject_key.Pseudonymise(
      kPersonSubjectDomain,
      std::span(reinterpret_cast<const uint8_t*>(source.text.data()), source.text.size()));
}

Result<std::string> Store::GetMeta(const std::string& key) {
  auto stmt = Statement::Prepare(db_, "SELECT value FROM meta WHERE key = ?");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, key));
  auto row = stmt->Step();
  if (!row) return std::unexpected(row.error());
  return *row ? stmt->ColumnText(0) : std::string();
}

Status Store::PutMeta(const std::string& key, const std::string& value) {
  auto stmt = Statement::Prepare(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, key));
  INBEELD_RETURN_IF_ERROR(stmt->Bind(2, value));
  return stmt->Run();
}

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& path,
                                           const crypto::SecretBytes& key, bool create,
                                           const Clock& clock) {
  return OpenAt(path, key, create, kSchemaVersion, clock);
}

Result<std::unique_ptr<Store>> Store::CreateAtSchemaVersionForTesting(
    const std::filesystem::path& path, const crypto::SecretBytes& key, int schema_version,
    const Clock& clock) {
  if (schema_version < 0 || schema_version > kSchemaVersion) {
    return Fail(ErrorCode::kInternal, "no such schema version");
  }
  return OpenAt(path, key, /*create=*/true, schema_version, clock);
}

Result<std::unique_ptr<Store>> Store::OpenAt(const std::filesystem::path& path,
                                             const crypto::SecretBytes& key, bool create,
                                             int schema_version, const Clock& clock) {
  if (key.size() != 32) return Fail(ErrorCode::kInternal, "storage key must be 32 bytes");
  std::error_code ec;
  bool exists = std::filesystem::exists(path, ec);
  if (create && exists)
    return Fail(ErrorCode::kAlreadyExists, "database " + path.string() + " already exists");
  if (!create && !exists)
    return Fail(ErrorCode::kNotFound, "database " + path.string() + " does not exist");

  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  // New files are private to the node's user from the first byte on.
  mode_t old_mask = umask(077);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  umask(old_mask);
  std::unique_ptr<Store> store(new Store(db, clock));
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, "opening " + path.string()));

  crypto::SecretBytes literal = RawKeyLiteral(key);
  rc = sqlite3_key(db, literal.RevealForCrypto().data(), static_cast<int>(literal.size()));
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, "setting the storage key"));

  // The first read decides whether the key fits: SQLCipher reports NOTADB when
  // page 1's HMAC does not verify, which is a wrong key or a damaged header.
  rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    if ((rc & 0xff) == SQLITE_NOTADB) {
      return Fail(ErrorCode::kUnauthenticated,
                  "cannot open " + path.filename().string() +
                      ": wrong passphrase, or the file is not an inbeeld database");
    }
    return std::unexpected(SqliteError(db, rc, "reading " + path.filename().string()));
  }
  // WAL keeps readers and the writer apart; FULL sync makes a commit durable
  // before we report it (the audit log relies on that). Temp tables stay in
  // memory so no unencrypted temp file ever touches the disk.
  INBEELD_RETURN_IF_ERROR(Exec(db, "PRAGMA journal_mode = WAL"));
  INBEELD_RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = FULL"));
  INBEELD_RETURN_IF_ERROR(Exec(db, "PRAGMA temp_store = MEMORY"));
  // 8 MiB of decrypted pages: bulk writes (a session's audit records) would
  // otherwise re-read and re-decrypt index pages.
  INBEELD_RETURN_IF_ERROR(Exec(db, "PRAGMA cache_size = -8192"));
  INBEELD_RETURN_IF_ERROR(Exec(db, "PRAGMA foreign_keys = ON"));
  INBEELD_RETURN_IF_ERROR(Exec(db, "PRAGMA secure_delete = ON"));
  // Several processes share the store (`serve` and any number of `match` or
  // `sync` runs); a writer waits for another's transaction rather than fail.
  sqlite3_busy_timeout(db, 60'000);
  INBEELD_RETURN_IF_ERROR(store->Migrate(schema_version));
  return store;
}

Store::~Store() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Store::Migrate(int target) {
  int version = 0;
  {
    // Finalised before migrating: DROP TABLE fails while a statement is open.
    auto stmt = Statement::Prepare(db_, "PRAGMA user_version");
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->Step();
    if (!row) return std::unexpected(row.error());
    version = static_cast<int>(stmt->ColumnInt(0));
  }
  if (version > kSchemaVersion) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("database schema version {} is newer than this inbeeld ({}); upgrade "
                            "inbeeld",
                            version, kSchemaVersion));
  }
  for (int v = version; v < target; ++v) {
    auto tx = Transaction::Begin(db_);
    if (!tx) return std::unexpected(tx.error());
    INBEELD_RETURN_IF_ERROR(Exec(db_, kMigrations[v]));
    INBEELD_RETURN_IF_ERROR(Exec(db_, fmt::format("PRAGMA user_version = {}", v + 1).c_str()));
    // A file that held data (version > 0; a new one starts at 0) notes the
    // version it had, once, until the audit log records the migration. The
    // meta table exists from version 3 on; no release had a lower one.
    if (version > 0 && v + 1 >= kMetaSince) {
      auto note = Statement::Prepare(
          db_, "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_migrated_from', ?)");
      if (!note) return std::unexpected(note.error());
      INBEELD_RETURN_IF_ERROR(note->Bind(1, std::to_string(version)));
      INBEELD_RETURN_IF_ERROR(note->Run());
    }
    INBEELD_RETURN_IF_ERROR(tx->Commit());
  }
  schema_version_ = std::max(version, target);
  return {};
}

Status Store::PutSecret(const std::string& name, const crypto::SecretBytes& value) {
  auto stmt = Statement::Prepare(db_, "INSERT INTO secrets(name, value) VALUES(?, ?)");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, name));
  INBEELD_RETURN_IF_ERROR(stmt->BindBlob(2, value.RevealForCrypto()));
  auto done = stmt->Run();
  if (!done && LastErrorWasUniqueViolation(db_)) {
    return Fail(ErrorCode::kAlreadyExists, "secret " + name + " already exists");
  }
  return done;
}

Result<crypto::SecretBytes> Store::GetSecret(const std::string& name) {
  auto stmt = Statement::Prepare(db_, "SELECT value FROM secrets WHERE name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, name));
  auto row = stmt->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kDataLoss, "the store holds no secret " + name);
  return crypto::SecretBytes::CopyFrom(stmt->ColumnBlobView(0));
}

Result<bool> Store::HasSecret(const std::string& name) {
  auto stmt = Statement::Prepare(db_, "SELECT 1 FROM secrets WHERE name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, name));
  return stmt->Step();
}

Status Store::SetSecret(const std::string& name, const crypto::SecretBytes& value) {
  auto stmt = Statement::Prepare(db_, "INSERT OR REPLACE INTO secrets(name, value) VALUES(?, ?)");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, name));
  INBEELD_RETURN_IF_ERROR(stmt->BindBlob(2, value.RevealForCrypto()));
  return stmt->Run();
}

Status Store::DeleteSecret(const std::string& name) {
  auto stmt = Statement::Prepare(db_, "DELETE FROM secrets WHERE name = ?");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, name));
  return stmt->Run();
}

Result<ListVersion> Store::ImportList(const std::vector<schema::ListRow>& rows,
                                      schema::Date list_date, const std::string& source,
                                      const crypto::PseudonymKey& subject_key,
                                      const crypto::SecretBytes& field_key,
                                      const std::function<Status(const ListVersion&)>& also) {
  auto tx = Transaction::Begin(db_);
  if (!tx) return std::unexpected(tx.error());

  ListVersion version;
  version.list_date = list_date;
  version.imported_at = NowIso(clock_);
  version.source = source;
  version.row_count = static_cast<int64_t>(rows.size());
  {
    auto stmt = Statement::Prepare(
        db_,
        "INSERT INTO list_versions(list_date, imported_at, source, row_count) VALUES(?,?,?,?)");
    if (!stmt) return std::unexpected(stmt.error());
    INBEELD_RETURN_IF_ERROR(stmt->Bind(1, schema::FormatIso(list_date)));
    INBEELD_RETURN_IF_ERROR(stmt->Bind(2, version.imported_at));
    INBEELD_RETURN_IF_ERROR(stmt->Bind(3, source));
    INBEELD_RETURN_IF_ERROR(stmt->Bind(4, version.row_count));
    INBEELD_RETURN_IF_ERROR(stmt->Run());
    version.id = sqlite3_last_insert_rowid(db_);
  }

  for (const schema::ListRow& row : rows) {
    if (!schema::IdentifiesChild(row)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a row has no BSN/onderwijsnummer and no name with birth date");
    }
  }
  auto stmt = Statement::Prepare(
      db_,
      "INSERT INTO list_rows(version_id, subject, identifier_sealed, category, since, school, "
      "plan, own_reference, person_sealed) VALUES(?,?,?,?,?,?,?,?,?)");
  if (!stmt) return std::unexpected(stmt.error());
  // Insert in subject order: the table is keyed by (version, subject), so
  // random order would touch a random page per row (and SQLCipher decrypts
  // and re-encrypts every page it touches); sorted, the B-tree only appends.
  std::vector<std::pair<std::array<uint8_t, 32>, uint32_t>> order;
  order.reserve(rows.size());
  {
    std::vector<schema::SubjectSource> sources = schema::SubjectSources(rows);
    for (uint32_t i = 0; i < rows.size(); ++i) {
      order.emplace_back(SubjectOf(subject_key, rows[i], sources[i]), i);
      std::fill(sources[i].text.begin(), sources[i].text.end(), '\0');
    }
  }
  std::sort(order.begin(), order.end());
  for (const auto& [subject, index] : order) {
    const schema::ListRow& row = rows[index];
    INBEELD_RETURN_IF_ERROR(stmt->Bind(1, version.id));
    INBEELD_RETURN_IF_ERROR(stmt->BindBlob(2, subject));
    if (row.identifier) {
      const std::string& digits = row.identifier->digits();
      auto digit_bytes = std::span(reinterpret_cast<const uint8_t*>(digits.data()), digits.size());
      auto sealed_id = crypto::Seal(field_key, digit_bytes, Aad(kIdentifierAad, subject));
      if (!sealed_id) return std::unexpected(sealed_id.error());
      INBEELD_RETURN_IF_ERROR(stmt->BindBlob(3, *sealed_id));
    } else {
      INBEELD_RETURN_IF_ERROR(stmt->BindNull(3));
    }
    INBEELD_RETURN_IF_ERROR(stmt->Bind(4, static_cast<int64_t>(row.category)));
    INBEELD_RETURN_IF_ERROR(stmt->Bind(5, schema::FormatIso(row.since)));
    INBEELD_RETURN_IF_ERROR(stmt->Bind(6, row.school_brin));
    INBEELD_RETURN_IF_ERROR(stmt->Bind(7, int64_t{row.plan_in_place ? 1 : 0}));
    INBEELD_RETURN_IF_ERROR(stmt->Bind(8, row.own_reference));
    if (HasPerson(row)) {
      std::vector<uint8_t> person = EncodePerson(row);
      auto sealed = crypto::Seal(field_key, person, Aad(kPersonAad, subject));
      std::fill(person.begin(), person.end(), 0);
      if (!sealed) return std::unexpected(sealed.error());
      INBEELD_RETURN_IF_ERROR(stmt->BindBlob(9, *sealed));
    } else {
      INBEELD_RETURN_IF_ERROR(stmt->BindNull(9));
    }
    auto done = stmt->Run();
    if (!done) {
      if (LastErrorWasUniqueViolation(db_)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "the list holds the same child twice (the same BSN/onderwijsnummer, or the "
                    "same name and birth date)");
      }
      return std::unexpected(done.error());
    }
  }
  if (also) INBEELD_RETURN_IF_ERROR(also(version));
  INBEELD_RETURN_IF_ERROR(tx->Commit());
  return version;
}

Result<std::vector<ListVersion>> Store::Versions() {
  auto stmt = Statement::Prepare(
      db_, "SELECT id, list_date, imported_at, source, row_count FROM list_versions ORDER BY id");
  if (!stmt) return std::unexpected(stmt.error());
  std::vector<ListVersion> versions;
  while (true) {
    auto row = stmt->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    ListVersion v;
    v.id = stmt->ColumnInt(0);
    auto date = ReadDate(stmt->ColumnText(1), "list date");
    if (!date) return std::unexpected(date.error());
    v.list_date = *date;
    v.imported_at = stmt->ColumnText(2);
    v.source = stmt->ColumnText(3);
    v.row_count = stmt->ColumnInt(4);
    versions.push_back(std::move(v));
  }
  return versions;
}

Result<std::optional<ListVersion>> Store::CurrentVersion() {
  auto versions = Versions();
  if (!versions) return std::unexpected(versions.error());
  if (versions->empty()) return std::optional<ListVersion>();
  return std::optional<ListVersion>(versions->back());
}

Result<std::vector<StoredRow>> Store::LoadRows(int64_t version_id, Unseal unseal,
                                               const crypto::SecretBytes& field_key) {
  std::vector<StoredRow> rows;
  INBEELD_RETURN_IF_ERROR(ForEachRow(version_id, unseal, field_key,
                                     [&](StoredRow& row) { rows.push_back(std::move(row)); }));
  return rows;
}

namespace {

constexpr const char* kRowColumns =
    "subject, identifier_sealed, category, since, school, plan, own_reference, person_sealed, "
    "personal_sealed";

// One list row from a statement selecting kRowColumns first, unsealed as asked.
Result<StoredRow> DecodeRow(Statement& stmt, Unseal unseal, const crypto::SecretBytes& field_key) {
  StoredRow out;
  auto subject = stmt.ColumnBlobView(0);
  if (subject.size() != out.subject.size()) {
    return Fail(ErrorCode::kDataLoss, "a stored list row has a malformed subject");
  }
  std::copy(subject.begin(), subject.end(), out.subject.begin());
  out.has_pgn = !stmt.ColumnIsNull(1);
  if (unseal != Unseal::kLabelsOnly && out.has_pgn) {
    auto digits = crypto::Open(field_key, stmt.ColumnBlobView(1), Aad(kIdentifierAad, subject));
    if (!digits) return Fail(ErrorCode::kDataLoss, "a stored identifier fails its integrity check");
    auto id = schema::Identifier::Parse(
        std::string_view(reinterpret_cast<const char*>(digits->data()), digits->size()));
    std::fill(digits->begin(), digits->end(), 0);
    if (!id) return Fail(ErrorCode::kDataLoss, "a stored identifier is malformed");
    out.identifier = *id;
  }
  int64_t category = stmt.ColumnInt(2);
  if (category < 0 || category > static_cast<int64_t>(schema::Category::kDreigend)) {
    return Fail(ErrorCode::kDataLoss, "a stored list row has an unknown category");
  }
  out.category = static_cast<schema::Category>(category);
  auto since = ReadDate(stmt.ColumnText(3), "since date");
  if (!since) return std::unexpected(since.error());
  out.since = *since;
  out.school_brin = stmt.ColumnText(4);
  out.plan_in_place = stmt.ColumnInt(5) != 0;
  out.own_reference = stmt.ColumnText(6);
  if (unseal == Unseal::kEverything && !stmt.ColumnIsNull(7)) {
    auto person = crypto::Open(field_key, stmt.ColumnBlobView(7), Aad(kPersonAad, subject));
    if (!person) {
      return Fail(ErrorCode::kDataLoss, "stored person fields fail their integrity check");
    }
    Status decoded = DecodePerson(*person, out);
    std::fill(person->begin(), person->end(), 0);
    INBEELD_RETURN_IF_ERROR(decoded);
  } else if (unseal == Unseal::kEverything && !stmt.ColumnIsNull(8)) {
    auto personal = crypto::Open(field_key, stmt.ColumnBlobView(8), Aad(kPersonalAad, subject));
    if (!personal) {
      return Fail(ErrorCode::kDataLoss, "stored personal fields fail their integrity check");
    }
    Status decoded = DecodeLegacyPersonal(*personal, out);
    std::fill(personal->begin(), personal->end(), 0);
    INBEELD_RETURN_IF_ERROR(decoded);
  }
  return out;
}

}  // namespace

Status Store::ForEachRow(int64_t version_id, Unseal unseal, const crypto::SecretBytes& field_key,
                         const std::function<void(StoredRow&)>& visit) {
  auto stmt = Statement::Prepare(db_, std::string("SELECT ") + kRowColumns +
                                          " FROM list_rows WHERE version_id = ? ORDER BY subject");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->Bind(1, version_id));
  while (true) {
    auto has_row = stmt->Step();
    if (!has_row) return std::unexpected(has_row.error());
    if (!*has_row) break;
    auto row = DecodeRow(*stmt, unseal, field_key);
    if (!row) return std::unexpected(row.error());
    visit(*row);
  }
  return {};
}

Result<std::vector<std::pair<int64_t, StoredRow>>> Store::RowsOfSubject(
    const std::array<uint8_t, 32>& subject, Unseal unseal, const crypto::SecretBytes& field_key) {
  auto stmt = Statement::Prepare(db_, std::string("SELECT ") + kRowColumns +
                                          ", version_id FROM list_rows WHERE subject = ? "
                                          "ORDER BY version_id");
  if (!stmt) return std::unexpected(stmt.error());
  INBEELD_RETURN_IF_ERROR(stmt->BindBlob(1, subject));
  std::vector<std::pair<int64_t, StoredRow>> rows;
  while (true) {
    auto has_row = stmt->Step();
    if (!has_row) return std::unexpected(has_row.error());
    if (!*has_row) break;
    auto row = DecodeRow(*stmt, unseal, field_key);
    if (!row) return std::unexpected(row.error());
    rows.emplace_back(stmt->ColumnInt(9), std::move(*row));
  }
  return rows;
}

Status Store::CheckIntegrity() {
  for (const char* pragma : {"PRAGMA cipher_integrity_check", "PRAGMA integrity_check"}) {
    auto stmt = Statement::Prepare(db_, pragma);
    if (!stmt) return std::unexpected(stmt.error());
    while (true) {
      auto row = stmt->Step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      std::string line = stmt->ColumnText(0);
      // integrity_check answers "ok"; cipher_integrity_check answers nothing when
      // every page verifies and one row per bad page otherwise.
      if (line != "ok")
        return Fail(ErrorCode::kDataLoss, "database integrity check failed: " + line);
    }
  }
  return {};
}

Status Store::ExportEncryptedCopy(const std::filesystem::path& path,
                                  const crypto::SecretBytes& key) {
  if (key.size() != 32) return Fail(ErrorCode::kInternal, "storage key must be 32 bytes");
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Fail(ErrorCode::kAlreadyExists, "database " + path.string() + " already exists");
  }
  // ATTACH creates no file on a connection opened without SQLITE_OPEN_CREATE;
  // an empty file is an empty database. Private from its first byte, like
  // the store itself.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(ErrorCode::kFailedPrecondition, "cannot create " + path.string());
  close(fd);
  crypto::SecretBytes literal = RawKeyLiteral(key);
  auto attach = Statement::Prepare(db_, "ATTACH DATABASE ?1 AS rekeyed KEY ?2");
  if (!attach) return std::unexpected(attach.error());
  INBEELD_RETURN_IF_ERROR(attach->Bind(1, std::string_view(path.string())));
  INBEELD_RETURN_IF_ERROR(attach->Bind(
      2, std::string_view(reinterpret_cast<const char*>(literal.RevealForCrypto().data()),
                          literal.size())));
  INBEELD_RETURN_IF_ERROR(attach->Run());
  // DETACH on every way out, so the connection stays usable.
  Status exported = [&]() -> Status {
    INBEELD_RETURN_IF_ERROR(Exec(db_, "SELECT sqlcipher_export('rekeyed')"));
    // sqlcipher_export copies schema and rows; the version is set here so
    // the copy never runs a migration twice.
    return Exec(db_, fmt::format("PRAGMA rekeyed.user_version = {}", schema_version_).c_str());
  }();
  Status detached = Exec(db_, "DETACH DATABASE rekeyed");
  INBEELD_RETURN_IF_ERROR(exported);
  return detached;
}

}  // namespace inbeeld::node
