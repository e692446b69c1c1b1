#include "node/clock/clock.h"

namespace inbeeld::node {

// The one place the node reads the wall clock.
std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

}  // namespace inbeeld::node
