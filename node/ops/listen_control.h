// node/ops/listen_control.h — binding and stopping the node's plain-HTTP
// loopback listeners (the console's, node/console/http_server.h, and the
// admin endpoints', admin.h), both cpp-httplib servers.
//
// BindLoopback binds one to a loopback address only, and tells a port that
// is taken (kAddressInUse, its own exit code) from other failures.
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
#include <string>
#include <string_view>

#include "base/error.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace inbeeld::node::ops {

// Binds `server` to `host`:`port` (0: a free port the system picks) and
// returns the port, with SO_REUSEADDR as the socket's only option (so no
// second server can share the port). Every message starts with `who`
// ("console"). Errors:
// kInvalidArgument when `host` is not a loopback address ("<who>: <host> is
// not a loopback address; " + `why_loopback`); kAddressInUse when the port
// is taken; kUnavailable for any other failure to bind.
Result<int> BindLoopback(httplib::Server& server, std::string_view who, const std::string& host,
                         int port, std::string_view why_loopback);

// True if binding `host`:`port` fails with EADDRINUSE (asked with a socket
// of our own, since cpp-httplib only says that binding failed).
bool PortInUse(const std::string& host, int port);

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
