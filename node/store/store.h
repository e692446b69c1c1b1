// node/store/store.h — the node's encrypted database (SQLCipher 4, one file).
//
// Holds the partner's list versions, the node's secret keys and, later, session
// results and the audit log. Every page, the WAL and any journal are encrypted by
// SQLCipher under a raw 32-byte key (derived elsewhere with Argon2id; SQLCipher's
// own PBKDF2 is skipped). Inside, children are pseudonymised: a row is keyed by
// its subject, a keyed pseudonym (SubjectOf), and the PGN, the name parts, the
// birth date and the sex are sealed with an AEAD field key, so a query result, a
// dump or a crash report does not show them in the clear.
//
// A row's subject is made from what schema/row_subject.h says: the PGN when the
// child has one (exactly as before rows without a PGN existed, so existing
// subjects and the audit records naming them stay valid), otherwise the child's
// name and birth date under a domain of its own.
//
// Rows stored before schema version 5 keep their sealed name and birth date in
// the old form (the store opens without the field key, so a migration cannot
// re-seal them); they read back as PersonName::full_name and a full
// PartialDate, and leave with their list version under [retention].
//
// Thread safety: a Store is used from one thread at a time (SQLite connection in
// serialized mode, but transactions are not shared). Open one Store per thread.
#ifndef INBEELD_NODE_STORE_STORE_H_
#define INBEELD_NODE_STORE_STORE_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "crypto/pseudonym.h"
#include "crypto/secret_bytes.h"
#include "node/clock/clock.h"
#include "schema/date.h"
#include "schema/list_row.h"
#include "schema/person.h"
#include "schema/row_subject.h"

struct sqlite3;

namespace inbeeld::node {

struct ListVersion {
  int64_t id = 0;
  schema::Date list_date{};
  std::string imported_at;  // ISO 8601 UTC
  std::string source;       // file name the operator imported (base name only)
  int64_t row_count = 0;
};

// One row as the node keeps it, mirroring schema::ListRow; the PGN and the
// person fields are unsealed only on request (see Unseal).
struct StoredRow {
  std::array<uint8_t, 32> subject{};             // the row's keyed pseudonym (SubjectOf)
  bool has_pgn = false;                          // whether a PGN is stored, whatever was unsealed
  std::optional<schema::Identifier> identifier;  // with kIdentifiers or kEverything
  schema::Category category = schema::Category::kRelatiefVerzuim;
  schema::Date since{};
  std::string school_brin;
  bool plan_in_place = false;
  std::string own_reference;
  schema::PersonName name;                        // with kEverything
  std::optional<schema::PartialDate> birth_date;  // with kEverything
  std::optional<schema::Sex> sex;                 // with kEverything
};

// Which secrets a caller wants unsealed when loading rows.
enum class Unseal { kLabelsOnly, kIdentifiers, kEverything };

// The keyed pseudonym a list row with a PGN is stored under (the row's subject).
std::array<uint8_t, 32> SubjectOf(const crypto::PseudonymKey& subject_key,
                                  const schema::Identifier& identifier);

// The subject of any row, from its schema::SubjectSources entry: SubjectOf the
// PGN for kPgn, else a pseudonym of the source's text under a domain that no
// PGN subject shares.
std::array<uint8_t, 32> SubjectOf(const crypto::PseudonymKey& subject_key,
                                  const schema::ListRow& row, const schema::SubjectSource& source);

class Store {
 public:
  // Opens the database at `path` with `key` (32 bytes). With create=true a new
  // file is made (0600) and must not exist yet. Runs pending migrations.
  // Errors: kUnauthenticated when the key does not open the file (wrong
  // passphrase), kDataLoss when the file is unreadable or fails its integrity
  // check, kNotFound when it does not exist and create=false, kAlreadyExists.
  // `clock` stamps what the store and the repositories on it write (list
  // versions, sessions, checkpoints); it must outlive the Store.
  static Result<std::unique_ptr<Store>> Open(const std::filesystem::path& path,
                                             const crypto::SecretBytes& key, bool create,
                                             const Clock& clock);
  // Creates a new file like Open(create=true) but migrates it only up to
  // `schema_version`, so a test can fill a database as an older inbeeld left
  // it and check that Open migrates it.
  static Result<std::unique_ptr<Store>> CreateAtSchemaVersionForTesting(
      const std::filesystem::path& path, const crypto::SecretBytes& key, int schema_version,
      const Clock& clock);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int SchemaVersion() const { return schema_version_; }
  // The version a store has once every migration ran.
  static int LatestSchemaVersion();
  // The schema version the file had before migrations that no audit record
  // covers yet, or nullopt (none ran, or the file was new). Migrate notes it
  // in meta in the same transaction as each step, so a crash before the
  // record is written leaves it for the next open; NodeDir::Unlock records
  // "inbeeld.store.migrated" and then calls MigrationRecorded.
  Result<std::optional<int>> UnrecordedMigrationFrom();
  Status MigrationRecorded();
  // The node's clock (node/clock/clock.h), for the layers above.
  const Clock& clock() const { return clock_; }

  // Named secrets (node identity seed, pseudonym key, field key). Put fails
  // with kAlreadyExists rather than overwrite; key rotation is explicit.
  Status PutSecret(const std::string& name, const crypto::SecretBytes& value);
  Result<crypto::SecretBytes> GetSecret(const std::string& name);
  // Whether the store holds secret `name`.
  Result<bool> HasSecret(const std::string& name);
  // Explicit rotation: sets `name` (made or replaced) / removes it (absent is
  // fine). Deleted pages are overwritten (secure_delete is on).
  Status SetSecret(const std::string& name, const crypto::SecretBytes& value);
  Status DeleteSecret(const std::string& name);

  // Stores `rows` as a new list version, all or nothing (one transaction).
  // kInvalidArgument, storing nothing, if a row does not IdentifiesChild or two
  // rows have one subject (the same PGN, or the same child without one: the
  // CSV parser reports both before this is called).
  // `field_key` is the 32-byte AEAD key from GetSecret.
  // `also` runs inside the same transaction (the audit record of the import).
  Result<ListVersion> ImportList(const std::vector<schema::ListRow>& rows, schema::Date list_date,
                                 const std::string& source, const crypto::PseudonymKey& subject_key,
                                 const crypto::SecretBytes& field_key,
                                 const std::function<Status(const ListVersion&)>& also = {});

  // The newest list version, or nullopt before the first import.
  Result<std::optional<ListVersion>> CurrentVersion();
  Result<std::vector<ListVersion>> Versions();
  // Rows of a version in subject order. Unseal::kLabelsOnly leaves identifier,
  // name, birth date and sex absent; kIdentifiers adds the identifier;
  // kEverything adds the person fields too.
  Result<std::vector<StoredRow>> LoadRows(int64_t version_id, Unseal unseal,
                                          const crypto::SecretBytes& field_key);
  // Streams the rows of a version in subject order without holding them all;
  // `visit` may move from the row. Stops at the first error.
  Status ForEachRow(int64_t version_id, Unseal unseal, const crypto::SecretBytes& field_key,
                    const std::function<void(StoredRow&)>& visit);

  // Every stored row of one child (its subject), with the id of the list
  // version it is on, oldest version first. Unseal as for LoadRows.
  Result<std::vector<std::pair<int64_t, StoredRow>>> RowsOfSubject(
      const std::array<uint8_t, 32>& subject, Unseal unseal, const crypto::SecretBytes& field_key);

  // Small named values (e.g. the configuration's hash). Get returns "" if unset.
  Result<std::string> GetMeta(const std::string& key);
  Status PutMeta(const std::string& key, const std::string& value);

  // Full SQLCipher HMAC check of every page plus SQLite's integrity check.
  Status CheckIntegrity();

  // Writes a copy of the whole database (schema, rows, schema version) to a
  // new file at `path`, encrypted under `key` (32 bytes), with SQLCipher's
  // sqlcipher_export: how `passphrase change` re-keys without touching the
  // file in use (node/datadir/node_dir.h). Errors: kAlreadyExists if `path` exists;
  // SQLite's otherwise (a partial file may be left: the caller removes it).
  Status ExportEncryptedCopy(const std::filesystem::path& path, const crypto::SecretBytes& key);

  // For the layers above (results, audit): raw handle. REQUIRES: same thread.
  sqlite3* handle() { return db_; }

 private:
  Store(sqlite3* db, const Clock& clock) : db_(db), clock_(clock) {}
  static Result<std::unique_ptr<Store>> OpenAt(const std::filesystem::path& path,
                                               const crypto::SecretBytes& key, bool create,
                                               int schema_version, const Clock& clock);
  // Runs the migrations up to `target`. REQUIRES: target <= the newest version.
  Status Migrate(int target);

  sqlite3* db_;
  const Clock& clock_;
  int schema_version_ = 0;
};

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_STORE_STORE_H_
