// Slow and silent clients cannot hold the node: handshakes run outside the
// worker pool with a deadline and a cap, and each request has a deadline.
// Real TLS on 127.0.0.1; deadlines are shortened so that every test takes
// well under five seconds, and the margins are wide.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/node/net/transport_fixture.h"

namespace inbeeld::node::net {
namespace {

using testing::BodyOf;
using testing::ClientHelloBytes;
using testing::kClientName;
using testing::kOctets;
using testing::milliseconds;
using testing::PeerTransportTest;
using testing::RawTlsConnection;
using testing::seconds;
using testing::StatusOf;
using testing::TcpConnection;
using Clock = std::chrono::steady_clock;

class SlowPeerTest : public PeerTransportTest {
 protected:
  // Opens `n` connections that will not finish a handshake: in turn silent,
  // half a ClientHello, and the first byte of one (to be trickled on).
  std::vector<std::unique_ptr<TcpConnection>> OpenStalled(int n, const std::string& hello) {
    std::vector<std::unique_ptr<TcpConnection>> stalled;
    for (int i = 0; i < n; ++i) {
      auto connection = TcpConnection::Connect(running_->port());
      EXPECT_NE(connection, nullptr) << "connection " << i;
      if (connection == nullptr) break;
      if (i % 3 == 1) {
        EXPECT_TRUE(connection->Send(hello.substr(0, hello.size() / 2)));
      } else if (i % 3 == 2) {
        EXPECT_TRUE(connection->Send(hello.substr(0, 1)));
      }
      stalled.push_back(std::move(connection));
    }
    return stalled;
  }
};

// Must have 2 of issue 9: 200 connections that are silent, stuck halfway
// through a ClientHello, or trickling it byte by byte, while a pinned peer
// makes several requests. With the handshake on the workers (before), two
// such connections took both workers of this server for read_timeout each.
TEST_F(SlowPeerTest, PinnedPeerIsServedWhile200StalledConnectionsAreOpen) {
  ServerOptions options = SmallOptions();   // 2 workers, 4 queued
  options.handshake_timeout = seconds(20);  // the stalled ones outlive the test
  StartServer(options);
  const std::string hello = ClientHelloBytes();
  ASSERT_GT(hello.size(), 100u);
  std::vector<std::unique_ptr<TcpConnection>> stalled = OpenStalled(200, hello);
  ASSERT_EQ(stalled.size(), 200u);

  // The tricklers send one more byte of their ClientHello every 100 ms.
  std::atomic<bool> done{false};
  std::thread trickler([&] {
    for (size_t offset = 1; !done.load() && offset < hello.size(); ++offset) {
      for (size_t i = 2; i < stalled.size(); i += 3) stalled[i]->Send(hello.substr(offset, 1));
      std::this_thread::sleep_for(milliseconds(100));
    }
  });

  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  constexpr int kRequests = 8;
  const Clock::time_point start = Clock::now();
  Clock::duration slowest{};
  for (int i = 0; i < kRequests; ++i) {
    const Clock::time_point before = Clock::now();
    PeerResult reply = client->Post("/echo", std::to_string(i), kOctets);
    slowest = std::max(slowest, Clock::now() - before);
    ASSERT_TRUE(reply.has_value()) << "request " << i << ": " << reply.error().message;
    EXPECT_EQ(reply->body, "echo:" + std::to_string(i));
  }
  const auto total = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  done.store(true);
  trickler.join();
  std::cout << "[ measured ] " << kRequests
            << " pinned requests with 200 stalled connections: " << total.count()
            << " ms in all, slowest " << std::chrono::duration_cast<milliseconds>(slowest).count()
            << " ms\n";
  // A few milliseconds each on an idle machine; generous for a busy one,
  // and far below the 5 s read timeout a stalled worker would cost.
  EXPECT_LT(total, seconds(4));

  // The stalled connections were really there all along: none was closed.
  for (size_t i = 0; i < stalled.size(); ++i) {
    EXPECT_FALSE(stalled[i]->ClosedByServerWithin(milliseconds(0))) << "connection " << i;
  }
  EXPECT_EQ(running_->server().timed_out_handshakes(), 0u);
  EXPECT_EQ(running_->server().dropped_handshakes(), 0u);
  EXPECT_EQ(calls_.load(), kRequests);
}

TEST_F(SlowPeerTest, HandshakeThatOutlivesItsDeadlineIsClosed) {
  ServerOptions options = SmallOptions();
  options.handshake_timeout = milliseconds(300);
  StartServer(options);
  const std::string hello = ClientHelloBytes();
  // Before connecting: no deadline can have started earlier.
  const Clock::time_point start = Clock::now();
  std::vector<std::unique_ptr<TcpConnection>> stalled = OpenStalled(3, hello);
  ASSERT_EQ(stalled.size(), 3u);

  // The trickler keeps sending, one byte per 50 ms: each read is quick, the
  // handshake as a whole is not.
  size_t offset = 1;
  while (!stalled[2]->ClosedByServerWithin(milliseconds(50))) {
    ASSERT_LT(Clock::now() - start, seconds(4)) << "the trickler was never cut off";
    if (offset < hello.size()) stalled[2]->Send(hello.substr(offset++, 1));
  }
  const auto trickler_cut = Clock::now() - start;
  EXPECT_TRUE(stalled[0]->ClosedByServerWithin(seconds(4)));
  EXPECT_TRUE(stalled[1]->ClosedByServerWithin(seconds(4)));
  const auto all_cut = Clock::now() - start;
  std::cout << "[ measured ] handshake deadline 300 ms: trickler closed after "
            << std::chrono::duration_cast<milliseconds>(trickler_cut).count()
            << " ms, silent and half-hello after at most "
            << std::chrono::duration_cast<milliseconds>(all_cut).count() << " ms\n";
  EXPECT_GE(trickler_cut, milliseconds(300));
  EXPECT_LT(all_cut, seconds(4));
  EXPECT_EQ(running_->server().timed_out_handshakes(), 3u);

  // The server is none the worse for it.
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->Post("/echo", "x", kOctets).has_value());
}

TEST_F(SlowPeerTest, AtTheCapTheOldestPendingHandshakeIsClosed) {
  ServerOptions options = SmallOptions();
  options.max_pending_handshakes = 8;
  options.handshake_timeout = seconds(20);
  StartServer(options);
  std::vector<std::unique_ptr<TcpConnection>> stalled;
  for (int i = 0; i < 12; ++i) {
    stalled.push_back(TcpConnection::Connect(running_->port()));
    ASSERT_NE(stalled.back(), nullptr);
  }
  // The four oldest make room for the four newest.
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(stalled[i]->ClosedByServerWithin(seconds(4))) << "connection " << i;
  }
  for (int i = 4; i < 12; ++i) {
    EXPECT_FALSE(stalled[i]->ClosedByServerWithin(milliseconds(0))) << "connection " << i;
  }
  // A pinned peer arriving now takes the next oldest one's place.
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  EXPECT_TRUE(client->Post("/echo", "x", kOctets).has_value());
  EXPECT_TRUE(stalled[4]->ClosedByServerWithin(seconds(4)));
  EXPECT_EQ(running_->server().dropped_handshakes(), 5u);
  EXPECT_EQ(running_->server().timed_out_handshakes(), 0u);
}

// Must have 1: the request deadline covers the whole request, not each read.
// Every byte here arrives well within the 5 s read timeout.
TEST_F(SlowPeerTest, BodyTrickledPastTheRequestDeadlineGets408AndIsReported) {
  ServerOptions options = SmallOptions();
  options.request_timeout = milliseconds(500);
  StartServer(options);
  auto connection = RawConnect(&client_identity_);
  ASSERT_NE(connection, nullptr);
  const Clock::time_point start = Clock::now();
  ASSERT_TRUE(connection->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
  while (!connection->ReadableWithin(milliseconds(50))) {
    ASSERT_LT(Clock::now() - start, seconds(4)) << "the request was never cut off";
    ASSERT_TRUE(connection->Write("b"));
  }
  const auto cut = Clock::now() - start;
  bool closed = false;
  const std::string response = connection->ReadUntilClose(&closed);
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_EQ(
      BodyOf(response),
      R"({"error":"deadline_exceeded","message":"the request did not arrive within 500 ms"})");
  EXPECT_TRUE(closed);
  EXPECT_GE(cut, milliseconds(500));
  EXPECT_LT(cut, seconds(4));
  EXPECT_EQ(calls_.load(), 0);

  const std::vector<testing::SeenRefusal> seen = refusals();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].peer, kClientName);
  EXPECT_EQ(seen[0].path, "/echo");
  EXPECT_EQ(seen[0].status, 408);
  EXPECT_EQ(seen[0].reason, "request deadline exceeded");
}

TEST_F(SlowPeerTest, RequestLineTrickledPastTheDeadlineGets408WithAnUnknownPath) {
  ServerOptions options = SmallOptions();
  options.request_timeout = milliseconds(300);
  StartServer(options);
  auto connection = RawConnect(&client_identity_);
  ASSERT_NE(connection, nullptr);
  const std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx";
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; i < request.size() && !connection->ReadableWithin(milliseconds(50)); ++i) {
    ASSERT_TRUE(connection->Write(request.substr(i, 1)));
  }
  bool closed = false;
  const std::string response = connection->ReadUntilClose(&closed);
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - start, seconds(4));
  EXPECT_EQ(calls_.load(), 0);
  const std::vector<testing::SeenRefusal> seen = refusals();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].peer, kClientName);
  EXPECT_EQ(seen[0].path, "unknown");
  EXPECT_EQ(seen[0].status, 408);
}

// Silence in the middle of a request ends it after read_timeout even when the
// request deadline is far away.
TEST_F(SlowPeerTest, SilenceMidRequestGets408AfterTheReadTimeout) {
  ServerOptions options = SmallOptions();
  options.read_timeout = milliseconds(300);
  options.request_timeout = seconds(30);
  StartServer(options);
  auto connection = RawConnect(&client_identity_);
  ASSERT_NE(connection, nullptr);
  ASSERT_TRUE(connection->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"));
  bool closed = false;
  const std::string response = connection->ReadUntilClose(&closed);
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_NE(BodyOf(response).find("stalled for 300 ms"), std::string::npos) << response;
  const std::vector<testing::SeenRefusal> seen = refusals();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].reason, "request stalled");
}

TEST_F(SlowPeerTest, CreateRefusesZeroDeadlinesAndCaps) {
  PinSet pins;
  ASSERT_TRUE(pins.Add(kClientName, client_identity_.public_key()).has_value());
  ServerOptions no_handshake_time;
  no_handshake_time.handshake_timeout = milliseconds(0);
  EXPECT_FALSE(PeerServer::Create(server_identity_, pins, no_handshake_time).has_value());
  ServerOptions no_request_time;
  no_request_time.request_timeout = milliseconds(0);
  EXPECT_FALSE(PeerServer::Create(server_identity_, pins, no_request_time).has_value());
  ServerOptions no_pending;
  no_pending.max_pending_handshakes = 0;
  EXPECT_FALSE(PeerServer::Create(server_identity_, pins, no_pending).has_value());
  ServerOptions no_hint;
  no_hint.busy_retry_after = seconds(0);
  EXPECT_FALSE(PeerServer::Create(server_identity_, pins, no_hint).has_value());
}

}  // namespace
}  // namespace inbeeld::node::net
