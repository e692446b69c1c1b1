// `inbeeld demo`: the README's main job on built-in synthetic data.
//
// Two nodes — Leerplicht Haarlem and SWV VO Zuid-Kennemerland — are created in a
// temporary directory with generated, partly overlapping lists, pinned to each
// other, and started as separate `inbeeld serve` processes on loopback. The
// leerplicht list is a municipal export (BSN, official names); the SWV's is
// its own system's export (no BSN, roepnaam, its own spelling of the names),
// with decoys: twins, namesakes, a partly known birth date. The leerplicht
// node runs a match and a count against the SWV node, both sides show what
// they learned, the result is checked against the generator's ground truth
// (every shared child certain or probable with the same pair code on both
// sides, decoys at most possible), and the servers are stopped.
//
// Every step runs the real command; passphrases reach the commands through a
// 0600 file named by INBEELD_PASSPHRASE_FILE, never argv.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "crypto/bytes.h"
#include "crypto/secret_bytes.h"
#include "node/cli/commands.h"
#include "node/clock/timestamp.h"
#include "node/process/spawn.h"
#include "schema/csv_import.h"
#include "schema/synthetic.h"

extern char** environ;

namespace inbeeld::node::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPurpose = "thuiszitters-afstemming";

Result<fs::path> MakeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "inbeeld-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Fail(ErrorCode::kFailedPrecondition, "cannot create a temporary directory");
  }
  return fs::path(pattern);
}

// Asks the kernel for a free loopback port. Another process could take it
// before the server binds; for a demo on one machine that is acceptable.
Result<int> FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Fail(ErrorCode::kUnavailable, "cannot open a socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc == 0) rc = getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  if (rc != 0) return Fail(ErrorCode::kUnavailable, "cannot find a free port on 127.0.0.1");
  return static_cast<int>(ntohs(addr.sin_port));
}

struct DemoNode {
  std::string title;
  std::string peer_name;  // how the other node names this one
  std::string role;
  fs::path home;
  fs::path passphrase_file;
  int port = 0;
  pid_t server = -1;
  std::vector<schema::ListRow> rows;
};

Context NodeContext(const Context& base, const DemoNode& node, std::ostream* out) {
  Context child = base;
  child.out = out;
  fs::path home = node.home;
  fs::path pass = node.passphrase_file;
  child.env = [home, pass](const char* name) -> std::optional<std::string> {
    std::string n = name;
    if (n == "INBEELD_HOME") return home.string();
    if (n == "INBEELD_PASSPHRASE_FILE") return pass.string();
    return std::nullopt;
  };
  return child;
}

Result<pid_t> StartServer(const Context& context, const DemoNode& node, const fs::path& port_file) {
  std::vector<std::string> args = {"serve",
                                   "--listen",
                                   fmt::format("127.0.0.1:{}", node.port),
                                   "--port-file",
                                   port_file.string(),
                                   "--console-listen",
                                   ""};
  std::vector<std::string> env = {"INBEELD_HOME=" + node.home.string(),
                                  "INBEELD_PASSPHRASE_FILE=" + node.passphrase_file.string(),
                                  "PATH=/usr/bin:/bin"};
  fs::path log = node.home.parent_path() / (fs::path(node.home).filename().string() + ".log");
  process::SpawnOptions output;
  output.stdout_file = log;
  auto started = process::Spawn(context.self_path, args, env, output);
  if (!started) {
    return Fail(ErrorCode::kInternal, "cannot start `inbeeld serve`: " + started.error().message);
  }
  const pid_t pid = *started;
  // Wait until it has bound its port (it writes the port file then).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(port_file)) return pid;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      std::ifstream in(log);
      std::stringstream text;
      text << in.rdbuf();
      return Fail(ErrorCode::kInternal,
                  "`inbeeld serve` for " + node.title + " exited early:\n" + text.str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return Fail(ErrorCode::kDeadlineExceeded, "`inbeeld serve` did not start within 30 s");
}

void StopServer(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

}  // namespace

void AddDemoCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    size_t rows = 300;
    uint64_t seed = 2026;
    bool keep = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Run two nodes (leerplicht and SWV) on generated synthetic lists in a temporary directory: "
      "import, pin each other, serve on loopback, match, count, show both sides, stop.");
  cmd->add_option("--rows", options->rows,
                  "About how many children are on the leerplicht list (the SWV list is somewhat "
                  "shorter; 40% of them are on both)")
      ->check(CLI::Range(20, 10000))
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed for the synthetic data")->capture_default_str();
  cmd->add_flag("--keep", options->keep, "Keep the temporary directory afterwards");
  (void)global;
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      auto root = MakeTempDir();
      if (!root) return std::unexpected(root.error());
      std::ostream& out = *context.out;
      DemoNode lp{"Leerplicht Haarlem",
                  "leerplicht-haarlem",
                  "leerplicht",
                  *root / "leerplicht",
                  *root / "leerplicht.pass",
                  0,
                  -1,
                  {}};
      DemoNode swv{"SWV VO Zuid-Kennemerland", "swv-vo-zk", "swv", *root / "swv",
                   *root / "swv.pass",         0,           -1,    {}};
      std::vector<DemoNode*> nodes = {&lp, &swv};

      auto run = [&](DemoNode& node, const std::string& title, std::vector<std::string> args,
                     bool show = true) -> Result<std::string> {
        std::ostringstream captured;
        Context child = NodeContext(context, node, &captured);
        if (show) {
          out << "\n[" << node.title << "] $ inbeeld";
          for (const auto& a : args)
            out << " " << (a.find(' ') != std::string::npos ? "\"" + a + "\"" : a);
          out << "    # " << title << "\n";
        }
        int code = RunCli(args, child);
        if (show) out << captured.str();
        if (code != 0) {
          return Fail(ErrorCode::kInternal, fmt::format("demo step `{}` on {} failed (exit {})",
                                                        args.front(), node.title, code));
        }
        return captured.str();
      };

      Status status = [&]() -> Status {
        out << "inbeeld demo — synthetic data only, in " << root->string() << "\n";
        schema::NameMatchSpec spec;
        spec.seed = options->seed;
        spec.shared = options->rows * 2 / 5;
        spec.lp_only = options->rows / 2;
        spec.swv_only = options->rows / 4;
        spec.decoys_per_kind = 2;
        spec.today = TodayUtc(context.clock);
        const schema::NameMatchLists lists = schema::GenerateNameMatchLists(spec);
        lp.rows = lists.leerplicht;
        swv.rows = lists.swv;
        for (DemoNode* node : nodes) {
          std::string pass = crypto::HexEncode(crypto::SecretBytes::Random(16).RevealForCrypto());
          INBEELD_RETURN_IF_ERROR(WriteFileAtomically(node->passphrase_file, pass + "\n"));
          auto port = FreePort();
          if (!port) return std::unexpected(port.error());
          node->port = *port;
        }
        out << fmt::format(
            "Generated {} leerplicht rows (BSN, official names, as the municipality exports "
            "them) and {} SWV rows (no BSN; roepnaam and the SWV's own spelling), {} children "
            "on both and {} decoys (twins, namesakes, a partly known birth date).\n",
            lp.rows.size(), swv.rows.size(), lists.shared.size(), lists.decoys.size());
        // The first lines of both exports, to show how differently two systems
        // write the same children (all synthetic).
        for (const auto* file : {&lists.leerplicht_csv, &lists.swv_csv}) {
          out << (file == &lists.leerplicht_csv ? "  leerplicht export:\n" : "  SWV export:\n");
          std::istringstream lines(*file);
          std::string line;
          for (int k = 0; k < 4 && std::getline(lines, line); ++k) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (k == 0 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
            out << "    " << line << "\n";
          }
        }

        for (DemoNode* node : nodes) {
          std::vector<std::string> init = {
              "init",           "--name",     node->title,
              "--organisation", node->title,  "--role",
              node->role,       "--listen",   fmt::format("127.0.0.1:{}", node->port),
              "--kdf-profile",  "interactive"};
          auto r = run(*node,
                       node == &swv ? "create the node (an SWV holds no BSN: UAVG art. 46)"
                                    : "create the node",
                       init);
          if (!r) return std::unexpected(r.error());
          fs::path csv = *root / (node->peer_name + ".csv");
          INBEELD_RETURN_IF_ERROR(
              WriteFileAtomically(csv, node == &swv ? lists.swv_csv : lists.leerplicht_csv));
          if (auto imported = run(*node, "import its list", {"import", csv.string()}); !imported) {
            return std::unexpected(imported.error());
          }
        }
        // Exchange fingerprints out of band, as two officers would by phone.
        for (DemoNode* node : nodes) {
          DemoNode* other = node == &lp ? &swv : &lp;
          auto who = run(*other, "", {"whoami", "--json"}, /*show=*/false);
          if (!who) return std::unexpected(who.error());
          std::string key = nlohmann::json::parse(*who)["fingerprint"];
          auto added = run(*node, "pin the partner and set its policy",
                           {"peer", "add", other->peer_name, "--address",
                            fmt::format("127.0.0.1:{}", other->port), "--key", key, "--role",
                            other->role, "--purpose", kPurpose});
          if (!added) return std::unexpected(added.error());
        }
        for (DemoNode* node : nodes) {
          auto pid = StartServer(context, *node, *root / (node->peer_name + ".port"));
          if (!pid) return std::unexpected(pid.error());
          node->server = *pid;
          out << fmt::format("\n[{}] serving on 127.0.0.1:{} (pid {})\n", node->title, node->port,
                             node->server);
        }

        auto matched = run(lp, "match: which of our children does the SWV also know?",
                           {"match", swv.peer_name, "--purpose", kPurpose, "--json"},
                           /*show=*/false);
        if (!matched) return std::unexpected(matched.error());
        auto match_json = nlohmann::json::parse(*matched);
        std::string session = match_json["session"];
        if (auto shown = run(lp, "what leerplicht learned", {"results", session}); !shown) {
          return std::unexpected(shown.error());
        }
        if (auto shown =
                run(swv, "what the SWV learned from the same session", {"results", session});
            !shown) {
          return std::unexpected(shown.error());
        }
        auto counted = run(lp, "count only: how many, and nothing else",
                           {"match", swv.peer_name, "--purpose", kPurpose, "--count-only"});
        if (!counted) return std::unexpected(counted.error());

        // Check against the generator's ground truth: every shared child is
        // found as certain or probable on both sides with one pair code;
        // decoys are at most possible pairs, and nothing else pairs.
        auto swv_side = run(swv, "", {"results", session, "--json"}, /*show=*/false);
        if (!swv_side) return std::unexpected(swv_side.error());
        // Keep the parsed document alive for the loops (a temporary's member
        // would dangle in a range-for).
        const nlohmann::json swv_json = nlohmann::json::parse(*swv_side);
        std::map<std::string, std::string> lp_code, swv_code;  // strong pairs: reference -> code
        std::set<std::string> lp_possible, swv_possible;
        for (const auto& m : match_json["matches"]) {
          if (m["strength"] == "possible") {
            lp_possible.insert(m["own_reference"]);
          } else {
            lp_code[m["own_reference"]] = m["pair_code"];
          }
        }
        for (const auto& m : swv_json["matches"]) {
          if (m["strength"] == "possible") {
            swv_possible.insert(m["own_reference"]);
          } else {
            swv_code[m["own_reference"]] = m["pair_code"];
          }
        }
        bool ok = lp_code.size() == lists.shared.size() && swv_code.size() == lists.shared.size();
        for (const auto& child : lists.shared) {
          auto a = lp_code.find(child.lp_reference);
          auto b = swv_code.find(child.swv_reference);
          ok = ok && a != lp_code.end() && b != swv_code.end() && a->second == b->second;
        }
        std::set<std::string> lp_decoys, swv_decoys;
        for (const auto& decoy : lists.decoys) {
          lp_decoys.insert(decoy.lp_references.begin(), decoy.lp_references.end());
          swv_decoys.insert(decoy.swv_references.begin(), decoy.swv_references.end());
        }
        for (const auto& ref : lp_possible) ok = ok && lp_decoys.contains(ref);
        for (const auto& ref : swv_possible) ok = ok && swv_decoys.contains(ref);
        out << fmt::format(
            "\nCheck against the generated lists: {} children are on both lists; leerplicht found "
            "{}, the SWV found {} (certain or probable), each pair with the same code on both "
            "sides; decoys at most possible — {}\n",
            lists.shared.size(), lp_code.size(), swv_code.size(),
            ok ? "both sides exactly right." : "MISMATCH");
        if (!lp_possible.empty()) {
          out << fmt::format(
              "{} possible pair(s) (twins, namesakes, a partly known birth date) were shown for "
              "the officers to confirm or reject; none is counted.\n",
              lp_possible.size());
        }
        if (!ok) return Fail(ErrorCode::kInternal, "the demo's match result is wrong");
        return {};
      }();

      for (DemoNode* node : nodes) StopServer(node->server);
      out << "\nStopped both nodes.\n";
      if (!options->keep) {
        std::error_code ec;
        fs::remove_all(*root, ec);
        out << "Removed " << root->string() << "\n";
      } else {
        out << "Kept " << root->string() << " (logs: *.log)\n";
      }
      return status;
    };
  });
}

}  // namespace inbeeld::node::cli
