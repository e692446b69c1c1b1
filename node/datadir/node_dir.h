// node/datadir/node_dir.h — a node's data directory: layout, creation, unlocking.
//
//   DIR/               0700
//     inbeeld.toml     the configuration (commented; edited by the operator)
//     node.json        public metadata: format, node name, public key
//                      fingerprint, storage salt, KDF profile, key check
//     inbeeld.db       the SQLCipher store (+ -wal, -shm while open)
//     inbeeld.lock     empty; every process that has the store open holds a
//                      shared flock on it, `passphrase change` an exclusive one
//
// node.json holds nothing secret. The key check is a keyed BLAKE2b of a fixed
// string under the storage key: it lets a wrong passphrase be told apart from a
// corrupt database without revealing anything a disk thief could not already
// brute-force through the database itself (both need Argon2id per guess).
//
// Changing the passphrase (ChangePassphrase) re-keys the store without ever
// leaving a node that neither passphrase opens. The steps, each durable
// (fsync of the file and of the directory) before the next:
//
//   1. take the exclusive lock (refused while any other process holds the
//      store: `serve`, a `match`, the console);
//   2. sqlcipher_export the store to inbeeld.db.rekey under the new key
//      (new random salt, same KDF profile); append the audit record
//      inbeeld.node.passphrase.changed to that copy;
//   3. write node.json with the old salt and key check *and* the new ones
//      under "rekey": from here on node.json describes both;
//   4. rename inbeeld.db.rekey over inbeeld.db;
//   5. write node.json with only the new salt and key check.
//
// A crash before 3 leaves the old node and a stray inbeeld.db.rekey (removed
// by the next unlock). From 3 until 5 completes, Unlock sees "rekey" and
// accepts either passphrase: the old one opens inbeeld.db if the rename has
// not happened (and the change is rolled back: the copy is removed); the new
// one opens the copy — renaming it into place first if step 4 had not
// happened — and the change is rolled forward. The old passphrase after the
// rename (or the new one once the copy was removed) is refused as wrong,
// saying which passphrase the store is now under. Resolving takes the
// exclusive lock, so no other process has the old file open.
//
// Thread safety: not thread-safe; the CLI uses one NodeDir per process.
#ifndef INBEELD_NODE_DATADIR_NODE_DIR_H_
#define INBEELD_NODE_DATADIR_NODE_DIR_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.h"
#include "config/node_config.h"
#include "crypto/kdf.h"
#include "crypto/pseudonym.h"
#include "crypto/secret_bytes.h"
#include "crypto/signing.h"
#include "node/clock/clock.h"
#include "node/datadir/passphrase.h"
#include "node/store/store.h"

namespace inbeeld::node {

struct NodeMetadata {
  int format = 1;
  std::string node_name;
  std::string fingerprint;  // "ed25519:<hex>" of the identity key
  std::string kdf_profile;  // "interactive" | "moderate" | "sensitive"
  std::vector<uint8_t> storage_salt;
  std::vector<uint8_t> key_check;
  std::string created_at;
  // Set between steps 3 and 5 of a passphrase change (see above): the salt
  // and key check of the new passphrase.
  struct Rekey {
    std::vector<uint8_t> storage_salt;
    std::vector<uint8_t> key_check;
  };
  std::optional<Rekey> rekey;
};

// An flock on DIR/inbeeld.lock, released when destroyed. Move-only.
class NodeDirLock {
 public:
  enum class Mode { kShared, kExclusive };
  // kShared waits (up to a minute) while a passphrase change holds the lock;
  // kExclusive does not wait. Errors: kFailedPrecondition when the lock is
  // held by others (exclusive) or a change takes too long (shared), or an
  // I/O error.
  static Result<NodeDirLock> Acquire(const std::filesystem::path& root, Mode mode);
  NodeDirLock(NodeDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  NodeDirLock& operator=(NodeDirLock&& other) noexcept;
  NodeDirLock(const NodeDirLock&) = delete;
  ~NodeDirLock();
  // Exclusive to shared, on the same open file (never unlocked in between).
  Status Downgrade();
  // Shared to exclusive without waiting: kFailedPrecondition when another
  // process holds the lock too (the lock stays shared then).
  Status Upgrade(const std::filesystem::path& root);

 private:
  explicit NodeDirLock(int fd) : fd_(fd) {}
  int fd_;
};

Result<crypto::KdfParams> KdfProfile(std::string_view name);

// The store's secrets that hold the identity key's seed: the current key,
// and, after `key rotate` until every partner has the new one, the previous
// key (node/datadir/key_rotation.h).
inline constexpr const char* kIdentitySeedSecret = "node_identity_ed25519_seed";
inline constexpr const char* kPreviousIdentitySeedSecret = "node_identity_previous_ed25519_seed";

// Writes `text` to `path` through a temporary file and a rename, mode 0600, so
// a crash leaves either the old or the new file, never half of one.
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& text);

struct InitOptions {
  config::InitialConfigSpec config;
  std::string kdf_profile = "moderate";
  // > 0: the store is made at that schema version, as an older inbeeld left
  // it, so a test can unlock it and see the migration recorded.
  int schema_version_for_testing = 0;
};

// Everything a command needs once the passphrase has opened the store.
struct UnlockedNode {
  NodeMetadata metadata;
  config::NodeConfig config;
  std::unique_ptr<Store> store;
  crypto::SigningKey identity;
  crypto::PseudonymKey subject_key;  // keys list rows by subject
  crypto::SecretBytes field_key;     // seals identifiers, names, birth dates
  crypto::PseudonymKey audit_key;    // subjects in the audit log
  std::filesystem::path root;        // the data directory it was unlocked from
  // Held while the node is open, so `passphrase change` never re-keys a
  // store another process is using.
  std::shared_ptr<NodeDirLock> dir_lock;

  // The one clock every command reads (node/clock/clock.h); the store carries it.
  const Clock& clock() const { return store->clock(); }
};

class NodeDir {
 public:
  // `flag` is --data-dir; else INBEELD_HOME; else kInvalidArgument. `clock`
  // is what the node unlocked from here reads; it must outlive the node.
  static Result<NodeDir> Locate(const std::optional<std::string>& flag, const GetEnvFn& env,
                                const Clock& clock);
  NodeDir(std::filesystem::path root, const Clock& clock)
      : root_(std::move(root)), clock_(&clock) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path ConfigPath() const { return root_ / "inbeeld.toml"; }
  std::filesystem::path MetadataPath() const { return root_ / "node.json"; }
  std::filesystem::path DatabasePath() const { return root_ / "inbeeld.db"; }

  bool IsInitialised() const;

  // Creates the directory (or uses an empty one), keys, store and config.
  // Errors: kAlreadyExists if a node is already there; nothing is left behind
  // on failure.
  Result<NodeMetadata> Initialise(const InitOptions& options,
                                  const crypto::SecretBytes& passphrase);

  // Reads node.json without the passphrase (for whoami/status). kFailedPrecondition
  // when the directory holds no node; kDataLoss when node.json is malformed.
  Result<NodeMetadata> ReadMetadata() const;
  Result<config::NodeConfig> ReadConfig() const;
  // Appends a [[peer]] block to inbeeld.toml after checking that the key is
  // a valid Ed25519 key other than this node's own (written canonically) and
  // that the whole file still validates (unique names and keys, purposes in
  // the register);
  // empty match_keys become the defaults for the two roles, written out.
  // Errors: the config's own (kInvalidArgument with file and line), or
  // kNotFound / an I/O error. The running `serve` sees the peer after a
  // restart.
  Status AddPeer(config::PeerConfig peer) const;
  // Removes the [[peer]] table named `name` from inbeeld.toml — from its
  // header to its last key line; every other line, comments included, stays
  // as it was — after checking that the file then parses to exactly the old
  // configuration without that peer. Records inbeeld.peer.removed (name,
  // key, the configuration's new hash and summary) in `node`'s audit log and
  // updates node.config. Past sessions, results and records stay.
  // Errors: kNotFound (no such peer), kInvalidArgument (the table could not
  // be cut out cleanly: edit the file by hand), I/O errors.
  Result<config::PeerConfig> RemovePeer(std::string_view name, UnlockedNode& node) const;
  // Replaces the key of peer `name` in inbeeld.toml by `new_key` (canonical
  // fingerprint) — the quoted old key is the only text that changes, checked
  // as RemovePeer checks — and records the file's new hash in `node`'s store
  // (the caller records why: a key rotation). Updates node.config.
  // Errors: kNotFound, kAlreadyExists (the key is pinned for another peer),
  // kInvalidArgument (cannot be done cleanly), I/O errors.
  Status RepinPeer(std::string_view name, const std::string& new_key, UnlockedNode& node) const;

  // Derives the storage key from node.json and `passphrase`, checks it and
  // opens the store alone (no configuration read, no keys loaded): for
  // restoring a backup. Errors as for Unlock.
  Result<std::unique_ptr<Store>> OpenStore(const crypto::SecretBytes& passphrase) const;

  // Derives the storage key, checks it, opens the store and loads the keys.
  // Errors: kUnauthenticated "wrong passphrase", kDataLoss "database corrupt".
  // Finishes (or rolls back) an interrupted passphrase change first (above),
  // and a key switch whose node.json was not yet written (node/datadir/key_rotation.h:
  // the store's previous key is the one node.json names).
  Result<UnlockedNode> Unlock(const crypto::SecretBytes& passphrase) const;

  // Re-keys the store from `current` to the passphrase `read_new` returns
  // (called once `current` has been checked, under the exclusive lock), in
  // the crash-safe steps described at the top of this file, and records
  // inbeeld.node.passphrase.changed (who, when; never a passphrase) in the
  // audit log. Errors: kUnauthenticated (wrong current passphrase),
  // kFailedPrecondition (another process has the node open), kInvalidArgument
  // (the new passphrase equals the current one), read_new's own, I/O errors.
  // A failure part-way leaves a node that Unlock opens with one of the two.
  Status ChangePassphrase(const crypto::SecretBytes& current,
                          const std::function<Result<crypto::SecretBytes>()>& read_new) const;
  std::filesystem::path RekeyPath() const { return root_ / "inbeeld.db.rekey"; }

  // Writes node.json with `fingerprint` for the identity key, every other
  // field as it is: the last step of a key switch (node/datadir/key_rotation.h).
  Status WriteFingerprint(const std::string& fingerprint) const;

  // Called after each step of ChangePassphrase with its name ("exported",
  // "pending", "renamed"); an error stops the change there, as a crash would
  // (nothing is rolled back in process).
  void SetFaultHookForTesting(std::function<Status(std::string_view step)> hook) {
    fault_hook_ = std::move(hook);
  }

 private:
  // Checks `passphrase` against node.json (either salt while a change is
  // pending), resolves a pending change, and opens the store.
  // REQUIRES: the exclusive lock when meta.rekey is set.
  Result<std::unique_ptr<Store>> OpenStore(NodeMetadata& meta,
                                           const crypto::SecretBytes& passphrase) const;
  Status WriteMetadata(const NodeMetadata& meta) const;
  // inbeeld.toml as it is on disk (kNotFound when it cannot be read), for
  // the edits that keep the operator's comments.
  Result<std::string> ReadConfigText() const;
  Status Fault(std::string_view step) const { return fault_hook_ ? fault_hook_(step) : Status{}; }

  std::filesystem::path root_;
  const Clock* clock_;
  std::function<Status(std::string_view)> fault_hook_;
};

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_DATADIR_NODE_DIR_H_
