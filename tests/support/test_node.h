// tests/support/test_node.h — a real inbeeld node for integration tests:
// its own data directory, real CLI runs of the built binary, and a real
// `inbeeld serve` process on a loopback port the OS picks.
#ifndef INBEELD_TESTS_SUPPORT_TEST_NODE_H_
#define INBEELD_TESTS_SUPPORT_TEST_NODE_H_

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "schema/list_row.h"
#include "tests/support/subprocess.h"

namespace inbeeld::testing {

// Today's date in UTC, as the node's own clock gives it: for tests whose lists
// must lie around "now" (since dates, the three-month mark) on any day.
schema::Date TodayUtc();

class TestNode {
 public:
  // Creates (runs `inbeeld init`) a node named `name` under `root`. `holds_pgn`
  // is `init --holds-pgn`; nullopt takes the role's default (an swv holds none).
  // `binary` runs the node's commands; empty: this tree's inbeeld. Another
  // (the previous release's, tests/upgrade/) gets the older CLI's arguments.
  TestNode(const std::filesystem::path& root, std::string name, std::string role,
           std::optional<bool> holds_pgn = std::nullopt, std::filesystem::path binary = {});
  ~TestNode();  // stops the server if running

  const std::string& name() const { return name_; }
  const std::string& role() const { return role_; }
  const std::filesystem::path& home() const { return home_; }
  const std::string& fingerprint() const { return fingerprint_; }
  Env env() const;
  // From now on the node's commands run `binary` (empty: this tree's), as
  // after an upgrade. REQUIRES: the server is stopped.
  void UseBinary(std::filesystem::path binary);

  RunResult Cli(const std::vector<std::string>& args) const;
  // Starts a CLI run in the background, stdout and stderr to `log`.
  pid_t SpawnCli(const std::vector<std::string>& args, const std::filesystem::path& log) const;
  // Runs and requires exit 0; returns stdout parsed as JSON.
  nlohmann::json CliJson(const std::vector<std::string>& args) const;

  // Writes `rows` as the node's list and imports it. A node that holds no
  // PGN (an swv by default) gets them without their BSN or onderwijsnummer,
  // as its own system would export them; the caller keeps the PGNs as the
  // ground truth of the test.
  void Import(const std::vector<schema::ListRow>& rows);
  bool holds_pgn() const { return holds_pgn_; }
  // Appends an [[activity]] with this id to the config.
  void AddActivity(const std::string& id);
  // `inbeeld peer add`; address defaults to the peer's server (or a dead port).
  RunResult AddPeer(const TestNode& peer, const std::vector<std::string>& extra = {},
                    const std::string& purpose = "thuiszitters-afstemming");

  // Starts `inbeeld serve` on 127.0.0.1, port chosen by the OS, with
  // `extra` serve options appended (e.g. --admin-listen).
  void Start(const std::vector<std::string>& extra = {});
  // The serving process, or -1 (for signals other than SIGTERM).
  pid_t pid() const { return pid_; }
  // SIGTERM; returns the exit status.
  int Stop();
  void Kill();  // SIGKILL, no clean-up
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string address() const;
  std::string ServerLog() const;

 private:
  std::string name_;
  std::string role_;
  std::filesystem::path home_;
  std::filesystem::path pass_file_;
  std::string fingerprint_;
  bool holds_pgn_ = true;
  std::filesystem::path binary_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_TEST_NODE_H_
