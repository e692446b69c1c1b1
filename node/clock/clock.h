// node/clock/clock.h — the node's one source of the current date and time.
//
// Everything that stamps, compares or schedules by the calendar reads a Clock
// it was handed: audit records, list versions, sessions and sync runs, the
// daily session limit, retention cut-offs, the overview's three-month mark,
// `list`'s weeks, the scheduler. Only main() makes a SystemClock; the Store
// carries the node's clock to the repositories built on it (UnlockedNode::clock).
// Tests hand in a FakeClock (tests/support/fake_clock.h) and move it by hand,
// so "tomorrow" or "29 February" does not depend on the day the test runs.
//
// Durations that only measure elapsed time — a session's time to live, the
// witness window — read Monotonic(): std::chrono::steady_clock for the
// SystemClock, so a wall clock that jumps neither stretches nor cuts them; a
// FakeClock moves it with Advance, so a test can let a session expire. I/O
// timeouts and polls, which wait on the real world, use steady_clock itself.
//
// Thread safety: Now() may be called from any thread.
#ifndef INBEELD_NODE_CLOCK_CLOCK_H_
#define INBEELD_NODE_CLOCK_CLOCK_H_

#include <chrono>

namespace inbeeld::node {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time in UTC (system_clock counts from the Unix epoch).
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Elapsed time, for durations only: never goes back.
  virtual std::chrono::steady_clock::time_point Monotonic() const {
    return std::chrono::steady_clock::now();
  }
};

// The machine's wall clock.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
};

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_CLOCK_CLOCK_H_
