// `inbeeld serve`: the HTTPS API peers talk to, until SIGTERM or SIGINT; SIGHUP
// reloads inbeeld.toml. The serving node itself is node/serve/server.h; this
// command unlocks the node, turns signals into Reload and Stop, and prints
// the lines a person starting it by hand reads. Events, metrics and
// /healthz, /readyz, /metrics: node/ops/, docs/OPERATIONS.md.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>

#include <mutex>
#include <ostream>
#include <thread>

#include "node/cli/commands.h"
#include "node/datadir/node_dir.h"
#include "node/ops/event_log.h"
#include "node/serve/server.h"

namespace inbeeld::node::cli {

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

      // The passphrase is read once, and wiped once every part of the
      // server has its own connection (serve::UnlockConnections).
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      if (auto meta = dir->ReadMetadata(); !meta) return std::unexpected(meta.error());
      auto passphrase = ReadPassphrase(PassphrasePurpose::kUnlock, context.env);
      if (!passphrase) return std::unexpected(passphrase.error());
      auto node = dir->Unlock(*passphrase);
      if (!node) return std::unexpected(node.error());
      INBEELD_RETURN_IF_ERROR(CloseInterruptedSessions(*node, context));
      const std::string console_listen =
          options->console_listen.value_or(node->config.console.listen);
      const std::string node_name = node->config.node_name;
      const size_t peer_count = node->config.peers.size();
      node->store.reset();
      auto connections = serve::UnlockConnections(*dir, *passphrase, !console_listen.empty());
      if (!connections) return std::unexpected(connections.error());
      *passphrase = crypto::SecretBytes();  // wipes the old bytes

      serve::ServerOptions server_options;
      server_options.listen = options->listen;
      server_options.console_listen = console_listen;
      server_options.admin_listen = options->admin_listen;
      server_options.threads = options->threads;
      server_options.session_ttl = std::chrono::seconds(options->session_ttl);
      server_options.on_listening = [&](std::string_view what, const std::string& address,
                                        int port) -> Status {
        if (what == "console") {
          if (!options->console_port_file.empty()) {
            INBEELD_RETURN_IF_ERROR(
                WriteFileAtomically(options->console_port_file, std::to_string(port) + "\n"));
          }
          *context.out << fmt::format(
                              "console on http://{}/ (invite people with `inbeeld console "
                              "invite NAME --role operator`)\n",
                              address)
                       << std::flush;
        } else if (what == "admin") {
          if (!options->admin_port_file.empty()) {
            INBEELD_RETURN_IF_ERROR(
                WriteFileAtomically(options->admin_port_file, std::to_string(port) + "\n"));
          }
        } else {
          // The peers pinned now: a node serving only its console starts
          // listening after the reload that brought the first.
          auto config = dir->ReadConfig();
          const size_t pinned = config ? config->peers.size() : peer_count;
          *context.out << fmt::format(
                              "{} serving on {} ({} peers pinned); stop with SIGTERM, "
                              "reload inbeeld.toml with SIGHUP\n",
                              node_name, address, pinned)
                       << std::flush;
          if (!options->port_file.empty()) {
            INBEELD_RETURN_IF_ERROR(
                WriteFileAtomically(options->port_file, std::to_string(port) + "\n"));
          }
        }
        return {};
      };
      auto server =
          serve::Server::Create(*dir, std::move(*connections), std::move(server_options), events);
      if (!server) return std::unexpected(server.error());
      INBEELD_RETURN_IF_ERROR((*server)->Start());
      if (!(*server)->serving_peers()) {
        // Only the console until partners are pinned; a reload (SIGHUP, or
        // the console adding one) that brings peers starts serving them.
        *context.out << node_name
                     << ": no peers configured yet; serving the console only (add partners, then "
                        "send SIGHUP or restart); stop with SIGTERM\n"
                     << std::flush;
      }

      std::mutex mu;
      bool stopping = false;
      std::thread signal_thread([&] {
        while (true) {
          int sig = 0;
          sigwait(&signals, &sig);
          if (sig == SIGHUP) {
            (void)(*server)->Reload();  // logs either way; a failure keeps the old
            continue;
          }
          {
            std::lock_guard lock(mu);
            if (stopping) return;
            stopping = true;
          }
          (*server)->Stop();
          return;
        }
      });
      Status served = (*server)->Wait();
      {
        std::lock_guard lock(mu);
        if (!stopping) {
          stopping = true;
          // Wake the signal thread so it can be joined.
          pthread_kill(signal_thread.native_handle(), SIGTERM);
        }
      }
      signal_thread.join();
      *context.out << node_name << " stopped\n" << std::flush;
      return served;
    };
  });
}

}  // namespace inbeeld::node::cli
