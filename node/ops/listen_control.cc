#include "node/ops/listen_control.h"

#include <httplib.h>

#include <chrono>
#include <thread>

namespace inbeeld::node::ops {

// The two flags are sequentially consistent: Listen sets listening_ before it
// reads stop_requested_, Stop sets stop_requested_ before it reads
// listening_, so at least one of them sees the other.
bool ListenControl::Listen() {
  listening_ = true;
  if (stop_requested_) {
    listening_ = false;
    return true;
  }
  const bool served = server_.listen_after_bind();
  listening_ = false;
  return served;
}

void ListenControl::Stop() {
  stop_requested_ = true;
  while (listening_) {
    server_.stop();  // a no-op until the listen has started
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace inbeeld::node::ops
