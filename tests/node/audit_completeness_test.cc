// Nothing lost: every request of a pinned peer and every session is in the
// audit log — refused, failed, interrupted or completed — and concurrent
// sessions never fail internally or accuse a peer of a rollback. Real
// `inbeeld serve` processes, real mutual TLS, real SQLCipher stores.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <map>
#include <thread>

#include "crypto/signing.h"
#include "node/net/client.h"
#include "node/net/tls_identity.h"
#include "schema/synthetic.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

namespace net = node::net;
using testing::RunResult;
using testing::TempDir;
using testing::TestNode;

const schema::Date kToday = testing::TodayUtc();
constexpr const char* kPurpose = "thuiszitters-afstemming";

nlohmann::json Show(const TestNode& node) { return node.CliJson({"audit", "show", "--json"}); }

std::vector<nlohmann::json> Named(const nlohmann::json& records, std::string_view name) {
  std::vector<nlohmann::json> out;
  for (const auto& r : records) {
    if (r["name"] == name) out.push_back(r);
  }
  return out;
}

std::string Attr(const nlohmann::json& record, const std::string& key) {
  const auto& a = record["attributes"];
  return a.contains(key) ? a[key].get<std::string>() : "";
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A peer the node pinned that speaks raw HTTPS: it can send what no inbeeld
// would.
class RoguePeer {
 public:
  RoguePeer() : key_(crypto::SigningKey::Generate()) {}
  std::string fingerprint() const { return key_.PublicKey().Fingerprint(); }
  Result<net::Reply> Post(const TestNode& target, const std::string& path, const std::string& body,
                          const std::string& type = "application/octet-stream") {
    auto seed = key_.SeedForStorage().RevealForCrypto();
    auto identity = net::TlsIdentity::Create(seed.first<32>(), "rogue");
    if (!identity) return std::unexpected(identity.error());
    auto target_key = crypto::VerifyingKey::FromFingerprint(target.fingerprint());
    if (!target_key) return std::unexpected(target_key.error());
    auto client = net::PeerClient::Create(*identity, target.name(), target_key->bytes(),
                                          "127.0.0.1", target.port());
    if (!client) return std::unexpected(client.error());
    return (*client)->Post(path, body, type);
  }

 private:
  crypto::SigningKey key_;
};

class AuditCompletenessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lp_ = std::make_unique<TestNode>(tmp_.path(), "leerplicht-haarlem", "leerplicht");
    swv_ = std::make_unique<TestNode>(tmp_.path(), "swv-vo-zk", "swv");
  }
  void Lists(size_t lp_size, size_t swv_size) {
    schema::RegionSpec spec;
    spec.seed = 91;
    spec.partners = {{"Leerplicht Haarlem", lp_size}, {"SWV VO Zuid-Kennemerland", swv_size}};
    spec.overlap = 0.4;
    spec.today = kToday;
    auto lists = schema::GenerateRegion(spec);
    lp_->Import(lists[0]);
    swv_->Import(lists[1]);
  }
  void Connect(const std::vector<std::string>& swv_policy = {}) {
    ASSERT_EQ(swv_->AddPeer(*lp_, swv_policy).exit_code, 0);
    swv_->Start();
    RunResult added = lp_->AddPeer(*swv_);
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  void PinRogue() {
    RunResult added = swv_->Cli({"peer", "add", "rogue", "--address", "127.0.0.1:9", "--key",
                                 rogue_.fingerprint(), "--role", "leerplicht", "--purpose",
                                 kPurpose});
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }

  TempDir tmp_;
  std::unique_ptr<TestNode> lp_, swv_;
  RoguePeer rogue_;
};

// Sum of inbeeld.count.requests over the refusal records of `peer` for
// `request`, by reason.
std::map<std::string, int> Refusals(const nlohmann::json& records, const std::string& peer,
                                    const std::string& request) {
  std::map<std::string, int> out;
  for (const auto& r : Named(records, "inbeeld.request.refused")) {
    if (Attr(r, "inbeeld.peer") != peer || Attr(r, "inbeeld.request") != request) continue;
    out[Attr(r, "inbeeld.reason")] += std::stoi(Attr(r, "inbeeld.count.requests"));
  }
  return out;
}

TEST_F(AuditCompletenessTest, MalformedMessagesAndUnknownSessionsOfAPinnedPeerAreRecorded) {
  Lists(30, 30);
  PinRogue();
  swv_->Start();
  // Three messages 1 that do not decode, two messages 3 for no open session.
  for (int i = 0; i < 3; ++i) {
    auto r = rogue_.Post(*swv_, "/v1/psi/start", std::string("\x02garbage", 8));
    ASSERT_FALSE(r) << "a malformed message 1 was accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
  }
  for (int i = 0; i < 2; ++i) {
    std::string finish(80, '\0');
    finish[0] = 2;  // protocol version 2, the rest zeros: a session nobody opened
    auto r = rogue_.Post(*swv_, "/v1/psi/finish", finish);
    ASSERT_FALSE(r);
  }
  // A regional-count hop that is not one.
  auto hop = rogue_.Post(*swv_, "/v1/region/hop", "{\"v\":1}", "application/json");
  ASSERT_FALSE(hop);
  // A request the transport refuses: an unknown path.
  auto lost = rogue_.Post(*swv_, "/v1/nothing-here", "x");
  ASSERT_FALSE(lost);
  // A clean stop writes the counts of the minute in progress.
  EXPECT_EQ(swv_->Stop(), 0);
  nlohmann::json records = Show(*swv_);
  auto starts = Refusals(records, "rogue", "POST /v1/psi/start");
  int start_total = 0;
  for (const auto& [reason, n] : starts) {
    EXPECT_TRUE(reason.starts_with("message 1 malformed")) << reason;
    start_total += n;
  }
  EXPECT_EQ(start_total, 3) << records.dump(1);
  int finish_total = 0;
  for (const auto& [reason, n] : Refusals(records, "rogue", "POST /v1/psi/finish")) {
    finish_total += n;
  }
  EXPECT_EQ(finish_total, 2) << records.dump(1);
  EXPECT_EQ(Refusals(records, "rogue", "POST /v1/region/hop").size(), 1u) << records.dump(1);
  auto unknown = Refusals(records, "rogue", "unknown");
  ASSERT_EQ(unknown.size(), 1u) << records.dump(1);
  EXPECT_NE(unknown.begin()->first.find("404"), std::string::npos) << unknown.begin()->first;
  // Each refusal record names the pinned key and never holds request bytes.
  for (const auto& r : Named(records, "inbeeld.request.refused")) {
    EXPECT_EQ(Attr(r, "inbeeld.peer_key"), rogue_.fingerprint());
    EXPECT_EQ(r.dump().find("garbage"), std::string::npos);
  }
}

TEST_F(AuditCompletenessTest, AListBelowThePeersMinimumIsRefusedAndRecordedOnBothSides) {
  Lists(4, 30);  // leerplicht holds 4 children; the SWV's minimum is the default 5
  Connect();
  RunResult r = lp_->Cli({"match", "swv-vo-zk", "--purpose", kPurpose});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("below the minimum of 5"), std::string::npos) << r.err;
  auto refused = Named(Show(*swv_), "inbeeld.exchange.match");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(Attr(refused[0], "inbeeld.outcome"), "refused");
  EXPECT_EQ(Attr(refused[0], "inbeeld.count.received"), "4");
  EXPECT_EQ(Attr(refused[0], "inbeeld.count.sent"), "") << "nothing of the SWV's was sent";
  EXPECT_TRUE(Named(Show(*swv_), "inbeeld.exchange.opened").empty());
  // The initiator recorded the refusal too, and nothing of its list left.
  auto own = Named(Show(*lp_), "inbeeld.exchange.match");
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(Attr(own[0], "inbeeld.outcome"), "refused");
}

TEST_F(AuditCompletenessTest, ASessionCutOffMidwayIsRecordedAsInterruptedOnBothSides) {
  // Two leerplicht nodes, lists large enough that computing message 3 on one
  // thread takes a moment.
  swv_ = std::make_unique<TestNode>(tmp_.path(), "leerplicht-velsen", "leerplicht");
  Lists(3000, 3000);
  ASSERT_EQ(swv_->AddPeer(*lp_).exit_code, 0);
  swv_->Start();
  ASSERT_EQ(lp_->AddPeer(*swv_).exit_code, 0);
  pid_t match = lp_->SpawnCli({"match", "leerplicht-velsen", "--purpose", kPurpose, "--threads", "1"},
                              tmp_.path() / "match.log");
  // Wait until the responder has opened the session (its list is leaving).
  std::string trace;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (trace.empty() && std::chrono::steady_clock::now() < deadline) {
    auto opened = Named(Show(*swv_), "inbeeld.exchange.opened");
    if (!opened.empty()) trace = opened[0]["trace_id"];
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(trace.empty()) << testing::ReadFile(tmp_.path() / "match.log") << "\n"
                              << swv_->ServerLog() << "\n"
                              << Show(*swv_).dump(1);
  // Both processes die before the session ends: no clean-up runs anywhere.
  kill(match, SIGKILL);
  WaitExit(match);
  swv_->Kill();

  // The next start of each node closes the session in its log.
  RunResult status = lp_->Cli({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.err.find("interrupted"), std::string::npos) << status.err;
  swv_->Start();
  swv_->Stop();
  for (const TestNode* node : {lp_.get(), swv_.get()}) {
    nlohmann::json records = Show(*node);
    int opened = 0, interrupted = 0;
    for (const auto& r : records) {
      if (r["trace_id"] != trace) continue;
      if (r["name"] == "inbeeld.exchange.opened") ++opened;
      if (r["name"] == "inbeeld.exchange.match") {
        EXPECT_EQ(Attr(r, "inbeeld.outcome"), "interrupted") << node->name();
        // It names the list whose blinded keys left, so `audit subject`
        // finds the session for each child on it.
        EXPECT_EQ(Attr(r, "inbeeld.list_size"), "3000") << node->name();
        EXPECT_EQ(Attr(r, "inbeeld.members_without_record"), "not revealed");
        ++interrupted;
      }
    }
    EXPECT_EQ(opened, 1) << node->name();
    EXPECT_EQ(interrupted, 1) << node->name() << records.dump(1);
  }
}


TEST(ConcurrencyTest, FivePeersRunningTenSessionsEachAtOnceAllCompleteWithoutFalseAlarms) {
  TempDir tmp;
  schema::RegionSpec spec;
  spec.seed = 5;
  spec.partners = {{"Leerplicht Haarlem", 40}};
  for (int i = 1; i <= 5; ++i) spec.partners.push_back({"Leerplicht " + std::to_string(i), 30});
  spec.overlap = 0.5;
  spec.today = kToday;
  auto lists = schema::GenerateRegion(spec);
  TestNode hub(tmp.path(), "leerplicht-haarlem", "leerplicht");
  hub.Import(lists[0]);
  std::vector<std::unique_ptr<TestNode>> peers;
  for (int i = 1; i <= 5; ++i) {
    peers.push_back(std::make_unique<TestNode>(tmp.path(), "gemeente-" + std::to_string(i),
                                               "leerplicht"));
    peers.back()->Import(lists[i]);
    ASSERT_EQ(hub.AddPeer(*peers.back(), {"--max-sessions-per-day", "100"}).exit_code, 0);
  }
  hub.Start();
  for (auto& peer : peers) {
    ASSERT_EQ(peer->AddPeer(hub, {"--max-sessions-per-day", "100"}).exit_code, 0);
  }
  constexpr int kSessions = 10;
  struct Run {
    TestNode* node;
    pid_t pid;
    std::filesystem::path log;
  };
  std::vector<Run> runs;
  for (auto& peer : peers) {
    for (int s = 0; s < kSessions; ++s) {
      auto log = tmp.path() / (peer->name() + "-" + std::to_string(s) + ".log");
      runs.push_back({peer.get(),
                      peer->SpawnCli({"match", "leerplicht-haarlem", "--purpose", kPurpose,
                                      "--count-only", "--threads", "1"},
                                     log),
                      log});
    }
  }
  int completed = 0;
  for (const Run& run : runs) {
    int code = WaitExit(run.pid);
    std::string log = testing::ReadFile(run.log);
    EXPECT_EQ(log.find("rolled back"), std::string::npos) << log;
    EXPECT_EQ(log.find("UNIQUE"), std::string::npos) << log;
    EXPECT_NE(code, 10) << "an internal error: " << log;
    if (code == 0) {
      ++completed;
      continue;
    }
    // Only a clean refusal asking to come back later, which a re-run completes.
    EXPECT_TRUE(code == 8 || code == 9) << code << ": " << log;
    RunResult again = run.node->Cli({"match", "leerplicht-haarlem", "--purpose", kPurpose,
                                     "--count-only"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    completed += again.exit_code == 0 ? 1 : 0;
  }
  EXPECT_EQ(completed, 5 * kSessions);
  // The hub served each session once and recorded it completed; nothing is
  // left open, and no witness was refused.
  nlohmann::json records = Show(hub);
  int served = 0;
  for (const auto& r : Named(records, "inbeeld.exchange.count")) {
    if (Attr(r, "inbeeld.outcome") == "completed") ++served;
  }
  EXPECT_EQ(served, 5 * kSessions);
  EXPECT_TRUE(Named(records, "inbeeld.witness.refused").empty()) << records.dump(1);
  // Every initiator saw the same overlap in each of its sessions.
  for (auto& peer : peers) {
    nlohmann::json results = peer->CliJson({"results", "--json"});
    ASSERT_EQ(results.size(), static_cast<size_t>(kSessions)) << peer->name();
    for (const auto& r : results) {
      EXPECT_EQ(r["status"], "completed");
      EXPECT_EQ(r["overlap"], results[0]["overlap"]);
    }
  }
}

}  // namespace
}  // namespace inbeeld
