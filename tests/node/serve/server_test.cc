// The serving node as one object (node/serve/server.h), in this process over
// loopback: what `inbeeld serve` runs, without the signals. Each node is a
// LocalNode in its own temporary directory; the partners a Server serves are
// written to that node's inbeeld.toml, as `inbeeld peer add` does, and the
// other side reaches it with the real client code (exchange::RunMatch,
// region::RunRegionalCount) over mutual TLS.
#include "node/serve/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "node/audit/exchange_records.h"
#include "node/console/invitation_link.h"
#include "node/exchange/initiator.h"
#include "node/exchange/results_store.h"
#include "node/ops/event_log.h"
#include "node/region/regional.h"
#include "schema/synthetic.h"
#include "tests/support/local_node.h"
#include "tests/support/partner_config.h"

namespace inbeeld::node::serve {
namespace {

using testing::LocalNode;
using testing::PartnerConfig;

constexpr char kPurpose[] = "thuiszitters-afstemming";
constexpr schema::Date kListDate{2026, 11, 2};
constexpr size_t kShared = 12;

crypto::SecretBytes PassphraseOf(const std::string& name) {
  const std::string text = "passphrase for " + name;  // as LocalNode makes it
  return crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::unique_ptr<LocalNode> MakeNode(const std::string& name,
                                    const std::vector<schema::ListRow>& list) {
  auto node = LocalNode::CreateWithList(name, config::Role::kLeerplicht, list);
  EXPECT_TRUE(node.has_value()) << node.error().message;
  return node ? std::move(*node) : nullptr;
}

// A LocalNode served by a Server, its events in a string.
class Served {
 public:
  explicit Served(LocalNode& local) : local_(local), dir_(local.dir() / "node", local.clock()) {}
  ~Served() {
    if (server_) server_->Stop();
  }

  const NodeDir& dir() const { return dir_; }

  // Writes `peer` into inbeeld.toml, as `inbeeld peer add` does.
  void Pin(config::PeerConfig peer) {
    auto added = dir_.AddPeer(std::move(peer));
    ASSERT_TRUE(added.has_value()) << added.error().message;
  }

  Result<std::unique_ptr<Server>> Create(ServerOptions options) {
    if (options.listen.empty()) options.listen = "127.0.0.1:0";
    options.threads = 1;
    options.on_listening = [this](std::string_view what, const std::string&, int port) -> Status {
      std::lock_guard lock(mu_);
      listening_.push_back(std::string(what) + ":" + std::to_string(port));
      return {};
    };
    auto connections = UnlockConnections(dir_, PassphraseOf(local_.node().config.node_name),
                                         !options.console_listen.empty());
    if (!connections) return std::unexpected(connections.error());
    return Server::Create(dir_, std::move(*connections), std::move(options), events_);
  }

  // Creates and starts the Server, kept here.
  Server& Start(ServerOptions options = {}) {
    auto server = Create(std::move(options));
    EXPECT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    Status started = server_->Start();
    EXPECT_TRUE(started.has_value()) << started.error().message;
    return *server_;
  }

  Server& server() { return *server_; }
  std::vector<std::string> listening() {
    std::lock_guard lock(mu_);
    return listening_;
  }
  // The event lines so far. Stops the server first (if one is kept here), so
  // no thread writes meanwhile.
  std::string events() {
    if (server_) server_->Stop();
    return log_.str();
  }

 private:
  LocalNode& local_;
  NodeDir dir_;
  std::ostringstream log_;
  ops::EventLog events_{log_, local_.clock(), ops::EventLog::Style::kTimestamped};
  std::mutex mu_;
  std::vector<std::string> listening_;  // GUARDED_BY(mu_)
  std::unique_ptr<Server> server_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A's 30 children and B's 20: the first kShared of A's are B's too.
    auto list_a = schema::GenerateList(7, 30, kListDate);
    auto list_b = schema::GenerateList(8, 20 - kShared, kListDate);
    list_b.insert(list_b.begin(), list_a.begin(), list_a.begin() + kShared);
    a_ = MakeNode("leerplicht-a", list_a);
    b_ = MakeNode("leerplicht-b", list_b);
    ASSERT_TRUE(a_ && b_);
    served_b_ = std::make_unique<Served>(*b_);
  }

  // B pins A in its inbeeld.toml.
  void PinAOnB() { served_b_->Pin(PartnerConfig(b_->node(), a_->node(), "127.0.0.1:9")); }

  // A, with B at `port` in its configuration, matches with B.
  Result<exchange::MatchReport> MatchAWithB(int port) {
    auto& peers = a_->node().config.peers;
    std::erase_if(peers, [](const config::PeerConfig& p) { return p.name == "leerplicht-b"; });
    peers.push_back(PartnerConfig(a_->node(), b_->node(), "127.0.0.1:" + std::to_string(port)));
    exchange::MatchRequest request;
    request.peer = "leerplicht-b";
    request.purpose = kPurpose;
    request.threads = 1;
    return exchange::RunMatch(a_->node(), request);
  }

  std::unique_ptr<LocalNode> a_, b_;
  std::unique_ptr<Served> served_b_;
};

TEST_F(ServerTest, ServesAMatchAndCountsItInTheMetrics) {
  PinAOnB();
  Server& server = served_b_->Start();
  ASSERT_TRUE(server.serving_peers());
  EXPECT_EQ(server.console_port(), 0) << "no console was asked for";

  auto report = MatchAWithB(server.peer_port());
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->outcome.overlap, kShared);

  const std::string metrics = server.metrics().Render();
  EXPECT_NE(metrics.find("inbeeld_sessions_total{outcome=\"completed\",peer=\"leerplicht-a\","
                         "role=\"responder\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("inbeeld_peers 1"), std::string::npos) << metrics;
  EXPECT_NE(served_b_->events().find("event=serve.started"), std::string::npos);
  EXPECT_EQ(served_b_->listening(),
            std::vector<std::string>{"peers:" + std::to_string(server.peer_port())});
}

// RunMatch tells the caller each outcome it put on record, once: what serve
// counts for the sessions its console and scheduler start.
TEST_F(ServerTest, TheInitiatorIsToldEachRecordedOutcomeOnce) {
  PinAOnB();
  Server& server = served_b_->Start();
  std::vector<std::string> told;
  auto& peers = a_->node().config.peers;
  peers.push_back(PartnerConfig(a_->node(), b_->node(),
                                "127.0.0.1:" + std::to_string(server.peer_port())));
  exchange::MatchRequest request;
  request.peer = "leerplicht-b";
  request.purpose = kPurpose;
  request.threads = 1;
  request.session_ended = [&](const audit::ExchangeAudit& a, std::optional<ErrorCode> code) {
    told.push_back(a.role + " " + a.peer + " " + a.outcome + " " +
                   (code ? std::string(ErrorCodeName(*code)) : "-"));
  };
  ASSERT_TRUE(exchange::RunMatch(a_->node(), request));
  // Refused by A's own policy: recorded, and told.
  exchange::MatchRequest refused = request;
  refused.mode = schema::wire::Mode::kCount;
  peers.back().policy.allowed_purposes = {"een-ander-doel"};
  EXPECT_FALSE(exchange::RunMatch(a_->node(), refused));
  // No such peer: nothing recorded, nothing told.
  exchange::MatchRequest unknown = request;
  unknown.peer = "niet-geconfigureerd";
  EXPECT_FALSE(exchange::RunMatch(a_->node(), unknown));
  EXPECT_EQ(told, (std::vector<std::string>{"initiator leerplicht-b completed -",
                                            "initiator leerplicht-b refused permission_denied"}));
}

// A session the scheduler starts is counted and written as a served one is
// (role initiator): the operator's /metrics and event log show both sides.
TEST_F(ServerTest, ASessionTheSchedulerStartsIsCountedLikeAServedOne) {
  Served served_a(*a_);
  served_a.Pin(PartnerConfig(a_->node(), b_->node(), "127.0.0.1:9"));
  Server& server_a = served_a.Start();
  served_b_->Pin(PartnerConfig(b_->node(), a_->node(),
                               "127.0.0.1:" + std::to_string(server_a.peer_port())));
  {
    std::ofstream config(served_b_->dir().ConfigPath(), std::ios::app);
    config << "\n[sync]\npurpose = \"" << kPurpose << "\"\nevery_days = 1\n";
  }
  Server& server_b = served_b_->Start();
  const std::string counted =
      "inbeeld_sessions_total{outcome=\"completed\",peer=\"leerplicht-a\",role=\"initiator\"} 1";
  std::string metrics;
  for (int i = 0; i < 600 && metrics.find(counted) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    metrics = server_b.metrics().Render();
  }
  EXPECT_NE(metrics.find(counted), std::string::npos) << metrics;
  EXPECT_NE(server_a.metrics().Render().find("inbeeld_sessions_total{outcome=\"completed\","
                                             "peer=\"leerplicht-b\",role=\"responder\"} 1"),
            std::string::npos);
  EXPECT_NE(served_b_->events().find("event=session role=initiator peer=leerplicht-a purpose=" +
                                     std::string(kPurpose) + " mode=match outcome=completed"),
            std::string::npos)
      << served_b_->events();
}

TEST_F(ServerTest, WithNoPeerAndNoConsoleItRefusesToStart) {
  auto server = served_b_->Create({});
  ASSERT_TRUE(server.has_value()) << server.error().message;
  Status started = (*server)->Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(started.error().message,
            "no peers configured: nobody could connect (see `inbeeld peer add`)");
  EXPECT_FALSE((*server)->serving_peers());
  EXPECT_EQ(served_b_->events().find("serve.stopped"), std::string::npos)
      << "a server that never served does not say it stopped";
}

TEST_F(ServerTest, AConsoleOnlyNodeServesPeersOnceAReloadBringsTheFirst) {
  ServerOptions options;
  options.console_listen = "127.0.0.1:0";
  Server& server = served_b_->Start(options);
  EXPECT_FALSE(server.serving_peers());
  ASSERT_GT(server.console_port(), 0);
  EXPECT_EQ(server.console_address(), "127.0.0.1:" + std::to_string(server.console_port()));
  // `inbeeld console invite` finds the console by this file.
  std::ifstream address(served_b_->dir().root() / console::kConsoleAddressFile);
  std::string line;
  std::getline(address, line);
  EXPECT_EQ(line, server.console_address());

  PinAOnB();
  Status reloaded = server.Reload();
  ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message;
  ASSERT_TRUE(server.serving_peers());
  EXPECT_EQ(served_b_->listening(),
            (std::vector<std::string>{"console:" + std::to_string(server.console_port()),
                                      "peers:" + std::to_string(server.peer_port())}));
  auto report = MatchAWithB(server.peer_port());
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->outcome.overlap, kShared);

  server.Stop();
  EXPECT_FALSE(std::filesystem::exists(served_b_->dir().root() / console::kConsoleAddressFile))
      << "a stopped console's address is not left behind";
  server.Stop();  // idempotent
}

TEST_F(ServerTest, AReloadAskedForInsideTheProcessIsTakenUpByTheHousekeepingThread) {
  ServerOptions options;
  options.console_listen = "127.0.0.1:0";
  options.janitor_interval = std::chrono::hours(1);  // only the request wakes it
  Server& server = served_b_->Start(options);
  ASSERT_FALSE(server.serving_peers());
  PinAOnB();
  server.RequestReload();  // as the console does after adding a partner
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!server.serving_peers() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(server.serving_peers());
  auto report = MatchAWithB(server.peer_port());
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_NE(served_b_->events().find("event=config.reloaded"), std::string::npos);
}

TEST_F(ServerTest, ABadConfigurationOnReloadKeepsTheOldOneInForce) {
  PinAOnB();
  Server& server = served_b_->Start();
  const auto toml = served_b_->dir().root() / "inbeeld.toml";
  std::ofstream(toml, std::ios::app) << "\n[[peers]\nname = \n";
  Status reloaded = server.Reload();
  ASSERT_FALSE(reloaded.has_value());
  EXPECT_EQ(reloaded.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(server.metrics().Render().find("inbeeld_config_reloads_total{result=\"failed\"} 1"),
            std::string::npos);

  auto report = MatchAWithB(server.peer_port());
  ASSERT_TRUE(report.has_value()) << "still serving A: " << report.error().message;
  EXPECT_EQ(report->outcome.overlap, kShared);
  EXPECT_NE(served_b_->events().find("event=config.reload_failed"), std::string::npos);
}

TEST_F(ServerTest, ATakenConsolePortStopsTheSecondNodeBeforeItServesAnyone) {
  PinAOnB();
  ServerOptions options;
  options.console_listen = "127.0.0.1:0";
  Server& first = served_b_->Start(options);
  ASSERT_GT(first.console_port(), 0);

  auto c = MakeNode("leerplicht-c", {});
  ASSERT_TRUE(c);
  Served served_c(*c);
  served_c.Pin(PartnerConfig(c->node(), a_->node(), "127.0.0.1:9"));
  ServerOptions taken;
  taken.console_listen = "127.0.0.1:" + std::to_string(first.console_port());
  auto second = served_c.Create(taken);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  Status started = (*second)->Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_FALSE((*second)->serving_peers()) << "no peer listener after the console failed";
  EXPECT_TRUE(served_c.listening().empty());

  auto report = MatchAWithB(first.peer_port());
  ASSERT_TRUE(report.has_value()) << "the first node is unaffected: " << report.error().message;
}

TEST_F(ServerTest, ATakenPeerPortFailsStartAndLeavesNothingRunning) {
  PinAOnB();
  Server& first = served_b_->Start();
  ASSERT_TRUE(first.serving_peers());

  auto c = MakeNode("leerplicht-c", {});
  ASSERT_TRUE(c);
  Served served_c(*c);
  served_c.Pin(PartnerConfig(c->node(), a_->node(), "127.0.0.1:9"));
  ServerOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(first.peer_port());
  taken.console_listen = "127.0.0.1:0";
  auto second = served_c.Create(taken);
  ASSERT_TRUE(second.has_value()) << second.error().message;
  Status started = (*second)->Start();  // returns: the console it bound is stopped again
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message.find("is already in use"), std::string::npos)
      << started.error().message;
  EXPECT_FALSE((*second)->serving_peers());
  EXPECT_FALSE(std::filesystem::exists(served_c.dir().root() / console::kConsoleAddressFile))
      << "the console of a node that did not start leaves no address behind";

  auto report = MatchAWithB(first.peer_port());
  ASSERT_TRUE(report.has_value()) << "the first node is unaffected: " << report.error().message;
}

TEST_F(ServerTest, WaitReturnsOnceAnotherThreadStopsTheServer) {
  PinAOnB();
  Server& server = served_b_->Start();
  std::thread stopper([&server] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server.Stop();
  });
  Status served = server.Wait();
  stopper.join();
  EXPECT_TRUE(served.has_value()) << served.error().message;
  EXPECT_NE(served_b_->events().find("event=serve.stopped"), std::string::npos);
  auto report = MatchAWithB(server.peer_port());
  ASSERT_FALSE(report.has_value()) << "a stopped node answers nobody";
  EXPECT_EQ(report.error().code, ErrorCode::kUnavailable) << report.error().message;
}

// The regional count's hops and results over HTTPS, between Servers: n0
// coordinates, n1 and n2 serve it as `inbeeld serve` does.
TEST(ServerRegionTest, ACountRunsOverTheServedRegionRoutes) {
  std::vector<std::unique_ptr<LocalNode>> nodes;
  for (int i = 0; i < 3; ++i) {
    nodes.push_back(
        MakeNode("n" + std::to_string(i), schema::GenerateList(20 + i, 15 + 5 * i, kListDate)));
    ASSERT_TRUE(nodes.back());
  }
  std::vector<std::unique_ptr<Served>> served;
  std::vector<int> ports = {0};
  for (size_t i = 1; i < nodes.size(); ++i) {
    served.push_back(std::make_unique<Served>(*nodes[i]));
    served.back()->Pin(PartnerConfig(nodes[i]->node(), nodes[0]->node(), "127.0.0.1:9"));
    ports.push_back(served.back()->Start().peer_port());
    ASSERT_GT(ports.back(), 0);
  }
  region::RegionRequest request;
  for (size_t i = 1; i < nodes.size(); ++i) {
    nodes[0]->node().config.peers.push_back(
        PartnerConfig(nodes[0]->node(), nodes[i]->node(), "127.0.0.1:" + std::to_string(ports[i])));
    request.peers.push_back(nodes[i]->node().config.node_name);
  }
  request.purpose = kPurpose;
  request.threads = 1;
  auto counts = region::RunRegionalCount(nodes[0]->node(), request);
  ASSERT_TRUE(counts.has_value()) << counts.error().message;
  EXPECT_EQ(counts->list_sizes, (std::vector<uint64_t>{15, 20, 25}));
  EXPECT_EQ(counts->participants, (std::vector<std::string>{"n0", "n1", "n2"}));
  // Each participant recorded the figures it was sent.
  for (size_t i = 1; i < nodes.size(); ++i) {
    auto latest = region::LatestRegionalCount(*nodes[i]->node().store);
    ASSERT_TRUE(latest.has_value()) << latest.error().message;
    ASSERT_TRUE(latest->has_value()) << "n" << i << " has the count";
    EXPECT_EQ((*latest)->distinct, counts->distinct);
    EXPECT_EQ((*latest)->list_sizes, counts->list_sizes);
  }
}

}  // namespace
}  // namespace inbeeld::node::serve
