#include "node/backup/backup.h"

#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "crypto/bytes.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/exchange_records.h"
#include "node/audit/export.h"
#include "node/audit/rejoin.h"
#include "node/audit/verify.h"
#include "node/backup/backup_store.h"
#include "node/clock/timestamp.h"
#include "schema/json_reader.h"

namespace inbeeld::node::backup {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kMagic = "inbeeld-backup 1\n";
constexpr std::string_view kSignatureDomain = "inbeeld/backup-manifest/v1\n";
// The files of a data directory that a restore replaces (and moves aside).
constexpr const char* kNodeFiles[] = {"node.json",      "inbeeld.toml",   "inbeeld.db",
                                      "inbeeld.db-wal", "inbeeld.db-shm", "console.address"};

std::string Sha256Hex(std::string_view data) {
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const uint8_t*>(data.data()), data.size());
  return crypto::HexEncode(digest);
}

Result<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + path.string());
  std::stringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) return Fail(ErrorCode::kDataLoss, "cannot read " + path.string());
  return s.str();
}

// Writes `parts` to `path` (mode 0600) and syncs it to disk.
Status WriteSynced(const fs::path& path, const std::vector<std::string_view>& parts) {
  mode_t old_mask = umask(077);
  FILE* f = std::fopen(path.c_str(), "wbx");
  umask(old_mask);
  if (f == nullptr) return Fail(ErrorCode::kFailedPrecondition, "cannot create " + path.string());
  bool ok = true;
  for (auto part : parts) ok = ok && std::fwrite(part.data(), 1, part.size(), f) == part.size();
  ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::error_code ignored;
    fs::remove(path, ignored);
    return Fail(ErrorCode::kFailedPrecondition, "cannot write " + path.string() + " (disk full?)");
  }
  return {};
}

std::string ManifestMessage(std::string_view manifest_line) {
  return std::string(kSignatureDomain) + std::string(manifest_line);
}

// A backup file split into its parts, signature checked.
struct Parsed {
  BackupSummary summary;
  std::string node_json;
  std::string database;  // the SQLCipher file's bytes
  std::string database_sha256;
};

Result<Parsed> Parse(const fs::path& file) {
  auto whole = ReadWhole(file);
  if (!whole) return std::unexpected(whole.error());
  const std::string where = file.filename().string();
  auto damaged = [&](const std::string& what) {
    return Fail(ErrorCode::kDataLoss, where + ": the backup is damaged (" + what + ")");
  };
  std::string_view rest = *whole;
  if (!rest.starts_with(kMagic)) {
    return Fail(ErrorCode::kInvalidArgument, where + " is not an inbeeld backup");
  }
  rest.remove_prefix(kMagic.size());
  size_t eol = rest.find('\n');
  if (eol == std::string_view::npos || eol > (1 << 20)) return damaged("manifest");
  std::string_view manifest_line = rest.substr(0, eol);
  rest.remove_prefix(eol + 1);
  eol = rest.find('\n');
  if (eol == std::string_view::npos || !rest.starts_with("ed25519 ")) return damaged("signature");
  std::string signature_b64(rest.substr(8, eol - 8));
  rest.remove_prefix(eol + 1);

  // The manifest is signed, but read before its signature is checked (the
  // key is in it): strictly, within limits, every refusal naming the member.
  auto manifest = schema::JsonDocument::Parse(manifest_line, "manifest",
                                              {.max_bytes = size_t{1} << 20, .max_depth = 1});
  if (!manifest) return damaged(manifest.error().message);
  const schema::JsonObject& m = manifest->Root();
  auto format = m.Uint("format");
  if (!format) return damaged(format.error().message);
  if (*format != 1) {
    return Fail(
        ErrorCode::kInvalidArgument,
        where + " was made by a newer inbeeld (backup format " + std::to_string(*format) + ")");
  }
  Parsed p;
  BackupSummary& s = p.summary;
  const auto name = schema::JsonString::Text(256);
  schema::JsonReadAll all;
  uint64_t schema_version = 0;
  all.Into(m.String("node_name", name), s.node_name);
  all.Into(m.String("fingerprint", name), s.fingerprint);
  all.Into(m.String("created_at", name), s.created_at);
  all.Into(m.Uint("schema_version", 0, INT32_MAX), schema_version);
  all.Into(m.Uint("audit_size"), s.audit_size);
  all.Into(m.String("audit_root", schema::JsonString::LowerHex(64)), s.audit_root);
  all.Into(m.Uint("database_bytes"), s.database_bytes);
  all.Into(m.String("database_sha256", schema::JsonString::LowerHex(64)), p.database_sha256);
  all.Into(m.String("node_json", schema::JsonString::Text(64 * 1024)), p.node_json);
  if (auto read = all.Done(); !read) return damaged(read.error().message);
  s.schema_version = static_cast<int>(schema_version);
  s.file_bytes = whole->size();
  auto key = crypto::VerifyingKey::FromFingerprint(s.fingerprint);
  if (!key) return damaged("node key");
  std::array<uint8_t, crypto::kEd25519SignatureSize> sig{};
  size_t sig_len = 0;
  const std::string message = ManifestMessage(manifest_line);
  if (sodium_base642bin(sig.data(), sig.size(), signature_b64.data(), signature_b64.size(), nullptr,
                        &sig_len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      sig_len != sig.size() ||
      !key->Verify(std::span(reinterpret_cast<const uint8_t*>(message.data()), message.size()),
                   sig)) {
    return damaged("the manifest's signature does not verify");
  }
  auto node_json = schema::JsonDocument::Parse(p.node_json, "node.json");
  auto node_fingerprint = node_json ? node_json->Root().String("fingerprint", name)
                                    : Result<std::string>(std::unexpected(node_json.error()));
  if (!node_fingerprint || *node_fingerprint != s.fingerprint) {
    return damaged("node.json does not belong to the signing key");
  }
  if (rest.size() != s.database_bytes) return damaged("the database is truncated or too long");
  if (Sha256Hex(rest) != p.database_sha256) return damaged("the database's checksum differs");
  p.database.assign(rest);
  return p;
}

// Writes node.json and the database into `dir`, opens the store with
// `passphrase`, moves the configuration out of the store into inbeeld.toml,
// and unlocks the node there.
Result<UnlockedNode> Unpack(const Parsed& p, const fs::path& dir,
                            const crypto::SecretBytes& passphrase, const Clock& clock) {
  NodeDir staged(dir, clock);
  INBEELD_RETURN_IF_ERROR(WriteSynced(staged.MetadataPath(), {p.node_json}));
  INBEELD_RETURN_IF_ERROR(WriteSynced(staged.DatabasePath(), {p.database}));
  {
    auto store = staged.OpenStore(passphrase);
    if (!store) {
      if (store.error().code == ErrorCode::kUnauthenticated) {
        return Fail(ErrorCode::kUnauthenticated,
                    "wrong passphrase for this backup (it needs the passphrase the node had on " +
                        p.summary.created_at + ")");
      }
      return std::unexpected(store.error());
    }
    INBEELD_RETURN_IF_ERROR((*store)->CheckIntegrity());
    BackupStore carried(**store);
    auto config = carried.CarriedConfig();
    if (!config) return std::unexpected(config.error());
    if (config->empty()) {
      return Fail(ErrorCode::kDataLoss, "the backup holds no configuration");
    }
    INBEELD_RETURN_IF_ERROR(WriteSynced(staged.ConfigPath(), {*config}));
    INBEELD_RETURN_IF_ERROR(carried.DropCarriedConfig());
  }
  return staged.Unlock(passphrase);
}

// A fresh directory (0700) under `parent` whose name starts with `prefix`.
Result<fs::path> MakeTempDir(const fs::path& parent, const std::string& prefix) {
  std::string pattern = (parent / (prefix + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Fail(ErrorCode::kFailedPrecondition, "cannot create a directory in " + parent.string());
  }
  return fs::path(pattern);
}

struct RemoveOnExit {
  fs::path path;
  ~RemoveOnExit() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};

// What an unlocked, restored copy holds; fills the VerifyBackup fields.
Status Inspect(UnlockedNode& node, const fs::path& scratch, BackupSummary& summary) {
  auto current = node.store->CurrentVersion();
  if (!current) return std::unexpected(current.error());
  if (*current) {
    summary.list_version = (*current)->id;
    summary.list_rows = static_cast<uint64_t>((*current)->row_count);
  }
  audit::AuditLog log(*node.store, node.identity);
  auto size = log.Size();
  if (!size) return std::unexpected(size.error());
  if (*size != summary.audit_size) {
    return Fail(ErrorCode::kDataLoss, "the backup's audit log holds " + std::to_string(*size) +
                                          " records, its manifest says " +
                                          std::to_string(summary.audit_size));
  }
  auto checkpoints = log.Checkpoints();
  if (!checkpoints) return std::unexpected(checkpoints.error());
  summary.checkpoints = checkpoints->size();
  // Every record, checkpoint, cosignature and committed list, recomputed as an
  // auditor would from an export.
  fs::path exported = scratch / "audit-export";
  auto written = audit::ExportAudit(log, node.config, node.identity.PublicKey(), exported);
  if (!written) return std::unexpected(written.error());
  audit::VerifyOptions options;
  options.node_key = node.identity.PublicKey();
  audit::VerifyReport report = audit::VerifyExport(exported, options);
  if (!report.ok()) {
    return Fail(ErrorCode::kDataLoss,
                "the backup's audit log does not verify: " + report.problems.front());
  }
  return {};
}

}  // namespace

namespace {
// Everything of WriteBackup after its record: the checkpoint, the copy, the
// signed manifest, the file.
Result<BackupSummary> WriteCopy(UnlockedNode& node, audit::AuditLog& log, const fs::path& out,
                                const fs::path& parent);
}  // namespace

Result<BackupSummary> WriteBackup(UnlockedNode& node, const fs::path& out) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    return Fail(ErrorCode::kAlreadyExists, out.string() + " already exists; choose another name");
  }
  fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return Fail(ErrorCode::kInvalidArgument, "the folder " + parent.string() + " does not exist");
  }
  audit::AuditLog log(*node.store, node.identity);
  // Recorded first, so the backup holds its own record; then signed, so the
  // copy ends at a checkpoint the node itself signed.
  INBEELD_RETURN_IF_ERROR(
      log.Append({audit::EventRecord(node.clock(), "inbeeld.backup.made", true, {})}));
  auto written = WriteCopy(node, log, out, parent);
  if (!written) {
    // The record above says a backup was made: say that it failed after all.
    Status recorded =
        log.Append({audit::EventRecord(node.clock(), "inbeeld.backup.failed", false,
                                       {{"inbeeld.reason", written.error().message}})});
    if (!recorded) {
      return std::unexpected(WithContext(written.error(), "and recording the failure failed too (" +
                                                              recorded.error().message + ")"));
    }
  }
  return written;
}

namespace {

Result<BackupSummary> WriteCopy(UnlockedNode& node, audit::AuditLog& log, const fs::path& out,
                                const fs::path& parent) {
  std::error_code ec;
  auto checkpoint = log.Checkpoint();
  if (!checkpoint) return std::unexpected(checkpoint.error());

  auto config = [&]() -> Result<std::string> {
    NodeDir dir(node.root, node.clock());
    return ReadWhole(dir.ConfigPath());
  }();
  if (!config) return std::unexpected(config.error());
  auto node_json = ReadWhole(NodeDir(node.root, node.clock()).MetadataPath());
  if (!node_json) return std::unexpected(node_json.error());

  auto scratch = MakeTempDir(parent, "." + out.filename().string() + ".");
  if (!scratch) return std::unexpected(scratch.error());
  RemoveOnExit cleanup{*scratch};
  fs::path copy = *scratch / "inbeeld.db";
  {
    // One transaction on the live store: a consistent copy, taken while
    // other processes go on writing (WAL), keyed like the original, with the
    // configuration in its meta table, so it is encrypted too.
    // The store's connection was opened without SQLITE_OPEN_CREATE, which an
    // ATTACH inherits: the (empty) file must exist first.
    INBEELD_RETURN_IF_ERROR(WriteSynced(copy, {}));
    INBEELD_RETURN_IF_ERROR(BackupStore(*node.store).ExportCopy(copy, *config));
  }
  auto database = ReadWhole(copy);
  if (!database) return std::unexpected(database.error());

  BackupSummary summary;
  summary.node_name = node.metadata.node_name;
  summary.fingerprint = node.metadata.fingerprint;
  summary.created_at = NowIso(node.clock());
  summary.schema_version = node.store->SchemaVersion();
  summary.audit_size = checkpoint->size;
  summary.audit_root = crypto::HexEncode(checkpoint->root);
  summary.database_bytes = database->size();
  json manifest = {{"format", 1},
                   {"node_name", summary.node_name},
                   {"fingerprint", summary.fingerprint},
                   {"created_at", summary.created_at},
                   {"schema_version", summary.schema_version},
                   {"audit_size", summary.audit_size},
                   {"audit_root", summary.audit_root},
                   {"node_json", *node_json},
                   {"database_bytes", summary.database_bytes},
                   {"database_sha256", Sha256Hex(*database)}};
  std::string manifest_line = manifest.dump();
  std::string message = ManifestMessage(manifest_line);
  auto signature = node.identity.Sign(
      std::span(reinterpret_cast<const uint8_t*>(message.data()), message.size()));
  std::string signature_line = "ed25519 " + audit::Base64(signature) + "\n";
  manifest_line += "\n";
  fs::path partial = *scratch / "backup";
  INBEELD_RETURN_IF_ERROR(WriteSynced(partial, {kMagic, manifest_line, signature_line, *database}));
  fs::rename(partial, out, ec);
  if (ec)
    return Fail(ErrorCode::kFailedPrecondition,
                "cannot write " + out.string() + ": " + ec.message());
  summary.file_bytes =
      kMagic.size() + manifest_line.size() + signature_line.size() + database->size();
  return summary;
}

}  // namespace

Result<fs::path> TimedBackupPath(const fs::path& folder, const Clock& clock) {
  std::string stamp;
  for (char c : NowIso(clock).substr(0, 19)) {  // 2026-12-02T01:30:29
    if (c != '-' && c != ':') stamp += c;
  }
  std::error_code ec;
  for (int n = 1; n <= 99; ++n) {
    fs::path path = folder / fmt::format("inbeeld-{}Z-{:02}.backup", stamp, n);
    if (!fs::exists(path, ec)) return path;
  }
  return Fail(ErrorCode::kResourceExhausted, "too many backups this second in " + folder.string());
}

Result<std::vector<fs::path>> KeepNewest(const fs::path& folder, size_t keep) {
  std::error_code ec;
  std::vector<fs::path> backups;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("inbeeld-") && name.ends_with(".backup")) {
      backups.push_back(entry.path());
    }
  }
  if (ec) return Fail(ErrorCode::kFailedPrecondition, "cannot list " + folder.string());
  std::sort(backups.begin(), backups.end());
  std::vector<fs::path> removed;
  if (backups.size() <= keep) return removed;
  for (size_t i = 0; i + keep < backups.size(); ++i) {
    fs::remove(backups[i], ec);
    if (ec) return Fail(ErrorCode::kFailedPrecondition, "cannot remove " + backups[i].string());
    removed.push_back(backups[i]);
  }
  return removed;
}

Result<BackupSummary> ReadManifest(const fs::path& file) {
  auto parsed = Parse(file);
  if (!parsed) return std::unexpected(parsed.error());
  return parsed->summary;
}

Result<BackupSummary> VerifyBackup(const fs::path& file, const crypto::SecretBytes& passphrase,
                                   const Clock& clock) {
  auto parsed = Parse(file);
  if (!parsed) return std::unexpected(parsed.error());
  auto scratch = MakeTempDir(fs::temp_directory_path(), "inbeeld-backup-verify-");
  if (!scratch) return std::unexpected(scratch.error());
  RemoveOnExit cleanup{*scratch};
  fs::path dir = *scratch / "node";
  fs::create_directory(dir);
  auto node = Unpack(*parsed, dir, passphrase, clock);
  if (!node) return std::unexpected(node.error());
  BackupSummary summary = parsed->summary;
  INBEELD_RETURN_IF_ERROR(Inspect(*node, *scratch, summary));
  return summary;
}

Result<RestoreOutcome> RestoreBackup(const fs::path& file, const fs::path& dir,
                                     const crypto::SecretBytes& passphrase, const Clock& clock,
                                     const RestoreOptions& options) {
  auto parsed = Parse(file);
  if (!parsed) return std::unexpected(parsed.error());
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    mode_t old_mask = umask(077);
    fs::create_directories(dir, ec);
    umask(old_mask);
    if (ec) return Fail(ErrorCode::kFailedPrecondition, "cannot create " + dir.string());
  }
  NodeDir target(dir, clock);
  std::optional<NodeDirLock> lock;
  if (target.IsInitialised()) {
    if (!options.replace) {
      return Fail(ErrorCode::kAlreadyExists,
                  dir.string() +
                      " already holds a node; stop `inbeeld serve` and pass --replace "
                      "to move it aside (nothing is deleted)");
    }
    // No process may have the node open while its files are swapped.
    auto exclusive = NodeDirLock::Acquire(dir, NodeDirLock::Mode::kExclusive);
    if (!exclusive) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the node in " + dir.string() +
                      " is in use (`inbeeld serve` or another command): stop it, then restore");
    }
    lock.emplace(std::move(*exclusive));
  }
  // Staged inside the data directory, so the final moves are renames on one
  // file system and a failure leaves the node as it was.
  auto staging = MakeTempDir(dir, ".restoring-");
  if (!staging) return std::unexpected(staging.error());
  RemoveOnExit cleanup{*staging};
  RestoreOutcome outcome;
  outcome.backup = parsed->summary;
  {
    auto node = Unpack(*parsed, *staging, passphrase, clock);
    if (!node) return std::unexpected(node.error());
    INBEELD_RETURN_IF_ERROR(Inspect(*node, *staging, outcome.backup));
    std::error_code ignored;
    fs::remove_all(*staging / "audit-export", ignored);
    audit::AuditLog log(*node->store, node->identity);
    INBEELD_RETURN_IF_ERROR(log.Append(
        {audit::EventRecord(clock, audit::kRestoredEvent, true,
                            {{"inbeeld.backup_created_at", parsed->summary.created_at},
                             {audit::kRestoreSizeAttr, std::to_string(parsed->summary.audit_size)},
                             {"inbeeld.backup_audit_root", parsed->summary.audit_root},
                             {"inbeeld.backup_database_sha256", parsed->database_sha256}})}));
    auto signed_now = log.Checkpoint();
    if (!signed_now) return std::unexpected(signed_now.error());
    outcome.restore_record = parsed->summary.audit_size;
  }
  if (target.IsInitialised()) {
    std::string stamp = NowIso(clock);
    for (char& c : stamp) {
      if (c == ':') c = '-';
    }
    outcome.moved_aside = dir / ("before-restore-" + stamp);
    fs::create_directory(outcome.moved_aside, ec);
    if (ec)
      return Fail(ErrorCode::kFailedPrecondition, "cannot create " + outcome.moved_aside.string());
    for (const char* name : kNodeFiles) {
      if (fs::exists(dir / name, ec)) {
        fs::rename(dir / name, outcome.moved_aside / name, ec);
        if (ec) {
          return Fail(ErrorCode::kFailedPrecondition,
                      "cannot move " + (dir / name).string() + " aside: " + ec.message() +
                          "; what was moved is in " + outcome.moved_aside.string());
        }
      }
    }
  }
  for (const char* name :
       {"node.json", "inbeeld.toml", "inbeeld.db", "inbeeld.db-wal", "inbeeld.db-shm"}) {
    if (!fs::exists(*staging / name, ec)) continue;
    fs::rename(*staging / name, dir / name, ec);
    if (ec) {
      return Fail(ErrorCode::kFailedPrecondition, "cannot move the restored " + std::string(name) +
                                                      " into " + dir.string() + ": " +
                                                      ec.message());
    }
  }
  return outcome;
}

}  // namespace inbeeld::node::backup
