#include "node/net/tls_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace inbeeld::node::net {
namespace {

int RemainingMs(TlsStream::Clock::time_point until) {
  const auto now = TlsStream::Clock::now();
  if (until <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

void AddressOf(int fd, bool remote, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int ok = remote ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                        : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ip.clear();
  port = 0;
  if (ok != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) != nullptr) ip = text;
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text) != nullptr) ip = text;
    port = ntohs(in6->sin6_port);
  }
}

}  // namespace

TlsStream::TlsStream(TlsConnection& connection, std::chrono::milliseconds read_timeout,
                     std::chrono::milliseconds write_timeout)
    : connection_(connection), read_timeout_(read_timeout), write_timeout_(write_timeout) {
  // SSL_write returns after each record sent, so that write_timeout bounds
  // the wait for progress rather than the time to send a whole body.
  SSL_set_mode(&connection_.ssl(), SSL_MODE_ENABLE_PARTIAL_WRITE);
}

bool TlsStream::WaitForRequest(std::chrono::milliseconds idle, int stop_fd) {
  if (broken_) return false;
  // Bytes OpenSSL has read already would not wake poll().
  if (SSL_has_pending(&connection_.ssl()) == 1) return true;
  const Clock::time_point until = Clock::now() + idle;
  for (;;) {
    pollfd fds[2] = {{.fd = connection_.fd(), .events = POLLIN, .revents = 0},
                     {.fd = stop_fd, .events = POLLIN, .revents = 0}};
    const int ready = ::poll(fds, 2, RemainingMs(until));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || fds[1].revents != 0) return false;
    // Readable, or closed: either way the next read says which.
    return true;
  }
}

void TlsStream::BeginRequest(Clock::time_point deadline) {
  deadline_ = deadline;
  read_failure_ = ReadFailure::kNone;
  wrote_ = false;
}

bool TlsStream::WaitFor(short events, Clock::time_point until) const {
  for (;;) {
    pollfd fd{.fd = connection_.fd(), .events = events, .revents = 0};
    const int ready = ::poll(&fd, 1, RemainingMs(until));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

bool TlsStream::is_readable() const {
  return SSL_has_pending(&connection_.ssl()) == 1 || WaitFor(POLLIN, Clock::now());
}

bool TlsStream::is_writable() const { return !broken_; }

ssize_t TlsStream::read(char* ptr, size_t size) {
  if (broken_ || read_failure_ != ReadFailure::kNone) return -1;
  const int len = static_cast<int>(std::min<size_t>(size, INT_MAX));
  const Clock::time_point silence_limit = Clock::now() + read_timeout_;
  for (;;) {
    ERR_clear_error();
    const int n = SSL_read(&connection_.ssl(), ptr, len);
    if (n > 0) return n;
    const int error = SSL_get_error(&connection_.ssl(), n);
    if (error == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      const Clock::time_point until = std::min(silence_limit, deadline_);
      if (WaitFor(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, until)) continue;
      read_failure_ = Clock::now() >= deadline_ ? ReadFailure::kDeadline : ReadFailure::kSilence;
      return -1;
    }
    ERR_clear_error();
    broken_ = true;
    read_failure_ = ReadFailure::kBroken;
    // A FIN without close_notify is an end of stream to httplib, as over TCP.
    return error == SSL_ERROR_SYSCALL && n == 0 ? 0 : -1;
  }
}

ssize_t TlsStream::write(const char* ptr, size_t size) {
  if (broken_) return -1;
  wrote_ = true;
  const int len = static_cast<int>(std::min<size_t>(size, INT_MAX));
  const Clock::time_point limit = Clock::now() + write_timeout_;
  for (;;) {
    ERR_clear_error();
    // After WANT_WRITE, OpenSSL requires the same buffer and length again.
    const int n = SSL_write(&connection_.ssl(), ptr, len);
    if (n > 0) return n;
    const int error = SSL_get_error(&connection_.ssl(), n);
    if (error == SSL_ERROR_WANT_WRITE && WaitFor(POLLOUT, limit)) continue;
    if (error == SSL_ERROR_WANT_READ && WaitFor(POLLIN, limit)) continue;
    ERR_clear_error();
    broken_ = true;
    return -1;
  }
}

void TlsStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  AddressOf(connection_.fd(), /*remote=*/true, ip, port);
}

void TlsStream::get_local_ip_and_port(std::string& ip, int& port) const {
  AddressOf(connection_.fd(), /*remote=*/false, ip, port);
}

socket_t TlsStream::socket() const { return connection_.fd(); }

}  // namespace inbeeld::node::net
