// node/net/server.h — the HTTPS endpoint a node offers its pinned peers.
//
// PeerServer wraps cpp-httplib 0.11.4's SSLServer behind the guards that
// version needs (DESIGN.md, "Fixed choices → Transport"):
//   - TLS 1.3 only, Ed25519 signatures, X25519 key exchange, no session
//     resumption: every connection runs a full mutual handshake;
//   - the client must present a certificate whose Ed25519 key is pinned
//     (pinning.h); anyone else fails in the handshake, before any HTTP byte
//     is parsed;
//   - only POST with exactly one decimal Content-Length no larger than
//     max_body_bytes; Transfer-Encoding (400), Content-Encoding (415), a
//     missing (411) or malformed (400) length, an oversized length (413) and
//     other methods (405) are refused before the body is read, and the
//     connection is then closed, so unread body bytes are never parsed as a
//     next request;
//   - handler exceptions become a fixed 500 body: no exception text leaves
//     the node (httplib's default puts e.what() in an EXCEPTION_WHAT header);
//   - read/write timeouts, keep-alive limits, and a bounded worker pool
//     (bounded_task_queue.h);
//   - handlers learn who called from the handshake, never from an address or
//     a header (httplib adds REMOTE_ADDR headers after the client's own, so a
//     client can spoof the first one).
//
// Errors go out as ErrorReply (reply.h): a status and fixed JSON body.
//
// Thread safety: configure (Post, Bind*) from one thread before
// ListenAfterBind; ListenAfterBind blocks its thread; Stop may be called from
// any thread (e.g. a SIGTERM watcher), any number of times, before or during
// ListenAfterBind. Handlers run concurrently on the worker threads.
#ifndef INBEELD_NODE_NET_SERVER_H_
#define INBEELD_NODE_NET_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <map>
#include <vector>

#include "base/error.h"
#include "node/net/pinning.h"
#include "node/net/reply.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::net {

struct ServerOptions {
  // Largest request body accepted; larger declared lengths get 413.
  size_t max_body_bytes = size_t{64} << 20;
  // Tighter limits for single paths (e.g. a witness exchange is a few kB
  // where a PSI message may be megabytes); each at most max_body_bytes.
  std::map<std::string, size_t, std::less<>> max_body_bytes_by_path;
  // Longest wait for any single read (including the TLS handshake) or write.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  // Idle time allowed between requests on one connection, and the number of
  // requests served on one connection before it is closed. Stop() waits for
  // idle connections, so keep_alive_timeout bounds how long Stop takes.
  std::chrono::seconds keep_alive_timeout{2};
  size_t keep_alive_max_requests = 16;
  // Connections handled at once, and accepted connections allowed to wait
  // for a worker before the accept loop stops accepting.
  size_t worker_threads = 4;
  size_t max_queued_connections = 16;
};

// What a handler sees. Views into the request; valid during the call only.
struct PeerRequest {
  std::string_view peer;  // pinned name of the caller, from the handshake
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
  // Capture groups of the route pattern, in order (the whole match excluded).
  std::vector<std::string_view> path_params;
};

// A handler's error replies with ErrorReply(error); a thrown exception with a
// fixed 500 body.
using PeerHandler = std::function<Result<Reply>(const PeerRequest&)>;

class PeerServer {
 public:
  // Errors: kInvalidArgument for an empty pin set or options out of range
  // (zero body limit, threads, queue or keep-alive count); kInternal if the
  // TLS context cannot be set up. `identity` need not outlive the server.
  static Result<std::unique_ptr<PeerServer>> Create(const TlsIdentity& identity, PinSet peers,
                                                    ServerOptions options = {});

  // REQUIRES: ListenAfterBind is not running (call Stop and let it return).
  ~PeerServer();
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  // Routes POST requests whose whole path matches the ECMAScript regex
  // `path_pattern`, e.g. "/psi/v1/sessions/([0-9a-f]{32})/round".
  // Errors: kInvalidArgument for a pattern that is not a valid regex;
  // kFailedPrecondition once ListenAfterBind has been called.
  Status Post(std::string_view path_pattern, PeerHandler handler);

  // Binds and listens on `host` ("127.0.0.1", "0.0.0.0", "::"). Any-port
  // returns the port the OS chose. SO_REUSEADDR only: unlike httplib's
  // default (SO_REUSEPORT), a second process cannot bind the same port.
  // Errors: kUnavailable if the address cannot be bound;
  // kFailedPrecondition if already bound or stopped.
  Result<int> BindToAnyPort(const std::string& host);
  Status Bind(const std::string& host, int port);

  // Accepts connections until Stop(); returns after in-flight connections
  // finish (each within the timeouts above). Returns at once if Stop() came
  // first. Errors: kFailedPrecondition if not bound or called twice;
  // kInternal if accepting fails for another reason.
  Status ListenAfterBind();

  // Makes ListenAfterBind return (or not start). Thread-safe, idempotent.
  void Stop();

  // Handshakes refused because the client's key is not pinned.
  uint64_t refused_handshakes() const;

 private:
  class Impl;
  explicit PeerServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_SERVER_H_
