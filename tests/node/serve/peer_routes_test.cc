// Two nodes in one test process over loopback (node/serve/peer_routes.h): B
// serves its partners the way `inbeeld serve` does — the same routes, limits
// and Responder — and A runs exchange::RunMatch against it. Both nodes read
// one FakeClock, so a test lets a session's time to live or the witness
// window run out by advancing it, without waiting.
#include "node/serve/peer_routes.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "node/exchange/exchange_list.h"
#include "node/exchange/initiator.h"
#include "node/exchange/policy.h"
#include "node/exchange/results_store.h"
#include "node/net/tls_identity.h"
#include "node/net/client.h"
#include "node/net/routes.h"
#include "node/psi/session.h"
#include "node/region/regional.h"
#include "schema/region_wire.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"
#include "tests/support/partner_config.h"

namespace inbeeld::node::serve {
namespace {

using testing::FakeClock;
using testing::InProcessNode;
using testing::PartnerConfig;

constexpr char kPurpose[] = "thuiszitters-afstemming";
constexpr schema::Date kListDate{2026, 11, 2};
constexpr size_t kShared = 12;  // children on both lists

// B serving A over loopback, in this process.
class PeerRoutesTest : public ::testing::Test {
 protected:
  PeerRoutesTest()
      : clock_("2026-11-02T12:00:00Z"),
        a_(clock_, "leerplicht-a", config::Role::kLeerplicht),
        b_(clock_, "leerplicht-b", config::Role::kLeerplicht) {}

  void SetUp() override {
    // A's 30 children and B's 20: the first kShared of A's are B's too.
    auto list_a = schema::GenerateList(7, 30, kListDate);
    auto list_b = schema::GenerateList(8, 20 - kShared, kListDate);
    list_b.insert(list_b.begin(), list_a.begin(), list_a.begin() + kShared);
    a_.Import(list_a, kListDate);
    b_.Import(list_b, kListDate);

    b_.config().peers.push_back(PartnerConfig(b_.node(), a_.node(), "127.0.0.1:9"));
    exchange::ResponderOptions options;  // the defaults `serve` uses, one thread
    options.session_ttl = std::chrono::seconds(600);
    options.witness_window = std::chrono::seconds(600);
    options.max_open_sessions = 8;
    options.max_sessions_per_peer = 4;
    options.threads = 1;
    responder_ = std::make_unique<exchange::Responder>(b_.node(), options);
    auto setup = PeerSetupFor(b_.config());
    ASSERT_TRUE(setup.has_value()) << setup.error().message;
    auto seed = b_.node().identity.SeedForStorage().RevealForCrypto();
    auto identity = net::TlsIdentity::Create(seed.first<32>(), b_.config().node_name);
    ASSERT_TRUE(identity.has_value()) << identity.error().message;
    auto server =
        net::PeerServer::Create(*identity, std::move(setup->pins), PeerServerOptions(*setup));
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    region_ = std::make_unique<region::RegionParticipant>(b_.node(), std::chrono::seconds(600),
                                                          /*threads=*/1);
    region_->SetRefusalSink([this](std::string_view, std::string_view request, std::string) {
      std::lock_guard lock(refused_mu_);
      region_refusals_.emplace_back(request);
    });
    PeerHandlers handlers;
    handlers.responder = responder_.get();
    handlers.region = region_.get();
    handlers.config_mu = &config_mu_;
    ASSERT_TRUE(AddPeerRoutes(*server_, handlers).has_value());
    auto port = server_->BindToAnyPort("127.0.0.1");
    ASSERT_TRUE(port.has_value()) << port.error().message;
    port_ = *port;
    region_hop_limit_ = setup->region_hop;
    serving_ = std::thread([this] { (void)server_->ListenAfterBind(); });

    a_.config().peers.push_back(
        PartnerConfig(a_.node(), b_.node(), "127.0.0.1:" + std::to_string(*port)));
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
    if (responder_) responder_->Shutdown();
  }

  Result<exchange::MatchReport> Match() {
    exchange::MatchRequest request;
    request.peer = "leerplicht-b";
    request.purpose = kPurpose;
    request.threads = 1;
    return exchange::RunMatch(a_.node(), request);
  }

  // A's message 1 for B, built as RunMatch builds it, to drive B's Responder
  // directly (without RunMatch's witnessing first).
  std::unique_ptr<psi::InitiatorSession> StartSession() {
    const config::PeerConfig& peer = *a_.config().FindPeer("leerplicht-b");
    const uint8_t labels = exchange::AllowedLabelMask(peer);
    const uint8_t keys = exchange::AllowedKeyMask(a_.config(), peer);
    auto list = exchange::LoadExchangeList(*a_.node().store, a_.node().field_key, labels, keys);
    EXPECT_TRUE(list.has_value());
    psi::InitiatorParams params;
    params.purpose = kPurpose;
    params.label_mask = labels;
    params.key_mask = exchange::NarrowToPresentKeys(*list, keys);
    params.list_date = list->version.list_date;
    params.threads = 1;
    auto session = psi::InitiatorSession::Create(std::move(list->inputs), params);
    EXPECT_TRUE(session.has_value());
    return std::move(*session);
  }

  std::vector<exchange::SessionRecord> BSessions() {
    auto recent = exchange::ResultsStore(*b_.node().store).Recent(100);
    EXPECT_TRUE(recent.has_value());
    return recent.value_or(std::vector<exchange::SessionRecord>{});
  }

  // POSTs `body` to B as A would, over mutual TLS: the HTTP status B
  // answered (200 for success), or 0 when it never answered.
  int PostAsA(std::string_view path, const std::string& body) {
    auto seed = a_.node().identity.SeedForStorage().RevealForCrypto();
    auto identity = net::TlsIdentity::Create(seed.first<32>(), a_.config().node_name);
    EXPECT_TRUE(identity.has_value());
    if (!identity) return 0;
    auto client = net::PeerClient::Create(*identity, "leerplicht-b",
                                          b_.node().identity.PublicKey().bytes(), "127.0.0.1",
                                          port_);
    EXPECT_TRUE(client.has_value());
    if (!client) return 0;
    auto reply = (*client)->Post(path, body, "application/octet-stream");
    return reply ? 200 : reply.error().http_status;
  }

  size_t RegionRefusals() {
    std::lock_guard lock(refused_mu_);
    return region_refusals_.size();
  }

  FakeClock clock_;
  InProcessNode a_, b_;
  std::shared_mutex config_mu_;
  std::unique_ptr<region::RegionParticipant> region_;
  std::mutex refused_mu_;
  std::vector<std::string> region_refusals_;  // GUARDED_BY(refused_mu_)
  int port_ = 0;
  size_t region_hop_limit_ = 0;
  std::unique_ptr<exchange::Responder> responder_;
  std::unique_ptr<net::PeerServer> server_;
  std::thread serving_;
};

TEST_F(PeerRoutesTest, AMatchOverLoopbackFindsTheSharedChildrenOnBothSides) {
  auto report = Match();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->outcome.overlap, kShared);
  EXPECT_EQ(report->outcome.peer_list_size, 20u);

  auto sessions = BSessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].role, "responder");
  EXPECT_EQ(sessions[0].peer, "leerplicht-a");
  EXPECT_EQ(sessions[0].status, "completed");
  EXPECT_EQ(sessions[0].overlap, kShared);
}

TEST_F(PeerRoutesTest, AStartWithoutARecentWitnessIsRefusedUntilThePeerWitnessesAgain) {
  ASSERT_TRUE(Match().has_value());  // witnesses, then matches
  auto session = StartSession();
  EXPECT_TRUE(responder_->HandleStart("leerplicht-a", session->StartMessage()).has_value())
      << "within the witness window";

  clock_.Advance(std::chrono::seconds(601));  // the window has passed
  auto late = StartSession();
  auto refused = responder_->HandleStart("leerplicht-a", late->StartMessage());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message.find("witness the audit logs first"), std::string::npos);

  auto again = Match();  // RunMatch witnesses anew, so the session goes ahead
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->outcome.overlap, kShared);
}

TEST_F(PeerRoutesTest, ASessionNotFinishedInItsTimeToLiveIsDroppedAndRecordedAsFailed) {
  ASSERT_TRUE(Match().has_value());
  auto session = StartSession();
  auto reply = responder_->HandleStart("leerplicht-a", session->StartMessage());
  ASSERT_TRUE(reply.has_value()) << reply.error().message;
  auto finish = session->HandleStartResponse(*reply);
  ASSERT_TRUE(finish.has_value()) << finish.error().message;

  clock_.Advance(std::chrono::seconds(599));
  responder_->ExpireStale();
  clock_.Advance(std::chrono::seconds(2));  // 601 s after the start
  responder_->ExpireStale();

  auto late = responder_->HandleFinish("leerplicht-a", *finish);
  ASSERT_FALSE(late.has_value()) << "a dropped session gives nothing more";
  bool recorded = false;
  for (const auto& s : BSessions()) {
    if (s.id == session->session_id()) {
      recorded = true;
      EXPECT_EQ(s.status, "failed");
      EXPECT_EQ(s.error, "the peer did not finish the session in time");
    }
  }
  EXPECT_TRUE(recorded) << "B recorded the session it dropped";
}

TEST_F(PeerRoutesTest, APeersFifthOpenSessionIsRefusedAsBusyAndGoesAheadOnceOneEnds) {
  ASSERT_TRUE(Match().has_value());
  std::vector<std::unique_ptr<psi::InitiatorSession>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(StartSession());
    auto reply = responder_->HandleStart("leerplicht-a", open.back()->StartMessage());
    ASSERT_TRUE(reply.has_value()) << "session " << i << ": " << reply.error().message;
  }
  auto fifth = StartSession();
  auto busy = responder_->HandleStart("leerplicht-a", fifth->StartMessage());
  ASSERT_FALSE(busy.has_value());
  EXPECT_EQ(busy.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(busy.error().message.find("try again in 5 seconds"), std::string::npos);

  // The four run out; a new session is served again (RunMatch witnesses first).
  clock_.Advance(std::chrono::seconds(601));
  responder_->ExpireStale();
  auto report = Match();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->outcome.overlap, kShared);
}

// The regional count's routes take exactly the largest message B's policy
// for A allows: a byte more is refused by the server before any decoding
// (413), the largest body itself reaches the decoder (which refuses these
// bytes, 400) and the refusal log. No count starts.
TEST_F(PeerRoutesTest, RegionBodiesAreLimitedToTheLargestMessageThePolicyAllows) {
  const config::PeerConfig& a = *b_.config().FindPeer("leerplicht-a");
  // A hop of A's largest list (policy.max_list_size) from each of the 14
  // other nodes a count may have: some 1.5 MB here, not PSI's 50 MB margin.
  EXPECT_EQ(region_hop_limit_,
            schema::region_wire::MaxHopSize(exchange::AllowedKeyMask(b_.config(), a),
                                            a.policy.max_list_size));
  EXPECT_LT(region_hop_limit_, size_t{4} << 20);

  const std::string hop(region_hop_limit_, 'x');
  EXPECT_EQ(PostAsA(net::routes::kRegionHop, hop + "x"), 413);
  EXPECT_EQ(PostAsA(net::routes::kRegionHop, hop), 400);
  const std::string result(schema::region_wire::MaxResultSize(), 'x');
  EXPECT_EQ(PostAsA(net::routes::kRegionResult, result + "x"), 413);
  EXPECT_EQ(PostAsA(net::routes::kRegionResult, result), 400);

  EXPECT_EQ(RegionRefusals(), 2u);  // the two that reached the decoder
  auto counts = region::RegionalCountHistory(*b_.node().store, 10);
  ASSERT_TRUE(counts.has_value()) << counts.error().message;
  EXPECT_TRUE(counts->empty());
}

}  // namespace
}  // namespace inbeeld::node::serve
