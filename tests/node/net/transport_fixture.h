// tests/node/net/transport_fixture.h — a PeerServer with test routes on
// 127.0.0.1 (a port the OS picks), pinned client identities, and a record of
// what the server reported to its refusal hook. Shared by the transport tests.
//
// Thread safety: handlers and the hook run on the server's threads; what they
// record is guarded by mutex_.
#ifndef INBEELD_TESTS_NODE_NET_TRANSPORT_FIXTURE_H_
#define INBEELD_TESTS_NODE_NET_TRANSPORT_FIXTURE_H_

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "node/net/client.h"
#include "node/net/pinning.h"
#include "node/net/reply.h"
#include "node/net/server.h"
#include "node/net/tls_identity.h"
#include "tests/node/net/raw_tls_client.h"

namespace inbeeld::node::net::testing {

inline constexpr char kServerName[] = "leerplicht-haarlem";
inline constexpr char kClientName[] = "swv-po-2701";
inline constexpr char kOtherClientName[] = "swv-vo-2703";
inline constexpr char kOctets[] = "application/octet-stream";

using std::chrono::milliseconds;
using std::chrono::seconds;

// What the server told its on_refused hook, copied out of the call.
struct SeenRefusal {
  std::string peer;
  std::string path;
  int status;
  std::string reason;
};

inline TlsIdentity MakeIdentity(uint8_t fill, std::string_view name) {
  std::array<uint8_t, 32> seed;
  seed.fill(fill);
  Result<TlsIdentity> identity = TlsIdentity::Create(seed, name);
  EXPECT_TRUE(identity.has_value()) << identity.error().message;
  return *std::move(identity);
}

// A PeerServer listening on its own thread; stopped and joined on destruction.
class RunningServer {
 public:
  explicit RunningServer(std::unique_ptr<PeerServer> server) : server_(std::move(server)) {
    Result<int> port = server_->BindToAnyPort("127.0.0.1");
    EXPECT_TRUE(port.has_value()) << port.error().message;
    port_ = port.value_or(-1);
    listening_ = std::async(std::launch::async, [this] { return server_->ListenAfterBind(); });
  }
  ~RunningServer() {
    server_->Stop();
    if (listening_.valid()) listening_.wait();
  }
  int port() const { return port_; }
  PeerServer& server() { return *server_; }
  std::future<Status>& listening() { return listening_; }

 private:
  std::unique_ptr<PeerServer> server_;
  int port_ = -1;
  std::future<Status> listening_;
};

class PeerTransportTest : public ::testing::Test {
 protected:
  PeerTransportTest()
      : server_identity_(MakeIdentity(1, kServerName)),
        client_identity_(MakeIdentity(2, kClientName)),
        stranger_identity_(MakeIdentity(3, "stranger")),
        other_client_identity_(MakeIdentity(4, kOtherClientName)) {}

  static ServerOptions SmallOptions() {
    ServerOptions options;
    options.max_body_bytes = 64 * 1024;
    options.read_timeout = seconds(5);
    options.write_timeout = seconds(5);
    options.keep_alive_timeout = seconds(1);
    options.worker_threads = 2;
    options.max_queued_connections = 4;
    return options;
  }

  // Starts a server pinning the two client identities, with routes:
  //   /echo                       returns "echo:" + body, records the caller
  //   /psi/v1/sessions/([0-9a-f]+)/round   records the path parameter
  //   /deny                       returns kPermissionDenied
  //   /busy                       returns BusyReply, retry in 30 s
  //   /throw, /throw-int          throw
  //   /block                      waits for ReleaseBlockedHandlers()
  //   /big                        returns 4 KiB
  // Unless `options` has a refusal hook, refusals are recorded (refusals()).
  void StartServer(ServerOptions options = SmallOptions()) {
    if (!options.on_refused) {
      options.on_refused = [this](const TransportRefusal& refusal) {
        std::lock_guard lock(mutex_);
        refusals_.push_back(SeenRefusal{std::string(refusal.peer), std::string(refusal.path),
                                        refusal.status, std::string(refusal.reason)});
      };
    }
    PinSet pins;
    ASSERT_TRUE(pins.Add(kClientName, client_identity_.public_key()).has_value());
    ASSERT_TRUE(pins.Add(kOtherClientName, other_client_identity_.public_key()).has_value());
    Result<std::unique_ptr<PeerServer>> server =
        PeerServer::Create(server_identity_, std::move(pins), options);
    ASSERT_TRUE(server.has_value()) << server.error().message;

    ASSERT_TRUE((*server)
                    ->Post("/echo",
                           [this](const PeerRequest& request) -> Result<Reply> {
                             calls_.fetch_add(1);
                             std::lock_guard lock(mutex_);
                             seen_peers_.emplace_back(request.peer);
                             seen_content_type_ = std::string(request.content_type);
                             return Reply{200, kOctets, "echo:" + std::string(request.body)};
                           })
                    .has_value());
    ASSERT_TRUE((*server)
                    ->Post("/psi/v1/sessions/([0-9a-f]+)/round",
                           [this](const PeerRequest& request) -> Result<Reply> {
                             calls_.fetch_add(1);
                             std::lock_guard lock(mutex_);
                             seen_params_.assign(request.path_params.begin(),
                                                 request.path_params.end());
                             return Reply{200, kOctets, std::string(request.peer)};
                           })
                    .has_value());
    ASSERT_TRUE((*server)
                    ->Post("/deny",
                           [this](const PeerRequest&) -> Result<Reply> {
                             calls_.fetch_add(1);
                             return Fail(ErrorCode::kPermissionDenied,
                                         "purpose 'onderzoek' is not allowed");
                           })
                    .has_value());
    ASSERT_TRUE((*server)
                    ->Post("/busy",
                           [this](const PeerRequest&) -> Result<Reply> {
                             calls_.fetch_add(1);
                             return BusyReply("the node is busy with other sessions", seconds(30));
                           })
                    .has_value());
    ASSERT_TRUE((*server)
                    ->Post("/throw",
                           [this](const PeerRequest&) -> Result<Reply> {
                             calls_.fetch_add(1);
                             throw std::runtime_error("secret detail: bsn 123456782");
                           })
                    .has_value());
    ASSERT_TRUE((*server)
                    ->Post("/throw-int",
                           [this](const PeerRequest&) -> Result<Reply> {
                             calls_.fetch_add(1);
                             throw 42;
                           })
                    .has_value());
    ASSERT_TRUE((*server)
                    ->Post("/block",
                           [this](const PeerRequest&) -> Result<Reply> {
                             calls_.fetch_add(1);
                             std::unique_lock lock(mutex_);
                             released_.wait(lock, [this] { return release_; });
                             return Reply{200, kOctets, "late"};
                           })
                    .has_value());
    ASSERT_TRUE((*server)
                    ->Post("/big",
                           [this](const PeerRequest&) -> Result<Reply> {
                             calls_.fetch_add(1);
                             return Reply{200, kOctets, std::string(4096, 'b')};
                           })
                    .has_value());
    running_ = std::make_unique<RunningServer>(*std::move(server));
  }

  std::vector<SeenRefusal> refusals() {
    std::lock_guard lock(mutex_);
    return refusals_;
  }

  void ReleaseBlockedHandlers() {
    {
      std::lock_guard lock(mutex_);
      release_ = true;
    }
    released_.notify_all();
  }

  std::unique_ptr<PeerClient> MakeClient(const TlsIdentity& self,
                                         const std::array<uint8_t, 32>& server_key,
                                         ClientOptions options = {}) {
    Result<std::unique_ptr<PeerClient>> client =
        PeerClient::Create(self, kServerName, server_key, "127.0.0.1", running_->port(), options);
    EXPECT_TRUE(client.has_value()) << client.error().message;
    return client ? *std::move(client) : nullptr;
  }

  std::unique_ptr<RawTlsConnection> RawConnect(const TlsIdentity* identity,
                                               int max_version = TLS1_3_VERSION) {
    std::string error;
    auto connection = RawTlsConnection::Connect(running_->port(), identity, max_version, &error);
    EXPECT_NE(connection, nullptr) << error;
    return connection;
  }

  // Sends `request` on a fresh pinned connection; returns all the server sent
  // before closing. Fails the test if the server kept the connection open.
  std::string SendRawExpectingClose(std::string_view request,
                                    const TlsIdentity* identity = nullptr) {
    auto connection = RawConnect(identity != nullptr ? identity : &client_identity_);
    if (connection == nullptr) return {};
    EXPECT_TRUE(connection->Write(request));
    bool closed = false;
    std::string response = connection->ReadUntilClose(&closed);
    EXPECT_TRUE(closed) << "server kept the connection open";
    return response;
  }

  TlsIdentity server_identity_;
  TlsIdentity client_identity_;
  TlsIdentity stranger_identity_;
  TlsIdentity other_client_identity_;

  std::atomic<int> calls_{0};
  std::mutex mutex_;
  std::vector<std::string> seen_peers_;   // GUARDED_BY(mutex_)
  std::string seen_content_type_;         // GUARDED_BY(mutex_)
  std::vector<std::string> seen_params_;  // GUARDED_BY(mutex_)
  bool release_ = false;                  // GUARDED_BY(mutex_)
  std::vector<SeenRefusal> refusals_;     // GUARDED_BY(mutex_)
  std::condition_variable released_;

  // Last member: destroyed (stopped and joined) before what handlers use.
  std::unique_ptr<RunningServer> running_;
};

inline size_t Count(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace inbeeld::node::net::testing

#endif  // INBEELD_TESTS_NODE_NET_TRANSPORT_FIXTURE_H_
