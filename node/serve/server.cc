#include "node/serve/server.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <utility>
#include <vector>

#include "node/audit/actor.h"
#include "node/clock/timestamp.h"
#include "node/console/console.h"
#include "node/console/http_server.h"
#include "node/console/invitation_link.h"
#include "node/console/jobs.h"
#include "node/datadir/key_rotation.h"
#include "node/exchange/announce_key.h"
#include "node/exchange/responder.h"
#include "node/net/server.h"
#include "node/net/tls_identity.h"
#include "node/ops/admin.h"
#include "node/region/regional.h"
#include "node/schedule/key_announcer.h"
#include "node/schedule/scheduler.h"
#include "node/serve/peer_routes.h"
#include "node/serve/runtime.h"

namespace inbeeld::node::serve {
namespace {

std::string_view RefusalReason(std::optional<ErrorCode> code) {
  if (!code) return "other";
  switch (*code) {
    case ErrorCode::kPermissionDenied:
      return "policy";
    case ErrorCode::kResourceExhausted:
      return "limit";
    case ErrorCode::kUnavailable:
      return "busy";
    case ErrorCode::kInvalidArgument:
      return "malformed";
    default:
      return "other";
  }
}

std::string Shown(const config::HostPort& address, int port) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(port);
}

// Stops a loopback HTTP server (the console's, the admin endpoints') and
// joins its thread: Stop returns once ListenAfterBind has, or makes it not
// start (node/ops/listen_control.h).
template <typename HttpServer>
void StopAndJoin(HttpServer& server, std::thread& thread) {
  server.Stop();
  if (thread.joinable()) thread.join();
}

exchange::ResponderOptions ResponderOptionsFor(const ServerOptions& options) {
  exchange::ResponderOptions responder;
  responder.threads = options.threads;
  responder.session_ttl = options.session_ttl;
  responder.busy_retry_after = kBusyRetryAfter;
  return responder;
}

}  // namespace

Result<Connections> UnlockConnections(const NodeDir& dir, const crypto::SecretBytes& passphrase,
                                      bool with_console) {
  auto open = [&]() { return dir.Unlock(passphrase); };
  auto responder = open();
  if (!responder) return std::unexpected(responder.error());
  auto region = open();
  if (!region) return std::unexpected(region.error());
  auto scheduler = open();
  if (!scheduler) return std::unexpected(scheduler.error());
  auto rotation = open();
  if (!rotation) return std::unexpected(rotation.error());
  Connections c{std::move(*responder), std::move(*region), std::move(*scheduler),
                std::move(*rotation),  std::nullopt,       std::nullopt};
  if (with_console) {
    auto console = open();
    if (!console) return std::unexpected(console.error());
    auto jobs = open();
    if (!jobs) return std::unexpected(jobs.error());
    c.console.emplace(std::move(*console));
    c.jobs.emplace(std::move(*jobs));
  }
  return c;
}

struct Server::Impl {
  Impl(const NodeDir& d, Connections connections, ServerOptions o, ops::EventLog& e,
       config::HostPort peer, std::optional<config::HostPort> console,
       std::optional<config::HostPort> admin)
      : dir(d),
        c(std::move(connections)),
        options(std::move(o)),
        events(e),
        peer_address(std::move(peer)),
        console_address(std::move(console)),
        admin_address(std::move(admin)),
        responder(c.responder, ResponderOptionsFor(options)),
        admin_endpoints(metrics, [this] { RefreshTotals(); }),
        runtime({.dir = &dir,
                 .events = &events,
                 .metrics = &metrics,
                 .responder_node = &c.responder,
                 .region_node = &c.region,
                 .console = nullptr,
                 .jobs = nullptr}),
        rotations(dir, c.rotation, [this](const std::string&) { RequestReload(); }),
        participant(c.region),
        scheduler_log(events, ops::Level::kInfo, "scheduled"),
        scheduler(c.scheduler, scheduler_log, SyncTelling()),
        announcer_log(events, ops::Level::kInfo, "key.announce"),
        announcer(c.scheduler, announcer_log,
                  [this](const config::PeerConfig& partner, const crypto::SigningKey& previous,
                         std::span<const uint8_t> announcement) {
                    return exchange::SendKeyAnnouncement(partner, c.scheduler.config.node_name,
                                                         previous, c.scheduler.identity,
                                                         announcement);
                  }) {}

  // SessionEnded as a callback: the responder's, the scheduler's and the
  // console's sessions are all counted the same way.
  console::SessionEnded Telling() {
    return [this](const audit::ExchangeAudit& a, std::optional<ErrorCode> code) {
      SessionEnded(a, code);
    };
  }
  sync::SyncOptions SyncTelling() {
    sync::SyncOptions sync;
    sync.session_ended = Telling();
    return sync;
  }

  void RefreshTotals();
  void SessionEnded(const audit::ExchangeAudit& a, std::optional<ErrorCode> code);
  void ObserveSessions();
  Status StartConsole();
  Status StartAdmin();
  Status StartPeerListener();  // REQUIRES: reload_mu held
  void StartThreads();
  void Housekeeping();
  void Scheduled();
  void RequestReload() {
    {
      std::lock_guard lock(mu);
      reload_requested = true;
    }
    cv.notify_all();
  }
  Status Reload();
  void Stop();
  Status Listening(std::string_view what, const std::string& address, int port) {
    if (!options.on_listening) return {};
    return options.on_listening(what, address, port);
  }

  const NodeDir& dir;
  Connections c;
  ServerOptions options;
  ops::EventLog& events;
  const config::HostPort peer_address;
  const std::optional<config::HostPort> console_address, admin_address;

  ops::Metrics metrics;
  exchange::Responder responder;
  ops::AdminEndpoints admin_endpoints;
  ServeRuntime runtime;
  KeyRotationResponder rotations;
  region::RegionParticipant participant;
  ops::EventLineStream scheduler_log;
  schedule::Scheduler scheduler;
  // Tells partners still pinning the old key of the new one (same thread).
  ops::EventLineStream announcer_log;
  schedule::KeyAnnouncer announcer;

  // The console and the admin endpoints alone.
  std::unique_ptr<console::JobRunner> jobs;
  std::unique_ptr<console::Console> web;
  std::unique_ptr<console::ConsoleHttpServer> console_server;
  std::thread console_thread;
  std::string console_shown;
  int console_port = 0;
  std::unique_ptr<ops::AdminHttpServer> admin_server;
  std::thread admin_thread;
  int admin_port = 0;

  // The peer listener: created by Start, or by the Reload that brought the
  // first peer.
  std::mutex reload_mu;                          // one Reload or listener start at a time
  std::unique_ptr<net::PeerServer> peer_server;  // GUARDED_BY(reload_mu)
  std::thread listener;                          // GUARDED_BY(reload_mu)
  std::atomic<int> peer_port{0};

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;          // GUARDED_BY(mu)
  bool reload_requested = false;  // GUARDED_BY(mu)
  bool listener_done = false;     // GUARDED_BY(mu)
  Status listener_status;         // GUARDED_BY(mu)
  std::thread housekeeping, scheduled;

  std::mutex stop_mu;
  bool started = false;  // GUARDED_BY(stop_mu)
  bool stopped = false;  // GUARDED_BY(stop_mu)
};

// The totals are read at each scrape on the responder's connection.
void Server::Impl::RefreshTotals() {
  auto totals = responder.ReadTotals();
  if (!totals) return;  // the scrape shows the last values
  metrics.Set(metric::kAuditRecords, {}, static_cast<double>(totals->audit_records));
  metrics.Set(metric::kListRows, {}, static_cast<double>(totals->list_rows));
  for (const auto& [peer, finished] : totals->last_completed) {
    if (auto t = ParseIsoUtc(finished)) {
      metrics.Set(
          metric::kLastCompleted, {{"peer", peer}},
          static_cast<double>(
              std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count()));
    }
  }
}

// A session's end, whoever started it (a peer; this node's console or
// scheduler): one event line and the metrics. Peer names and purposes only,
// never a child.
void Server::Impl::SessionEnded(const audit::ExchangeAudit& a, std::optional<ErrorCode> code) {
  const double seconds = static_cast<double>(a.end_ms - a.start_ms) / 1000.0;
  metrics.Add(metric::kSessions, {{"role", a.role}, {"peer", a.peer}, {"outcome", a.outcome}});
  metrics.Observe(metric::kSessionSeconds, {{"role", a.role}, {"peer", a.peer}}, seconds);
  if (a.outcome == "refused") {
    metrics.Add(metric::kRefusals,
                {{"peer", a.peer}, {"reason", std::string(RefusalReason(code))}});
  }
  std::vector<ops::Field> fields = {
      {"role", a.role}, {"peer", a.peer},       {"purpose", a.purpose},
      {"mode", a.mode}, {"outcome", a.outcome}, {"session", a.trace_id},
  };
  if (a.sent) fields.push_back({"sent", std::to_string(*a.sent)});
  if (a.received) fields.push_back({"received", std::to_string(*a.received)});
  if (a.matched) fields.push_back({"overlap", std::to_string(*a.matched)});
  fields.push_back({"duration_ms", std::to_string(a.end_ms - a.start_ms)});
  if (!a.reason.empty()) fields.push_back({"error", a.reason});
  events.Write(a.outcome == "completed" ? ops::Level::kInfo
               : a.outcome == "refused" ? ops::Level::kWarning
                                        : ops::Level::kError,
               "session", fields);
}

// Every served session's end, refusal and witness refusal: one event line and
// the metrics. Peer names and purposes only, never a child.
void Server::Impl::ObserveSessions() {
  exchange::ResponderObserver observer;
  observer.session_ended = Telling();
  observer.witness_refused = [this](std::string_view peer, std::string_view reason) {
    metrics.Add(metric::kRefusals, {{"peer", std::string(peer)}, {"reason", "witness"}});
    events.Write(ops::Level::kWarning, "witness.refused",
                 {{"peer", std::string(peer)}, {"error", std::string(reason)}});
  };
  observer.request_refused = [this](std::string_view peer, std::string_view request,
                                    std::string_view reason) {
    metrics.Add(metric::kRefusals, {{"peer", std::string(peer)}, {"reason", "request"}});
    events.Write(ops::Level::kWarning, "request.refused",
                 {{"peer", std::string(peer)},
                  {"request", std::string(request)},
                  {"error", std::string(reason)}});
  };
  responder.SetObserver(std::move(observer));
  participant.SetRefusalSink(
      [this](std::string_view peer, std::string_view request, std::string reason) {
        responder.RecordTransportRefusal(peer, request, reason);
      });
}

Status Server::Impl::StartConsole() {
  if (!console_address) return {};
  jobs = std::make_unique<console::JobRunner>(*c.jobs, console::ExchangeJobsTelling(Telling()));
  console::ConsoleOptions console_options;
  console_options.peers_changed = [this] { RequestReload(); };
  web = std::make_unique<console::Console>(*c.console, *jobs, std::move(console_options));
  runtime.AttachConsole(web.get(), jobs.get());
  auto server = std::make_unique<console::ConsoleHttpServer>(*web, &admin_endpoints);
  auto bound = server->Bind(console_address->host, console_address->port);
  if (!bound) return std::unexpected(bound.error());
  console_server = std::move(server);
  console_port = *bound;
  console_shown = Shown(*console_address, *bound);
  INBEELD_RETURN_IF_ERROR(
      WriteFileAtomically(dir.root() / console::kConsoleAddressFile, console_shown + "\n"));
  console_thread = std::thread([this] {
    if (auto served = console_server->ListenAfterBind(); !served) {
      events.Write(ops::Level::kError, "console.failed", {{"error", served.error().message}});
    }
  });
  return Listening("console", console_shown, console_port);
}

Status Server::Impl::StartAdmin() {
  if (!admin_address) return {};
  auto server = std::make_unique<ops::AdminHttpServer>(admin_endpoints);
  auto bound = server->Bind(admin_address->host, admin_address->port);
  if (!bound) return std::unexpected(bound.error());
  admin_server = std::move(server);
  admin_port = *bound;
  admin_thread = std::thread([this] {
    if (auto served = admin_server->ListenAfterBind(); !served) {
      events.Write(ops::Level::kError, "admin.failed", {{"error", served.error().message}});
    }
  });
  const std::string shown = Shown(*admin_address, admin_port);
  events.Write(ops::Level::kInfo, "admin.listening", {{"address", shown}});
  return Listening("admin", shown, admin_port);
}

Status Server::Impl::StartPeerListener() {
  std::shared_lock config_lock(runtime.config_mu());
  auto setup = PeerSetupFor(c.responder.config);
  if (!setup) return std::unexpected(setup.error());
  if (setup->pins.empty()) return {};
  const size_t max_body = setup->max_body();
  const size_t peer_count = c.responder.config.peers.size();
  auto seed = c.responder.identity.SeedForStorage().RevealForCrypto();
  auto identity = net::TlsIdentity::Create(seed.first<32>(), c.responder.config.node_name);
  if (!identity) return std::unexpected(identity.error());
  config_lock.unlock();

  net::ServerOptions server_options = PeerServerOptions(*setup);
  // Every request the transport refuses to a pinned peer is in the log.
  server_options.on_refused = [this](const net::TransportRefusal& refused) {
    std::shared_lock lock(runtime.config_mu());
    responder.RecordTransportRefusal(
        refused.peer, refused.path == "unknown" ? "unknown" : "POST " + std::string(refused.path),
        fmt::format("{} ({})", refused.reason, refused.status));
  };
  auto server = net::PeerServer::Create(*identity, std::move(setup->pins), server_options);
  if (!server) return std::unexpected(server.error());
  // Every handler reads the configuration under config_mu (shared), so a
  // reload swaps it between requests, never during one.
  PeerHandlers handlers;
  handlers.responder = &responder;
  handlers.region = &participant;
  handlers.rotations = &rotations;
  handlers.config_mu = &runtime.config_mu();
  INBEELD_RETURN_IF_ERROR(AddPeerRoutes(**server, handlers));
  int port = peer_address.port;
  if (port == 0) {
    auto bound = (*server)->BindToAnyPort(peer_address.host);
    if (!bound) return std::unexpected(bound.error());
    port = *bound;
  } else {
    INBEELD_RETURN_IF_ERROR((*server)->Bind(peer_address.host, port));
  }
  peer_server = std::move(*server);
  runtime.AttachServer(peer_server.get(), max_body);
  peer_port = port;
  listener = std::thread([this] {
    Status served = peer_server->ListenAfterBind();
    {
      std::lock_guard lock(mu);
      listener_status = served;
      listener_done = true;
    }
    cv.notify_all();
  });
  const std::string shown = Shown(peer_address, port);
  events.Write(ops::Level::kInfo, "serve.started",
               {{"address", shown}, {"peers", std::to_string(peer_count)}});
  admin_endpoints.SetReady("peer_listener", true);
  if (Status told = Listening("peers", shown, port); !told) {
    events.Write(ops::Level::kError, "serve.listening_hook_failed",
                 {{"error", told.error().message}});
  }
  return {};
}

void Server::Impl::StartThreads() {
  housekeeping = std::thread([this] { Housekeeping(); });
  scheduled = std::thread([this] { Scheduled(); });
}

// Drops stale sessions every janitor_interval, and reloads when asked.
void Server::Impl::Housekeeping() {
  std::unique_lock lock(mu);
  while (!stopping) {
    cv.wait_for(lock, options.janitor_interval, [this] { return stopping || reload_requested; });
    if (stopping) return;
    const bool reload = std::exchange(reload_requested, false);
    lock.unlock();
    if (reload) (void)Reload();  // logged either way; a failure keeps the old
    {
      std::shared_lock config_lock(runtime.config_mu());
      responder.ExpireStale();
      participant.ExpireStale();
    }
    lock.lock();
  }
}

// [sync] every_days and the retention purge; each line the scheduler
// reports is one event.
void Server::Impl::Scheduled() {
  audit::ActorScope actor({.who = "scheduler", .origin = "serve"});
  std::unique_lock lock(mu);
  do {
    lock.unlock();
    // Only this thread uses the scheduler's node: a reload's configuration
    // is taken up here, between ticks.
    if (auto fresh = runtime.TakeSchedulerConfig()) c.scheduler.config = std::move(*fresh);
    scheduler.Tick();
    scheduler_log.flush();
    announcer.Tick();
    announcer_log.flush();
    lock.lock();
  } while (!cv.wait_for(lock, options.scheduler_interval, [this] { return stopping; }));
}

Status Server::Impl::Reload() {
  std::lock_guard lock(reload_mu);
  {
    std::lock_guard state(mu);
    if (stopping) return Fail(ErrorCode::kFailedPrecondition, "the node is stopping");
  }
  INBEELD_RETURN_IF_ERROR(runtime.ReloadConfig());
  if (peer_server != nullptr) return {};
  Status listening = StartPeerListener();
  if (!listening) {
    events.Write(ops::Level::kError, "serve.listen_failed", {{"error", listening.error().message}});
  }
  return listening;
}

void Server::Impl::Stop() {
  std::lock_guard stop_lock(stop_mu);
  if (stopped) return;
  stopped = true;
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  // No Reload runs from the housekeeping thread any more; one from another
  // thread finishes before the listener is looked at.
  if (housekeeping.joinable()) housekeeping.join();
  {
    std::lock_guard lock(reload_mu);
    if (peer_server) {
      peer_server->Stop();
      if (listener.joinable()) listener.join();
    }
  }
  admin_endpoints.SetReady("peer_listener", false, "stopping");
  // No handler runs any more: sessions still open end "the node stopped".
  responder.Shutdown();
  if (scheduled.joinable()) scheduled.join();
  if (admin_server) StopAndJoin(*admin_server, admin_thread);
  if (console_server) {
    StopAndJoin(*console_server, console_thread);
    std::error_code ec;
    std::filesystem::remove(dir.root() / console::kConsoleAddressFile, ec);
  }
  if (started) events.Write(ops::Level::kInfo, "serve.stopped", {});
}

Result<std::unique_ptr<Server>> Server::Create(const NodeDir& dir, Connections connections,
                                               ServerOptions options, ops::EventLog& events) {
  const std::string listen =
      options.listen.empty() ? connections.responder.config.listen_address : options.listen;
  auto peer = config::ParseAddress(listen, /*allow_any_port=*/true);
  if (!peer) return std::unexpected(WithContext(peer.error(), "listen address"));
  std::optional<config::HostPort> console, admin;
  if (!options.console_listen.empty()) {
    if (!connections.console || !connections.jobs) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a console address needs the console's connections (UnlockConnections with "
                  "with_console)");
    }
    auto parsed = config::ParseAddress(options.console_listen, /*allow_any_port=*/true);
    if (!parsed) return std::unexpected(WithContext(parsed.error(), "console listen address"));
    console = *parsed;
  }
  if (!options.admin_listen.empty()) {
    auto parsed = config::ParseAddress(options.admin_listen, /*allow_any_port=*/true);
    if (!parsed) return std::unexpected(WithContext(parsed.error(), "admin listen address"));
    admin = *parsed;
  }
  auto impl = std::make_unique<Impl>(dir, std::move(connections), std::move(options), events,
                                     std::move(*peer), std::move(console), std::move(admin));
  DeclareServeMetrics(impl->metrics);
  impl->ObserveSessions();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.stop_mu);
    if (s.started || s.stopped) {
      return Fail(ErrorCode::kFailedPrecondition, "the server was started before");
    }
    s.started = true;
  }
  s.admin_endpoints.RequireChecks({"config", "store", "peer_listener"});
  s.admin_endpoints.SetReady("config", true);
  s.admin_endpoints.SetReady("store", true);
  s.admin_endpoints.SetReady("peer_listener", false, "not listening yet");
  s.metrics.Set(metric::kPeers, {}, static_cast<double>(s.c.responder.config.peers.size()));
  // The console first: a taken console port stops the node before it serves
  // anyone, and a node without peers yet still offers its console.
  auto fail = [&](Error error) -> Status {
    {
      std::lock_guard lock(s.stop_mu);
      s.started = false;  // nothing was served: no "stopped" event
    }
    s.Stop();
    return std::unexpected(std::move(error));
  };
  if (Status console = s.StartConsole(); !console) return fail(console.error());
  if (Status admin = s.StartAdmin(); !admin) return fail(admin.error());
  Status peers;
  {
    std::lock_guard lock(s.reload_mu);
    peers = s.StartPeerListener();
  }
  if (!peers) return fail(peers.error());  // Stop takes reload_mu
  if (s.peer_port == 0) {
    if (!s.console_server) {
      return fail(Error{ErrorCode::kFailedPrecondition,
                        "no peers configured: nobody could connect (see `inbeeld peer add`)"});
    }
    s.admin_endpoints.SetReady("peer_listener", false, "no peers configured yet; console only");
  }
  s.StartThreads();
  return {};
}

int Server::peer_port() const { return impl_->peer_port; }
int Server::console_port() const { return impl_->console_port; }
int Server::admin_port() const { return impl_->admin_port; }
const std::string& Server::console_address() const { return impl_->console_shown; }

Status Server::Reload() { return impl_->Reload(); }
void Server::RequestReload() { impl_->RequestReload(); }
void Server::Stop() { impl_->Stop(); }

Status Server::Wait() {
  Impl& s = *impl_;
  {
    std::unique_lock lock(s.mu);
    s.cv.wait(lock, [&s] { return s.stopping || s.listener_done; });
  }
  Stop();
  std::lock_guard lock(s.mu);
  return s.listener_status;
}

ops::Metrics& Server::metrics() { return impl_->metrics; }

}  // namespace inbeeld::node::serve
