// tests/support/fake_clock.h — a Clock that moves only when a test moves it.
//
// Now() is the time Set or Advance left; Monotonic() starts at steady_clock's
// value when the clock was made and moves only with Advance (by a positive
// duration), so a test lets a session's time to live run out by advancing.
//
// Thread safety: Now, Monotonic, Set and Advance may be called from any thread.
#ifndef INBEELD_TESTS_SUPPORT_FAKE_CLOCK_H_
#define INBEELD_TESTS_SUPPORT_FAKE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>

#include "node/clock/clock.h"
#include "node/clock/timestamp.h"

namespace inbeeld::testing {

class FakeClock final : public node::Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit FakeClock(TimePoint start) : now_(start) {}
  // From "2031-02-28T12:00:00Z" (node/clock/timestamp.h); aborts on anything else.
  explicit FakeClock(const std::string& iso) : now_(Parse(iso)) {}

  TimePoint Now() const override { return now_.load(); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return monotonic_start_ + std::chrono::steady_clock::duration(elapsed_.load());
  }
  void Set(TimePoint t) { now_.store(t); }
  void Set(const std::string& iso) { now_.store(Parse(iso)); }
  void Advance(std::chrono::system_clock::duration d) {
    TimePoint t = now_.load();
    while (!now_.compare_exchange_weak(t, t + d)) {
    }
    if (d > d.zero()) {
      elapsed_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
    }
  }

 private:
  static TimePoint Parse(const std::string& iso) {
    auto t = node::ParseIsoUtc(iso);
    if (!t) std::abort();  // a typo in a test, not a condition to handle
    return *t;
  }

  std::atomic<TimePoint> now_;
  const std::chrono::steady_clock::time_point monotonic_start_ = std::chrono::steady_clock::now();
  std::atomic<std::chrono::steady_clock::rep> elapsed_{0};
};

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_FAKE_CLOCK_H_
