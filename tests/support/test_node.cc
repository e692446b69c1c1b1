#include "tests/support/test_node.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "schema/csv_import.h"

namespace inbeeld::testing {

namespace fs = std::filesystem;

schema::Date TodayUtc() {
  using namespace std::chrono;
  year_month_day ymd{floor<days>(system_clock::now())};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

TestNode::TestNode(const fs::path& root, std::string name, std::string role,
                   std::optional<bool> holds_pgn, fs::path binary)
    : name_(std::move(name)), role_(std::move(role)) {
  UseBinary(std::move(binary));
  home_ = root / name_;
  pass_file_ = root / (name_ + ".pass");
  WriteFile(pass_file_, "passphrase for " + name_ + "\n");
  fs::permissions(pass_file_, fs::perms::owner_read | fs::perms::owner_write);
  std::vector<std::string> init = {"init", "--name", name_, "--organisation", "Org " + name_,
                                   "--role", role_, "--kdf-profile", "interactive", "--json"};
  if (holds_pgn) init.insert(init.end(), {"--holds-pgn", *holds_pgn ? "ja" : "nee"});
  holds_pgn_ = holds_pgn.value_or(role_ != "swv");
  RunResult r = Cli(init);
  if (r.exit_code != 0) throw std::runtime_error("init failed: " + r.err);
  fingerprint_ = nlohmann::json::parse(r.out)["fingerprint"];
}

TestNode::~TestNode() {
  if (pid_ > 0) Stop();
}

Env TestNode::env() const {
  return {{"INBEELD_HOME", home_.string()}, {"INBEELD_PASSPHRASE_FILE", pass_file_.string()}};
}

void TestNode::UseBinary(fs::path binary) {
  binary_ = binary.empty() ? fs::path(INBEELD_BINARY) : std::move(binary);
}

RunResult TestNode::Cli(const std::vector<std::string>& args) const {
  return Run(binary_.string(), args, env());
}

nlohmann::json TestNode::CliJson(const std::vector<std::string>& args) const {
  RunResult r = Cli(args);
  if (r.exit_code != 0) {
    throw std::runtime_error(name_ + ": command failed (" + std::to_string(r.exit_code) + "): " +
                             r.err);
  }
  return nlohmann::json::parse(r.out);
}

void TestNode::Import(const std::vector<schema::ListRow>& rows) {
  fs::path csv = home_.parent_path() / (name_ + ".csv");
  std::vector<schema::ListRow> exported = rows;
  if (!holds_pgn_) {
    for (auto& row : exported) row.identifier.reset();
  }
  WriteFile(csv, schema::WriteListCsv(exported, ';', true));
  RunResult r = Cli({"import", csv.string()});
  if (r.exit_code != 0) throw std::runtime_error("import failed: " + r.err);
}

void TestNode::AddActivity(const std::string& id) {
  std::string config = ReadFile(home_ / "inbeeld.toml");
  config += "\n[[activity]]\nid = \"" + id + "\"\nname = \"Test activity " + id +
            "\"\npurpose = \"Testing\"\nlegal_basis = \"AVG art. 6 lid 1 sub e\"\n"
            "controller = \"Org " + name_ + "\"\ndata_categories = [\"pseudoniem\"]\n"
            "recipients = []\nretention_days = 30\n";
  WriteFile(home_ / "inbeeld.toml", config);
}

std::string TestNode::address() const { return "127.0.0.1:" + std::to_string(port_); }

RunResult TestNode::AddPeer(const TestNode& peer, const std::vector<std::string>& extra,
                            const std::string& purpose) {
  std::vector<std::string> args = {"peer",  "add",
                                   peer.name(), "--address",
                                   peer.running() ? peer.address() : "127.0.0.1:9",
                                   "--key", peer.fingerprint(),
                                   "--role", peer.role(),
                                   "--purpose", purpose};
  args.insert(args.end(), extra.begin(), extra.end());
  return Cli(args);
}

pid_t TestNode::SpawnCli(const std::vector<std::string>& args, const fs::path& log) const {
  return Spawn(binary_.string(), args, env(), log);
}

void TestNode::Start(const std::vector<std::string>& extra) {
  fs::path port_file = home_.parent_path() / (name_ + ".port");
  fs::remove(port_file);
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--port-file",
                                   port_file.string()};
  // No console in tests; the previous release (0.1.0) has none to turn off.
  if (binary_ == fs::path(INBEELD_BINARY)) args.insert(args.end(), {"--console-listen", ""});
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = Spawn(binary_.string(), args, env(), home_.parent_path() / (name_ + ".log"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(port_file)) {
      port_ = std::stoi(ReadFile(port_file));
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error(name_ + ": serve exited early: " + ServerLog());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error(name_ + ": serve did not start");
}

int TestNode::Stop() {
  int status = StopProcess(pid_);
  pid_ = -1;
  return status;
}

void TestNode::Kill() {
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string TestNode::ServerLog() const {
  return ReadFile(home_.parent_path() / (name_ + ".log"));
}

}  // namespace inbeeld::testing
