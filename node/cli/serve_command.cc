// `inbeeld serve`: the HTTPS API peers talk to, until SIGTERM or SIGINT; SIGHUP
// reloads inbeeld.toml (ServeRuntime). Events, metrics and /healthz, /readyz,
// /metrics: node/ops/, docs/OPERATIONS.md.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <shared_mutex>
#include <thread>

#include "node/audit/actor.h"
#include "node/cli/commands.h"
#include "node/cli/serve_runtime.h"
#include "node/clock/timestamp.h"
#include "node/console/console.h"
#include "node/console/http_server.h"
#include "node/console/invitation_link.h"
#include "node/console/jobs.h"
#include "node/datadir/key_rotation.h"
#include "node/exchange/initiator.h"
#include "node/exchange/policy.h"
#include "node/exchange/responder.h"
#include "node/net/server.h"
#include "node/ops/admin.h"
#include "node/ops/event_log.h"
#include "node/ops/metrics.h"
#include "node/region/regional.h"
#include "node/schedule/scheduler.h"
#include "node/serve/peer_routes.h"

namespace inbeeld::node::cli {
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

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    std::string listen;
    std::string port_file;
    unsigned threads = 0;
    int session_ttl = 600;
    std::optional<std::string> console_listen;
    std::string console_port_file;
    std::string admin_listen;
    std::string admin_port_file;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve peers over HTTPS with mutual TLS 1.3 until SIGTERM or SIGINT; SIGHUP reloads "
      "inbeeld.toml (new peers without a restart; a bad file keeps the old one). Only peers "
      "pinned in inbeeld.toml complete the handshake. One line per event on stderr.");
  AddCommonOptions(cmd, global, /*with_json=*/false);
  cmd->add_option("--listen", options->listen, "host:port to listen on (default: node.listen)");
  cmd->add_option("--port-file", options->port_file,
                  "Write the bound port to this file once listening (for port 0)");
  cmd->add_option("--threads", options->threads, "Crypto threads per session (default: all cores)");
  cmd->add_option("--console-listen", options->console_listen,
                  "Loopback host:port of the web console (default: [console] listen; \"\" = "
                  "no console)");
  cmd->add_option("--console-port-file", options->console_port_file,
                  "Write the console's bound port to this file once listening (for port 0)");
  cmd->add_option("--admin-listen", options->admin_listen,
                  "Loopback host:port for /healthz, /readyz and /metrics alone (they are also on "
                  "the console's address when it runs)");
  cmd->add_option("--admin-port-file", options->admin_port_file,
                  "Write the admin listener's bound port to this file (for port 0)");
  cmd->add_option("--session-ttl", options->session_ttl,
                  "Seconds a peer may take between the two halves of a session")
      ->capture_default_str();
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      // Block the signals in every thread; one thread waits for them:
      // SIGTERM and SIGINT stop, SIGHUP reloads inbeeld.toml.
      sigset_t signals;
      sigemptyset(&signals);
      sigaddset(&signals, SIGTERM);
      sigaddset(&signals, SIGINT);
      sigaddset(&signals, SIGHUP);
      pthread_sigmask(SIG_BLOCK, &signals, nullptr);
      signal(SIGPIPE, SIG_IGN);

      // One line per event on stderr (node/ops/event_log.h); stdout keeps
      // the few lines a person starting serve by hand reads.
      ops::EventLog events(*context.err, context.clock, ops::EventLog::StyleFor(context.env));
      ops::Metrics metrics;
      DeclareServeMetrics(metrics);

      // The passphrase is read once; the scheduler gets a second unlocked view
      // (its own database connection) so it never shares the responder's.
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      if (auto meta = dir->ReadMetadata(); !meta) return std::unexpected(meta.error());
      auto passphrase = ReadPassphrase(PassphrasePurpose::kUnlock, context.env);
      if (!passphrase) return std::unexpected(passphrase.error());
      auto node = dir->Unlock(*passphrase);
      if (!node) return std::unexpected(node.error());
      INBEELD_RETURN_IF_ERROR(CloseInterruptedSessions(*node, context));
      auto scheduler_node = dir->Unlock(*passphrase);
      if (!scheduler_node) return std::unexpected(scheduler_node.error());
      // The regional-count participant too: SQLite keeps one transaction per
      // connection, so two handlers must never share one.
      auto region_node = dir->Unlock(*passphrase);
      if (!region_node) return std::unexpected(region_node.error());
      // The console (docs/CONSOLE.md): one connection for its requests, one
      // for the exchanges people start from it.
      const std::string console_listen =
          options->console_listen.value_or(node->config.console.listen);
      std::optional<UnlockedNode> console_node, jobs_node;
      if (!console_listen.empty()) {
        auto c = dir->Unlock(*passphrase);
        if (!c) return std::unexpected(c.error());
        auto j = dir->Unlock(*passphrase);
        if (!j) return std::unexpected(j.error());
        console_node.emplace(std::move(*c));
        jobs_node.emplace(std::move(*j));
      }
      // Peers' key rotations (node/datadir/key_rotation.h) on a connection of their own.
      auto rotation_node = dir->Unlock(*passphrase);
      if (!rotation_node) return std::unexpected(rotation_node.error());
      *passphrase = crypto::SecretBytes();  // wipes the old bytes
      std::string listen = options->listen.empty() ? node->config.listen_address : options->listen;
      auto address = config::ParseAddress(listen, /*allow_any_port=*/true);
      if (!address) return std::unexpected(WithContext(address.error(), "listen address"));

      exchange::ResponderOptions responder_options;
      responder_options.threads = options->threads;
      responder_options.session_ttl = std::chrono::seconds(options->session_ttl);
      responder_options.busy_retry_after = serve::kBusyRetryAfter;
      exchange::Responder responder(*node, responder_options);

      // /healthz, /readyz, /metrics (node/ops/admin.h). The totals are read
      // at each scrape on the responder's connection.
      ops::AdminEndpoints admin(metrics, [&] {
        auto totals = responder.ReadTotals();
        if (!totals) return;  // the scrape shows the last values
        metrics.Set(metric::kAuditRecords, {}, static_cast<double>(totals->audit_records));
        metrics.Set(metric::kListRows, {}, static_cast<double>(totals->list_rows));
        for (const auto& [peer, finished] : totals->last_completed) {
          if (auto t = ParseIsoUtc(finished)) {
            metrics.Set(metric::kLastCompleted, {{"peer", peer}},
                        static_cast<double>(
                            std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch())
                                .count()));
          }
        }
      });
      admin.RequireChecks({"config", "store", "peer_listener"});
      admin.SetReady("config", true);
      admin.SetReady("store", true);
      admin.SetReady("peer_listener", false, "not listening yet");
      metrics.Set(metric::kPeers, {}, static_cast<double>(node->config.peers.size()));

      // The console first: a taken console port stops the node before it
      // serves anyone, and a node without peers yet still offers its console
      // (to add them). WebConsole stops and joins it on every way out.
      struct WebConsole {
        std::unique_ptr<console::JobRunner> jobs;
        std::unique_ptr<console::Console> web;
        std::unique_ptr<console::ConsoleHttpServer> server;
        std::thread thread;
        std::filesystem::path address_file;
        std::unique_ptr<ops::AdminHttpServer> admin;
        std::thread admin_thread;
        ~WebConsole() {
          if (admin) {
            admin->Stop();
            if (admin_thread.joinable()) admin_thread.join();
          }
          if (!server) return;
          server->Stop();
          if (thread.joinable()) thread.join();
          std::error_code ec;
          std::filesystem::remove(address_file, ec);
        }
      } web;
      ServeRuntime runtime({.dir = &*dir,
                            .events = &events,
                            .metrics = &metrics,
                            .responder_node = &*node,
                            .region_node = &*region_node});
      web.address_file = dir->root() / console::kConsoleAddressFile;
      if (console_node) {
        auto console_address = config::ParseAddress(console_listen, /*allow_any_port=*/true);
        if (!console_address) {
          return std::unexpected(WithContext(console_address.error(), "console listen address"));
        }
        web.jobs = std::make_unique<console::JobRunner>(*jobs_node);
        console::ConsoleOptions console_options;
        console_options.peers_changed = [&runtime] { runtime.RequestReload(); };
        web.web = std::make_unique<console::Console>(*console_node, *web.jobs,
                                                     std::move(console_options));
        runtime.AttachConsole(web.web.get(), web.jobs.get());
        auto server = std::make_unique<console::ConsoleHttpServer>(*web.web, &admin);
        auto bound = server->Bind(console_address->host, console_address->port);
        if (!bound) return std::unexpected(bound.error());
        web.server = std::move(server);
        const bool v6 = console_address->host.find(':') != std::string::npos;
        const std::string shown = (v6 ? "[" + console_address->host + "]" : console_address->host) +
                                  ":" + std::to_string(*bound);
        INBEELD_RETURN_IF_ERROR(WriteFileAtomically(web.address_file, shown + "\n"));
        if (!options->console_port_file.empty()) {
          INBEELD_RETURN_IF_ERROR(
              WriteFileAtomically(options->console_port_file, std::to_string(*bound) + "\n"));
        }
        web.thread = std::thread([&] {
          if (auto served = web.server->ListenAfterBind(); !served) {
            events.Write(ops::Level::kError, "console.failed", {{"error", served.error().message}});
          }
        });
        *context.out << fmt::format(
                            "console on http://{}/ (invite people with `inbeeld console "
                            "invite NAME --role operator`)\n",
                            shown)
                     << std::flush;
      }
      // The admin endpoints alone, e.g. for a node without a console.
      if (!options->admin_listen.empty()) {
        auto admin_address = config::ParseAddress(options->admin_listen, /*allow_any_port=*/true);
        if (!admin_address) {
          return std::unexpected(WithContext(admin_address.error(), "admin listen address"));
        }
        auto server = std::make_unique<ops::AdminHttpServer>(admin);
        auto bound = server->Bind(admin_address->host, admin_address->port);
        if (!bound) return std::unexpected(bound.error());
        web.admin = std::move(server);
        if (!options->admin_port_file.empty()) {
          INBEELD_RETURN_IF_ERROR(
              WriteFileAtomically(options->admin_port_file, std::to_string(*bound) + "\n"));
        }
        web.admin_thread = std::thread([&] {
          if (auto served = web.admin->ListenAfterBind(); !served) {
            events.Write(ops::Level::kError, "admin.failed", {{"error", served.error().message}});
          }
        });
        events.Write(ops::Level::kInfo, "admin.listening",
                     {{"address", admin_address->host + ":" + std::to_string(*bound)}});
      }

      auto setup = serve::PeerSetupFor(node->config);
      if (!setup) return std::unexpected(setup.error());
      if (setup->pins.empty()) {
        if (!web.server) {
          return Fail(ErrorCode::kFailedPrecondition,
                      "no peers configured: nobody could connect (see `inbeeld peer add`)");
        }
        // Only the console until partners are pinned; a reload (SIGHUP, or
        // the console adding one) that brings peers starts serving them.
        *context.out << node->config.node_name
                     << ": no peers configured yet; serving the console only (add partners, then "
                        "send SIGHUP or restart); stop with SIGTERM\n"
                     << std::flush;
        admin.SetReady("peer_listener", false, "no peers configured yet; console only");
        while (true) {
          int sig = 0;
          sigwait(&signals, &sig);
          if (sig != SIGHUP) {
            *context.out << node->config.node_name << " stopped\n" << std::flush;
            events.Write(ops::Level::kInfo, "serve.stopped", {});
            return {};
          }
          if (!runtime.ReloadConfig()) continue;  // logged; the old one stays
          setup = serve::PeerSetupFor(node->config);
          if (!setup) return std::unexpected(setup.error());
          if (!setup->pins.empty()) break;
        }
      }
      const size_t max_body = setup->max_body();
      auto seed = node->identity.SeedForStorage().RevealForCrypto();
      auto identity = net::TlsIdentity::Create(seed.first<32>(), node->config.node_name);
      if (!identity) return std::unexpected(identity.error());

      // Every session's end, refusal and witness refusal: one event line and
      // the metrics. Peer names and purposes only, never a child.
      exchange::ResponderObserver observer;
      observer.session_ended = [&](const audit::ExchangeAudit& a, std::optional<ErrorCode> code) {
        const double seconds = static_cast<double>(a.end_ms - a.start_ms) / 1000.0;
        metrics.Add(metric::kSessions,
                    {{"role", a.role}, {"peer", a.peer}, {"outcome", a.outcome}});
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
      };
      observer.witness_refused = [&](std::string_view peer, std::string_view reason) {
        metrics.Add(metric::kRefusals, {{"peer", std::string(peer)}, {"reason", "witness"}});
        events.Write(ops::Level::kWarning, "witness.refused",
                     {{"peer", std::string(peer)}, {"error", std::string(reason)}});
      };
      observer.request_refused = [&](std::string_view peer, std::string_view request,
                                     std::string_view reason) {
        metrics.Add(metric::kRefusals, {{"peer", std::string(peer)}, {"reason", "request"}});
        events.Write(ops::Level::kWarning, "request.refused",
                     {{"peer", std::string(peer)},
                      {"request", std::string(request)},
                      {"error", std::string(reason)}});
      };
      responder.SetObserver(std::move(observer));

      net::ServerOptions server_options = serve::PeerServerOptions(*setup);
      // Every request the transport refuses to a pinned peer is in the log.
      server_options.on_refused = [&](const net::TransportRefusal& refused) {
        std::shared_lock lock(runtime.config_mu());
        responder.RecordTransportRefusal(
            refused.peer,
            refused.path == "unknown" ? "unknown" : "POST " + std::string(refused.path),
            fmt::format("{} ({})", refused.reason, refused.status));
      };
      auto server = net::PeerServer::Create(*identity, std::move(setup->pins), server_options);
      if (!server) return std::unexpected(server.error());

      // A peer announcing its new key (docs/PROTOCOL.md §12). The new pin is
      // in inbeeld.toml at once; the hook reloads it into this process (from
      // the signal thread: this handler may not wait for the reload's lock).
      KeyRotationResponder rotations(*dir, *rotation_node,
                                     [&runtime](const std::string&) { runtime.RequestReload(); });
      // Regional counts (node/region/regional.h): this node as a participant.
      region::RegionParticipant participant(*region_node);
      participant.SetRefusalSink(
          [&responder](std::string_view peer, std::string_view request, std::string reason) {
            responder.RecordTransportRefusal(peer, request, reason);
          });
      // Every handler reads the configuration under config_mu (shared), so a
      // reload swaps it between requests, never during one.
      INBEELD_RETURN_IF_ERROR(serve::AddPeerRoutes(**server, {.responder = &responder,
                                                              .region = &participant,
                                                              .rotations = &rotations,
                                                              .config_mu = &runtime.config_mu()}));

      // Read by this thread from here on, while a reload may replace the rest.
      const std::string node_name = node->config.node_name;
      const size_t peer_count = node->config.peers.size();
      int port = address->port;
      if (port == 0) {
        auto bound = (*server)->BindToAnyPort(address->host);
        if (!bound) return std::unexpected(bound.error());
        port = *bound;
      } else {
        INBEELD_RETURN_IF_ERROR((*server)->Bind(address->host, port));
      }
      runtime.AttachServer(server->get(), max_body);
      *context.out << fmt::format(
                          "{} serving on {}:{} ({} peers pinned); stop with SIGTERM, "
                          "reload inbeeld.toml with SIGHUP\n",
                          node_name, address->host, port, peer_count)
                   << std::flush;
      events.Write(ops::Level::kInfo, "serve.started",
                   {{"address", address->host + ":" + std::to_string(port)},
                    {"peers", std::to_string(peer_count)}});
      admin.SetReady("peer_listener", true);
      if (!options->port_file.empty()) {
        INBEELD_RETURN_IF_ERROR(
            WriteFileAtomically(options->port_file, std::to_string(port) + "\n"));
      }

      std::mutex mu;
      std::condition_variable cv;
      bool stopping = false;
      std::thread signal_thread([&] {
        while (true) {
          int sig = 0;
          sigwait(&signals, &sig);
          if (sig == SIGHUP) {
            (void)runtime.ReloadConfig();  // logs either way; a failure keeps the old
            continue;
          }
          {
            std::lock_guard lock(mu);
            if (stopping) return;
            stopping = true;
          }
          cv.notify_all();
          (*server)->Stop();
          return;
        }
      });
      std::thread janitor([&] {
        std::unique_lock lock(mu);
        while (!cv.wait_for(lock, std::chrono::seconds(15), [&] { return stopping; })) {
          lock.unlock();
          {
            std::shared_lock config_lock(runtime.config_mu());
            responder.ExpireStale();
            participant.ExpireStale();
          }
          lock.lock();
        }
      });
      // [sync] every_days and the retention purge, checked every minute;
      // each line it reports is one event.
      ops::EventLineStream scheduler_log(events, ops::Level::kInfo, "scheduled");
      schedule::Scheduler scheduler(*scheduler_node, scheduler_log);
      std::thread scheduled([&] {
        audit::ActorScope actor({.who = "scheduler", .origin = "serve"});
        std::unique_lock lock(mu);
        do {
          lock.unlock();
          // Only this thread uses the scheduler's node: a reload's
          // configuration is taken up here, between ticks.
          if (auto fresh = runtime.TakeSchedulerConfig())
            scheduler_node->config = std::move(*fresh);
          scheduler.Tick();
          scheduler_log.flush();
          lock.lock();
        } while (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return stopping; }));
      });
      Status served = (*server)->ListenAfterBind();
      admin.SetReady("peer_listener", false, "stopping");
      // No handler runs any more: sessions still open end "the node stopped".
      responder.Shutdown();
      {
        std::lock_guard lock(mu);
        if (!stopping) {
          stopping = true;
          // Wake the signal thread so it can be joined.
          pthread_kill(signal_thread.native_handle(), SIGTERM);
        }
      }
      cv.notify_all();
      signal_thread.join();
      janitor.join();
      scheduled.join();
      *context.out << node_name << " stopped\n" << std::flush;
      events.Write(ops::Level::kInfo, "serve.stopped", {});
      return served;
    };
  });
}

}  // namespace inbeeld::node::cli
