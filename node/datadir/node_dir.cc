#include "node/datadir/node_dir.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "crypto/bytes.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/clock/timestamp.h"
#include "schema/json_reader.h"

namespace inbeeld::node {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKeyCheckDomain = "inbeeld/storage-key-check/v1";
constexpr const char* kSecretIdentity = kIdentitySeedSecret;
constexpr const char* kSecretSubject = "list_subject_pseudonym_key";
constexpr const char* kSecretField = "list_field_aead_key";
constexpr const char* kSecretAudit = "audit_pseudonym_key";

Result<std::vector<uint8_t>> KeyCheck(const crypto::SecretBytes& storage_key) {
  auto checker = crypto::PseudonymKey::FromBytes(storage_key.RevealForCrypto());
  if (!checker) return std::unexpected(checker.error());
  auto mac = checker->Pseudonymise(kKeyCheckDomain, {});
  return std::vector<uint8_t>(mac.begin(), mac.end());
}

std::string Sha256Hex(const std::string& text) {
  std::array<uint8_t, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const uint8_t*>(text.data()), text.size());
  return crypto::HexEncode(h);
}

// What a configuration allows, in one line for the audit log.
std::string ConfigSummary(const config::NodeConfig& cfg) {
  // The PGN policy is part of what the FG reviews, so a change to it shows.
  std::string out = std::string("holds_pgn: ") + (cfg.holds_pgn ? "true" : "false");
  out += "; activities:";
  for (const auto& a : cfg.activities) out += " " + a.id;
  out += "; peers:";
  for (const auto& p : cfg.peers) {
    out += " " + p.name + "(";
    for (size_t i = 0; i < p.policy.allowed_purposes.size(); ++i) {
      out += (i ? "," : "") + p.policy.allowed_purposes[i];
    }
    out += "; keys ";
    for (size_t i = 0; i < p.policy.match_keys.size(); ++i) {
      out += (i ? "," : "") + std::string(config::MatchKeyTypeName(p.policy.match_keys[i]));
    }
    out += ")";
  }
  return out;
}

// fsync of a file or a directory: what makes a step of a passphrase change
// durable before the next one starts.
Status SyncPath(const fs::path& path, bool directory) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0)
    return Fail(ErrorCode::kFailedPrecondition, "cannot open " + path.string() + " to sync it");
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) return Fail(ErrorCode::kFailedPrecondition, "cannot sync " + path.string());
  return {};
}

// Writes `text` to "<path>.tmp" (mode 0600) and renames it over `path`, so a
// crash leaves the old or the new file; `durable` also syncs the new file
// before the rename and the directory after it.
Status ReplaceFile(const fs::path& path, const std::string& text, bool durable) {
  fs::path tmp = path;
  tmp += ".tmp";
  mode_t old_mask = umask(077);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      umask(old_mask);
      return Fail(ErrorCode::kFailedPrecondition, "cannot write " + tmp.string());
    }
  }
  umask(old_mask);
  if (durable) INBEELD_RETURN_IF_ERROR(SyncPath(tmp, /*directory=*/false));
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    return Fail(ErrorCode::kFailedPrecondition,
                "cannot write " + path.string() + ": " + ec.message());
  return durable ? SyncPath(path.parent_path(), /*directory=*/true) : Status{};
}

// WriteFileAtomically, and durable.
Status WriteFileDurably(const fs::path& path, const std::string& text) {
  return ReplaceFile(path, text, /*durable=*/true);
}

bool CannotOpen(const Error& e) {
  return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kDataLoss;
}

}  // namespace

Result<NodeDirLock> NodeDirLock::Acquire(const fs::path& root, Mode mode) {
  const fs::path path = root / "inbeeld.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(ErrorCode::kFailedPrecondition, "cannot open " + path.string());
  NodeDirLock lock(fd);
  if (mode == Mode::kExclusive) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
    if (errno == EWOULDBLOCK) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "another inbeeld process has the node in " + root.string() +
                      " open (serve, a match or sync, the console); stop it and try again");
    }
    return Fail(ErrorCode::kFailedPrecondition, "cannot lock " + path.string());
  }
  // Only a passphrase change or a key switch holds the lock exclusively, for
  // seconds; wait for it rather than fail a command that started then.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (flock(fd, LOCK_SH | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Fail(ErrorCode::kFailedPrecondition, "cannot lock " + path.string());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the passphrase or the key of the node in " + root.string() +
                      " is being changed; try again when that is done");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return lock;
}

NodeDirLock& NodeDirLock::operator=(NodeDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Status NodeDirLock::Downgrade() {
  if (flock(fd_, LOCK_SH) != 0)
    return Fail(ErrorCode::kFailedPrecondition, "cannot downgrade the node's lock");
  return {};
}

Status NodeDirLock::Upgrade(const fs::path& root) {
  if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return {};
  const int error = errno;
  // flock may drop the shared lock while converting: hold it again.
  while (flock(fd_, LOCK_SH) != 0 && errno == EINTR) {
  }
  if (error == EWOULDBLOCK) {
    return Fail(ErrorCode::kFailedPrecondition,
                "another inbeeld process has the node in " + root.string() +
                    " open (serve, a match or sync, the console); stop it and try again");
  }
  return Fail(ErrorCode::kFailedPrecondition, "cannot lock " + (root / "inbeeld.lock").string());
}

NodeDirLock::~NodeDirLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

Status WriteFileAtomically(const fs::path& path, const std::string& text) {
  return ReplaceFile(path, text, /*durable=*/false);
}

Result<crypto::KdfParams> KdfProfile(std::string_view name) {
  if (name == "interactive") return crypto::KdfParams::Interactive();
  if (name == "moderate") return crypto::KdfParams::Moderate();
  if (name == "sensitive") return crypto::KdfParams::Sensitive();
  return Fail(ErrorCode::kInvalidArgument,
              "unknown key-derivation profile (expected interactive, moderate or sensitive)");
}

Result<NodeDir> NodeDir::Locate(const std::optional<std::string>& flag, const GetEnvFn& env,
                                const Clock& clock) {
  if (flag && !flag->empty()) return NodeDir(fs::path(*flag), clock);
  if (auto home = env("INBEELD_HOME"); home && !home->empty()) {
    return NodeDir(fs::path(*home), clock);
  }
  return Fail(ErrorCode::kInvalidArgument,
              "no data directory: pass --data-dir DIR or set INBEELD_HOME");
}

bool NodeDir::IsInitialised() const {
  std::error_code ec;
  return fs::exists(MetadataPath(), ec);
}

Result<NodeMetadata> NodeDir::Initialise(const InitOptions& options,
                                         const crypto::SecretBytes& passphrase) {
  auto params = KdfProfile(options.kdf_profile);
  if (!params) return std::unexpected(params.error());
  std::error_code ec;
  if (IsInitialised()) {
    return Fail(ErrorCode::kAlreadyExists, "a node already lives in " + root_.string());
  }
  bool created_dir = false;
  if (fs::exists(root_, ec)) {
    if (!fs::is_directory(root_, ec)) {
      return Fail(ErrorCode::kInvalidArgument, root_.string() + " is not a directory");
    }
    if (!fs::is_empty(root_, ec)) {
      return Fail(ErrorCode::kFailedPrecondition,
                  root_.string() + " is not empty; choose an empty or new directory");
    }
  } else {
    fs::create_directories(root_, ec);
    if (ec)
      return Fail(ErrorCode::kFailedPrecondition,
                  "cannot create " + root_.string() + ": " + ec.message());
    created_dir = true;
  }
  fs::permissions(root_, fs::perms::owner_all, fs::perm_options::replace, ec);

  // Whatever fails below, leave nothing behind: a half-made node would confuse
  // the next `init` and could hold keys nobody can reach.
  auto cleanup = [&] {
    std::error_code ignored;
    if (created_dir) {
      fs::remove_all(root_, ignored);
    } else {
      for (const auto& p : {ConfigPath(), MetadataPath(), DatabasePath()}) fs::remove(p, ignored);
      fs::remove(fs::path(DatabasePath()) += "-wal", ignored);
      fs::remove(fs::path(DatabasePath()) += "-shm", ignored);
    }
  };
  auto result = [&]() -> Result<NodeMetadata> {
    NodeMetadata meta;
    meta.node_name = options.config.node_name;
    meta.kdf_profile = options.kdf_profile;
    meta.created_at = NowIso(*clock_);
    crypto::SecretBytes salt = crypto::SecretBytes::Random(crypto::kSaltSize);
    meta.storage_salt.assign(salt.RevealForCrypto().begin(), salt.RevealForCrypto().end());
    auto key = crypto::DeriveKey(passphrase.RevealForCrypto(), meta.storage_salt, *params);
    if (!key) return std::unexpected(key.error());
    auto check = KeyCheck(*key);
    if (!check) return std::unexpected(check.error());
    meta.key_check = *check;

    auto store = options.schema_version_for_testing > 0
                     ? Store::CreateAtSchemaVersionForTesting(
                           DatabasePath(), *key, options.schema_version_for_testing, *clock_)
                     : Store::Open(DatabasePath(), *key, /*create=*/true, *clock_);
    if (!store) return std::unexpected(store.error());
    crypto::SigningKey identity = crypto::SigningKey::Generate();
    meta.fingerprint = identity.PublicKey().Fingerprint();
    INBEELD_RETURN_IF_ERROR((*store)->PutSecret(kSecretIdentity, identity.SeedForStorage()));
    INBEELD_RETURN_IF_ERROR((*store)->PutSecret(kSecretSubject, crypto::SecretBytes::Random(32)));
    INBEELD_RETURN_IF_ERROR((*store)->PutSecret(kSecretField, crypto::SecretBytes::Random(32)));
    INBEELD_RETURN_IF_ERROR((*store)->PutSecret(kSecretAudit, crypto::SecretBytes::Random(32)));

    std::string config_text = config::RenderInitialConfig(options.config);
    auto parsed = config::ParseConfig(config_text, ConfigPath().string());
    if (!parsed) {
      return Fail(ErrorCode::kInternal,
                  "the generated configuration does not parse: " + parsed.error().message);
    }
    INBEELD_RETURN_IF_ERROR((*store)->PutMeta("config_sha256", Sha256Hex(config_text)));
    audit::AuditLog log(**store, identity);
    INBEELD_RETURN_IF_ERROR(
        log.Append({audit::EventRecord(*clock_, "inbeeld.node.keys.created", true,
                                       {{"inbeeld.node_key", meta.fingerprint},
                                        {"inbeeld.kdf_profile", meta.kdf_profile}}),
                    audit::EventRecord(*clock_, "inbeeld.config.created", true,
                                       {{"inbeeld.config_sha256", Sha256Hex(config_text)},
                                        {"inbeeld.config", ConfigSummary(*parsed)}})}));
    if (auto checkpoint = log.Checkpoint(); !checkpoint) return std::unexpected(checkpoint.error());
    INBEELD_RETURN_IF_ERROR(WriteFileAtomically(ConfigPath(), config_text));

    // node.json is written last: its presence is what marks a complete node.
    INBEELD_RETURN_IF_ERROR(WriteMetadata(meta));
    return meta;
  }();
  if (!result) cleanup();
  return result;
}

Result<NodeMetadata> NodeDir::ReadMetadata() const {
  if (!IsInitialised()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "no node in " + root_.string() + ": run `inbeeld init` first");
  }
  std::ifstream in(MetadataPath(), std::ios::binary);
  if (!in) return Fail(ErrorCode::kFailedPrecondition, "cannot read " + MetadataPath().string());
  std::stringstream whole;
  whole << in.rdbuf();
  // A plain file anyone with access to the directory can edit: read with the
  // strict reader; a refusal names the member and is kDataLoss.
  const std::string where = MetadataPath().string();
  auto doc = schema::JsonDocument::Parse(whole.str(), where,
                                         {.max_bytes = size_t{64} << 10, .max_depth = 2});
  auto damaged = [](const Error& e) { return Fail(ErrorCode::kDataLoss, e.message); };
  auto bad = [&](std::string_view field) {
    return Fail(ErrorCode::kDataLoss,
                where + ": field " + std::string(field) + " is missing or malformed");
  };
  if (!doc) return damaged(doc.error());
  const schema::JsonObject& j = doc->Root();
  NodeMetadata meta;
  auto format = j.Uint("format", 0, INT32_MAX);
  if (!format) return damaged(format.error());
  meta.format = static_cast<int>(*format);
  if (meta.format != 1) {
    return Fail(ErrorCode::kFailedPrecondition, where + ": node format " +
                                                    std::to_string(meta.format) +
                                                    " is not supported by this inbeeld");
  }
  const auto text = schema::JsonString::Text(1024);
  schema::JsonReadAll all;
  std::string salt_hex, check_hex;
  all.Into(j.String("node_name", text), meta.node_name);
  all.Into(j.String("fingerprint", text), meta.fingerprint);
  all.Into(j.String("kdf_profile", text), meta.kdf_profile);
  all.Into(j.String("created_at", text), meta.created_at);
  all.Into(j.String("storage_salt", text), salt_hex);
  all.Into(j.String("key_check", text), check_hex);
  if (auto read = all.Done(); !read) return damaged(read.error());
  auto salt = crypto::HexDecode(salt_hex);
  if (!salt || salt->size() != crypto::kSaltSize) return bad("storage_salt");
  auto check = crypto::HexDecode(check_hex);
  if (!check || check->size() != 32) return bad("key_check");
  meta.storage_salt = *salt;
  meta.key_check = *check;
  if (j.Has("rekey")) {
    auto rekey = j.Object("rekey");
    if (!rekey) return damaged(rekey.error());
    std::string new_salt_hex, new_check_hex;
    all.Into(rekey->String("storage_salt", text), new_salt_hex);
    all.Into(rekey->String("key_check", text), new_check_hex);
    if (auto read = all.Done(); !read) return damaged(read.error());
    auto new_salt = crypto::HexDecode(new_salt_hex);
    auto new_check = crypto::HexDecode(new_check_hex);
    if (!new_salt || new_salt->size() != crypto::kSaltSize) return bad("rekey.storage_salt");
    if (!new_check || new_check->size() != 32) return bad("rekey.key_check");
    meta.rekey = NodeMetadata::Rekey{*new_salt, *new_check};
  }
  return meta;
}

Status NodeDir::WriteFingerprint(const std::string& fingerprint) const {
  auto meta = ReadMetadata();
  if (!meta) return std::unexpected(meta.error());
  meta->fingerprint = fingerprint;
  return WriteMetadata(*meta);
}

Status NodeDir::WriteMetadata(const NodeMetadata& meta) const {
  nlohmann::json j = {
      {"format", meta.format},
      {"node_name", meta.node_name},
      {"fingerprint", meta.fingerprint},
      {"kdf_profile", meta.kdf_profile},
      {"storage_salt", crypto::HexEncode(meta.storage_salt)},
      {"key_check", crypto::HexEncode(meta.key_check)},
      {"created_at", meta.created_at},
  };
  if (meta.rekey) {
    j["rekey"] = {{"storage_salt", crypto::HexEncode(meta.rekey->storage_salt)},
                  {"key_check", crypto::HexEncode(meta.rekey->key_check)}};
  }
  return WriteFileDurably(MetadataPath(), j.dump(2) + "\n");
}

Result<config::NodeConfig> NodeDir::ReadConfig() const { return config::LoadConfig(ConfigPath()); }

Result<std::unique_ptr<Store>> NodeDir::OpenStore(NodeMetadata& meta,
                                                  const crypto::SecretBytes& passphrase) const {
  auto params = KdfProfile(meta.kdf_profile);
  if (!params) return std::unexpected(WithContext(params.error(), MetadataPath().string()));
  // Which of the (one or two) salts this passphrase belongs to.
  auto derive =
      [&](const std::vector<uint8_t>& salt,
          const std::vector<uint8_t>& expected) -> Result<std::optional<crypto::SecretBytes>> {
    auto key = crypto::DeriveKey(passphrase.RevealForCrypto(), salt, *params);
    if (!key) return std::unexpected(key.error());
    auto check = KeyCheck(*key);
    if (!check) return std::unexpected(check.error());
    if (!crypto::ConstantTimeEquals(*check, expected)) return std::nullopt;
    return std::move(*key);
  };
  auto key = derive(meta.storage_salt, meta.key_check);
  if (!key) return std::unexpected(key.error());
  bool is_new = false;
  if (!*key && meta.rekey) {
    key = derive(meta.rekey->storage_salt, meta.rekey->key_check);
    if (!key) return std::unexpected(key.error());
    is_new = true;
  }
  if (!*key)
    return Fail(ErrorCode::kUnauthenticated, "wrong passphrase for the node in " + root_.string());

  auto store = Store::Open(DatabasePath(), **key, /*create=*/false, *clock_);
  if (meta.rekey) {
    // An interrupted passphrase change (node_dir.h): settle it one way or
    // the other before anything else opens the store.
    std::error_code ec;
    if (!store && CannotOpen(store.error()) && is_new && fs::exists(RekeyPath(), ec)) {
      // Stopped before the rename: the copy is complete (it was synced before
      // node.json named the new passphrase), so move it into place.
      fs::rename(RekeyPath(), DatabasePath(), ec);
      if (ec) return Fail(ErrorCode::kFailedPrecondition, "cannot rename " + RekeyPath().string());
      INBEELD_RETURN_IF_ERROR(SyncPath(root_, /*directory=*/true));
      store = Store::Open(DatabasePath(), **key, /*create=*/false, *clock_);
    }
    if (!store && CannotOpen(store.error())) {
      return Fail(ErrorCode::kUnauthenticated,
                  std::string("a passphrase change of the node in ") + root_.string() +
                      " was interrupted; the store is under the " + (is_new ? "old" : "new") +
                      " passphrase: unlock with that one");
    }
    if (!store) return std::unexpected(store.error());
    if (is_new) {
      meta.storage_salt = meta.rekey->storage_salt;
      meta.key_check = meta.rekey->key_check;
    } else {
      for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(fs::path(RekeyPath()) += suffix, ec);
    }
    meta.rekey.reset();
    INBEELD_RETURN_IF_ERROR(WriteMetadata(meta));
    return store;
  }
  if (!store) {
    Error e = store.error();
    // The passphrase is right (the key check passed), so a file the key does
    // not open has been damaged or replaced.
    if (CannotOpen(e)) {
      return Fail(ErrorCode::kDataLoss,
                  "the database " + DatabasePath().string() +
                      " is corrupt or was replaced (the passphrase is right); restore it from a "
                      "backup");
    }
    if (e.code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kDataLoss, "the database " + DatabasePath().string() + " is missing");
    }
    return std::unexpected(e);
  }
  return store;
}

Result<std::unique_ptr<Store>> NodeDir::OpenStore(const crypto::SecretBytes& passphrase) const {
  auto meta = ReadMetadata();
  if (!meta) return std::unexpected(meta.error());
  if (meta->rekey) {
    return Fail(ErrorCode::kFailedPrecondition, "a passphrase change in " + root_.string() +
                                                    " is unfinished; unlock the node once");
  }
  return OpenStore(*meta, passphrase);
}

Result<UnlockedNode> NodeDir::Unlock(const crypto::SecretBytes& passphrase) const {
  // No lock file in a directory that holds no node (init wants it empty).
  if (auto meta = ReadMetadata(); !meta) return std::unexpected(meta.error());
  auto shared = NodeDirLock::Acquire(root_, NodeDirLock::Mode::kShared);
  if (!shared) return std::unexpected(shared.error());
  std::optional<NodeDirLock> lock(std::move(*shared));
  auto meta = ReadMetadata();
  if (!meta) return std::unexpected(meta.error());
  const bool settle = meta->rekey.has_value();
  if (settle) {
    // Settling an interrupted change needs the store to itself (flock locks
    // of one process conflict too, so the shared one goes first).
    lock.reset();
    auto exclusive = NodeDirLock::Acquire(root_, NodeDirLock::Mode::kExclusive);
    if (!exclusive) return std::unexpected(exclusive.error());
    lock.emplace(std::move(*exclusive));
    meta = ReadMetadata();
    if (!meta) return std::unexpected(meta.error());
  }
  if (!settle) {
    // A copy left by a change that stopped before node.json named it: no
    // change runs now (it would hold the lock), so nobody will use it.
    std::error_code ec;
    if (fs::exists(RekeyPath(), ec)) {
      for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(fs::path(RekeyPath()) += suffix, ec);
    }
  }
  auto cfg = ReadConfig();
  if (!cfg) return std::unexpected(cfg.error());
  auto store = OpenStore(*meta, passphrase);
  if (!store) return std::unexpected(store.error());
  if (settle) INBEELD_RETURN_IF_ERROR(lock->Downgrade());
  auto secret = [&](const char* name) { return (*store)->GetSecret(name); };
  auto seed = secret(kSecretIdentity);
  if (!seed) return std::unexpected(seed.error());
  auto identity = crypto::SigningKey::FromSeed(seed->RevealForCrypto());
  if (!identity) return std::unexpected(identity.error());
  if (identity->PublicKey().Fingerprint() != meta->fingerprint) {
    // A key switch that committed but stopped before node.json: the store's
    // previous key is the one node.json still names. Finish it.
    auto has_previous = (*store)->HasSecret(kPreviousIdentitySeedSecret);
    if (!has_previous) return std::unexpected(has_previous.error());
    std::optional<crypto::SigningKey> previous;
    if (*has_previous) {
      auto previous_seed = secret(kPreviousIdentitySeedSecret);
      if (!previous_seed) return std::unexpected(previous_seed.error());
      auto key = crypto::SigningKey::FromSeed(previous_seed->RevealForCrypto());
      if (key) previous.emplace(std::move(*key));
    }
    if (!previous || previous->PublicKey().Fingerprint() != meta->fingerprint) {
      return Fail(ErrorCode::kDataLoss,
                  MetadataPath().string() + ": fingerprint does not match the key in the database");
    }
    meta->fingerprint = identity->PublicKey().Fingerprint();
    INBEELD_RETURN_IF_ERROR(WriteMetadata(*meta));
  }
  auto subject = secret(kSecretSubject);
  if (!subject) return std::unexpected(subject.error());
  auto subject_key = crypto::PseudonymKey::FromBytes(subject->RevealForCrypto());
  if (!subject_key) return std::unexpected(subject_key.error());
  auto field = secret(kSecretField);
  if (!field) return std::unexpected(field.error());
  auto audit = secret(kSecretAudit);
  if (!audit) return std::unexpected(audit.error());
  auto audit_key = crypto::PseudonymKey::FromBytes(audit->RevealForCrypto());
  if (!audit_key) return std::unexpected(audit_key.error());
  // A migration Store::Open ran (an upgrade of inbeeld) is recorded before
  // anything runs on the new schema: once (the record and the cleared note
  // commit together), by whichever process migrated, or by the next unlock if
  // that one stopped before the record.
  auto migrated_from = (*store)->UnrecordedMigrationFrom();
  if (!migrated_from) return std::unexpected(migrated_from.error());
  if (*migrated_from) {
    audit::AuditLog log(**store, *identity);
    INBEELD_RETURN_IF_ERROR(log.InTransaction([&]() -> Status {
      Status appended = log.AppendInTransaction({audit::EventRecord(
          *clock_, "inbeeld.store.migrated", true,
          {{"inbeeld.schema_version.before", std::to_string(**migrated_from)},
           {"inbeeld.schema_version", std::to_string((*store)->SchemaVersion())}})});
      if (!appended) return appended;
      return (*store)->MigrationRecorded();
    }));
  }
  // A configuration edited since the last unlock is recorded before anything
  // runs under it.
  {
    std::ifstream in(ConfigPath(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string now = Sha256Hex(text);
    auto before = (*store)->GetMeta("config_sha256");
    if (!before) return std::unexpected(before.error());
    if (*before != now) {
      audit::AuditLog log(**store, *identity);
      INBEELD_RETURN_IF_ERROR(
          log.Append({audit::EventRecord(*clock_, "inbeeld.config.changed", true,
                                         {{"inbeeld.config_sha256.before", *before},
                                          {"inbeeld.config_sha256", now},
                                          {"inbeeld.config", ConfigSummary(*cfg)}})}));
      INBEELD_RETURN_IF_ERROR((*store)->PutMeta("config_sha256", now));
    }
  }
  return UnlockedNode{std::move(*meta),
                      std::move(*cfg),
                      std::move(*store),
                      std::move(*identity),
                      std::move(*subject_key),
                      std::move(*field),
                      std::move(*audit_key),
                      root_,
                      std::make_shared<NodeDirLock>(std::move(*lock))};
}

Status NodeDir::ChangePassphrase(
    const crypto::SecretBytes& current,
    const std::function<Result<crypto::SecretBytes>()>& read_new) const {
  if (auto meta = ReadMetadata(); !meta) return std::unexpected(meta.error());
  // 1. The store to ourselves: nobody may hold the file we are replacing.
  auto lock = NodeDirLock::Acquire(root_, NodeDirLock::Mode::kExclusive);
  if (!lock) return std::unexpected(lock.error());
  auto meta = ReadMetadata();
  if (!meta) return std::unexpected(meta.error());
  auto params = KdfProfile(meta->kdf_profile);
  if (!params) return std::unexpected(WithContext(params.error(), MetadataPath().string()));
  auto store = OpenStore(*meta, current);  // settles an interrupted change too
  if (!store) return std::unexpected(store.error());
  auto seed = (*store)->GetSecret(kSecretIdentity);
  if (!seed) return std::unexpected(seed.error());
  auto identity = crypto::SigningKey::FromSeed(seed->RevealForCrypto());
  if (!identity) return std::unexpected(identity.error());

  auto next = read_new();
  if (!next) return std::unexpected(next.error());
  if (next->ConstantTimeEquals(current)) {
    return Fail(ErrorCode::kInvalidArgument, "the new passphrase is the same as the current one");
  }
  // What a change that stopped before step 3 left behind.
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(fs::path(RekeyPath()) += suffix, ec);

  // 2. The re-keyed copy, with the change in its own audit log.
  NodeMetadata::Rekey rekey;
  crypto::SecretBytes salt = crypto::SecretBytes::Random(crypto::kSaltSize);
  rekey.storage_salt.assign(salt.RevealForCrypto().begin(), salt.RevealForCrypto().end());
  auto new_key = crypto::DeriveKey(next->RevealForCrypto(), rekey.storage_salt, *params);
  if (!new_key) return std::unexpected(new_key.error());
  auto check = KeyCheck(*new_key);
  if (!check) return std::unexpected(check.error());
  rekey.key_check = *check;
  INBEELD_RETURN_IF_ERROR((*store)->ExportEncryptedCopy(RekeyPath(), *new_key));
  // Closing the last connection folds the WAL into inbeeld.db and removes it,
  // so no WAL under the old key can meet the re-keyed file.
  store->reset();
  if (fs::exists(fs::path(DatabasePath()) += "-wal", ec) &&
      fs::file_size(fs::path(DatabasePath()) += "-wal", ec) > 0) {
    return Fail(ErrorCode::kFailedPrecondition,
                "inbeeld.db-wal is still in use; stop every inbeeld process and try again");
  }
  {
    auto copy = Store::Open(RekeyPath(), *new_key, /*create=*/false, *clock_);
    if (!copy) return std::unexpected(WithContext(copy.error(), "the re-keyed copy"));
    audit::AuditLog log(**copy, *identity);
    INBEELD_RETURN_IF_ERROR(log.Append({audit::EventRecord(
        *clock_, "inbeeld.node.passphrase.changed", true,
        {{"inbeeld.node_key", meta->fingerprint}, {"inbeeld.kdf_profile", meta->kdf_profile}})}));
  }
  INBEELD_RETURN_IF_ERROR(SyncPath(RekeyPath(), /*directory=*/false));
  INBEELD_RETURN_IF_ERROR(SyncPath(root_, /*directory=*/true));
  INBEELD_RETURN_IF_ERROR(Fault("exported"));

  // 3. node.json names both passphrases.
  meta->rekey = rekey;
  INBEELD_RETURN_IF_ERROR(WriteMetadata(*meta));
  INBEELD_RETURN_IF_ERROR(Fault("pending"));

  // 4. The copy replaces the store.
  fs::rename(RekeyPath(), DatabasePath(), ec);
  if (ec) return Fail(ErrorCode::kFailedPrecondition, "cannot rename " + RekeyPath().string());
  INBEELD_RETURN_IF_ERROR(SyncPath(root_, /*directory=*/true));
  INBEELD_RETURN_IF_ERROR(Fault("renamed"));

  // 5. node.json names only the new passphrase.
  meta->storage_salt = rekey.storage_salt;
  meta->key_check = rekey.key_check;
  meta->rekey.reset();
  return WriteMetadata(*meta);
}

Result<std::string> NodeDir::ReadConfigText() const {
  std::ifstream in(ConfigPath(), std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + ConfigPath().string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Status NodeDir::AddPeer(config::PeerConfig peer) const {
  // The key is checked as a key, not only by its shape, whoever adds it (the
  // CLI or the console), and written in its canonical spelling.
  auto key = crypto::VerifyingKey::FromFingerprint(peer.key);
  if (!key) return std::unexpected(key.error());
  peer.key = key->Fingerprint();
  if (auto meta = ReadMetadata(); meta && meta->fingerprint == peer.key) {
    return Fail(ErrorCode::kInvalidArgument, "the key is this node's own key, not the partner's");
  }
  auto read = ReadConfigText();
  if (!read) return std::unexpected(read.error());
  std::string updated = std::move(*read);
  if (!updated.empty() && updated.back() != '\n') updated += "\n";
  auto current = config::ParseConfig(updated, ConfigPath().string());
  if (!current) return std::unexpected(current.error());
  // The default key types are written out, so whoever reviews the file sees
  // them; they depend on this node's role and PGN policy.
  if (peer.policy.match_keys.empty()) {
    peer.policy.match_keys = config::DefaultMatchKeys(current->role, current->holds_pgn, peer.role);
  }
  updated += "\n" + config::RenderPeerBlock(peer);
  // The whole file must still validate (unique names and keys, known
  // purposes): a config that fails to load would stop the node.
  auto parsed = config::ParseConfig(updated, ConfigPath().string());
  if (!parsed) return std::unexpected(parsed.error());
  return WriteFileAtomically(ConfigPath(), updated);
}

namespace {

// A TOML table header line: "[x]" or "[[x]]", possibly indented, possibly
// with a trailing comment.
bool IsTableHeader(std::string_view line) {
  size_t at = line.find_first_not_of(" \t");
  return at != std::string_view::npos && line[at] == '[';
}

std::string_view Trimmed(std::string_view line) {
  size_t a = line.find_first_not_of(" \t\r");
  if (a == std::string_view::npos) return {};
  size_t b = line.find_last_not_of(" \t\r");
  return line.substr(a, b - a + 1);
}

}  // namespace

Result<config::PeerConfig> NodeDir::RemovePeer(std::string_view name, UnlockedNode& node) const {
  auto read = ReadConfigText();
  if (!read) return std::unexpected(read.error());
  const std::string& text = *read;
  auto current = config::ParseConfig(text, ConfigPath().string());
  if (!current) return std::unexpected(current.error());
  const config::PeerConfig* found = current->FindPeer(name);
  if (found == nullptr) {
    return Fail(ErrorCode::kNotFound, "no peer named \"" + std::string(name) + "\" in " +
                                          ConfigPath().string() + " (see `inbeeld peer list`)");
  }
  const config::PeerConfig removed = *found;
  config::NodeConfig expected = *current;
  std::erase_if(expected.peers, [&](const config::PeerConfig& p) { return p.name == name; });

  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    end = end == std::string::npos ? text.size() : end + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  // Try each [[peer]] table: the one whose removal leaves exactly `expected`
  // is the one. A file whose structure defeats this is refused, not guessed.
  for (size_t header = 0; header < lines.size(); ++header) {
    if (!Trimmed(lines[header]).starts_with("[[peer]]")) continue;
    size_t next = header + 1;
    while (next < lines.size() && !IsTableHeader(lines[next])) ++next;
    // Comments and blank lines just before the next table belong to it.
    size_t last = next;
    while (last > header + 1) {
      std::string_view t = Trimmed(lines[last - 1]);
      if (!t.empty() && t[0] != '#') break;
      --last;
    }
    // The blank line `peer add` wrote before the table goes with it.
    size_t first = header;
    if (first > 0 && Trimmed(lines[first - 1]).empty()) --first;
    std::string updated;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i < first || i >= last) updated += lines[i];
    }
    auto parsed = config::ParseConfig(updated, ConfigPath().string());
    if (!parsed || !(*parsed == expected)) continue;
    INBEELD_RETURN_IF_ERROR(WriteFileAtomically(ConfigPath(), updated));
    node.config = std::move(*parsed);
    audit::AuditLog log(*node.store, node.identity);
    const std::string hash = Sha256Hex(updated);
    Status recorded = log.InTransaction([&]() -> Status {
      INBEELD_RETURN_IF_ERROR(log.AppendInTransaction(
          {audit::EventRecord(*clock_, "inbeeld.peer.removed", true,
                              {{"inbeeld.peer", removed.name},
                               {"inbeeld.peer_key", removed.key},
                               {"inbeeld.config_sha256", hash},
                               {"inbeeld.config", ConfigSummary(node.config)}})}));
      // Recorded here, so the next unlock does not report it as an edit.
      return node.store->PutMeta("config_sha256", hash);
    });
    if (!recorded) return std::unexpected(recorded.error());
    return removed;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "cannot remove the table of peer \"" + std::string(name) + "\" from " +
                  ConfigPath().string() + " without changing anything else; edit the file by hand");
}

Status NodeDir::RepinPeer(std::string_view name, const std::string& new_key,
                          UnlockedNode& node) const {
  auto read = ReadConfigText();
  if (!read) return std::unexpected(read.error());
  const std::string& text = *read;
  auto current = config::ParseConfig(text, ConfigPath().string());
  if (!current) return std::unexpected(current.error());
  const config::PeerConfig* found = current->FindPeer(name);
  if (found == nullptr)
    return Fail(ErrorCode::kNotFound, "no peer named \"" + std::string(name) + "\"");
  if (const auto* other = current->FindPeerByKey(new_key);
      other != nullptr && other->name != name) {
    return Fail(ErrorCode::kAlreadyExists,
                "the new key is pinned for peer \"" + other->name + "\"");
  }
  config::NodeConfig expected = *current;
  for (auto& p : expected.peers) {
    if (p.name == name) p.key = new_key;
  }
  const std::string quoted = "\"" + found->key + "\"";
  for (size_t at = text.find(quoted); at != std::string::npos; at = text.find(quoted, at + 1)) {
    std::string updated = text;
    updated.replace(at, quoted.size(), "\"" + new_key + "\"");
    auto parsed = config::ParseConfig(updated, ConfigPath().string());
    if (!parsed || !(*parsed == expected)) continue;
    INBEELD_RETURN_IF_ERROR(WriteFileAtomically(ConfigPath(), updated));
    node.config = std::move(*parsed);
    return node.store->PutMeta("config_sha256", Sha256Hex(updated));
  }
  return Fail(ErrorCode::kInvalidArgument, "cannot replace the key of peer \"" + std::string(name) +
                                               "\" in " + ConfigPath().string() +
                                               " cleanly; edit the file by hand");
}

}  // namespace inbeeld::node
