// node/backup/backup.h — encrypted, consistent backups of a node; restore.
//
// A backup is one file that holds everything a node needs to come back:
//
//   "inbeeld-backup 1\n"
//   manifest: one line of JSON —
//     {"format":1, "node_name", "fingerprint", "created_at",
//      "schema_version", "audit_size", "audit_root" (hex),
//      "node_json" (node.json's text: salt, KDF profile, key check — nothing
//                   secret),
//      "config_sealed" (base64 of inbeeld.toml sealed with XChaCha20-Poly1305
//                   under a key derived from the storage key, the manifest's
//                   fingerprint as associated data),
//      "database_bytes", "database_sha256"}
//   "\n"
//   signature: "ed25519 <base64 of the node key's signature over the
//               manifest line, domain-separated>" "\n"
//   the database: a SQLCipher file, encrypted under the storage key as the
//                 node's own is, database_bytes long.
//
// So a stolen backup is as safe as the data directory: its contents open only
// with the passphrase the node had when the backup was made (Argon2id per
// guess). The database copy is made with SQLCipher's sqlcipher_export inside
// one transaction (backup_store.h), so it is consistent while `serve` and
// other commands keep working; the backup is first recorded in the node's
// audit log ("inbeeld.backup.made"), so the copy holds its own record.
//
// Restore and the region: the restored log is shorter than the one the
// partners witnessed. RestoreBackup appends one record at leaf R (R = the
// backup's audit size), "inbeeld.log.restored", naming the backup (its time,
// size, root, file hash) and who restored it, and signs a checkpoint. Partners
// then refuse the shortened log until they accept the restore
// (node/audit/rejoin.h): history is never rewritten silently.
//
// Thread safety: each function opens what it needs; call from one thread.
#ifndef INBEELD_NODE_BACKUP_BACKUP_H_
#define INBEELD_NODE_BACKUP_BACKUP_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/secret_bytes.h"
#include "node/clock/clock.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node::backup {

// What a backup holds, as its manifest (and, once verified, its contents) say.
struct BackupSummary {
  std::string node_name;
  std::string fingerprint;  // "ed25519:<hex>"
  std::string created_at;   // ISO 8601 UTC
  int schema_version = 0;
  uint64_t audit_size = 0;  // records in the log the backup holds
  std::string audit_root;   // hex root at audit_size
  uint64_t database_bytes = 0;
  uint64_t file_bytes = 0;
  // Filled by VerifyBackup only:
  uint64_t list_rows = 0;    // rows of the current list version
  int64_t list_version = 0;  // 0: no list yet
  uint64_t checkpoints = 0;  // signed checkpoints the log holds
};

// Writes a backup of `node` to `out`, which must not exist (kAlreadyExists);
// written beside it under a temporary name and renamed when complete, mode
// 0600. Appends "inbeeld.backup.made" to the log first, and
// "inbeeld.backup.failed" (with the reason) when the copy then fails. Errors:
// I/O (named by path), kDataLoss when the store's own integrity check fails.
Result<BackupSummary> WriteBackup(UnlockedNode& node, const std::filesystem::path& out);

// A free name in `folder`, "inbeeld-<YYYYMMDDTHHMMSSZ>-<NN>.backup" at the
// clock's now (NN from 01, for backups within one second): names that sort
// by time, for `backup --into FOLDER`. kResourceExhausted past 99.
Result<std::filesystem::path> TimedBackupPath(const std::filesystem::path& folder,
                                              const Clock& clock);

// Keeps the `keep` newest "inbeeld-*.backup" files in `folder` (by name, so
// by the time in it) and removes the others; returns what it removed.
// Other files are never touched.
Result<std::vector<std::filesystem::path>> KeepNewest(const std::filesystem::path& folder,
                                                      size_t keep);

// Reads only the manifest (no passphrase): what `backup verify` shows first.
// kInvalidArgument "not an inbeeld backup" / "damaged: ..." with the part.
Result<BackupSummary> ReadManifest(const std::filesystem::path& file);

// Proves the backup restores: checks the signature and the database hash,
// restores it into a fresh temporary directory, unlocks it with
// `passphrase`, runs SQLCipher's and SQLite's integrity checks and
// recomputes the audit log's root at every signed checkpoint, then removes
// the directory. Errors: kUnauthenticated (wrong passphrase for this
// backup), kDataLoss (damaged: which part), kInvalidArgument (not a backup).
Result<BackupSummary> VerifyBackup(const std::filesystem::path& file,
                                   const crypto::SecretBytes& passphrase, const Clock& clock);

struct RestoreOptions {
  // An existing node in the data directory is moved aside to
  // "<dir>.before-restore-<UTC time>" (never deleted). Without it, a
  // directory that holds a node is refused (kAlreadyExists).
  bool replace = false;
};

struct RestoreOutcome {
  BackupSummary backup;
  uint64_t restore_record = 0;        // leaf index of "inbeeld.log.restored" (= audit_size)
  std::filesystem::path moved_aside;  // empty unless an existing node was moved
};

// Restores `file` into `dir` (created if absent), checks it unlocks with
// `passphrase` (the one the node had when the backup was made), appends
// "inbeeld.log.restored" in the current ActorScope and signs a checkpoint.
// Nothing is changed in `dir` unless the backup verified and unlocked.
// Stop `serve` first: a running server would keep the replaced files open.
Result<RestoreOutcome> RestoreBackup(const std::filesystem::path& file,
                                     const std::filesystem::path& dir,
                                     const crypto::SecretBytes& passphrase, const Clock& clock,
                                     const RestoreOptions& options);

}  // namespace inbeeld::node::backup

#endif  // INBEELD_NODE_BACKUP_BACKUP_H_
