// Real mutual TLS 1.3 between PeerServer and PeerClient (or a raw OpenSSL
// client) on 127.0.0.1, on ports the OS picks, with real threads.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "node/net/client.h"
#include "node/net/pinning.h"
#include "node/net/reply.h"
#include "node/net/server.h"
#include "node/net/tls_identity.h"
#include "tests/node/net/raw_tls_client.h"
#include "tests/node/net/transport_fixture.h"

namespace inbeeld::node::net {
namespace {

using testing::BodyOf;
using testing::Count;
using testing::kClientName;
using testing::kOctets;
using testing::kOtherClientName;
using testing::kServerName;
using testing::MakeIdentity;
using testing::milliseconds;
using testing::PeerTransportTest;
using testing::RawTlsConnection;
using testing::seconds;
using testing::StatusOf;

// (a) A pinned client reaches the handler, which learns the caller's pinned
// name from the handshake; path parameters and binary bodies arrive intact.
TEST_F(PeerTransportTest, PinnedClientRoundTripAndHandlerSeesPeerName) {
  StartServer();
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);

  const std::string body("blinded\0points\xff", 15);
  Result<Reply> reply = client->Post("/echo", body, kOctets);
  ASSERT_TRUE(reply.has_value()) << reply.error().message;
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->content_type, kOctets);
  EXPECT_EQ(reply->body, "echo:" + body);

  Result<Reply> round = client->Post("/psi/v1/sessions/00ff/round", "x", kOctets);
  ASSERT_TRUE(round.has_value()) << round.error().message;
  EXPECT_EQ(round->body, kClientName);

  auto other = MakeClient(other_client_identity_, server_identity_.public_key());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Post("/echo", "y", "application/json").has_value());

  std::lock_guard lock(mutex_);
  EXPECT_EQ(seen_peers_, (std::vector<std::string>{kClientName, kOtherClientName}));
  EXPECT_EQ(seen_content_type_, "application/json");
  EXPECT_EQ(seen_params_, (std::vector<std::string>{"00ff"}));
}

// A spoofed REMOTE_ADDR header changes nothing: identity comes from the key.
TEST_F(PeerTransportTest, ForgedAddressHeadersDoNotChangeWhoCalled) {
  StartServer();
  auto connection = RawConnect(&client_identity_);
  ASSERT_NE(connection, nullptr);
  ASSERT_TRUE(
      connection->Write("POST /echo HTTP/1.1\r\nHost: x\r\nREMOTE_ADDR: 10.0.0.1\r\n"
                        "X-Forwarded-For: 10.0.0.2\r\nContent-Length: 2\r\n\r\nhi"));
  std::optional<std::string> response = connection->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 200);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(seen_peers_, std::vector<std::string>{kClientName});
}

// Ordinary keep-alive is unaffected by the refusal machinery: two requests
// on one connection, and an unknown route answered with the fixed JSON body.
TEST_F(PeerTransportTest, KeepAliveConnectionServesSeveralRequests) {
  StartServer();
  auto connection = RawConnect(&client_identity_);
  ASSERT_NE(connection, nullptr);
  for (std::string body : {"one", "two"}) {
    ASSERT_TRUE(
        connection->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n" + body));
    std::optional<std::string> response = connection->ReadResponse();
    ASSERT_TRUE(response.has_value()) << body;
    EXPECT_EQ(StatusOf(*response), 200);
    EXPECT_EQ(BodyOf(*response), "echo:" + body);
  }
  ASSERT_TRUE(connection->Write("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  std::optional<std::string> missing = connection->ReadResponse();
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(StatusOf(*missing), 404);
  EXPECT_EQ(BodyOf(*missing), R"({"error":"not_found","message":"no such endpoint"})");
  EXPECT_EQ(calls_.load(), 2);
}

TEST_F(PeerTransportTest, HandlerErrorsReachTheClientAsTypedErrors) {
  StartServer();
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  Result<Reply> denied = client->Post("/deny", "{}", "application/json");
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message.find("purpose 'onderzoek' is not allowed"), std::string::npos)
      << denied.error().message;

  Result<Reply> missing = client->Post("/no/such/route", "{}", "application/json");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// (b) A client whose key is not pinned fails inside the TLS handshake: no
// handler runs and no HTTP byte comes back.
TEST_F(PeerTransportTest, UnpinnedClientIsRefusedInTheHandshake) {
  StartServer();
  auto stranger = MakeClient(stranger_identity_, server_identity_.public_key());
  ASSERT_NE(stranger, nullptr);
  Result<Reply> reply = stranger->Post("/echo", "hello", kOctets);
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnauthenticated) << reply.error().message;
  EXPECT_NE(reply.error().message.find("refused our TLS certificate"), std::string::npos)
      << reply.error().message;
  EXPECT_GE(running_->server().refused_handshakes(), 1u);

  // The same with a raw client: the request bytes get no HTTP answer at all.
  auto raw = RawConnect(&stranger_identity_);
  ASSERT_NE(raw, nullptr);  // TLS 1.3: the client's side completes first
  raw->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
  bool closed = false;
  EXPECT_EQ(raw->ReadUntilClose(&closed), "");
  EXPECT_TRUE(closed);

  // And a client that presents no certificate at all.
  auto anonymous = RawConnect(nullptr);
  ASSERT_NE(anonymous, nullptr);
  anonymous->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(anonymous->ReadUntilClose(&closed), "");
  EXPECT_TRUE(closed);

  EXPECT_EQ(calls_.load(), 0);
}

// (c) A client that pins a different server key refuses the server.
TEST_F(PeerTransportTest, ClientRefusesServerWithUnpinnedKey) {
  StartServer();
  auto client = MakeClient(client_identity_, stranger_identity_.public_key());
  ASSERT_NE(client, nullptr);
  Result<Reply> reply = client->Post("/echo", "hello", kOctets);
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(reply.error().message.find("presented a key that is not the pinned one"),
            std::string::npos)
      << reply.error().message;
  EXPECT_EQ(calls_.load(), 0);

  // Pinning the right key on the same identity works: the refusal was the pin.
  auto right = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(right, nullptr);
  EXPECT_TRUE(right->Post("/echo", "hello", kOctets).has_value());
}

// (d) TLS 1.2 is refused even with a pinned key.
TEST_F(PeerTransportTest, Tls12ClientIsRefused) {
  StartServer();
  std::string error;
  auto connection =
      RawTlsConnection::Connect(running_->port(), &client_identity_, TLS1_2_VERSION, &error);
  EXPECT_EQ(connection, nullptr);
  EXPECT_NE(error.find("handshake failed"), std::string::npos) << error;
  EXPECT_EQ(calls_.load(), 0);

  // The same raw client offering TLS 1.3 gets through: the version decided.
  auto tls13 = RawConnect(&client_identity_, TLS1_3_VERSION);
  ASSERT_NE(tls13, nullptr);
  ASSERT_TRUE(tls13->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  std::optional<std::string> response = tls13->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(StatusOf(*response), 200);
  EXPECT_EQ(BodyOf(*response), "echo:hi");
}

// (e) Transfer-Encoding and Content-Encoding are refused before the body is
// read; the connection is closed so the unread body, here a complete second
// request, is never parsed.
TEST_F(PeerTransportTest, ChunkedBodyIsRefusedAndNotParsedAsARequest) {
  StartServer();
  const std::string smuggled = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", smuggled.size());
  const std::string response =
      SendRawExpectingClose("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                            std::string(size) + "\r\n" + smuggled + "\r\n0\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 400) << response;
  EXPECT_EQ(Count(response, "HTTP/1.1 "), 1u) << response;
  EXPECT_NE(BodyOf(response).find("\"error\":\"invalid_argument\""), std::string::npos);
  EXPECT_EQ(calls_.load(), 0);

  // Smuggled straight after the headers, with no chunk framing, too.
  const std::string direct = SendRawExpectingClose(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + smuggled);
  EXPECT_EQ(StatusOf(direct), 400);
  EXPECT_EQ(Count(direct, "HTTP/1.1 "), 1u) << direct;
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(PeerTransportTest, CompressedBodyIsRefused) {
  StartServer();
  const std::string response = SendRawExpectingClose(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n"
      "\x1f\x8b\x08\x00");
  EXPECT_EQ(StatusOf(response), 415) << response;
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(PeerTransportTest, BodiesWithoutOneValidLengthAndOtherMethodsAreRefused) {
  StartServer();
  EXPECT_EQ(StatusOf(SendRawExpectingClose("POST /echo HTTP/1.1\r\nHost: x\r\n\r\nbody")), 411);
  EXPECT_EQ(StatusOf(SendRawExpectingClose("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                           "Content-Length: 40\r\n\r\nhi")),
            400);
  EXPECT_EQ(StatusOf(SendRawExpectingClose(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2abc\r\n\r\nhi")),
            400);
  EXPECT_EQ(StatusOf(SendRawExpectingClose(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\nhi")),
            400);
  EXPECT_EQ(StatusOf(SendRawExpectingClose("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")), 405);
  EXPECT_EQ(calls_.load(), 0);
}

// (f) An oversized body is refused with 413 without being read, and the
// server goes on serving.
TEST_F(PeerTransportTest, OversizedBodyIsRefusedAndServerKeepsServing) {
  StartServer();  // max_body_bytes = 64 KiB
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);

  Result<Reply> too_big = client->Post("/echo", std::string(64 * 1024 + 1, 'x'), kOctets);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code, ErrorCode::kResourceExhausted) << too_big.error().message;
  EXPECT_NE(too_big.error().message.find("HTTP 413"), std::string::npos) << too_big.error().message;
  EXPECT_EQ(calls_.load(), 0);

  // A declared terabyte is answered at once: the server does not wait for,
  // or read, a body it will refuse (httplib 0.11.4 alone would drain it).
  const std::string huge = SendRawExpectingClose(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n");
  EXPECT_EQ(StatusOf(huge), 413) << huge;
  EXPECT_EQ(calls_.load(), 0);

  Result<Reply> at_limit = client->Post("/echo", std::string(64 * 1024, 'y'), kOctets);
  ASSERT_TRUE(at_limit.has_value()) << at_limit.error().message;
  EXPECT_EQ(at_limit->body.size(), 5u + 64 * 1024);
  EXPECT_EQ(calls_.load(), 1);
}

// (f2) A path's own, tighter limit is applied to that path only.
TEST_F(PeerTransportTest, APathsOwnLimitAppliesToThatPathOnly) {
  ServerOptions options = SmallOptions();
  options.max_body_bytes_by_path = {{"/echo", 100}};
  StartServer(options);
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  Result<Reply> over = client->Post("/echo", std::string(101, 'x'), kOctets);
  ASSERT_FALSE(over.has_value());
  EXPECT_NE(over.error().message.find("HTTP 413"), std::string::npos) << over.error().message;
  EXPECT_EQ(calls_.load(), 0);
  Result<Reply> at = client->Post("/echo", std::string(100, 'x'), kOctets);
  ASSERT_TRUE(at.has_value()) << at.error().message;
  // Another path keeps the server-wide limit.
  Result<Reply> other =
      client->Post("/psi/v1/sessions/ab/round", std::string(1000, 'y'), kOctets);
  ASSERT_TRUE(other.has_value()) << other.error().message;
  EXPECT_EQ(calls_.load(), 2);
}

// (g) A throwing handler yields a fixed 500 body; the exception's text
// appears nowhere in the response (httplib's default would send it in an
// EXCEPTION_WHAT header).
TEST_F(PeerTransportTest, HandlerExceptionGivesFixedBodyWithoutItsText) {
  StartServer();
  for (std::string path : {"/throw", "/throw-int"}) {
    auto connection = RawConnect(&client_identity_);
    ASSERT_NE(connection, nullptr);
    ASSERT_TRUE(
        connection->Write("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
    std::optional<std::string> response = connection->ReadResponse();
    ASSERT_TRUE(response.has_value()) << path;
    EXPECT_EQ(StatusOf(*response), 500) << *response;
    EXPECT_EQ(BodyOf(*response), R"({"error":"internal","message":"internal error"})");
    EXPECT_EQ(response->find("EXCEPTION_WHAT"), std::string::npos) << *response;
    EXPECT_EQ(response->find("secret"), std::string::npos) << *response;
    EXPECT_EQ(response->find("123456782"), std::string::npos) << *response;
  }
  EXPECT_EQ(calls_.load(), 2);

  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  Result<Reply> thrown = client->Post("/throw", "x", kOctets);
  ASSERT_FALSE(thrown.has_value());
  EXPECT_EQ(thrown.error().code, ErrorCode::kInternal);
  EXPECT_EQ(thrown.error().message.find("secret"), std::string::npos);
  EXPECT_TRUE(client->Post("/echo", "still serving", kOctets).has_value());
}

// (h) Stop() from another thread ends ListenAfterBind promptly.
TEST_F(PeerTransportTest, StopFromAnotherThreadEndsListen) {
  StartServer();
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Post("/echo", "up?", kOctets).has_value());  // accept loop is running

  std::thread stopper([this] { running_->server().Stop(); });
  stopper.join();
  std::future<Status>& listening = running_->listening();
  ASSERT_EQ(listening.wait_for(seconds(5)), std::future_status::ready);
  Status status = listening.get();
  EXPECT_TRUE(status.has_value()) << status.error().message;

  // The port is closed now.
  Result<Reply> after = client->Post("/echo", "anyone?", kOctets);
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().code, ErrorCode::kUnavailable) << after.error().message;
}

TEST_F(PeerTransportTest, StopWithAnIdleKeepAliveConnectionStillEndsListen) {
  StartServer();  // keep_alive_timeout = 1 s
  auto idle = RawConnect(&client_identity_);
  ASSERT_NE(idle, nullptr);
  ASSERT_TRUE(idle->Write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  ASSERT_TRUE(idle->ReadResponse().has_value());  // the connection stays open, idle

  const auto start = std::chrono::steady_clock::now();
  running_->server().Stop();
  ASSERT_EQ(running_->listening().wait_for(seconds(10)), std::future_status::ready);
  // Bounded by the keep-alive timeout, not by the client.
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
}

TEST(PeerServerLifecycleTest, StopBeforeListenMakesListenReturnAtOnce) {
  TlsIdentity server_identity = MakeIdentity(1, kServerName);
  TlsIdentity client_identity = MakeIdentity(2, kClientName);
  PinSet pins;
  ASSERT_TRUE(pins.Add(kClientName, client_identity.public_key()).has_value());
  Result<std::unique_ptr<PeerServer>> server = PeerServer::Create(server_identity, std::move(pins));
  ASSERT_TRUE(server.has_value()) << server.error().message;
  ASSERT_TRUE((*server)->BindToAnyPort("127.0.0.1").has_value());
  (*server)->Stop();
  std::future<Status> listening =
      std::async(std::launch::async, [&] { return (*server)->ListenAfterBind(); });
  ASSERT_EQ(listening.wait_for(seconds(5)), std::future_status::ready);
  EXPECT_TRUE(listening.get().has_value());
  // And a stopped server cannot be bound or routed again.
  EXPECT_FALSE((*server)->BindToAnyPort("127.0.0.1").has_value());
  Status late = (*server)->Post("/x", [](const PeerRequest&) -> Result<Reply> { return Reply{}; });
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
}

TEST(PeerServerLifecycleTest, RacingStopAndListenNeverHangs) {
  TlsIdentity server_identity = MakeIdentity(1, kServerName);
  TlsIdentity client_identity = MakeIdentity(2, kClientName);
  for (int i = 0; i < 50; ++i) {
    PinSet pins;
    ASSERT_TRUE(pins.Add(kClientName, client_identity.public_key()).has_value());
    Result<std::unique_ptr<PeerServer>> server =
        PeerServer::Create(server_identity, std::move(pins));
    ASSERT_TRUE(server.has_value());
    ASSERT_TRUE((*server)->BindToAnyPort("127.0.0.1").has_value());
    std::future<Status> listening =
        std::async(std::launch::async, [&] { return (*server)->ListenAfterBind(); });
    (*server)->Stop();
    ASSERT_EQ(listening.wait_for(seconds(5)), std::future_status::ready) << "iteration " << i;
    EXPECT_TRUE(listening.get().has_value());
  }
}

TEST(PeerServerLifecycleTest, CreateAndPostValidateTheirInput) {
  TlsIdentity server_identity = MakeIdentity(1, kServerName);
  Result<std::unique_ptr<PeerServer>> no_pins = PeerServer::Create(server_identity, PinSet());
  ASSERT_FALSE(no_pins.has_value());
  EXPECT_EQ(no_pins.error().code, ErrorCode::kInvalidArgument);

  PinSet pins;
  ASSERT_TRUE(pins.Add("p", server_identity.public_key()).has_value());
  ServerOptions zero_threads;
  zero_threads.worker_threads = 0;
  EXPECT_FALSE(PeerServer::Create(server_identity, pins, zero_threads).has_value());

  Result<std::unique_ptr<PeerServer>> server = PeerServer::Create(server_identity, pins);
  ASSERT_TRUE(server.has_value());
  Status bad_regex = (*server)->Post("/sessions/([0-9",
                                     [](const PeerRequest&) -> Result<Reply> { return Reply{}; });
  ASSERT_FALSE(bad_regex.has_value());
  EXPECT_EQ(bad_regex.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(PeerTransportTest, UnreachablePeerIsUnavailable) {
  // A port that was free a moment ago and has nobody listening.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  ::close(fd);

  Result<std::unique_ptr<PeerClient>> client = PeerClient::Create(
      client_identity_, kServerName, server_identity_.public_key(), "127.0.0.1", port);
  ASSERT_TRUE(client.has_value());
  Result<Reply> reply = (*client)->Post("/echo", "x", kOctets);
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(reply.error().message, std::string("peer ") + kServerName +
                                       " at 127.0.0.1:" + std::to_string(port) + " is unreachable");
}

TEST_F(PeerTransportTest, SlowPeerIsDeadlineExceeded) {
  StartServer();
  ClientOptions options;
  options.read_timeout = milliseconds(300);
  auto client = MakeClient(client_identity_, server_identity_.public_key(), options);
  ASSERT_NE(client, nullptr);
  Result<Reply> reply = client->Post("/block", "x", kOctets);
  ReleaseBlockedHandlers();
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, ErrorCode::kDeadlineExceeded) << reply.error().message;
}

TEST_F(PeerTransportTest, OversizedResponseIsRefusedByTheClient) {
  StartServer();
  ClientOptions options;
  options.max_response_bytes = 1000;
  auto client = MakeClient(client_identity_, server_identity_.public_key(), options);
  ASSERT_NE(client, nullptr);
  Result<Reply> reply = client->Post("/big", "x", kOctets);
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, ErrorCode::kResourceExhausted) << reply.error().message;
}

TEST_F(PeerTransportTest, ClientRefusesMalformedPathsAndContentTypes) {
  StartServer();
  auto client = MakeClient(client_identity_, server_identity_.public_key());
  ASSERT_NE(client, nullptr);
  for (std::string_view path : {"echo", "/echo HTTP/1.1\r\nX: y", "/a b", ""}) {
    Result<Reply> reply = client->Post(path, "x", kOctets);
    ASSERT_FALSE(reply.has_value()) << path;
    EXPECT_EQ(reply.error().code, ErrorCode::kInvalidArgument);
  }
  Result<Reply> reply = client->Post("/echo", "x", "text/plain\r\nX-Injected: 1");
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(calls_.load(), 0);
}

}  // namespace
}  // namespace inbeeld::node::net
