// A real `inbeeld serve` operated as an operator would: SIGHUP after `peer
// add` and after a broken inbeeld.toml, a busy port, /metrics, /healthz and
// /readyz on the admin listener, the event lines on stderr, and the exit
// codes of `match` that the README's table promises. Real processes, real
// mutual TLS on loopback, ports the OS picks.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

namespace fs = std::filesystem;
using testing::RunResult;
using testing::TempDir;
using testing::TestNode;

const schema::Date kToday = testing::TodayUtc();
constexpr const char* kPurpose = "thuiszitters-afstemming";

// Waits (up to 30 s of real time: the process sees real time) until the
// node's server log holds `text`.
bool LogShows(const TestNode& node, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (node.ServerLog().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class OpsServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lp_ = std::make_unique<TestNode>(tmp_.path(), "leerplicht-haarlem", "leerplicht");
    swv_ = std::make_unique<TestNode>(tmp_.path(), "swv-vo-zk", "swv");
    school_ = std::make_unique<TestNode>(tmp_.path(), "school-a", "school");
    schema::RegionSpec spec;
    spec.seed = 11;
    spec.partners = {{"Leerplicht Haarlem", 120}, {"SWV VO Zuid-Kennemerland", 90},
                     {"School A", 30}};
    spec.overlap = 0.5;
    spec.today = kToday;
    lists_ = schema::GenerateRegion(spec);
    lp_->Import(lists_[0]);
    swv_->Import(lists_[1]);
    school_->Import(lists_[2]);
  }

  // The SWV serves leerplicht, with the admin listener on a port of its own.
  void Serve() {
    ASSERT_EQ(swv_->AddPeer(*lp_).exit_code, 0);
    admin_port_file_ = tmp_.path() / "swv.admin-port";
    swv_->Start({"--admin-listen", "127.0.0.1:0", "--admin-port-file", admin_port_file_.string()});
    ASSERT_EQ(lp_->AddPeer(*swv_).exit_code, 0);
  }

  int AdminPort() const { return std::stoi(testing::ReadFile(admin_port_file_)); }

  httplib::Result Get(const std::string& path, const std::string& host = "") {
    httplib::Client client("127.0.0.1", AdminPort());
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    httplib::Headers headers;
    if (!host.empty()) headers.emplace("Host", host);
    return client.Get(path.c_str(), headers);
  }

  RunResult Match(const TestNode& from, const std::string& peer,
                  const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"match", peer, "--purpose", kPurpose};
    args.insert(args.end(), extra.begin(), extra.end());
    return from.Cli(args);
  }

  // Exchange records (opened, refused, failed, completed) in the node's log.
  size_t ExchangeRecords(const TestNode& node) {
    size_t n = 0;
    for (const auto& record : node.CliJson({"audit", "show", "--json"})) {
      n += record.value("name", "").starts_with("inbeeld.exchange.") ? 1 : 0;
    }
    return n;
  }

  TempDir tmp_;
  std::unique_ptr<TestNode> lp_, swv_, school_;
  std::vector<std::vector<schema::ListRow>> lists_;
  fs::path admin_port_file_;
};

TEST_F(OpsServeTest, PeerAddedWhileServingCanMatchAfterSighup) {
  Serve();
  ASSERT_EQ(school_->AddPeer(*swv_).exit_code, 0);
  // Not pinned at the SWV yet: refused in the handshake.
  RunResult before = Match(*school_, "swv-vo-zk");
  EXPECT_EQ(before.exit_code, 4) << before.err;

  ASSERT_EQ(swv_->AddPeer(*school_).exit_code, 0);
  ASSERT_EQ(kill(swv_->pid(), SIGHUP), 0);
  ASSERT_TRUE(LogShows(*swv_, "config reloaded: 2 peers (+1, -0)")) << swv_->ServerLog();
  EXPECT_NE(swv_->ServerLog().find("added=school-a"), std::string::npos) << swv_->ServerLog();

  RunResult after = Match(*school_, "swv-vo-zk");
  EXPECT_EQ(after.exit_code, 0) << after.err;
  // The peer it already had is still served, by the same process.
  EXPECT_EQ(Match(*lp_, "swv-vo-zk").exit_code, 0);
  EXPECT_TRUE(swv_->running());
  EXPECT_NE(Get("/metrics")->body.find("inbeeld_config_reloads_total{result=\"ok\"} 1"),
            std::string::npos);
}

TEST_F(OpsServeTest, BrokenConfigOnSighupKeepsTheOldOneAndSaysWhy) {
  Serve();
  const fs::path config = swv_->home() / "inbeeld.toml";
  const std::string good = testing::ReadFile(config);
  testing::WriteFile(config, good + "\n[[peer]\nname = \n");
  ASSERT_EQ(kill(swv_->pid(), SIGHUP), 0);
  ASSERT_TRUE(LogShows(*swv_, "event=config.reload_failed")) << swv_->ServerLog();
  const std::string log = swv_->ServerLog();
  EXPECT_NE(log.find("level=error"), std::string::npos) << log;
  EXPECT_NE(log.find("inbeeld.toml"), std::string::npos) << "the error names the file: " << log;
  EXPECT_NE(log.find("still serving 1 peers with the old one"), std::string::npos) << log;

  RunResult r = Match(*lp_, "swv-vo-zk");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(swv_->running());
  EXPECT_NE(Get("/metrics")->body.find("inbeeld_config_reloads_total{result=\"failed\"} 1"),
            std::string::npos);
  testing::WriteFile(config, good);
}

TEST_F(OpsServeTest, BusyPortGetsItsOwnMessageAndExitCode) {
  Serve();
  RunResult second = swv_->Cli(
      {"serve", "--listen", swv_->address(), "--console-listen", ""});
  EXPECT_EQ(second.exit_code, 11) << second.err;
  EXPECT_NE(second.err.find("port " + std::to_string(swv_->port()) +
                            " is already in use (another inbeeld serve?)"),
            std::string::npos)
      << second.err;
  // The admin listener's port likewise.
  RunResult admin = swv_->Cli({"serve", "--listen", "127.0.0.1:0", "--console-listen", "",
                               "--admin-listen", "127.0.0.1:" + std::to_string(AdminPort())});
  EXPECT_EQ(admin.exit_code, 11) << admin.err;
  EXPECT_TRUE(swv_->running());
  EXPECT_EQ(Match(*lp_, "swv-vo-zk").exit_code, 0);
}

TEST_F(OpsServeTest, MetricsAndLogCountSessionsByPeerAndOutcomeAndNameNoChild) {
  Serve();
  ASSERT_EQ(Match(*lp_, "swv-vo-zk").exit_code, 0);
  ASSERT_EQ(Match(*lp_, "swv-vo-zk", {"--count-only"}).exit_code, 0);

  auto health = Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  auto ready = Get("/readyz");
  EXPECT_EQ(ready->status, 200) << ready->body;

  auto metrics = Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& body = metrics->body;
  EXPECT_NE(body.find("inbeeld_sessions_total{outcome=\"completed\",peer=\"leerplicht-haarlem\","
                      "role=\"responder\"} 2"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("inbeeld_session_duration_seconds_count{peer=\"leerplicht-haarlem\","
                      "role=\"responder\"} 2"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("inbeeld_list_rows 90\n"), std::string::npos) << body;
  EXPECT_NE(body.find("inbeeld_peers 1\n"), std::string::npos) << body;
  EXPECT_NE(body.find("inbeeld_last_completed_session_timestamp_seconds{peer=\"leerplicht-haarlem\"}"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("# TYPE inbeeld_audit_log_records gauge\ninbeeld_audit_log_records "),
            std::string::npos)
      << body;

  // One line per session on the server's stderr, with peer, purpose, mode,
  // sizes and duration.
  ASSERT_TRUE(LogShows(*swv_, "mode=count outcome=completed")) << swv_->ServerLog();
  const std::string log = swv_->ServerLog();
  EXPECT_NE(log.find("level=info event=session role=responder peer=leerplicht-haarlem "
                     "purpose=thuiszitters-afstemming mode=match outcome=completed"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(" received=120 "), std::string::npos) << log;
  EXPECT_NE(log.find(" duration_ms="), std::string::npos) << log;

  // Neither names a child: no identifier, reference or surname of either list.
  for (const auto& list : lists_) {
    for (const auto& row : list) {
      if (row.identifier) {
        EXPECT_EQ(body.find(row.identifier->digits()), std::string::npos);
        EXPECT_EQ(log.find(row.identifier->digits()), std::string::npos);
      }
      EXPECT_EQ(body.find(row.own_reference), std::string::npos) << row.own_reference;
      EXPECT_EQ(log.find(row.own_reference), std::string::npos) << row.own_reference;
      if (row.name.surname && row.name.surname->size() >= 5) {
        EXPECT_EQ(body.find(*row.name.surname), std::string::npos) << *row.name.surname;
        EXPECT_EQ(log.find(*row.name.surname), std::string::npos) << *row.name.surname;
      }
    }
  }

  // Another name for 127.0.0.1 (DNS rebinding) is refused; so is a body.
  auto rebound = Get("/metrics", "attacker.example:" + std::to_string(AdminPort()));
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 421);
  EXPECT_TRUE(rebound->body.find("inbeeld_") == std::string::npos);
}

TEST_F(OpsServeTest, WitnessRefusalIsLoggedAndCounted) {
  Serve();
  ASSERT_EQ(Match(*lp_, "swv-vo-zk").exit_code, 0);
  // Leerplicht restores an old copy of its store: the SWV refuses its log.
  const fs::path backup = tmp_.path() / "lp-backup";
  fs::copy(lp_->home(), backup, fs::copy_options::recursive);
  ASSERT_EQ(Match(*lp_, "swv-vo-zk").exit_code, 0);
  fs::remove_all(lp_->home());
  fs::copy(backup, lp_->home(), fs::copy_options::recursive);
  RunResult r = Match(*lp_, "swv-vo-zk");
  // Refused by policy (5), not an authentication failure ("wrong passphrase", 4).
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
  ASSERT_TRUE(LogShows(*swv_, "event=witness.refused peer=leerplicht-haarlem")) << swv_->ServerLog();
  EXPECT_NE(Get("/metrics")->body.find(
                "inbeeld_refusals_total{peer=\"leerplicht-haarlem\",reason=\"witness\"} 1"),
            std::string::npos);
}

TEST_F(OpsServeTest, UnwritableCsvPathIsRefusedBeforeAnythingIsExchanged) {
  Serve();
  const size_t lp_records = ExchangeRecords(*lp_);
  const size_t swv_records = ExchangeRecords(*swv_);
  const fs::path missing = tmp_.path() / "no-such-folder" / "afstemming.csv";
  RunResult r = Match(*lp_, "swv-vo-zk", {"--csv", missing.string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was exchanged"), std::string::npos) << r.err;
  // A folder where the file should go.
  RunResult folder = Match(*lp_, "swv-vo-zk", {"--csv", tmp_.path().string()});
  EXPECT_EQ(folder.exit_code, 3) << folder.err;
  EXPECT_NE(folder.err.find("is a folder"), std::string::npos) << folder.err;

  // No session on either side, no audit record, the partner's quota untouched.
  EXPECT_TRUE(lp_->CliJson({"results", "--json"}).empty());
  EXPECT_TRUE(swv_->CliJson({"results", "--json"}).empty());
  EXPECT_EQ(ExchangeRecords(*lp_), lp_records);
  EXPECT_EQ(ExchangeRecords(*swv_), swv_records);
  EXPECT_EQ(Get("/metrics")->body.find("inbeeld_sessions_total{"), std::string::npos);
  // With a writable path the same match runs and writes it.
  const fs::path ok = tmp_.path() / "afstemming.csv";
  RunResult written = Match(*lp_, "swv-vo-zk", {"--csv", ok.string()});
  EXPECT_EQ(written.exit_code, 0) << written.err;
  EXPECT_TRUE(fs::exists(ok));
}

}  // namespace
}  // namespace inbeeld
