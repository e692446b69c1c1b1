// node/serve/server.h — a serving node as one object: the peer HTTPS
// listener with its routes (peer_routes.h), the web console and the admin
// endpoints, the housekeeping thread (stale sessions, reloads asked for from
// inside the process) and the scheduler ([sync] every_days, retention).
// `inbeeld serve` only unlocks the node, turns signals into Reload and Stop,
// and prints; a test starts Servers in its own process over loopback.
//
// Life cycle: Create (nothing bound) → Start (every listener bound, every
// thread running) → Reload any number of times → Stop (or Wait, which
// returns when Stop was called or the peer listener failed). Start binds the
// console first, so a taken console port stops the node before it serves
// anyone; a node without peers yet serves only its console, and the Reload
// that brings the first peer starts the peer listener.
//
// Configuration: inbeeld.toml as the connections were unlocked with it;
// Reload re-reads it (runtime.h says what changes and what a bad file does).
//
// Thread safety: Start once, from one thread. Reload, RequestReload and the
// accessors from any thread. Stop from any thread but the Server's own
// (handlers, hooks, the housekeeping and scheduler threads); it is
// idempotent, and a second caller waits until the first has finished.
#ifndef INBEELD_NODE_SERVE_SERVER_H_
#define INBEELD_NODE_SERVE_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "crypto/secret_bytes.h"
#include "node/datadir/node_dir.h"
#include "node/ops/event_log.h"
#include "node/ops/metrics.h"

namespace inbeeld::node::serve {

// One SQLCipher connection for each part of a serving node: SQLite keeps one
// transaction per connection, so two parts that may write at the same time
// never share one.
struct Connections {
  UnlockedNode responder;                     // PSI sessions, witnessing, the metrics' totals
  UnlockedNode region;                        // the regional-count participant
  UnlockedNode scheduler;                     // [sync] and retention, on the scheduler's thread
  UnlockedNode rotation;                      // peers announcing a new key
  std::optional<UnlockedNode> console, jobs;  // the console's requests and its exchanges
};

// Unlocks `dir` once for each part (the console's two only when
// `with_console`). Errors: as NodeDir::Unlock.
Result<Connections> UnlockConnections(const NodeDir& dir, const crypto::SecretBytes& passphrase,
                                      bool with_console);

struct ServerOptions {
  std::string listen;          // host:port for peers (port 0: any free port)
  std::string console_listen;  // loopback host:port of the console; "" = none
  std::string admin_listen;    // /healthz, /readyz, /metrics alone; "" = none
  unsigned threads = 0;        // crypto threads a session (0 = one a core)
  std::chrono::seconds session_ttl{600};
  // How often stale sessions are dropped and the scheduler ticks.
  std::chrono::milliseconds janitor_interval{std::chrono::seconds(15)};
  std::chrono::milliseconds scheduler_interval{std::chrono::seconds(60)};
  // Called as each listener is bound, with what it is ("console", "admin",
  // "peers"), its address as shown to people ("127.0.0.1:8443") and the
  // bound port: from Start, in that order, and for "peers" from the Reload
  // that brought the first peer. An error from Start's calls stops Start; from
  // a Reload's it is logged and the listener stays.
  std::function<Status(std::string_view what, const std::string& address, int port)> on_listening;
};

class Server {
 public:
  // Nothing is bound or started yet. `dir` and `events` must outlive the
  // Server. Errors: kInvalidArgument for an address that does not parse
  // (naming which), and a console or admin address when there is none.
  static Result<std::unique_ptr<Server>> Create(const NodeDir& dir, Connections connections,
                                                ServerOptions options, ops::EventLog& events);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the console, the admin endpoints and, when a peer is pinned, the
  // peer listener, and starts every thread. Errors: from binding (an address
  // in use names the listener), kFailedPrecondition when no peer is pinned
  // and there is no console (nobody could connect). On an error nothing is
  // left running.
  Status Start();

  // After Start: the bound ports (0 where that listener is not running) and
  // the console's address as shown to people ("127.0.0.1:8443").
  int peer_port() const;
  int console_port() const;
  int admin_port() const;
  const std::string& console_address() const;
  bool serving_peers() const { return peer_port() != 0; }

  // Re-reads inbeeld.toml and swaps it in (ServeRuntime::ReloadConfig); a
  // node serving only its console starts its peer listener once a peer is
  // pinned. Errors: the configuration's or the listener's; the old
  // configuration then stays in force.
  Status Reload();
  // Asks the housekeeping thread to Reload (the console after it added a
  // partner, a peer announcing a new key); returns at once.
  void RequestReload();

  // Stops every listener, ends sessions still open ("the node stopped") and
  // joins every thread. Idempotent.
  void Stop();
  // Blocks until Stop has been called (from another thread) or the peer
  // listener failed, stops, and returns the peer listener's status.
  Status Wait();

  ops::Metrics& metrics();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace inbeeld::node::serve

#endif  // INBEELD_NODE_SERVE_SERVER_H_
