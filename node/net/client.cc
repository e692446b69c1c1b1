#include "node/net/client.h"

#include <httplib.h>
#include <openssl/err.h>
#include <pthread.h>
#include <signal.h>

#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "node/net/pinning.h"

namespace inbeeld::node::net {
namespace {

using Clock = std::chrono::steady_clock;

// httplib writes to sockets through OpenSSL's socket BIO, i.e. plain write(),
// so a peer that closes early would raise SIGPIPE and kill a process that has
// not ignored it (httplib's Server constructor ignores it process-wide; a
// client-only process has no server). Block it on this thread for the call
// and swallow one we caused, as libcurl does.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    was_pending_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_mask_) == 0;
  }
  ~ScopedSigpipeBlock() {
    if (!blocked_) return;
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
        const timespec no_wait{};
        sigtimedwait(&pipe_, nullptr, &no_wait);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_mask_;
  bool was_pending_ = false;
  bool blocked_ = false;
};

struct TlsFailure {
  std::optional<int> alert;  // TLS alert received from the peer, if any
  std::string reasons;       // OpenSSL's reason strings, for the message
};

// Reads and clears this thread's OpenSSL error queue. httplib 0.11.4 reports
// TLS trouble only as Error::SSLConnection / Error::Read; the queue says
// whether the peer sent an alert and which.
TlsFailure DrainTlsFailure() {
  TlsFailure failure;
  while (unsigned long e = ERR_get_error()) {
    if (ERR_GET_LIB(e) == ERR_LIB_SSL) {
      const int reason = ERR_GET_REASON(e);
      if (reason >= SSL_AD_REASON_OFFSET && !failure.alert) {
        failure.alert = reason - SSL_AD_REASON_OFFSET;
      }
    }
    const char* text = ERR_reason_error_string(e);
    if (!failure.reasons.empty()) failure.reasons += "; ";
    failure.reasons += text != nullptr ? text : "unknown OpenSSL error";
  }
  if (failure.reasons.empty()) failure.reasons = "no TLS error recorded";
  return failure;
}

bool IsCertificateAlert(int alert) {
  switch (alert) {
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
    case SSL_AD_CERTIFICATE_REVOKED:
    case SSL_AD_CERTIFICATE_EXPIRED:
    case SSL_AD_CERTIFICATE_UNKNOWN:
    case SSL_AD_UNKNOWN_CA:
    case SSL_AD_ACCESS_DENIED:
    case SSL_AD_CERTIFICATE_REQUIRED:
      return true;
    default:
      return false;
  }
}

bool IsPrintableAscii(std::string_view text, bool allow_space) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || (!allow_space && u == ' ')) return false;
  }
  return true;
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// A failure of our own: no hint from the peer.
std::unexpected<PeerError> Failed(Error error) {
  return std::unexpected(PeerError{std::move(error), std::nullopt});
}

}  // namespace

class PeerClient::Impl {
 public:
  Impl(std::string peer_name, PinSet pin, std::string host, int port, ClientOptions options)
      : peer_name_(std::move(peer_name)),
        host_(std::move(host)),
        port_(port),
        where_("peer " + peer_name_ + " at " + host_ + ":" + std::to_string(port_)),
        options_(options),
        verifier_(std::move(pin)) {}

  Status Init(const TlsIdentity& self) {
    client_ =
        std::make_unique<httplib::SSLClient>(host_, port_, self.certificate(), self.private_key());
    if (!client_->is_valid()) {
      return Fail(ErrorCode::kInternal, "client for " + where_ + ": cannot load our certificate: " +
                                            DrainOpenSslErrors());
    }
    SSL_CTX* ctx = client_->ssl_context();
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set1_sigalgs_list(ctx, "ed25519") != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519") != 1) {
      return Fail(ErrorCode::kInternal,
                  "client for " + where_ + ": TLS setup: " + DrainOpenSslErrors());
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    verifier_.InstallOn(*ctx, PinVerifier::Role::kClient);
    // Must stay off: when on, httplib 0.11.4 sets SSL_VERIFY_NONE on each
    // connection (dropping our verify mode) and then requires a CA chain and
    // a host name match, which pinned self-signed peers never have.
    client_->enable_server_certificate_verification(false);

    client_->set_connection_timeout(options_.connect_timeout);
    client_->set_read_timeout(options_.read_timeout);
    client_->set_write_timeout(options_.write_timeout);
    client_->set_keep_alive(false);
    client_->set_follow_location(false);
    client_->set_compress(false);
    client_->set_decompress(false);
    client_->set_tcp_nodelay(true);
    // Built with zlib and brotli, httplib would otherwise offer
    // "br, gzip, deflate" on every request.
    client_->set_default_headers({{"Accept-Encoding", "identity"}});
    return {};
  }

  PeerResult Post(std::string_view path, std::string_view body, std::string_view content_type) {
    if (path.empty() || path.front() != '/' || !IsPrintableAscii(path, false)) {
      return Failed({ErrorCode::kInvalidArgument,
                     "request to " + where_ +
                         ": path must start with '/' and hold no spaces or control characters"});
    }
    if (content_type.empty() || !IsPrintableAscii(content_type, true)) {
      return Failed(
          {ErrorCode::kInvalidArgument,
           "request to " + where_ + ": content type is empty or holds control characters"});
    }

    std::lock_guard lock(mutex_);
    std::string received;
    bool too_large = false;
    bool compressed = false;
    const size_t limit = options_.max_response_bytes;

    httplib::Request req;
    req.method = "POST";
    req.path = std::string(path);
    req.headers.emplace("Content-Type", std::string(content_type));
    req.body = std::string(body);
    req.response_handler = [&](const httplib::Response& response) {
      const std::string encoding = response.get_header_value("Content-Encoding");
      if (!encoding.empty() && encoding != "identity") {
        compressed = true;
        return false;
      }
      if (response.has_header("Content-Length") &&
          response.get_header_value<uint64_t>("Content-Length") > limit) {
        too_large = true;
        return false;
      }
      return true;
    };
    req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
      if (size > limit - received.size()) {
        too_large = true;
        return false;
      }
      received.append(data, size);
      return true;
    };

    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    const uint64_t refused_before = verifier_.refused_count();
    ERR_clear_error();
    const Clock::time_point start = Clock::now();
    bool sent;
    {
      ScopedSigpipeBlock no_sigpipe;
      sent = client_->send(req, res, error);
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (!sent) {
      return Failed(DescribeFailure(error, refused_before, elapsed, too_large, compressed));
    }
    ERR_clear_error();

    Reply reply{
        .status = res.status,
        .content_type = res.get_header_value("Content-Type"),
        .body = std::move(received),
        .retry_after = res.has_header("Retry-After")
                           ? ParseRetryAfter(res.get_header_value("Retry-After"))
                           : std::nullopt,
    };
    if (reply.status < 200 || reply.status > 299) {
      return std::unexpected(
          PeerError{ErrorFromReply(peer_name_, reply), RetryHintOf(reply), reply.status});
    }
    return reply;
  }

  const std::string& peer_name() const { return peer_name_; }

 private:
  Error DescribeFailure(httplib::Error error, uint64_t refused_before,
                        std::chrono::milliseconds elapsed, bool too_large, bool compressed) {
    const TlsFailure tls = DrainTlsFailure();
    if (verifier_.refused_count() != refused_before) {
      return {ErrorCode::kUnauthenticated, where_ + " presented a key that is not the pinned one"};
    }
    switch (error) {
      case httplib::Error::Connection:
        return {ErrorCode::kUnavailable, where_ + " is unreachable"};
      case httplib::Error::ConnectionTimeout:
        return {ErrorCode::kDeadlineExceeded,
                where_ + " did not accept a connection within " + Millis(options_.connect_timeout)};
      case httplib::Error::SSLConnection:
        if (!tls.alert && elapsed >= options_.connect_timeout) {
          return {ErrorCode::kDeadlineExceeded, "TLS handshake with " + where_ +
                                                    " took longer than " +
                                                    Millis(options_.connect_timeout)};
        }
        return {ErrorCode::kUnauthenticated,
                "TLS handshake with " + where_ + " failed (" + tls.reasons + ")"};
      case httplib::Error::Read:
      case httplib::Error::Write: {
        // In TLS 1.3 the client finishes its side of the handshake before the
        // server has checked the client's certificate, so a server that
        // refuses us is seen here, as an alert on the first read.
        if (tls.alert && IsCertificateAlert(*tls.alert)) {
          return {ErrorCode::kUnauthenticated, where_ + " refused our TLS certificate (" +
                                                   tls.reasons +
                                                   "); is this node pinned in its configuration?"};
        }
        if (tls.alert) {
          return {ErrorCode::kUnavailable, where_ + " ended the TLS session (" + tls.reasons + ")"};
        }
        const auto timeout =
            error == httplib::Error::Read ? options_.read_timeout : options_.write_timeout;
        if (elapsed >= timeout) {
          return {ErrorCode::kDeadlineExceeded,
                  where_ + " did not " + (error == httplib::Error::Read ? "answer" : "read") +
                      " within " + Millis(timeout)};
        }
        return {ErrorCode::kUnavailable,
                "connection to " + where_ + " broke before a full response arrived"};
      }
      case httplib::Error::Canceled:
        if (too_large) {
          return {ErrorCode::kResourceExhausted, where_ + " sent a response larger than " +
                                                     std::to_string(options_.max_response_bytes) +
                                                     " bytes"};
        }
        if (compressed) {
          return {ErrorCode::kInvalidArgument,
                  where_ + " sent a compressed response, which is refused"};
        }
        break;
      default:
        break;
    }
    return {ErrorCode::kInternal, "request to " + where_ + " failed: " + httplib::to_string(error)};
  }

  const std::string peer_name_;
  const std::string host_;
  const int port_;
  const std::string where_;
  const ClientOptions options_;
  // Declared before client_: the SSL_CTX inside client_ points at verifier_.
  const PinVerifier verifier_;
  std::unique_ptr<httplib::SSLClient> client_;
  std::mutex mutex_;  // serialises requests: the refusal counter is read per call
};

Result<std::unique_ptr<PeerClient>> PeerClient::Create(const TlsIdentity& self,
                                                       std::string_view peer_name,
                                                       std::span<const uint8_t, 32> peer_public_key,
                                                       std::string_view host, int port,
                                                       ClientOptions options) {
  if (peer_name.empty() || host.empty() || !IsPrintableAscii(host, false)) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer client: peer name or host is empty or malformed");
  }
  if (port <= 0 || port > 65535) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer client for " + std::string(peer_name) + ": port must be 1..65535");
  }
  if (options.connect_timeout.count() <= 0 || options.read_timeout.count() <= 0 ||
      options.write_timeout.count() <= 0 || options.max_response_bytes == 0) {
    return Fail(ErrorCode::kInvalidArgument, "peer client for " + std::string(peer_name) +
                                                 ": timeouts and response limit must be positive");
  }
  PinSet pin;
  INBEELD_RETURN_IF_ERROR(pin.Add(peer_name, peer_public_key));
  auto impl = std::make_unique<Impl>(std::string(peer_name), std::move(pin), std::string(host),
                                     port, options);
  INBEELD_RETURN_IF_ERROR(impl->Init(self));
  return std::unique_ptr<PeerClient>(new PeerClient(std::move(impl)));
}

PeerClient::PeerClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PeerClient::~PeerClient() = default;

PeerResult PeerClient::Post(std::string_view path, std::string_view body,
                            std::string_view content_type) {
  return impl_->Post(path, body, content_type);
}

const std::string& PeerClient::peer_name() const { return impl_->peer_name(); }

PeerResult PostPatiently(PeerClient& client, std::string_view path, std::string_view body,
                         std::string_view content_type, int attempts) {
  std::chrono::seconds floor(1);
  for (int attempt = 1;; ++attempt) {
    PeerResult reply = client.Post(path, body, content_type);
    if (reply || !reply.error().retry_after || attempt >= attempts) return reply;
    auto wait = std::min(std::max(*reply.error().retry_after, floor), std::chrono::seconds(30));
    // Jitter only spreads retries out: no secret, so no CSPRNG needed.
    thread_local std::minstd_rand jitter_source{std::random_device{}()};
    auto jitter = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(
        0, static_cast<int64_t>(wait.count()) * 250)(jitter_source));
    std::this_thread::sleep_for(wait + jitter);
    floor = std::min(floor * 2, std::chrono::seconds(30));
  }
}

}  // namespace inbeeld::node::net
