// node/net/server.h — the HTTPS endpoint a node offers its pinned peers.
//
// PeerServer serves HTTP with cpp-httplib 0.11.4's request parser and router
// behind the guards that version needs (SECURITY.md, "Dependencies and their
// known weaknesses"):
//   - TLS 1.3 only, Ed25519 signatures, X25519 key exchange, no session
//     resumption: every connection runs a full mutual handshake;
//   - the client must present a certificate whose Ed25519 key is pinned
//     (pinning.h); anyone else fails in the handshake, before any HTTP byte
//     is parsed;
//   - handshakes run on the accepting thread, never on a worker
//     (tls_acceptor.h): all of them multiplexed, non-blocking, each with
//     handshake_timeout in total, at most max_pending_handshakes at once
//     (one more closes the oldest). Only a completed handshake with a pinned
//     key is handed to a worker, so connections that are silent, send half a
//     ClientHello or trickle bytes cannot occupy the workers that pinned
//     peers need;
//   - when all workers are busy and max_queued_connections authenticated
//     connections already wait, the next one is answered at once with 429
//     and Retry-After: busy_retry_after (the accepting thread never waits);
//   - each request must arrive whole — request line, headers and body —
//     within request_timeout of its first byte, with no gap longer than
//     read_timeout (tls_stream.h); a slower one is answered 408 and closed;
//   - only POST with exactly one decimal Content-Length no larger than
//     max_body_bytes; Transfer-Encoding (400), Content-Encoding (415), a
//     missing (411) or malformed (400) length, an oversized length (413) and
//     other methods (405) are refused before the body is read, and the
//     connection is then closed (after a lingering close, so the peer can
//     read the refusal), so unread body bytes are never parsed as a next
//     request;
//   - handler exceptions become a fixed 500 body: no exception text leaves
//     the node (httplib's default puts e.what() in an EXCEPTION_WHAT header);
//   - handlers learn who called from the handshake, never from an address or
//     a header (httplib adds REMOTE_ADDR headers after the client's own, so a
//     client can spoof the first one).
//
// Errors go out as ErrorReply (reply.h): a status and fixed JSON body. A
// handler that is busy returns BusyReply (reply.h): 429 with Retry-After.
//
// Refusals the server makes itself to a pinned peer — 400, 404, 405, 408,
// 411, 413, 414, 415, 416 and the 429 of a full pool — are reported to
// ServerOptions::on_refused (meant for the audit log; this class writes no
// log itself). Replies a handler returns are not (the handler knows what it
// refused), nor a peer that simply disconnects. Handshake failures are not
// peers: they are counted (refused_handshakes, timed_out_handshakes,
// dropped_handshakes).
//
// Descriptors: at most max_pending_handshakes + 1 connections in handshake
// or lingering close, worker_threads being served, max_queued_connections
// waiting for a worker, plus the listening socket and two eventfds.
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
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "node/net/pinning.h"
#include "node/net/reply.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::net {

// A request the server itself refused, on a connection from a pinned peer.
// Views valid during the call only.
struct TransportRefusal {
  std::string_view peer;    // the pinned name, from the handshake
  std::string_view path;    // the request's path if it matches a route, else "unknown"
  int status;               // the HTTP status sent
  std::string_view reason;  // a few fixed words ("no Content-Length"); never payload bytes
};

// Called on a worker thread, or on the accepting thread for the 429 of a
// full pool, with no lock of the server held, before the refusal is sent.
// May run concurrently with itself; must be cheap (it delays the accepting
// thread) and thread-safe. An exception from it is swallowed.
using RefusalHook = std::function<void(const TransportRefusal&)>;

struct ServerOptions {
  // Largest request body accepted; larger declared lengths get 413.
  size_t max_body_bytes = size_t{64} << 20;
  // Tighter limits for single paths (e.g. a witness exchange is a few kB
  // where a PSI message may be megabytes); each at most max_body_bytes.
  std::map<std::string, size_t, std::less<>> max_body_bytes_by_path;
  // The whole TLS handshake, from accept to the pin check, however the
  // client spreads its bytes; then the connection is closed.
  std::chrono::milliseconds handshake_timeout{10'000};
  // Connections in their handshake (or being closed after a refusal) at
  // once. At the cap, accepting another closes the oldest of them; the
  // server then holds at most this many + 1 such descriptors.
  size_t max_pending_handshakes = 256;
  // Each whole request — request line, headers and body — from its first
  // byte; a slower one gets 408 and the connection is closed. Must cover the
  // largest body at the slowest link served (64 MiB at 2 MB/s: 32 s).
  std::chrono::milliseconds request_timeout{60'000};
  // Longest wait for any single read or write after the handshake.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  // Idle time allowed before the first and between requests on one
  // connection, and the number of requests served on one connection before
  // it is closed. Stop() wakes idle connections at once.
  std::chrono::seconds keep_alive_timeout{2};
  size_t keep_alive_max_requests = 16;
  // Connections handled at once, and authenticated connections allowed to
  // wait for a worker; one more is answered 429 with Retry-After:
  // busy_retry_after.
  size_t worker_threads = 4;
  size_t max_queued_connections = 16;
  std::chrono::seconds busy_retry_after{2};
  // Told of every refusal the server makes to a pinned peer (see above).
  RefusalHook on_refused;
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
  // (a zero limit, count, timeout or retry hint); kInternal if the TLS
  // context cannot be set up. `identity` need not outlive the server.
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
  // The backlog is the kernel's largest (httplib's is 5).
  // Errors: kAddressInUse if another socket holds the port; kUnavailable
  // if the address cannot be bound otherwise; kFailedPrecondition if
  // already bound or stopped.
  Result<int> BindToAnyPort(const std::string& host);
  Status Bind(const std::string& host, int port);

  // Accepts connections until Stop(); returns after in-flight requests
  // finish (each within the timeouts above), closing idle and queued
  // connections and pending handshakes at once. Returns at once if Stop()
  // came first. Errors: kFailedPrecondition if not bound or called twice;
  // kInternal if accepting fails for another reason.
  Status ListenAfterBind();

  // Makes ListenAfterBind return (or not start). Thread-safe, idempotent.
  void Stop();

  // Trusts exactly `peers` from the next handshake on (a configuration
  // reload): a newly pinned peer can connect, a removed one is refused in
  // the handshake, and a connection of a removed peer already handed to a
  // worker is refused at its next request (401). Thread-safe.
  // Errors: kInvalidArgument for an empty set (the old pins stay).
  Status ReplacePins(PinSet peers);

  // Handshakes refused because the client's key is not pinned.
  uint64_t refused_handshakes() const;
  // Handshakes closed for taking longer than handshake_timeout.
  uint64_t timed_out_handshakes() const;
  // Connections closed before their handshake ended (or their lingering
  // close) because max_pending_handshakes were open, or the process was out
  // of descriptors.
  uint64_t dropped_handshakes() const;

 private:
  class Impl;
  explicit PeerServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_SERVER_H_
