// node/serve/runtime.h — the configuration a running `inbeeld serve`
// uses, and the one way to change it while serving (docs/OPERATIONS.md).
//
// ServeRuntime::ReloadConfig re-reads
// inbeeld.toml and swaps it in for new sessions; the Server (server.h) calls
// it on Reload: `serve` on SIGHUP, the housekeeping thread when the console
// added a partner or a peer announced a new key.
//
// Thread safety: as each method says; ReloadConfig runs one at a time.
#ifndef INBEELD_NODE_SERVE_RUNTIME_H_
#define INBEELD_NODE_SERVE_RUNTIME_H_

#include <algorithm>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <utility>

#include "base/error.h"
#include "config/node_config.h"
#include "node/console/console.h"
#include "node/console/jobs.h"
#include "node/datadir/node_dir.h"
#include "node/net/pinning.h"
#include "node/net/server.h"
#include "node/ops/event_log.h"
#include "node/ops/metrics.h"
#include "node/serve/peer_routes.h"

namespace inbeeld::node::serve {

// The metric families of a serving node (docs/OPERATIONS.md). Labels name
// peers, roles, outcomes and reasons only: never a child.
namespace metric {
inline constexpr char kSessions[] = "inbeeld_sessions_total";
inline constexpr char kSessionSeconds[] = "inbeeld_session_duration_seconds";
inline constexpr char kRefusals[] = "inbeeld_refusals_total";
inline constexpr char kLastCompleted[] = "inbeeld_last_completed_session_timestamp_seconds";
inline constexpr char kAuditRecords[] = "inbeeld_audit_log_records";
inline constexpr char kListRows[] = "inbeeld_list_rows";
inline constexpr char kPeers[] = "inbeeld_peers";
inline constexpr char kReloads[] = "inbeeld_config_reloads_total";

}  // namespace metric

// Declares every family above on `metrics`.
void DeclareServeMetrics(ops::Metrics& metrics);

// The serving process's configuration in force, and the one way to change
// it while serving: ReloadConfig (Server::Reload: SIGHUP, the console after
// it added a partner, a peer's key rotation). Reads inbeeld.toml; if it parses
// and validates, swaps it in for new sessions — the peer server's pins, the
// responder's and the regional participant's policies (under config_mu, so
// no handler sees half of it), the console's and its jobs', the
// scheduler's — and logs one line; a session in flight keeps what it
// started with. A bad file is logged with its error and the old
// configuration stays. One reload at a time; thread-safe.
class ServeRuntime {
 public:
  struct Parts {
    const NodeDir* dir;
    ops::EventLog* events;
    ops::Metrics* metrics;
    UnlockedNode* responder_node;
    UnlockedNode* region_node;
    console::Console* console = nullptr;
    console::JobRunner* jobs = nullptr;
  };
  explicit ServeRuntime(Parts parts) : p_(parts) {}

  // Set once the console exists (before serving).
  void AttachConsole(console::Console* web, console::JobRunner* jobs) {
    std::lock_guard lock(reload_mu_);
    p_.console = web;
    p_.jobs = jobs;
  }

  // Set once the peer server exists (none while only the console is served).
  void AttachServer(net::PeerServer* server, size_t max_body) {
    std::lock_guard lock(reload_mu_);
    server_ = server;
    max_body_ = max_body;
  }

  // Handlers take this shared while they read the configuration.
  std::shared_mutex& config_mu() { return config_mu_; }

  // Errors: the configuration's (kInvalidArgument with file, line and key),
  // or kFailedPrecondition when it would leave a serving node with no peer;
  // the old configuration then stays in force.
  Status ReloadConfig();

  // For the scheduler's own thread, between ticks: the configuration a
  // reload left for it, if any.
  std::optional<config::NodeConfig> TakeSchedulerConfig() {
    std::lock_guard lock(scheduler_mu_);
    return std::exchange(scheduler_config_, std::nullopt);
  }

 private:
  Parts p_;
  std::mutex reload_mu_;
  net::PeerServer* server_ = nullptr;  // GUARDED_BY(reload_mu_)
  size_t max_body_ = 0;                // GUARDED_BY(reload_mu_)
  std::shared_mutex config_mu_;
  std::mutex scheduler_mu_;
  std::optional<config::NodeConfig> scheduler_config_;  // GUARDED_BY(scheduler_mu_)
};

}  // namespace inbeeld::node::serve

#endif  // INBEELD_NODE_SERVE_RUNTIME_H_
