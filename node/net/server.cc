#include "node/net/server.h"

#include <httplib.h>
#include <openssl/err.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <regex>
#include <utility>

#include "node/net/bounded_task_queue.h"
#include "node/net/openssl_util.h"
#include "node/net/tls_acceptor.h"
#include "node/net/tls_stream.h"

namespace inbeeld::node::net {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kUnknownPath[] = "unknown";
// Longer paths are reported as unknown without running a route's regex on
// them (std::regex recurses per character).
constexpr size_t kMaxReportedPathLength = 256;
// Lingering close after a refusal to a pinned peer: up to the body it may
// still be sending, within read_timeout.
constexpr size_t kRefusalDrainSlackBytes = 1 << 20;

using Clock = std::chrono::steady_clock;
using HandlerResponse = httplib::Server::HandlerResponse;

// httplib's request parser and router, without its sockets: PeerServer
// accepts and handshakes itself (tls_acceptor.h) and feeds each established
// connection's requests in through process_request, which is protected.
class RequestProcessor final : public httplib::Server {
 public:
  bool Process(httplib::Stream& stream, bool close_connection, bool& connection_closed,
               const std::function<void(httplib::Request&)>& setup) {
    return process_request(stream, close_connection, connection_closed, setup);
  }
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

bool IsSafeHeaderValue(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// A complete response written by us rather than by httplib: the 429 of a
// full pool (on the accepting thread) and the 408 of a request line that
// never arrived.
std::string RawErrorResponse(int status, std::string_view status_text, std::string_view body,
                             std::optional<std::chrono::seconds> retry_after) {
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(status_text) +
                         "\r\nConnection: close\r\nContent-Type: application/json\r\n"
                         "Content-Length: " +
                         std::to_string(body.size()) + "\r\n";
  if (retry_after) response += "Retry-After: " + std::to_string(retry_after->count()) + "\r\n";
  response += "\r\n";
  response += body;
  return response;
}

void WriteAll(httplib::Stream& stream, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = stream.write(bytes.data(), bytes.size());
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::string SlowRequestMessage(TlsStream::ReadFailure failure, const ServerOptions& options) {
  return failure == TlsStream::ReadFailure::kDeadline
             ? "the request did not arrive within " +
                   std::to_string(options.request_timeout.count()) + " ms"
             : "the request stalled for " + std::to_string(options.read_timeout.count()) + " ms";
}

std::string_view SlowRequestReason(TlsStream::ReadFailure failure) {
  return failure == TlsStream::ReadFailure::kDeadline ? "request deadline exceeded"
                                                      : "request stalled";
}

bool IsSlow(TlsStream::ReadFailure failure) {
  return failure == TlsStream::ReadFailure::kDeadline ||
         failure == TlsStream::ReadFailure::kSilence;
}

}  // namespace

class PeerServer::Impl {
 public:
  Impl(PinSet peers, ServerOptions options)
      : verifier_(std::move(peers)), options_(std::move(options)) {}

  ~Impl() { Stop(); }

  Status Init(const TlsIdentity& identity) {
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    if (ctx_ == nullptr) {
      return Fail(ErrorCode::kInternal, "peer server TLS setup: " + DrainOpenSslErrors());
    }
    if (Status status = SetUpContext(*ctx_, identity); !status) {
      return Fail(ErrorCode::kInternal, "peer server TLS setup: " + status.error().message);
    }

    processor_.set_payload_max_length(options_.max_body_bytes);
    // Only for the Keep-Alive header httplib writes; the loop is ours (Serve).
    processor_.set_keep_alive_timeout(static_cast<time_t>(options_.keep_alive_timeout.count()));
    processor_.set_keep_alive_max_count(options_.keep_alive_max_requests);
    processor_.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return Screen(req, res); });
    processor_.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          return OnErrorStatus(req, res);
        }));
    processor_.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          // The exception's text may hold anything (a path, an identifier):
          // it stays here. Drop whatever the handler set before throwing.
          res.headers.clear();
          res.status = 500;
          res.set_content(ErrorBody(ErrorCode::kInternal, "internal error"), kJson);
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
      std::regex route{std::string(path_pattern)};
      processor_.Post(std::string(path_pattern), std::move(wrapped));
      routes_.push_back(std::move(route));
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
    Result<std::unique_ptr<TlsAcceptor>> acceptor =
        TlsAcceptor::Bind(*ctx_, host, port,
                          AcceptorOptions{.handshake_timeout = options_.handshake_timeout,
                                          .max_pending = options_.max_pending_handshakes});
    if (!acceptor) {
      return Fail(acceptor.error().code,
                  "peer server: cannot listen on " + host + ":" +
                      (port == 0 ? std::string("any port") : std::to_string(port)) + ": " +
                      acceptor.error().message);
    }
    acceptor_ = *std::move(acceptor);
    state_ = State::kBound;
    return acceptor_->port();
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
    // From here until the workers are joined, acceptor_ and workers_ stay put:
    // Stop() only signals them.
    workers_ = std::make_unique<BoundedTaskQueue>(options_.worker_threads,
                                                  options_.max_queued_connections);
    Status result = acceptor_->Run(
        [this](std::unique_ptr<TlsConnection> connection) { Hand(std::move(connection)); });
    // Whether stopped or failed: wake idle workers, close queued connections.
    stopping_.store(true);
    acceptor_->Stop();
    workers_->shutdown();

    std::lock_guard lock(mutex_);
    state_ = State::kStopped;
    if (!result && !stop_requested_) {
      return Fail(ErrorCode::kInternal, "peer server: " + result.error().message);
    }
    return {};
  }

  void Stop() {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    stopping_.store(true);
    if (acceptor_ != nullptr) acceptor_->Stop();
    if (state_ == State::kBound) {
      // Never listened: close the port now.
      state_ = State::kStopped;
      acceptor_.reset();
    }
  }

  uint64_t refused_handshakes() const { return verifier_.refused_count(); }

  void ReplacePins(PinSet peers) { verifier_.ReplacePins(std::move(peers)); }

  uint64_t timed_out_handshakes() {
    std::lock_guard lock(mutex_);
    return acceptor_ != nullptr ? acceptor_->timed_out() : 0;
  }

  uint64_t dropped_handshakes() {
    std::lock_guard lock(mutex_);
    return acceptor_ != nullptr ? acceptor_->dropped() : 0;
  }

 private:
  enum class State { kCreated, kBound, kListening, kStopped };

  // The connection a worker is serving, for httplib's callbacks (which run
  // on that worker, inside RequestProcessor::Process).
  struct Served {
    const SSL* ssl;
    std::string_view peer;
    TlsStream* stream;
    bool close_after_reply = false;  // a refusal: end with a lingering close
    bool reported = false;           // this request's refusal went to on_refused
  };
  static thread_local Served* current_;

  // httplib sets req.ssl only once the headers are parsed; a request refused
  // before that (400, 414) has none yet.
  static Served* CurrentFor(const httplib::Request& req) {
    if (current_ == nullptr || (req.ssl != nullptr && req.ssl != current_->ssl)) return nullptr;
    return current_;
  }

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
    return {};
  }

  // On the accepting thread: a handshake completed. Only a pinned peer's
  // connection reaches a worker; when none is free and the queue is full,
  // the peer is told to come back rather than the accepting thread waiting.
  void Hand(std::unique_ptr<TlsConnection> connection) {
    Result<std::string> peer = verifier_.PeerName(connection->ssl());
    if (!peer) return;  // cannot happen after the pinned handshake; fail closed
    auto held = std::make_shared<std::pair<std::unique_ptr<TlsConnection>, std::string>>(
        std::move(connection), *std::move(peer));
    std::function<void()> task = [this, held] { Serve(std::move(held->first), held->second); };
    if (workers_->TryEnqueue(task)) return;

    const std::chrono::seconds hint = options_.busy_retry_after;
    Report(held->second, kUnknownPath, 429, "all workers busy");
    const std::string body = ErrorBody(
        ErrorCode::kResourceExhausted,
        "all workers are busy; try again in " + std::to_string(hint.count()) + " s", hint);
    acceptor_->CloseGracefully(
        std::move(held->first), RawErrorResponse(429, "Too Many Requests", body, hint),
        options_.read_timeout, options_.max_body_bytes + kRefusalDrainSlackBytes);
  }

  // On a worker: the requests of one authenticated connection.
  void Serve(std::unique_ptr<TlsConnection> connection, const std::string& peer) {
    TlsStream stream(*connection, options_.read_timeout, options_.write_timeout);
    Served served{.ssl = &connection->ssl(), .peer = peer, .stream = &stream};
    current_ = &served;
    for (size_t left = options_.keep_alive_max_requests; left > 0; --left) {
      if (stopping_.load() ||
          !stream.WaitForRequest(options_.keep_alive_timeout, acceptor_->stop_fd())) {
        break;
      }
      stream.BeginRequest(Clock::now() + options_.request_timeout);
      served.reported = false;
      bool closed_by_request = false;
      const bool answered =
          processor_.Process(stream, /*close_connection=*/left == 1, closed_by_request,
                             [&](httplib::Request& req) { req.ssl = &connection->ssl(); });
      if (IsSlow(stream.read_failure()) && !stream.wrote()) {
        // The request line never arrived whole: httplib gave up silently.
        Report(peer, kUnknownPath, 408, SlowRequestReason(stream.read_failure()));
        const std::string body = ErrorBody(ErrorCode::kDeadlineExceeded,
                                           SlowRequestMessage(stream.read_failure(), options_));
        const std::string response = RawErrorResponse(408, "Request Timeout", body, std::nullopt);
        WriteAll(stream, response);
        served.close_after_reply = true;
      }
      if (served.close_after_reply || !answered || closed_by_request ||
          stream.read_failure() != TlsStream::ReadFailure::kNone) {
        break;
      }
    }
    current_ = nullptr;
    if (served.close_after_reply && stream.healthy()) {
      acceptor_->CloseGracefully(std::move(connection), {}, options_.read_timeout,
                                 options_.max_body_bytes + kRefusalDrainSlackBytes);
      return;
    }
    if (stream.healthy()) {
      ERR_clear_error();
      SSL_shutdown(&connection->ssl());  // close_notify, best effort
      ERR_clear_error();
    }
  }

  void Report(std::string_view peer, std::string_view path, int status, std::string_view reason) {
    if (!options_.on_refused) return;
    try {
      options_.on_refused(
          TransportRefusal{.peer = peer, .path = path, .status = status, .reason = reason});
    } catch (...) {
      // An audit hook's failure must not take down the transport.
    }
  }

  // Reports a refusal on the connection serving `req`, once per request.
  void ReportOn(const httplib::Request& req, int status, std::string_view reason) {
    Served* served = CurrentFor(req);
    if (served == nullptr || served->reported) return;
    served->reported = true;
    Report(served->peer, RouteOrUnknown(req.path), status, reason);
  }

  std::string_view RouteOrUnknown(const std::string& path) const {
    if (path.empty() || path.size() > kMaxReportedPathLength) return kUnknownPath;
    for (const std::regex& route : routes_) {
      if (std::regex_match(path, route)) return path;
    }
    return kUnknownPath;
  }

  HandlerResponse Refuse(const httplib::Request& req, httplib::Response& res, int status,
                         ErrorCode code, std::string_view message, std::string_view reason) {
    ReportOn(req, status, reason);
    res.status = status;
    res.set_content(ErrorBody(code, message), kJson);
    res.set_header("Connection", "close");
    if (Served* served = CurrentFor(req)) served->close_after_reply = true;
    return HandlerResponse::Handled;
  }

  // Pre-routing: runs after the headers are parsed and before any body byte
  // is read. cpp-httplib 0.11.4 would otherwise read a body without
  // Content-Length until the peer closes, read chunked bodies without limit,
  // decompress gzip/brotli bodies (Debian builds it with both), and read and
  // discard an oversized body in full before answering 413.
  HandlerResponse Screen(const httplib::Request& req, httplib::Response& res) {
    if (req.ssl == nullptr || CurrentFor(req) == nullptr || !verifier_.PeerName(*req.ssl)) {
      res.status = 401;
      res.set_content(ErrorBody(ErrorCode::kUnauthenticated, "caller is not a pinned peer"), kJson);
      res.set_header("Connection", "close");
      if (Served* served = CurrentFor(req)) served->close_after_reply = true;
      return HandlerResponse::Handled;
    }
    if (req.method != "POST") {
      return Refuse(req, res, 405, ErrorCode::kInvalidArgument, "only POST is served",
                    "method not allowed");
    }
    if (req.has_header("Transfer-Encoding")) {
      return Refuse(req, res, 400, ErrorCode::kInvalidArgument,
                    "Transfer-Encoding is not accepted; send the body with a Content-Length",
                    "Transfer-Encoding sent");
    }
    if (req.has_header("Content-Encoding")) {
      return Refuse(req, res, 415, ErrorCode::kInvalidArgument,
                    "Content-Encoding is not accepted; send the body uncompressed",
                    "Content-Encoding sent");
    }
    const size_t lengths = req.get_header_value_count("Content-Length");
    if (lengths == 0) {
      return Refuse(req, res, 411, ErrorCode::kInvalidArgument, "a Content-Length is required",
                    "no Content-Length");
    }
    if (lengths > 1) {
      return Refuse(req, res, 400, ErrorCode::kInvalidArgument, "more than one Content-Length",
                    "more than one Content-Length");
    }
    const std::optional<uint64_t> length =
        ParseContentLength(req.get_header_value("Content-Length"));
    if (!length) {
      return Refuse(req, res, 400, ErrorCode::kInvalidArgument, "malformed Content-Length",
                    "malformed Content-Length");
    }
    size_t limit = options_.max_body_bytes;
    if (auto it = options_.max_body_bytes_by_path.find(req.path);
        it != options_.max_body_bytes_by_path.end()) {
      limit = std::min(limit, it->second);
    }
    if (*length > limit) {
      return Refuse(req, res, 413, ErrorCode::kResourceExhausted,
                    "request body is larger than " + std::to_string(limit) + " bytes",
                    "body too large");
    }
    return HandlerResponse::Unhandled;
  }

  // httplib calls this for every status >= 400 just before writing it:
  // refusals from Screen, handlers' error replies, and its own 400/404/414/
  // 416 — including the ones it makes of a request that was too slow.
  HandlerResponse OnErrorStatus(const httplib::Request& req, httplib::Response& res) {
    Served* served = CurrentFor(req);
    const TlsStream::ReadFailure failure =
        served != nullptr ? served->stream->read_failure() : TlsStream::ReadFailure::kNone;
    if (IsSlow(failure)) {
      // httplib answers a read that failed in the headers with 400 and one
      // that failed in the body with 404; the truth is 408.
      ReportOn(req, 408, SlowRequestReason(failure));
      res.headers.clear();
      res.status = 408;
      res.set_content(
          ErrorBody(ErrorCode::kDeadlineExceeded, SlowRequestMessage(failure, options_)), kJson);
      res.set_header("Connection", "close");
      served->close_after_reply = true;
      return HandlerResponse::Handled;
    }
    // Keep bodies set by Refuse and by handlers.
    if (!res.body.empty()) return HandlerResponse::Unhandled;
    const ErrorCode code = ErrorCodeForHttpStatus(res.status);
    if (res.status == 404 && failure == TlsStream::ReadFailure::kNone) {
      ReportOn(req, 404, "no such endpoint");
      res.set_content(ErrorBody(code, "no such endpoint"), kJson);
      return HandlerResponse::Handled;
    }
    res.set_content(ErrorBody(code, "request refused"), kJson);
    res.set_header("Connection", "close");
    if (served != nullptr) {
      served->close_after_reply = true;
      if (failure == TlsStream::ReadFailure::kNone) {
        ReportOn(req, res.status,
                 res.status == 414   ? "request line too long"
                 : res.status == 416 ? "malformed Range header"
                 : res.status == 400 ? "malformed request line or headers"
                                     : "request refused");
      }
    }
    return HandlerResponse::Handled;
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

  static void SetReply(httplib::Response& res, const Reply& reply) {
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type);
    if (reply.retry_after && (reply.status == 429 || reply.status == 503)) {
      const auto seconds = std::clamp(*reply.retry_after, std::chrono::seconds(0), kMaxRetryAfter);
      res.set_header("Retry-After", std::to_string(seconds.count()));
    }
  }

  // Declared before ctx_: the SSL_CTX points at verifier_.
  PinVerifier verifier_;
  const ServerOptions options_;
  SslCtxPtr ctx_;
  RequestProcessor processor_;
  std::vector<std::regex> routes_;  // as given to Post; read-only once listening
  std::atomic<bool> stopping_{false};

  std::mutex mutex_;
  State state_ = State::kCreated;          // GUARDED_BY(mutex_)
  bool stop_requested_ = false;            // GUARDED_BY(mutex_)
  std::unique_ptr<TlsAcceptor> acceptor_;  // GUARDED_BY(mutex_) until listening; then fixed
  std::unique_ptr<BoundedTaskQueue> workers_;
};

thread_local PeerServer::Impl::Served* PeerServer::Impl::current_ = nullptr;

Result<std::unique_ptr<PeerServer>> PeerServer::Create(const TlsIdentity& identity, PinSet peers,
                                                       ServerOptions options) {
  if (peers.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer server: no peers are pinned, so every client would be refused");
  }
  if (options.max_body_bytes == 0 || options.worker_threads == 0 ||
      options.max_queued_connections == 0 || options.keep_alive_max_requests == 0 ||
      options.max_pending_handshakes == 0 || options.handshake_timeout.count() <= 0 ||
      options.request_timeout.count() <= 0 || options.read_timeout.count() <= 0 ||
      options.write_timeout.count() <= 0 || options.keep_alive_timeout.count() <= 0 ||
      options.busy_retry_after.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer server: limits, timeouts, counts and the retry hint must be positive");
  }
  auto impl = std::make_unique<Impl>(std::move(peers), std::move(options));
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

Status PeerServer::ReplacePins(PinSet peers) {
  if (peers.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "peer server: no peers are pinned, so every client would be refused");
  }
  impl_->ReplacePins(std::move(peers));
  return {};
}

uint64_t PeerServer::refused_handshakes() const { return impl_->refused_handshakes(); }

uint64_t PeerServer::timed_out_handshakes() const { return impl_->timed_out_handshakes(); }

uint64_t PeerServer::dropped_handshakes() const { return impl_->dropped_handshakes(); }

}  // namespace inbeeld::node::net
