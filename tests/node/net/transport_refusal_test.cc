// What a pinned peer is refused, and how: every refusal the server makes
// itself reaches the on_refused hook with the peer's pinned name; a busy node
// says when to come back (429 + Retry-After), and PeerClient hands that hint
// to its caller as a typed field. Real TLS on 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "tests/node/net/transport_fixture.h"

namespace inbeeld::node::net {
namespace {

using testing::BodyOf;
using testing::kClientName;
using testing::kOctets;
using testing::kOtherClientName;
using testing::milliseconds;
using testing::PeerTransportTest;
using testing::seconds;
using testing::SeenRefusal;
using testing::StatusOf;

using TransportRefusalTest = PeerTransportTest;

struct RefusalCase {
  std::string request;
  int status;
  const char* path;  // as reported
  const char* reason;
};

TEST_F(TransportRefusalTest, EveryTransportRefusalReachesTheHookWithPeerPathAndStatus) {
  StartServer();
  const std::vector<RefusalCase> cases = {
      {"POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 404, "unknown",
       "no such endpoint"},
      {"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", 405, "/echo", "method not allowed"},
      {"POST /echo HTTP/1.1\r\nHost: x\r\n\r\nbody", 411, "/echo", "no Content-Length"},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n", 413, "/echo",
       "body too large"},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n"
       "\x1f\x8b\x08\x00",
       415, "/echo", "Content-Encoding sent"},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
       400, "/echo", "Transfer-Encoding sent"},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2abc\r\n\r\nhi", 400, "/echo",
       "malformed Content-Length"},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi", 400,
       "/echo", "more than one Content-Length"},
      {"GET /psi/v1/sessions/00ff/round HTTP/1.1\r\nHost: x\r\n\r\n", 405,
       "/psi/v1/sessions/00ff/round", "method not allowed"},
      {"POST /nope/../echo?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", 411, "unknown", "no Content-Length"},
      {"POST /echo HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(9000, 'a') + "\r\n\r\n", 400,
       "/echo", "malformed request line or headers"},
      {"POST\r\nHost: x\r\n\r\n", 400, "unknown", "malformed request line or headers"},
      {"POST /" + std::string(9000, 'e') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "unknown",
       "request line too long"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const RefusalCase& c = cases[i];
    // Alternate the two pinned peers: the name comes from each handshake.
    const bool other = i % 2 == 1;
    auto connection = RawConnect(other ? &other_client_identity_ : &client_identity_);
    ASSERT_NE(connection, nullptr);
    ASSERT_TRUE(connection->Write(c.request));
    std::optional<std::string> response = connection->ReadResponse();
    const std::string what = c.request.substr(0, 60);
    ASSERT_TRUE(response.has_value()) << what;
    EXPECT_EQ(StatusOf(*response), c.status) << what;

    // The hook ran before the refusal was sent.
    const std::vector<SeenRefusal> seen = refusals();
    ASSERT_EQ(seen.size(), i + 1) << what;
    EXPECT_EQ(seen.back().peer, other ? kOtherClientName : kClientName) << what;
    EXPECT_EQ(seen.back().path, c.path) << what;
    EXPECT_EQ(seen.back().status, c.status) << what;
    EXPECT_EQ(seen.back().reason, c.reason) << what;
  }
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(TransportRefusalTest, HandlerRepliesAndServedRequestsAreNotTransportRefusals) {
  StartServer();
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->Post("/echo", "x", kOctets).has_value());
  EXPECT_FALSE(client->Post("/deny", "x", kOctets).has_value());
  EXPECT_FALSE(client->Post("/busy", "x", kOctets).has_value());
  EXPECT_FALSE(client->Post("/throw", "x", kOctets).has_value());
  EXPECT_EQ(calls_.load(), 4);
  EXPECT_TRUE(refusals().empty());

  // Handshake refusals are not peers: counted, not reported.
  auto stranger = MakeClient(stranger_identity_, server_identity_.public_key());
  ASSERT_NE(stranger, nullptr);
  EXPECT_FALSE(stranger->Post("/echo", "x", kOctets).has_value());
  EXPECT_EQ(running_->server().refused_handshakes(), 1u);
  EXPECT_TRUE(refusals().empty());
}

TEST_F(TransportRefusalTest, AThrowingHookDoesNotChangeTheRefusal) {
  ServerOptions options = SmallOptions();
  options.on_refused = [](const TransportRefusal&) { throw std::runtime_error("audit full"); };
  StartServer(options);
  const std::string response = SendRawExpectingClose("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 405) << response;
  EXPECT_EQ(response.find("audit full"), std::string::npos);
}

// A handler that is busy says so with BusyReply; the caller reads the hint
// from PeerError::retry_after without parsing text.
TEST_F(TransportRefusalTest, BusyHandlerSendsRetryAfterAndTheClientExposesIt) {
  StartServer();
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  PeerResult busy = client->Post("/busy", "x", kOctets);
  ASSERT_FALSE(busy.has_value());
  EXPECT_EQ(busy.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(busy.error().retry_after, seconds(30));
  EXPECT_NE(busy.error().message.find("busy with other sessions"), std::string::npos)
      << busy.error().message;

  // On the wire: the header and the body field.
  auto connection = RawConnect(&client_identity_);
  ASSERT_NE(connection, nullptr);
  ASSERT_TRUE(connection->Write("POST /busy HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  std::optional<std::string> response = connection->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 429);
  EXPECT_NE(response->find("\r\nRetry-After: 30\r\n"), std::string::npos) << *response;
  EXPECT_EQ(BodyOf(*response),
            R"({"error":"resource_exhausted","message":"the node is busy with other sessions",)"
            R"("retry_after_s":30})");

  // Other errors carry no hint.
  PeerResult denied = client->Post("/deny", "x", kOctets);
  ASSERT_FALSE(denied.has_value());
  EXPECT_FALSE(denied.error().retry_after.has_value());
  PeerResult too_big = client->Post("/echo", std::string(64 * 1024 + 1, 'x'), kOctets);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code, ErrorCode::kResourceExhausted);
  EXPECT_FALSE(too_big.error().retry_after.has_value());
}

// With every worker busy and the queue full, the accepting thread answers
// the next pinned peer at once instead of waiting for a worker.
TEST_F(TransportRefusalTest, FullPoolAnswers429WithRetryAfterAndReportsIt) {
  ServerOptions options = SmallOptions();
  options.worker_threads = 1;
  options.max_queued_connections = 1;
  options.busy_retry_after = seconds(7);
  StartServer(options);

  auto blocker = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(blocker, nullptr);
  std::future<PeerResult> blocked =
      std::async(std::launch::async, [&] { return blocker->Post("/block", "x", kOctets); });
  while (calls_.load() == 0) std::this_thread::yield();  // the only worker is taken

  // Of the next two, one gets the queue slot and one the 429: whichever.
  auto first = MakeClient(client_identity_, server_identity_.public_key());
  auto second = MakeClient(other_client_identity_, server_identity_.public_key());
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  std::future<PeerResult> a =
      std::async(std::launch::async, [&] { return first->Post("/echo", "a", kOctets); });
  std::future<PeerResult> b =
      std::async(std::launch::async, [&] { return second->Post("/echo", "b", kOctets); });
  const auto start = std::chrono::steady_clock::now();
  while (a.wait_for(milliseconds(10)) != std::future_status::ready &&
         b.wait_for(milliseconds(10)) != std::future_status::ready) {
    ASSERT_LT(std::chrono::steady_clock::now() - start, seconds(5)) << "nobody was refused";
  }
  const bool a_refused = a.wait_for(milliseconds(0)) == std::future_status::ready;
  std::future<PeerResult>& refused_future = a_refused ? a : b;
  std::future<PeerResult>& queued_future = a_refused ? b : a;
  PeerResult refused = refused_future.get();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted) << refused.error().message;
  EXPECT_EQ(refused.error().retry_after, seconds(7));
  EXPECT_NE(refused.error().message.find("all workers are busy"), std::string::npos)
      << refused.error().message;

  // The queue is still full: a raw client sees the wire format.
  auto raw = RawConnect(&client_identity_);
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"));
  std::optional<std::string> response = raw->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 429);
  EXPECT_NE(response->find("\r\nRetry-After: 7\r\n"), std::string::npos) << *response;
  EXPECT_NE(BodyOf(*response).find(R"("retry_after_s":7)"), std::string::npos) << *response;

  const std::vector<SeenRefusal> seen = refusals();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].peer, a_refused ? kClientName : kOtherClientName);
  EXPECT_EQ(seen[1].peer, kClientName);
  for (const SeenRefusal& refusal : seen) {
    EXPECT_EQ(refusal.path, "unknown");
    EXPECT_EQ(refusal.status, 429);
    EXPECT_EQ(refusal.reason, "all workers busy");
  }

  ReleaseBlockedHandlers();
  PeerResult late = blocked.get();
  EXPECT_TRUE(late.has_value()) << late.error().message;
  PeerResult queued = queued_future.get();
  EXPECT_TRUE(queued.has_value()) << queued.error().message;
}

// The queue absorbs a burst; past it, clients that honour the hint get in.
TEST_F(TransportRefusalTest, SmallPoolServesEveryClientThatHonoursTheRetryHint) {
  ServerOptions options = SmallOptions();
  options.worker_threads = 1;
  options.max_queued_connections = 1;
  options.busy_retry_after = seconds(1);
  StartServer(options);
  constexpr int kClients = 6;
  std::vector<std::future<int>> attempts;
  for (int i = 0; i < kClients; ++i) {
    attempts.push_back(std::async(std::launch::async, [this, i]() -> int {
      auto client = MakeClient(i % 2 == 0 ? client_identity_ : other_client_identity_,
                               server_identity_.public_key());
      if (client == nullptr) return -1;
      for (int attempt = 1; attempt <= 5; ++attempt) {
        PeerResult reply = client->Post("/echo", std::to_string(i), kOctets);
        if (reply.has_value()) return reply->body == "echo:" + std::to_string(i) ? attempt : -1;
        if (!reply.error().retry_after) return -1;  // only "busy" may fail
        std::this_thread::sleep_for(*reply.error().retry_after);
      }
      return -1;
    }));
  }
  for (auto& attempt : attempts) {
    ASSERT_EQ(attempt.wait_for(seconds(30)), std::future_status::ready);
    EXPECT_GE(attempt.get(), 1);
  }
  EXPECT_EQ(calls_.load(), kClients);
}

}  // namespace
}  // namespace inbeeld::node::net
