// tests/support/in_process_node.h — a node initialised in a temporary
// directory and unlocked in the test's own process, on the test's clock: for
// tests that drive node/ code (the overview, the limits, retention, the
// scheduler) directly, without spawning the binary.
//
// Thread safety: like UnlockedNode, one thread at a time.
#ifndef INBEELD_TESTS_SUPPORT_IN_PROCESS_NODE_H_
#define INBEELD_TESTS_SUPPORT_IN_PROCESS_NODE_H_

#include <string>
#include <vector>

#include "node/clock/clock.h"
#include "node/datadir/node_dir.h"
#include "node/store/store.h"
#include "schema/list_row.h"
#include "tests/support/subprocess.h"

namespace inbeeld::testing {

class InProcessNode {
 public:
  // `inbeeld init` (fast KDF profile) and unlock; throws std::runtime_error on
  // failure. `clock` must outlive the node.
  explicit InProcessNode(const node::Clock& clock, std::string name = "Leerplicht Test",
                         config::Role role = config::Role::kLeerplicht);

  node::UnlockedNode& node() { return node_; }
  config::NodeConfig& config() { return node_.config; }

  // Stores `rows` as a new list version, imported at the clock's now; throws
  // on failure.
  node::ListVersion Import(const std::vector<schema::ListRow>& rows, schema::Date list_date);

 private:
  TempDir dir_;
  node::UnlockedNode node_;
};

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_IN_PROCESS_NODE_H_
