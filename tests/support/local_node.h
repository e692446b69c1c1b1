// tests/support/local_node.h — a node inside the test process: initialised in
// a fresh temporary directory, unlocked, holding a small synthetic list, with
// peers added to its configuration in memory, on a clock of its own that
// starts at 2026-11-02 12:00 UTC and moves only when the test moves it.
//
// For code that takes an UnlockedNode directly (a region participant, the
// audit log) fed hostile input without TLS or a second process: the
// hostile-input tests and the region fuzz harness. End-to-end behaviour is
// tested with real processes (tests/support/test_node.h).
//
// Thread safety: one thread at a time, like UnlockedNode.
#ifndef INBEELD_TESTS_SUPPORT_LOCAL_NODE_H_
#define INBEELD_TESTS_SUPPORT_LOCAL_NODE_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "config/node_config.h"
#include "crypto/signing.h"
#include "node/datadir/node_dir.h"
#include "schema/list_row.h"
#include "tests/support/fake_clock.h"

namespace inbeeld::testing {

class LocalNode {
 public:
  // `name` as `inbeeld init --name`; the list has `rows` synthetic children
  // (none when 0). Uses the "interactive" KDF profile.
  // Errors: as NodeDir::Initialise and Unlock, or the import.
  static Result<std::unique_ptr<LocalNode>> Create(const std::string& name, config::Role role,
                                                   size_t rows);
  // As Create, holding `list` (no list when empty).
  static Result<std::unique_ptr<LocalNode>> CreateWithList(const std::string& name,
                                                           config::Role role,
                                                           const std::vector<schema::ListRow>& list);
  ~LocalNode();  // closes the store and removes the directory
  LocalNode(const LocalNode&) = delete;
  LocalNode& operator=(const LocalNode&) = delete;

  node::UnlockedNode& node() { return node_; }
  // This node's clock: Advance lets its sessions' time to live run out.
  FakeClock& clock() { return *clock_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Adds a peer with a fresh key to the configuration in memory (not to the
  // file), allowing the node's example activity "thuiszitters-afstemming"
  // in count and match mode with every key type the roles allow. Returns the
  // peer's signing key.
  crypto::SigningKey AddPeer(const std::string& name, config::Role role);
  // As AddPeer, for a peer whose key is known: `fingerprint` as
  // metadata.fingerprint of another node.
  void AddPeer(const std::string& name, config::Role role, const std::string& fingerprint);

 private:
  LocalNode(std::filesystem::path dir, std::unique_ptr<FakeClock> clock, node::UnlockedNode node)
      : dir_(std::move(dir)), clock_(std::move(clock)), node_(std::move(node)) {}

  std::filesystem::path dir_;
  std::unique_ptr<FakeClock> clock_;  // outlives node_, which reads it
  node::UnlockedNode node_;
};

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_LOCAL_NODE_H_
