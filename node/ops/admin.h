// node/ops/admin.h — /healthz, /readyz and /metrics for the service manager
// and Prometheus, on a loopback listener.
//
// AdminEndpoints is transport-free: Handle(method, path) answers the three
// paths and returns nullopt for anything else, so the console's listener
// (node/console/http_server.h) can offer them beside its own routes, and
// AdminHttpServer can offer them alone (`serve --admin-listen`, for a node
// whose console is switched off).
//
//   GET /healthz  200 "ok\n": the process is alive and answering.
//   GET /readyz   200 "ready\n" when every readiness check passes (the
//                 configuration loaded, the store open, the peer listener
//                 bound); else 503 with one line per failing check,
//                 "CHECK: reason".
//   GET /metrics  200, text/plain; version=0.0.4: Metrics::Render() after
//                 the refresh callback has set the gauges read at scrape
//                 time (audit log size, list size).
//   HEAD          the same status, no body; other methods 405.
//
// No login: Prometheus and a service manager cannot log in. What keeps them
// safe to offer without one is what they hold: counts per peer and outcome,
// durations, totals — nothing about a child (metrics.h), and the listener
// binds loopback only and answers only a Host naming its own address, as
// the console does (DNS rebinding; docs/CONSOLE.md).
//
// Thread safety: all methods may be called from any thread.
#ifndef INBEELD_NODE_OPS_ADMIN_H_
#define INBEELD_NODE_OPS_ADMIN_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "node/ops/metrics.h"

namespace inbeeld::node::ops {

struct AdminReply {
  int status = 200;
  std::string content_type;
  std::string body;
};

class AdminEndpoints {
 public:
  // `metrics` must outlive this. `refresh` (may be empty) runs before each
  // /metrics render, on the requesting thread; it must be thread-safe.
  AdminEndpoints(Metrics& metrics, std::function<void()> refresh);

  // Marks readiness check `check` ("config", "store", "peer_listener") as
  // passing, or failing with `reason` (shown on /readyz; no secrets). A
  // check never set counts as failing ("not yet checked").
  void SetReady(std::string_view check, bool ok, std::string reason = "");
  // Names the checks /readyz requires (all must pass).
  void RequireChecks(std::vector<std::string> checks);

  // The reply for `method` `path`, or nullopt when `path` is not one of the
  // three (the caller routes it elsewhere).
  std::optional<AdminReply> Handle(std::string_view method, std::string_view path) const;

  static bool IsAdminPath(std::string_view path);

 private:
  Metrics& metrics_;
  const std::function<void()> refresh_;
  mutable std::mutex mu_;
  std::vector<std::string> required_;                        // GUARDED_BY(mu_)
  std::map<std::string, std::string, std::less<>> failing_;  // GUARDED_BY(mu_)
  std::map<std::string, bool, std::less<>> passed_;          // GUARDED_BY(mu_)
};

// The admin endpoints alone on a loopback HTTP port (cpp-httplib): GET and
// HEAD only, no request body, Host checked against the bound address.
// Configure with Bind from one thread, then ListenAfterBind blocks; Stop
// from any thread (not a handler), any number of times, before or during
// ListenAfterBind (listen_control.h).
class AdminHttpServer {
 public:
  explicit AdminHttpServer(const AdminEndpoints& endpoints);
  ~AdminHttpServer();
  AdminHttpServer(const AdminHttpServer&) = delete;
  AdminHttpServer& operator=(const AdminHttpServer&) = delete;

  // Binds `host`:`port` (0: any free port) and returns the port.
  // Errors: kInvalidArgument for a host that is not loopback;
  // kAddressInUse when another socket holds the port; kUnavailable else.
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

}  // namespace inbeeld::node::ops

#endif  // INBEELD_NODE_OPS_ADMIN_H_
