// node/schedule/scheduler.h — what `serve` runs on its own: `[sync]` every
// `every_days` and the retention purge every `purge_every_hours`.
//
// Due times come from the store (the last sync and purge times in the meta
// table), so a restart neither repeats nor skips a run. Each Tick runs
// whatever is due as of the node's clock and reports one line per run, and
// one per peer that was down, to `log`; a peer is named by its configured
// name only.
//
// A peer that could not be reached (or was too slow) at a scheduled sync is
// tried again on its own after 1 minute, then 2, 4, 8 … minutes, at most an
// hour apart, until it answers, refuses, or the next scheduled sync is due.
// Its new outcome takes the place of the old one in the same sync run
// (RetrySync), so the overview still compares whole runs. The pending retry
// is kept in the meta table too, so a restart does not forget it. A list
// imported (or a sync run by hand) in the meantime ends the retries: the next
// scheduled sync covers the peer.
//
// Thread safety: one thread calls Tick. The UnlockedNode must be this
// scheduler's own (its own database connection), not the responder's.
#ifndef INBEELD_NODE_SCHEDULE_SCHEDULER_H_
#define INBEELD_NODE_SCHEDULE_SCHEDULER_H_

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "node/datadir/node_dir.h"
#include "node/sync/sync.h"

namespace inbeeld::node::schedule {

class Scheduler {
 public:
  // `sync` is what scheduled syncs and their retries run with (default: the
  // network, exchange::RunMatch).
  Scheduler(UnlockedNode& node, std::ostream& log, sync::SyncOptions sync = {})
      : node_(node), log_(log), sync_(std::move(sync)) {}
  void Tick();

  // The wait before retry `retry` (1 is the first): 1, 2, 4 … minutes, at
  // most 60.
  static std::chrono::minutes RetryDelay(int retry);

 private:
  using TimePoint = std::chrono::system_clock::time_point;
  struct PendingRetry {
    int64_t run_id = 0;
    std::vector<std::string> peers;
    int retry = 1;
    TimePoint at;
  };
  // (peer, what happened) for the log.
  using DownPeers = std::vector<std::pair<std::string, std::string>>;

  void TickSync(TimePoint now);
  void TickPurge(TimePoint now);
  void RunScheduledSync(TimePoint now, TimePoint next_sync);
  void Retry(const PendingRetry& pending, TimePoint now, TimePoint next_sync);
  // Keeps `down` for retry `retry`, or gives up when the next scheduled sync
  // comes first; one log line per peer either way.
  void ScheduleRetry(int64_t run_id, const DownPeers& down, int retry, TimePoint now,
                     TimePoint next_sync);
  std::optional<PendingRetry> LoadRetry();
  void SaveRetry(const std::optional<PendingRetry>& pending);
  void PutTime(const char* key, TimePoint t, const char* what);

  UnlockedNode& node_;
  std::ostream& log_;
  sync::SyncOptions sync_;
};

}  // namespace inbeeld::node::schedule

#endif  // INBEELD_NODE_SCHEDULE_SCHEDULER_H_
