// node/net/tls_acceptor.h — the listening socket, and every TLS handshake,
// on one thread: no handshake ever occupies a worker.
//
// Run() multiplexes with poll() the listening socket and every connection
// still in its handshake. Sockets are non-blocking; SSL_accept is called
// again whenever a socket is ready, so a client that sends nothing, half a
// ClientHello, or one byte every few seconds costs a descriptor and a few
// hundred bytes, never a thread. Limits:
//   - each handshake has `handshake_timeout` in total, from accept to the
//     client's Finished and the pin check inside the handshake, however the
//     client spreads its bytes; past it the connection is closed and counted
//     (timed_out());
//   - at most `max_pending` connections are handshaking or closing (below)
//     at once. Accepting one more first closes the oldest of them (counted
//     in dropped()): a flood of stalled connections then pushes out the
//     flood's own oldest members while each new connection — a pinned
//     peer's among them — gets a fresh turn of up to handshake_timeout. A
//     peer is locked out only by a flood of max_pending new connections
//     within its own handshake time. The acceptor holds at most
//     max_pending + 1 descriptors for connections, plus three of its own.
// A completed handshake goes to the `established` callback, on this thread;
// the callback must return quickly (PeerServer queues the connection for a
// worker, or answers 429).
//
// Closing gracefully ("lingering close"): closing a socket whose receive
// buffer still holds unread bytes makes the kernel send RST instead of FIN,
// and the peer's kernel may then discard what we sent last — the alert that
// says its key is not pinned, or a 413 — before the peer has read it. So a
// refused handshake, and any connection given to CloseGracefully(), is
// half-closed (FIN after what was written) and read and discarded here,
// without blocking, until the peer closes or a time or byte budget runs out.
// Such connections count against max_pending.
//
// Thread safety: Run() on one thread, once; Stop(), CloseGracefully() and the
// counters from any thread at any time.
#ifndef INBEELD_NODE_NET_TLS_ACCEPTOR_H_
#define INBEELD_NODE_NET_TLS_ACCEPTOR_H_

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "node/net/openssl_util.h"

namespace inbeeld::node::net {

// An established TLS connection: a non-blocking socket and its SSL object,
// whose handshake has completed. Closes the socket on destruction.
class TlsConnection {
 public:
  TlsConnection(int fd, SslPtr ssl) : fd_(fd), ssl_(std::move(ssl)) {}
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  int fd() const { return fd_; }
  SSL& ssl() const { return *ssl_; }

  // Frees the SSL object and hands the still open socket to the caller.
  int ReleaseSocket();

 private:
  int fd_;
  SslPtr ssl_;
};

struct AcceptorOptions {
  std::chrono::milliseconds handshake_timeout{10'000};
  size_t max_pending = 256;
  // Lingering close after a refused handshake: a little, the client is not
  // authenticated.
  std::chrono::milliseconds refused_drain_time{2'000};
  size_t refused_drain_bytes = 64 * 1024;
};

class TlsAcceptor {
 public:
  using EstablishedHandler = std::function<void(std::unique_ptr<TlsConnection>)>;

  // Listens on host:port (port 0: one the OS picks; see port()), with
  // SO_REUSEADDR (a second process cannot bind the same port) and the
  // kernel's largest backlog; "::" also accepts IPv4. Every connection runs
  // its handshake under `ctx`, which must outlive the acceptor.
  // Errors: kAddressInUse if another socket holds the port (EADDRINUSE);
  // kUnavailable if the address cannot be bound otherwise; kInternal if the
  // acceptor's own descriptors cannot be made.
  static Result<std::unique_ptr<TlsAcceptor>> Bind(SSL_CTX& ctx, const std::string& host, int port,
                                                   AcceptorOptions options);

  // REQUIRES: Run() is not running.
  ~TlsAcceptor();
  TlsAcceptor(const TlsAcceptor&) = delete;
  TlsAcceptor& operator=(const TlsAcceptor&) = delete;

  int port() const { return port_; }

  // Accepts and handshakes until Stop(), handing each established
  // connection to `established`. On return the listening socket and every
  // connection still held here are closed. Returns at once if Stop() came
  // first. Errors: kFailedPrecondition if called twice; kInternal if the
  // listening socket fails.
  Status Run(EstablishedHandler established);

  // Makes Run() return (or not start). Idempotent.
  void Stop();

  // Readable from the first Stop() on, forever: others (the workers'
  // keep-alive waits) poll it to wake up when the server stops.
  int stop_fd() const { return stop_fd_; }

  // Writes `last_words` if the socket takes them at once (never blocks),
  // sends close_notify and FIN, and then discards what the peer still sends
  // until it closes, `budget` passes or `max_bytes` were read — on the Run()
  // thread. Once Run() has returned, closes at once instead.
  void CloseGracefully(std::unique_ptr<TlsConnection> connection, std::string_view last_words,
                       std::chrono::milliseconds budget, size_t max_bytes);

  // Handshakes closed for taking longer than handshake_timeout.
  uint64_t timed_out() const { return timed_out_.load(std::memory_order_relaxed); }
  // Connections closed because max_pending were already held (handshaking
  // or draining), or to free a descriptor when the process ran out of them.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    int fd;
    SslPtr ssl;  // null while draining
    Clock::time_point deadline;
    short events;       // what SSL_accept waits for, or POLLIN while draining
    size_t drain_left;  // bytes still to discard while draining
  };
  struct Drain {
    int fd;
    Clock::time_point deadline;
    size_t max_bytes;
  };

  TlsAcceptor(SSL_CTX& ctx, AcceptorOptions options, int listen_fd, int port, int stop_fd,
              int wake_fd);

  // All REQUIRES: called on the Run() thread.
  void Advance(Entry& entry, Clock::time_point now, const EstablishedHandler& established);
  void AdvanceDrain(Entry& entry);
  // Returns false if the listening socket failed (fills `failure`).
  bool AcceptSome(Clock::time_point now, Clock::time_point& paused_until, Status& failure);
  void MakeRoom();
  void CloseEntry(Entry& entry);
  void RemoveClosed();
  void TakeInbox();
  void CloseEverything();

  SSL_CTX& ctx_;
  const AcceptorOptions options_;
  int listen_fd_;
  const int port_;
  const int stop_fd_;  // eventfd, written by Stop(), never read
  const int wake_fd_;  // eventfd, written when the inbox gains a connection

  std::vector<Entry> entries_;  // oldest first; Run() thread only

  std::mutex mutex_;
  bool ran_ = false;          // GUARDED_BY(mutex_)
  bool running_ = false;      // GUARDED_BY(mutex_)
  std::vector<Drain> inbox_;  // GUARDED_BY(mutex_)

  std::atomic<uint64_t> timed_out_{0};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_TLS_ACCEPTOR_H_
