// node/schedule/key_announcer.h — `serve` keeps telling partners of a new key.
//
// After `inbeeld key rotate`, a partner that was down keeps the old key
// pinned, and the two nodes cannot exchange until it hears of the new one.
// serve does not wait for someone to run `inbeeld key rotate --finish`: each
// Tick (on the scheduler's thread) runs AnnounceKeyRotation
// (node/datadir/key_rotation.h) for the partners still to tell — at the
// first Tick, then after 1, 2, 4 … minutes, at most an hour apart
// (Scheduler::RetryDelay) — until none is left and the old key is erased.
// While nothing is pending a Tick only reads the store.
//
// Each attempt writes the audit record AnnounceKeyRotation writes
// (inbeeld.node.key.announced) and lines to `log`: one per partner (its
// configured name and what happened, never a payload) and one saying when
// the next attempt is, or that every partner has the new key. The backoff
// is kept in memory: a restarted serve tries at once. `key rotate --finish`
// may run alongside (two runs at once are merged).
//
// Thread safety: one thread calls Tick. The UnlockedNode must be this
// announcer's caller's own connection (the scheduler's), not the responder's.
#ifndef INBEELD_NODE_SCHEDULE_KEY_ANNOUNCER_H_
#define INBEELD_NODE_SCHEDULE_KEY_ANNOUNCER_H_

#include <chrono>
#include <optional>
#include <ostream>

#include "node/datadir/key_rotation.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node::schedule {

class KeyAnnouncer {
 public:
  // `send` reaches one partner (serve: exchange::SendKeyAnnouncement).
  KeyAnnouncer(UnlockedNode& node, std::ostream& log, SendAnnouncement send)
      : node_(node), log_(log), send_(std::move(send)) {}
  void Tick();

 private:
  using TimePoint = std::chrono::system_clock::time_point;

  UnlockedNode& node_;
  std::ostream& log_;
  SendAnnouncement send_;
  int attempt_ = 0;                // attempts since the last success or start
  std::optional<TimePoint> next_;  // no attempt before this
};

}  // namespace inbeeld::node::schedule

#endif  // INBEELD_NODE_SCHEDULE_KEY_ANNOUNCER_H_
