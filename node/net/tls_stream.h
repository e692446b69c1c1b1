// node/net/tls_stream.h — cpp-httplib's Stream over an established,
// non-blocking TLS connection, with a deadline on each whole request.
//
// httplib 0.11.4 times each read on its own, so a client that sends one byte
// just inside every read timeout keeps a request — and the worker serving it
// — open indefinitely. TlsStream adds a deadline per request: BeginRequest()
// arms it, and from then on every read fails once it has passed, however the
// bytes are spread. Each read also waits at most `read_timeout` for its first
// byte, each write at most `write_timeout` for the socket to take more (a
// large response may take longer in all). Why a read failed (deadline,
// silence, a broken connection) is kept, so that the server can answer a
// slow request with 408 rather than httplib's 400 or 404.
//
// Thread safety: one thread at a time (the worker serving the connection).
#ifndef INBEELD_NODE_NET_TLS_STREAM_H_
#define INBEELD_NODE_NET_TLS_STREAM_H_

#include <httplib.h>

#include <chrono>
#include <string>

#include "node/net/tls_acceptor.h"

namespace inbeeld::node::net {

class TlsStream final : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  enum class ReadFailure {
    kNone,
    kDeadline,  // the request's deadline passed
    kSilence,   // no byte for read_timeout
    kBroken,    // the connection failed or was reset mid-request
  };

  // REQUIRES: `connection` outlives the stream.
  TlsStream(TlsConnection& connection, std::chrono::milliseconds read_timeout,
            std::chrono::milliseconds write_timeout);

  // Waits for the first byte of the next request. False after `idle` with
  // nothing, when the peer has closed, or once `stop_fd` is readable.
  bool WaitForRequest(std::chrono::milliseconds idle, int stop_fd);

  // Starts a request that must be read completely before `deadline`;
  // clears read_failure() and wrote().
  void BeginRequest(Clock::time_point deadline);

  ReadFailure read_failure() const { return read_failure_; }
  // Whether anything was written since BeginRequest.
  bool wrote() const { return wrote_; }
  // Whether the TLS session may still be ended with close_notify.
  bool healthy() const { return !broken_; }

  // httplib::Stream. read() returns 0 at the peer's close_notify or FIN,
  // -1 on failure (see read_failure()).
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override;

 private:
  // Waits for `events` on the socket until `until`; false on timeout.
  bool WaitFor(short events, Clock::time_point until) const;

  TlsConnection& connection_;
  const std::chrono::milliseconds read_timeout_;
  const std::chrono::milliseconds write_timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
  ReadFailure read_failure_ = ReadFailure::kNone;
  bool wrote_ = false;
  bool broken_ = false;
};

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_TLS_STREAM_H_
