// node/node_dir.h — a node's data directory: layout, creation, unlocking.
//
//   DIR/               0700
//     inbeeld.toml     the configuration (commented; edited by the operator)
//     node.json        public metadata: format, node name, public key
//                      fingerprint, storage salt, KDF profile, key check
//     inbeeld.db       the SQLCipher store (+ -wal, -shm while open)
//
// node.json holds nothing secret. The key check is a keyed BLAKE2b of a fixed
// string under the storage key: it lets a wrong passphrase be told apart from a
// corrupt database without revealing anything a disk thief could not already
// brute-force through the database itself (both need Argon2id per guess).
//
// Thread safety: not thread-safe; the CLI uses one NodeDir per process.
#ifndef INBEELD_NODE_NODE_DIR_H_
#define INBEELD_NODE_NODE_DIR_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "config/node_config.h"
#include "crypto/kdf.h"
#include "crypto/pseudonym.h"
#include "crypto/secret_bytes.h"
#include "crypto/signing.h"
#include "node/clock.h"
#include "node/passphrase.h"
#include "node/store.h"

namespace inbeeld::node {

struct NodeMetadata {
  int format = 1;
  std::string node_name;
  std::string fingerprint;  // "ed25519:<hex>" of the identity key
  std::string kdf_profile;  // "interactive" | "moderate" | "sensitive"
  std::vector<uint8_t> storage_salt;
  std::vector<uint8_t> key_check;
  std::string created_at;
};

Result<crypto::KdfParams> KdfProfile(std::string_view name);

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
  crypto::PseudonymKey subject_key;        // keys list rows by subject
  crypto::SecretBytes field_key;           // seals identifiers, names, birth dates
  crypto::PseudonymKey audit_key;          // subjects in the audit log
  std::filesystem::path root;              // the data directory it was unlocked from

  // The one clock every command reads (node/clock.h); the store carries it.
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
  Result<NodeMetadata> Initialise(const InitOptions& options, const crypto::SecretBytes& passphrase);

  // Reads node.json without the passphrase (for whoami/status). kFailedPrecondition
  // when the directory holds no node; kDataLoss when node.json is malformed.
  Result<NodeMetadata> ReadMetadata() const;
  Result<config::NodeConfig> ReadConfig() const;
  // Appends a [[peer]] block to inbeeld.toml after checking that the whole
  // file still validates (unique names and keys, purposes in the register);
  // empty match_keys become the defaults for the two roles, written out.
  // Errors: the config's own (kInvalidArgument with file and line), or
  // kNotFound / an I/O error. The running `serve` sees the peer after a
  // restart.
  Status AddPeer(config::PeerConfig peer) const;

  // Derives the storage key from node.json and `passphrase`, checks it and
  // opens the store alone (no configuration read, no keys loaded): for
  // restoring a backup. Errors as for Unlock.
  Result<std::unique_ptr<Store>> OpenStore(const crypto::SecretBytes& passphrase) const;

  // Derives the storage key, checks it, opens the store and loads the keys.
  // Errors: kUnauthenticated "wrong passphrase", kDataLoss "database corrupt".
  Result<UnlockedNode> Unlock(const crypto::SecretBytes& passphrase) const;

 private:
  std::filesystem::path root_;
  const Clock* clock_;
};

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_NODE_DIR_H_
