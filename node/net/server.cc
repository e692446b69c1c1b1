#include "node/net/server.h"

#include <httplib.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <optional>
#include <regex>
#include <utility>

#include "node/net/bounded_task_queue.h"

namespace inbeeld::node::net {
namespace {

constexpr char kJson[] = "application/json";
constexpr int kNoSocket = -1;

using HandlerResponse = httplib::Server::HandlerResponse;

// httplib::Server::stop() does nothing until listen_after_bind() has set
// is_running(), so a Stop() that races the start of the accept loop would be
// lost and the loop would run forever. svr_sock_ is protected, so this
// subclass can take the listening socket out from under the loop at any time:
// the loop checks svr_sock_ before every accept() and treats a failed accept()
// with svr_sock_ == INVALID_SOCKET as a requested stop.
class GuardedSslServer final : public httplib::SSLServer {
 public:
  using httplib::SSLServer::SSLServer;

  int TakeListeningSocket() { return svr_sock_.exchange(INVALID_SOCKET); }
};

std::optional<uint64_t> ParseContentLength(std::string_view text) {
  // httplib itself uses strtoull, which also takes "+5", " 5" and "5abc".
  if (text.empty() || text.size() > 18) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

void SetReply(httplib::Response& res, const Reply& reply) {
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type);
}

// How long, and how much, a closing connection is drained; see
// DrainUntilPeerCloses. After a refused handshake the peer is not
// authenticated, so it gets little.
constexpr std::chrono::milliseconds kHandshakeDrainTime{2'000};
constexpr size_t kHandshakeDrainBytes = 64 * 1024;
constexpr size_t kRefusalDrainSlackBytes = 1 << 20;

// Set by Refuse() on the worker thread, read by the logger that httplib calls
// on the same thread once the response has been written.
thread_local const SSL* t_drain_after_reply = nullptr;

// A "lingering close". Closing a socket whose receive buffer still holds
// unread bytes makes the kernel send RST instead of FIN, and the peer's
// kernel may then report ECONNRESET before the peer has read what we sent —
// the TLS alert that says its key is not pinned, or our 413. So: send FIN
// after what is written, then read and discard until the peer closes, for at
// most `budget` and `max_bytes`. Afterwards the caller closes as usual.
void DrainUntilPeerCloses(int fd, std::chrono::milliseconds budget, size_t max_bytes) {
  if (fd < 0) return;
  ::shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + budget;
  size_t drained = 0;
  char buf[16 * 1024];
  while (drained < max_bytes) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      drained += static_cast<size_t>(n);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      return;
    }
  }
}

// Installed with SSL_CTX_set_info_callback: runs after OpenSSL has written
// and flushed an alert. A fatal one (a refused key, TLS 1.2, garbage) ends
// the handshake, and httplib then closes the socket at once, typically with
// the client's first request bytes unread.
void LingerAfterFatalAlert(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_WRITE_ALERT) != SSL_CB_WRITE_ALERT) return;
  if ((ret >> 8) != SSL3_AL_FATAL) return;
  DrainUntilPeerCloses(SSL_get_fd(ssl), kHandshakeDrainTime, kHandshakeDrainBytes);
}

// httplib 0.11.4 gives a handler no way to end a keep-alive connection, and a
// request refused before its body was read leaves that body in the stream,
// where a later loop iteration would parse it as a request. Marking the TLS
// read side as shut makes every further SSL_read() return 0 — also for bytes
// OpenSSL has already decrypted and buffered — so the next request read sees
// end-of-stream and httplib closes the connection. The response is written
// first (with "Connection: close"); then the logger drains (see Init).
//
// (Shutting the socket here, before the response is written, would not do:
// httplib 0.11.4 checks is_writable() — which peeks at the socket and takes
// end-of-stream for a dead peer — before writing, and would drop the response
// silently.)
void EndConnectionAfterReply(const httplib::Request& req, httplib::Response& res) {
  res.set_header("Connection", "close");
  if (req.ssl == nullptr) return;
  // httplib hands out `const SSL*`; the SSL object itself is not const.
  SSL* ssl = const_cast<SSL*>(req.ssl);
  SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
  t_drain_after_reply = req.ssl;
}

HandlerResponse Refuse(const httplib::Request& req, httplib::Response& res, int status,
                       ErrorCode code, std::string_view message) {
  res.status = status;
  res.set_content(ErrorBody(code, message), kJson);
  EndConnectionAfterReply(req, res);
  return HandlerResponse::Handled;
}

bool IsSafeHeaderValue(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

class PeerServer::Impl {
 public:
  Impl(PinSet peers, ServerOptions options) : verifier_(std::move(peers)), options_(options) {}

  ~Impl() {
    Stop();
    std::lock_guard lock(mutex_);
    CloseDeferredSocket();
  }

  Status Init(const TlsIdentity& identity) {
    std::string setup_error;
    server_ = std::make_unique<GuardedSslServer>([&](SSL_CTX& ctx) {
      Status status = SetUpContext(ctx, identity);
      if (!status) setup_error = status.error().message;
      return status.has_value();
    });
    if (!server_->is_valid()) {
      return Fail(
          ErrorCode::kInternal,
          "peer server TLS setup: " + (setup_error.empty() ? DrainOpenSslErrors() : setup_error));
    }

    const size_t workers = options_.worker_threads;
    const size_t queued = options_.max_queued_connections;
    server_->new_task_queue = [workers, queued]() -> httplib::TaskQueue* {
      return new BoundedTaskQueue(workers, queued);
    };
    server_->set_socket_options([](int sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server_->set_tcp_nodelay(true);
    server_->set_payload_max_length(options_.max_body_bytes);
    server_->set_read_timeout(options_.read_timeout);
    server_->set_write_timeout(options_.write_timeout);
    server_->set_keep_alive_timeout(static_cast<time_t>(options_.keep_alive_timeout.count()));
    server_->set_keep_alive_max_count(options_.keep_alive_max_requests);

    server_->set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return Screen(req, res); });
    server_->set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          // Runs for every status >= 400; keep bodies set by Refuse/handlers.
          if (!res.body.empty()) return HandlerResponse::Unhandled;
          const ErrorCode code = ErrorCodeForHttpStatus(res.status);
          res.set_content(
              ErrorBody(code, res.status == 404 ? "no such endpoint" : "request refused"), kJson);
          return HandlerResponse::Handled;
        }));
    server_->set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          // The exception's text may hold anything (a path, an identifier):
          // it stays here. Drop whatever the handler set before throwing.
          res.headers.clear();
          res.status = 500;
          res.set_content(ErrorBody(ErrorCode::kInternal, "internal error"), kJson);
        });
    // httplib calls the logger after the response is written: the point at
    // which a refused connection may drain and close (DrainUntilPeerCloses).
    const auto drain_time =
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.read_timeout);
    const size_t drain_bytes = options_.max_body_bytes + kRefusalDrainSlackBytes;
    server_->set_logger(
        [drain_time, drain_bytes](const httplib::Request& req, const httplib::Response&) {
          if (req.ssl == nullptr || t_drain_after_reply != req.ssl) return;
          t_drain_after_reply = nullptr;
          DrainUntilPeerCloses(SSL_get_fd(req.ssl), drain_time, drain_bytes);
        });
    return {};
  }

  Status Post(std::string_view path_pattern, PeerHandler handler) {
    std::lock_guard lock(mutex_);
    if (state_ == State::kListening || state_ == State::kStopped) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "peer server: routes must be added before listening");
    }
    httplib::Server::Handler wrapped = [this, handler = std::move(handler)](
                                           const httplib::Request& req, httplib::Response& res) {
      Dispatch(handler, req, res);
    };
    try {
      server_->Post(std::string(path_pattern), std::move(wrapped));
    } catch (const std::regex_error&) {
      return Fail(ErrorCode::kInvalidArgument, "peer server: route pattern '" +
                                                   std::string(path_pattern) +
                                                   "' is not a valid regular expression");
    }
    return {};
  }

  Result<int> Bind(const std::string& host, int port) {
    std::lock_guard lock(mutex_);
    if (state_ != State::kCreated || stop_requested_) {
      return Fail(ErrorCode::kFailedPrecondition, "peer server: already bound or stopped");
    }
    int bound_port = port;
    if (port == 0) {
      bound_port = server_->bind_to_any_port(host);
    } else if (!server_->bind_to_port(host, port)) {
      bound_port = -1;
    }
    if (bound_port <= 0) {
      return Fail(ErrorCode::kUnavailable,
                  "peer server: cannot listen on " + host + ":" +
                      (port == 0 ? std::string("any port") : std::to_string(port)));
    }
    state_ = State::kBound;
    return bound_port;
  }

  Status ListenAfterBind() {
    {
      std::lock_guard lock(mutex_);
      if (stop_requested_) {
        state_ = State::kStopped;
        return {};
      }
      if (state_ != State::kBound) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "peer server: ListenAfterBind needs a bound, not yet listening server");
      }
      state_ = State::kListening;
    }
    const bool clean = server_->listen_after_bind();
    std::lock_guard lock(mutex_);
    state_ = State::kStopped;
    // If httplib ended the loop itself it has closed the socket already but
    // left its number in svr_sock_; forget it without closing it twice.
    server_->TakeListeningSocket();
    CloseDeferredSocket();
    if (!clean && !stop_requested_) {
      return Fail(ErrorCode::kInternal, "peer server: accepting connections failed");
    }
    return {};
  }

  void Stop() {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    if (state_ != State::kBound && state_ != State::kListening) return;
    const int sock = server_->TakeListeningSocket();
    if (sock == kNoSocket) return;
    // Wakes an accept() in progress. The descriptor is closed only once the
    // accept loop has returned, so its number cannot be reused under it.
    ::shutdown(sock, SHUT_RDWR);
    deferred_close_ = sock;
    if (state_ == State::kBound) {
      state_ = State::kStopped;
      CloseDeferredSocket();
    }
  }

  uint64_t refused_handshakes() const { return verifier_.refused_count(); }

 private:
  enum class State { kCreated, kBound, kListening, kStopped };

  Status SetUpContext(SSL_CTX& ctx, const TlsIdentity& identity) {
    if (SSL_CTX_set_min_proto_version(&ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(&ctx, TLS1_3_VERSION) != 1) {
      return Fail(ErrorCode::kInternal, "cannot restrict to TLS 1.3");
    }
    SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
    // Every connection runs the full mutual handshake, so every connection
    // passes the pin check.
    SSL_CTX_set_session_cache_mode(&ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(&ctx, 0);
    if (SSL_CTX_set1_sigalgs_list(&ctx, "ed25519") != 1 ||
        SSL_CTX_set1_groups_list(&ctx, "X25519") != 1) {
      return Fail(ErrorCode::kInternal, "cannot fix signature algorithm and group");
    }
    if (SSL_CTX_use_certificate(&ctx, identity.certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(&ctx, identity.private_key()) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
      return Fail(ErrorCode::kInternal,
                  "cannot load the node certificate: " + DrainOpenSslErrors());
    }
    verifier_.InstallOn(ctx, PinVerifier::Role::kServer);
    SSL_CTX_set_info_callback(&ctx, &LingerAfterFatalAlert);
    return {};
  }

  // Pre-routing: runs after the headers are parsed and before any body byte
  // is read. cpp-httplib 0.11.4 would otherwise read a body without
  // Content-Length until the peer closes, read chunked bodies without limit,
  // decompress gzip/brotli bodies (Debian builds it with both), and read and
  // discard an oversized body in full before answering 413.
  HandlerResponse Screen(const httplib::Request& req, httplib::Response& res) {
    // A marker left by a request whose logger never ran must not make this
    // connection drain and close.
    t_drain_after_reply = nullptr;
    if (req.ssl == nullptr) {
      return Refuse(req, res, 500, ErrorCode::kInternal, "internal error");
    }
    if (!verifier_.PeerName(*req.ssl)) {
      return Refuse(req, res, 401, ErrorCode::kUnauthenticated, "caller is not a pinned peer");
    }
    if (req.method != "POST") {
      return Refuse(req, res, 405, ErrorCode::kInvalidArgument, "only POST is served");
    }
    if (req.has_header("Transfer-Encoding")) {
      return Refuse(req, res, 400, ErrorCode::kInvalidArgument,
                    "Transfer-Encoding is not accepted; send the body with a Content-Length");
    }
    if (req.has_header("Content-Encoding")) {
      return Refuse(req, res, 415, ErrorCode::kInvalidArgument,
                    "Content-Encoding is not accepted; send the body uncompressed");
    }
    const size_t lengths = req.get_header_value_count("Content-Length");
    if (lengths == 0) {
      return Refuse(req, res, 411, ErrorCode::kInvalidArgument, "a Content-Length is required");
    }
    if (lengths > 1) {
      return Refuse(req, res, 400, ErrorCode::kInvalidArgument, "more than one Content-Length");
    }
    const std::optional<uint64_t> length =
        ParseContentLength(req.get_header_value("Content-Length"));
    if (!length) {
      return Refuse(req, res, 400, ErrorCode::kInvalidArgument, "malformed Content-Length");
    }
    size_t limit = options_.max_body_bytes;
    if (auto it = options_.max_body_bytes_by_path.find(req.path);
        it != options_.max_body_bytes_by_path.end()) {
      limit = std::min(limit, it->second);
    }
    if (*length > limit) {
      return Refuse(req, res, 413, ErrorCode::kResourceExhausted,
                    "request body is larger than " + std::to_string(limit) + " bytes");
    }
    return HandlerResponse::Unhandled;
  }

  void Dispatch(const PeerHandler& handler, const httplib::Request& req, httplib::Response& res) {
    // Screen() checked this already; asked again so that no route can ever
    // run without an authenticated peer.
    Result<std::string> peer = req.ssl != nullptr
                                   ? verifier_.PeerName(*req.ssl)
                                   : Result<std::string>(std::unexpected(
                                         Error{ErrorCode::kUnauthenticated, "no TLS connection"}));
    if (!peer) {
      SetReply(res, ErrorReply(peer.error()));
      return;
    }
    const std::string content_type = req.get_header_value("Content-Type");
    PeerRequest request{
        .peer = *peer,
        .path = req.path,
        .content_type = content_type,
        .body = req.body,
        .path_params = {},
    };
    for (size_t i = 1; i < req.matches.size(); ++i) {
      const auto& group = req.matches[i];
      request.path_params.push_back(group.matched ? std::string_view(group.first, group.second)
                                                  : std::string_view());
    }
    // An exception propagates to httplib, whose exception handler (set in
    // Init) answers with the fixed 500 body.
    Result<Reply> result = handler(request);
    Reply reply = result ? *std::move(result) : ErrorReply(result.error());
    if (reply.status < 200 || reply.status > 599 || !IsSafeHeaderValue(reply.content_type)) {
      reply = ErrorReply(Error{ErrorCode::kInternal, "handler returned a malformed reply"});
    }
    SetReply(res, reply);
  }

  // REQUIRES: mutex_ is held.
  void CloseDeferredSocket() {
    if (deferred_close_ != kNoSocket) {
      ::close(deferred_close_);
      deferred_close_ = kNoSocket;
    }
  }

  // Declared before server_: the SSL_CTX inside server_ points at verifier_.
  const PinVerifier verifier_;
  const ServerOptions options_;
  std::unique_ptr<GuardedSslServer> server_;

  std::mutex mutex_;
  State state_ = State::kCreated;   // GUARDED_BY(mutex_)
  bool stop_requested_ = false;     // GUARDED_BY(mutex_)
  int deferred_close_ = kNoSocket;  // GUARDED_BY(mutex_)
};

Result<std::unique_ptr<PeerServer>> PeerServer::Create(const TlsIdentity& identity, PinSet peers,
                                                       ServerOptions options) {
  if (peers.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer server: no peers are pinned, so every client would be refused");
  }
  if (options.max_body_bytes == 0 || options.worker_threads == 0 ||
      options.max_queued_connections == 0 || options.keep_alive_max_requests == 0 ||
      options.read_timeout.count() <= 0 || options.write_timeout.count() <= 0 ||
      options.keep_alive_timeout.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer server: limits, timeouts and thread counts must be positive");
  }
  auto impl = std::make_unique<Impl>(std::move(peers), options);
  INBEELD_RETURN_IF_ERROR(impl->Init(identity));
  return std::unique_ptr<PeerServer>(new PeerServer(std::move(impl)));
}

PeerServer::PeerServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PeerServer::~PeerServer() = default;

Status PeerServer::Post(std::string_view path_pattern, PeerHandler handler) {
  return impl_->Post(path_pattern, std::move(handler));
}

Result<int> PeerServer::BindToAnyPort(const std::string& host) { return impl_->Bind(host, 0); }

Status PeerServer::Bind(const std::string& host, int port) {
  if (port <= 0 || port > 65535) {
    return Fail(ErrorCode::kInvalidArgument, "peer server: port must be 1..65535");
  }
  Result<int> bound = impl_->Bind(host, port);
  if (!bound) return std::unexpected(bound.error());
  return {};
}

Status PeerServer::ListenAfterBind() { return impl_->ListenAfterBind(); }

void PeerServer::Stop() { impl_->Stop(); }

uint64_t PeerServer::refused_handshakes() const { return impl_->refused_handshakes(); }

}  // namespace inbeeld::node::net
