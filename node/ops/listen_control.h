// node/ops/listen_control.h — a cpp-httplib listener that can be stopped at
// any moment, for the node's plain-HTTP loopback listeners (the console's,
// node/console/http_server.h, and the admin endpoints', admin.h).
//
// cpp-httplib 0.11's Server::stop() does nothing until listen_after_bind()
// is running, so a stop that comes first (serve fails to bind a later
// listener right after starting this one) would leave the listen running for
// ever. ListenControl closes that gap: Stop before Listen makes Listen return
// at once, and Stop during Listen asks again until Listen has returned.
//
// Thread safety: Listen on one thread; Stop from any thread, any number of
// times, before, during or after Listen.
#ifndef INBEELD_NODE_OPS_LISTEN_CONTROL_H_
#define INBEELD_NODE_OPS_LISTEN_CONTROL_H_

#include <atomic>

namespace httplib {
class Server;
}  // namespace httplib

namespace inbeeld::node::ops {

class ListenControl {
 public:
  // REQUIRES: `server` is bound and outlives this object.
  explicit ListenControl(httplib::Server& server) : server_(server) {}

  // Serves (server.listen_after_bind()) until Stop; returns at once, true,
  // if Stop came first. False when accepting connections failed.
  bool Listen();
  // Makes Listen return, or not start, and returns once it has.
  void Stop();

 private:
  httplib::Server& server_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> listening_{false};
};

}  // namespace inbeeld::node::ops

#endif  // INBEELD_NODE_OPS_LISTEN_CONTROL_H_
