// node/console/http_server.h — puts the Console (console.h) on a loopback
// HTTP port.
//
// Only routing and conversion happen here: each request becomes an
// ApiRequest, Console::Handle answers it. The server binds loopback
// addresses only (127.0.0.0/8, ::1): the console speaks plain HTTP, so it
// must never be reachable from the network (docs/CONSOLE.md). Requests are
// read with cpp-httplib; bodies over kMaxUploadBytes are refused (413) before
// they are read. With AdminEndpoints, it also answers /healthz, /readyz and
// /metrics (node/ops/admin.h) without a login, after the same Host check.
//
// Thread safety: configure and Bind from one thread, then ListenAfterBind
// blocks; Stop from any thread (not a handler), any number of times, before
// or during ListenAfterBind (node/ops/listen_control.h).
#ifndef INBEELD_NODE_CONSOLE_HTTP_SERVER_H_
#define INBEELD_NODE_CONSOLE_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "base/error.h"
#include "node/console/console.h"
#include "node/ops/admin.h"

namespace inbeeld::node::console {

class ConsoleHttpServer {
 public:
  // `admin` (may be null) must outlive the server.
  explicit ConsoleHttpServer(Console& console, const ops::AdminEndpoints* admin = nullptr);
  ~ConsoleHttpServer();
  ConsoleHttpServer(const ConsoleHttpServer&) = delete;
  ConsoleHttpServer& operator=(const ConsoleHttpServer&) = delete;

  // Binds `host`:`port` (0: any free port) and returns the port.
  // Errors: kInvalidArgument for a host that is not loopback;
  // kAddressInUse when another socket holds the port; kUnavailable when it
  // cannot be bound otherwise.
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop(); returns at once if Stop came first.
  // kFailedPrecondition if not bound.
  Status ListenAfterBind();
  // Makes ListenAfterBind return, or not start, and returns once it has.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_HTTP_SERVER_H_
