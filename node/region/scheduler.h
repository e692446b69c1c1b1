// node/region/scheduler.h — what `serve` runs on its own: `[sync]` every
// `every_days` and the retention purge every `purge_every_hours`.
//
// Due times come from the store (the last sync and purge times in the meta
// table), so a restart neither repeats nor skips a run. Each Tick
// runs whatever is due as of the node's clock and reports one line per run
// to `log`.
//
// Thread safety: one thread calls Tick. The UnlockedNode must be this
// scheduler's own (its own database connection), not the responder's.
#ifndef INBEELD_NODE_REGION_SCHEDULER_H_
#define INBEELD_NODE_REGION_SCHEDULER_H_

#include <chrono>
#include <ostream>

#include "node/node_dir.h"

namespace inbeeld::node::region {

class Scheduler {
 public:
  Scheduler(UnlockedNode& node, std::ostream& log) : node_(node), log_(log) {}
  void Tick();

 private:
  UnlockedNode& node_;
  std::ostream& log_;
};

}  // namespace inbeeld::node::region

#endif  // INBEELD_NODE_REGION_SCHEDULER_H_
