// tests/support/fake_clock.h — a Clock that moves only when a test moves it.
//
// Thread safety: Now, Set and Advance may be called from any thread.
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
  void Set(TimePoint t) { now_.store(t); }
  void Set(const std::string& iso) { now_.store(Parse(iso)); }
  void Advance(std::chrono::system_clock::duration d) {
    TimePoint t = now_.load();
    while (!now_.compare_exchange_weak(t, t + d)) {
    }
  }

 private:
  static TimePoint Parse(const std::string& iso) {
    auto t = node::ParseIsoUtc(iso);
    if (!t) std::abort();  // a typo in a test, not a condition to handle
    return *t;
  }

  std::atomic<TimePoint> now_;
};

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_FAKE_CLOCK_H_
