// `inbeeld serve`: the HTTPS API peers talk to, until SIGTERM or SIGINT.
#include <signal.h>

#include <condition_variable>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <thread>

#include "node/audit/actor.h"
#include "node/cli/commands.h"
#include "node/console/console.h"
#include "node/console/http_server.h"
#include "node/console/invitation_link.h"
#include "node/console/jobs.h"
#include "node/exchange/policy.h"
#include "node/exchange/initiator.h"
#include "node/exchange/responder.h"
#include "node/key_rotation.h"
#include "schema/key_rotation.h"
#include "node/net/server.h"
#include "node/region/regional.h"
#include "node/region/scheduler.h"

namespace inbeeld::node::cli {
namespace {

// The responder's "busy" (kUnavailable) goes out as a 429 with Retry-After.
constexpr std::chrono::seconds kBusyRetryAfter{5};

net::PeerHandler Handler(
    std::function<Result<std::string>(std::string_view, std::string_view)> handle,
    std::string content_type = "application/octet-stream") {
  return [handle = std::move(handle), content_type](const net::PeerRequest& request)
             -> Result<net::Reply> {
    auto body = handle(request.peer, request.body);
    if (!body && body.error().code == ErrorCode::kUnavailable) {
      return net::BusyReply(body.error().message, kBusyRetryAfter);
    }
    if (!body) return net::ErrorReply(body.error());
    return net::Reply{200, content_type, std::move(*body)};
  };
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
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve peers over HTTPS with mutual TLS 1.3 until SIGTERM or SIGINT. Only peers pinned in "
      "inbeeld.toml complete the handshake.");
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
  cmd->add_option("--session-ttl", options->session_ttl,
                  "Seconds a peer may take between the two halves of a session")
      ->capture_default_str();
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      // Block the stop signals in every thread; one thread waits for them.
      sigset_t stop_signals;
      sigemptyset(&stop_signals);
      sigaddset(&stop_signals, SIGTERM);
      sigaddset(&stop_signals, SIGINT);
      pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
      signal(SIGPIPE, SIG_IGN);

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
      // Peers' key rotations (node/key_rotation.h) on a connection of their own.
      auto rotation_node = dir->Unlock(*passphrase);
      if (!rotation_node) return std::unexpected(rotation_node.error());
      *passphrase = crypto::SecretBytes();  // wipes the old bytes
      std::string listen = options->listen.empty() ? node->config.listen_address : options->listen;
      auto address = config::ParseAddress(listen, /*allow_any_port=*/true);
      if (!address) return std::unexpected(WithContext(address.error(), "listen address"));

      // The console first: a taken console port stops the node before it
      // serves anyone, and a node without peers yet still offers its console
      // (to add them). WebConsole stops and joins it on every way out.
      struct WebConsole {
        std::unique_ptr<console::JobRunner> jobs;
        std::unique_ptr<console::Console> web;
        std::unique_ptr<console::ConsoleHttpServer> server;
        std::thread thread;
        std::filesystem::path address_file;
        ~WebConsole() {
          if (!server) return;
          server->Stop();
          if (thread.joinable()) thread.join();
          std::error_code ec;
          std::filesystem::remove(address_file, ec);
        }
      } web;
      web.address_file = dir->root() / console::kConsoleAddressFile;
      if (console_node) {
        auto console_address = config::ParseAddress(console_listen, /*allow_any_port=*/true);
        if (!console_address) {
          return std::unexpected(WithContext(console_address.error(), "console listen address"));
        }
        web.jobs = std::make_unique<console::JobRunner>(*jobs_node);
        web.web = std::make_unique<console::Console>(*console_node, *web.jobs, console::ConsoleOptions{});
        auto server = std::make_unique<console::ConsoleHttpServer>(*web.web);
        auto bound = server->Bind(console_address->host, console_address->port);
        if (!bound) return std::unexpected(bound.error());
        web.server = std::move(server);
        const bool v6 = console_address->host.find(':') != std::string::npos;
        const std::string shown =
            (v6 ? "[" + console_address->host + "]" : console_address->host) + ":" + std::to_string(*bound);
        INBEELD_RETURN_IF_ERROR(WriteFileAtomically(web.address_file, shown + "\n"));
        if (!options->console_port_file.empty()) {
          INBEELD_RETURN_IF_ERROR(
              WriteFileAtomically(options->console_port_file, std::to_string(*bound) + "\n"));
        }
        web.thread = std::thread([&] {
          if (auto served = web.server->ListenAfterBind(); !served) {
            *context.err << "inbeeld: " << served.error().message << "\n";
          }
        });
        *context.out << fmt::format("console on http://{}/ (invite people with `inbeeld console "
                                    "invite NAME --role operator`)\n",
                                    shown)
                     << std::flush;
      }

      net::PinSet pins;
      // The largest request a peer may send: PSI message 1 (a group of k
      // 32-byte points a record, k from the key types allowed with it) or a
      // regional hop (up to kMaxRegionNodes - 1 sets of k hex-encoded points
      // and a category digit a child). Anything bigger is refused before
      // parsing.
      size_t psi_start = 1, psi_finish = 1, region_hop = 1;
      for (const auto& peer : node->config.peers) {
        auto key = crypto::VerifyingKey::FromFingerprint(peer.key);
        if (!key) return std::unexpected(WithContext(key.error(), "peer " + peer.name));
        INBEELD_RETURN_IF_ERROR(pins.Add(peer.name, key->bytes()));
        const size_t k =
            schema::wire::SlotCount(exchange::AllowedKeyMask(node->config, peer));
        const size_t n = peer.policy.max_list_size;
        psi_start = std::max(psi_start, (schema::wire::kPointSize * k + 1) * n);
        // D, and labels for at most one record a record (up to 16 bytes each).
        psi_finish = std::max(psi_finish, (schema::wire::kTagSize * k + 24) * n);
        region_hop = std::max(region_hop, (2 * schema::wire::kPointSize * k + 1) *
                                              (region::kMaxRegionNodes - 1) * n);
      }
      const size_t max_body = std::max({psi_start, psi_finish, region_hop});
      if (pins.empty()) {
        if (!web.server) {
          return Fail(ErrorCode::kFailedPrecondition,
                      "no peers configured: nobody could connect (see `inbeeld peer add`)");
        }
        // Only the console until partners are pinned (restart after adding).
        *context.out << node->config.node_name
                     << ": no peers configured yet; serving the console only (add partners, then "
                        "restart); stop with SIGTERM\n"
                     << std::flush;
        int sig = 0;
        sigwait(&stop_signals, &sig);
        *context.out << node->config.node_name << " stopped\n" << std::flush;
        return {};
      }
      auto seed = node->identity.SeedForStorage().RevealForCrypto();
      auto identity = net::TlsIdentity::Create(seed.first<32>(), node->config.node_name);
      if (!identity) return std::unexpected(identity.error());
      exchange::ResponderOptions responder_options;
      responder_options.threads = options->threads;
      responder_options.session_ttl = std::chrono::seconds(options->session_ttl);
      responder_options.busy_retry_after = kBusyRetryAfter;
      exchange::Responder responder(*node, responder_options);

      net::ServerOptions server_options;
      // Every request the transport refuses to a pinned peer is in the log.
      server_options.on_refused = [&responder](const net::TransportRefusal& refused) {
        responder.RecordTransportRefusal(
            refused.peer, refused.path == "unknown" ? "unknown" : "POST " + std::string(refused.path),
            fmt::format("{} ({})", refused.reason, refused.status));
      };
      server_options.max_body_bytes = max_body + (1 << 20);
      // Each route its own limit, so a pinned peer cannot send a regional
      // hop's worth of JSON to an endpoint that takes a few kilobytes.
      server_options.max_body_bytes_by_path = {
          {"/v1/psi/start", psi_start + (1 << 16)},
          {"/v1/psi/finish", psi_finish + (1 << 16)},
          {"/v1/region/hop", region_hop + (1 << 20)},
          {"/v1/region/result", 1 << 16},
          {"/v1/audit/witness", 1 << 20},
          {"/v1/audit/cosign", 1 << 16},
          {"/v1/key/rotate", schema::kMaxKeyRotationSize},
      };
      // A whole request may take as long as its largest body needs at 2 MB/s.
      server_options.request_timeout = std::chrono::seconds(
          std::max<size_t>(60, server_options.max_body_bytes / (size_t{2} << 20)));
      server_options.read_timeout = std::chrono::seconds(60);
      server_options.write_timeout = std::chrono::seconds(60);
      auto server = net::PeerServer::Create(*identity, std::move(pins), server_options);
      if (!server) return std::unexpected(server.error());

      // Reachability (the console's "bereikbaar?"): answers a pinned peer
      // after the handshake; carries no data, so it is not an exchange.
      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/ping", [](const net::PeerRequest&) -> Result<net::Reply> {
            return net::Reply{200, "application/json", "{}"};
          }));
      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/psi/start", Handler([&](std::string_view peer, std::string_view body) {
            return responder.HandleStart(peer, body);
          })));
      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/psi/finish", Handler([&](std::string_view peer, std::string_view body) {
            return responder.HandleFinish(peer, body);
          })));

      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/audit/witness", Handler([&](std::string_view peer, std::string_view body) {
            return responder.HandleWitness(peer, body);
          }, "application/json")));
      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/audit/cosign", Handler([&](std::string_view peer, std::string_view body) {
            return responder.HandleCosign(peer, body);
          }, "application/json")));

      // A peer announcing its new key (docs/PROTOCOL.md §12). The new pin is
      // in inbeeld.toml at once; this process's pin set follows on reload
      // (the hook) or restart.
      KeyRotationResponder rotations(*dir, *rotation_node, /*repinned=*/{});
      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/key/rotate", Handler([&](std::string_view peer, std::string_view body) {
            return rotations.Handle(peer, body);
          }, "application/json")));

      // Regional counts (node/region/regional.h): this node as a participant.
      region::RegionParticipant participant(*region_node);
      participant.SetRefusalSink(
          [&responder](std::string_view peer, std::string_view request, std::string reason) {
            responder.RecordTransportRefusal(peer, request, reason);
          });
      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/region/hop", Handler([&](std::string_view peer, std::string_view body) {
            return participant.HandleHop(peer, body);
          }, "application/json")));
      INBEELD_RETURN_IF_ERROR((*server)->Post(
          "/v1/region/result", Handler([&](std::string_view peer, std::string_view body) {
            return participant.HandleResult(peer, body);
          }, "application/json")));

      int port = address->port;
      if (port == 0) {
        auto bound = (*server)->BindToAnyPort(address->host);
        if (!bound) return std::unexpected(bound.error());
        port = *bound;
      } else {
        INBEELD_RETURN_IF_ERROR((*server)->Bind(address->host, port));
      }
      *context.out << fmt::format("{} serving on {}:{} ({} peers pinned); stop with SIGTERM\n",
                                  node->config.node_name, address->host, port,
                                  node->config.peers.size())
                   << std::flush;
      if (!options->port_file.empty()) {
        INBEELD_RETURN_IF_ERROR(WriteFileAtomically(options->port_file, std::to_string(port) + "\n"));
      }

      std::mutex mu;
      std::condition_variable cv;
      bool stopping = false;
      std::thread signal_thread([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        {
          std::lock_guard lock(mu);
          if (stopping) return;
          stopping = true;
        }
        cv.notify_all();
        (*server)->Stop();
      });
      std::thread janitor([&] {
        std::unique_lock lock(mu);
        while (!cv.wait_for(lock, std::chrono::seconds(15), [&] { return stopping; })) {
          lock.unlock();
          responder.ExpireStale();
          participant.ExpireStale();
          lock.lock();
        }
      });
      // [sync] every_days and the retention purge, checked every minute.
      region::Scheduler scheduler(*scheduler_node, *context.out);
      std::thread scheduled([&] {
        audit::ActorScope actor({.who = "scheduler", .origin = "serve"});
        std::unique_lock lock(mu);
        do {
          lock.unlock();
          scheduler.Tick();
          lock.lock();
        } while (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return stopping; }));
      });
      Status served = (*server)->ListenAfterBind();
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
      *context.out << node->config.node_name << " stopped\n" << std::flush;
      return served;
    };
  });
}

}  // namespace inbeeld::node::cli
