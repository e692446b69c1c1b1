#include "node/net/tls_acceptor.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace inbeeld::node::net {
namespace {

constexpr int kNoSocket = -1;
// Accepts per wake-up, so that a burst of connects cannot starve the
// handshakes already under way.
constexpr int kAcceptBurst = 64;
// Pause before accepting again when the process is out of descriptors and
// there is nothing of ours to close.
constexpr std::chrono::milliseconds kOutOfDescriptorsPause{100};

void CloseSocket(int fd) {
  if (fd >= 0) ::close(fd);
}

void Signal(int event_fd) {
  const uint64_t one = 1;
  // An eventfd counter cannot overflow from this; a failed write only means
  // it is readable already.
  [[maybe_unused]] ssize_t n = ::write(event_fd, &one, sizeof one);
}

// Opens, binds and listens; the first address that works wins.
Result<int> Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Fail(ErrorCode::kUnavailable, "the address does not resolve");
  }
  int fd = kNoSocket;
  int last_error = 0;
  for (addrinfo* a = found; a != nullptr && fd == kNoSocket; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = errno;
      fd = kNoSocket;
      continue;
    }
    int yes = 1;
    int no = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      last_error = errno;
      ::close(fd);
      fd = kNoSocket;
    }
  }
  ::freeaddrinfo(found);
  if (fd == kNoSocket && last_error == EADDRINUSE) {
    // Its own code (exit 11), so an operator is not sent looking for a peer.
    return Fail(ErrorCode::kAddressInUse,
                "port " + service + " is already in use (another inbeeld serve?)");
  }
  if (fd == kNoSocket) return Fail(ErrorCode::kUnavailable, std::strerror(last_error));
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return -1;
}

// Milliseconds from `now` to `until`, rounded up, for poll().
int PollTimeout(std::chrono::steady_clock::time_point now,
                std::chrono::steady_clock::time_point until) {
  if (until <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
  return static_cast<int>(std::min<int64_t>(ms, 60'000));
}

}  // namespace

TlsConnection::~TlsConnection() {
  ssl_.reset();
  CloseSocket(fd_);
}

int TlsConnection::ReleaseSocket() {
  ssl_.reset();
  return std::exchange(fd_, kNoSocket);
}

Result<std::unique_ptr<TlsAcceptor>> TlsAcceptor::Bind(SSL_CTX& ctx, const std::string& host,
                                                       int port, AcceptorOptions options) {
  Result<int> listen_fd = Listen(host, port);
  if (!listen_fd) return std::unexpected(listen_fd.error());
  const int bound_port = BoundPort(*listen_fd);
  const int stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  const int wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (bound_port <= 0 || stop_fd < 0 || wake_fd < 0) {
    CloseSocket(*listen_fd);
    CloseSocket(stop_fd);
    CloseSocket(wake_fd);
    return Fail(ErrorCode::kInternal,
                std::string("listening socket setup: ") + std::strerror(errno));
  }
  return std::unique_ptr<TlsAcceptor>(
      new TlsAcceptor(ctx, options, *listen_fd, bound_port, stop_fd, wake_fd));
}

TlsAcceptor::TlsAcceptor(SSL_CTX& ctx, AcceptorOptions options, int listen_fd, int port,
                         int stop_fd, int wake_fd)
    : ctx_(ctx),
      options_(options),
      listen_fd_(listen_fd),
      port_(port),
      stop_fd_(stop_fd),
      wake_fd_(wake_fd) {
  entries_.reserve(options_.max_pending + 1);
}

TlsAcceptor::~TlsAcceptor() {
  CloseEverything();
  CloseSocket(stop_fd_);
  CloseSocket(wake_fd_);
}

void TlsAcceptor::Stop() { Signal(stop_fd_); }

Status TlsAcceptor::Run(EstablishedHandler established) {
  {
    std::lock_guard lock(mutex_);
    if (ran_) return Fail(ErrorCode::kFailedPrecondition, "the acceptor has run already");
    ran_ = true;
    running_ = true;
  }
  Status result;
  std::vector<pollfd> fds;
  Clock::time_point paused_until{};
  for (;;) {
    Clock::time_point now = Clock::now();
    // Expired handshakes and drains go first, so that their slots are free
    // for what arrives next.
    for (Entry& entry : entries_) {
      if (now < entry.deadline) continue;
      if (entry.ssl != nullptr) timed_out_.fetch_add(1, std::memory_order_relaxed);
      CloseEntry(entry);
    }
    RemoveClosed();
    TakeInbox();

    const bool accepting = now >= paused_until;
    fds.clear();
    fds.push_back({.fd = stop_fd_, .events = POLLIN, .revents = 0});
    fds.push_back({.fd = wake_fd_, .events = POLLIN, .revents = 0});
    // poll() skips negative descriptors.
    fds.push_back({.fd = accepting ? listen_fd_ : -1, .events = POLLIN, .revents = 0});
    Clock::time_point next = accepting ? Clock::time_point::max() : paused_until;
    for (const Entry& entry : entries_) {
      fds.push_back({.fd = entry.fd, .events = entry.events, .revents = 0});
      next = std::min(next, entry.deadline);
    }
    const int timeout = next == Clock::time_point::max() ? -1 : PollTimeout(now, next);
    if (::poll(fds.data(), fds.size(), timeout) < 0) {
      if (errno == EINTR) continue;
      result = Fail(ErrorCode::kInternal, std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (fds[0].revents != 0) break;  // Stop()
    if (fds[1].revents != 0) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
    }
    now = Clock::now();
    // fds[3 + i] belongs to entries_[i]: nothing is added to or removed
    // from entries_ until RemoveClosed().
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (fds[3 + i].revents != 0) Advance(entries_[i], now, established);
    }
    RemoveClosed();
    if (accepting && fds[2].revents != 0 && !AcceptSome(now, paused_until, result)) break;
  }
  CloseEverything();
  return result;
}

void TlsAcceptor::Advance(Entry& entry, Clock::time_point now,
                          const EstablishedHandler& established) {
  if (entry.ssl == nullptr) {
    AdvanceDrain(entry);
    return;
  }
  ERR_clear_error();
  const int ret = SSL_accept(entry.ssl.get());
  if (ret == 1) {
    auto connection = std::make_unique<TlsConnection>(entry.fd, std::move(entry.ssl));
    entry.fd = kNoSocket;  // now the connection's
    established(std::move(connection));
    return;
  }
  const int error = SSL_get_error(entry.ssl.get(), ret);
  ERR_clear_error();
  if (error == SSL_ERROR_WANT_READ) {
    entry.events = POLLIN;
    return;
  }
  if (error == SSL_ERROR_WANT_WRITE) {
    entry.events = POLLOUT;
    return;
  }
  entry.ssl.reset();
  if (error != SSL_ERROR_SSL) {
    // The client closed or reset the connection: nobody is left to read.
    CloseEntry(entry);
    return;
  }
  // Refused: a key that is not pinned, TLS 1.2, garbage. OpenSSL has sent
  // the alert; let the client read it (see the header).
  ::shutdown(entry.fd, SHUT_WR);
  entry.events = POLLIN;
  entry.deadline = now + options_.refused_drain_time;
  entry.drain_left = options_.refused_drain_bytes;
}

void TlsAcceptor::AdvanceDrain(Entry& entry) {
  char buf[16 * 1024];
  while (entry.drain_left > 0) {
    const ssize_t n = ::recv(entry.fd, buf, std::min(sizeof buf, entry.drain_left), MSG_DONTWAIT);
    if (n > 0) {
      entry.drain_left -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break;  // the peer closed, or the connection failed
  }
  CloseEntry(entry);
}

bool TlsAcceptor::AcceptSome(Clock::time_point now, Clock::time_point& paused_until,
                             Status& failure) {
  for (int i = 0; i < kAcceptBurst; ++i) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
          return true;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
          // Out of descriptors or memory: make room at our own expense, or
          // wait a little; the connection waits in the backlog meanwhile.
          if (!entries_.empty()) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            CloseEntry(entries_.front());
            RemoveClosed();
            continue;
          }
          paused_until = now + kOutOfDescriptorsPause;
          return true;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
          continue;  // that one connection failed (accept(2), "Error handling")
        default:
          failure = Fail(ErrorCode::kInternal,
                         std::string("accepting connections failed: ") + std::strerror(errno));
          return false;
      }
    }
    MakeRoom();
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    SslPtr ssl(SSL_new(&ctx_));
    if (ssl == nullptr || SSL_set_fd(ssl.get(), fd) != 1) {
      ERR_clear_error();
      ::close(fd);
      continue;
    }
    SSL_set_accept_state(ssl.get());
    entries_.push_back(Entry{.fd = fd,
                             .ssl = std::move(ssl),
                             .deadline = now + options_.handshake_timeout,
                             .events = POLLIN,
                             .drain_left = 0});
  }
  return true;
}

void TlsAcceptor::MakeRoom() {
  while (!entries_.empty() && entries_.size() >= options_.max_pending) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    CloseEntry(entries_.front());
    RemoveClosed();
  }
}

void TlsAcceptor::CloseEntry(Entry& entry) {
  entry.ssl.reset();
  CloseSocket(entry.fd);
  entry.fd = kNoSocket;
}

void TlsAcceptor::RemoveClosed() {
  std::erase_if(entries_, [](const Entry& entry) { return entry.fd == kNoSocket; });
}

void TlsAcceptor::TakeInbox() {
  std::vector<Drain> arrived;
  {
    std::lock_guard lock(mutex_);
    arrived.swap(inbox_);
  }
  for (const Drain& drain : arrived) {
    MakeRoom();
    entries_.push_back(Entry{.fd = drain.fd,
                             .ssl = nullptr,
                             .deadline = drain.deadline,
                             .events = POLLIN,
                             .drain_left = drain.max_bytes});
  }
}

void TlsAcceptor::CloseEverything() {
  std::vector<Drain> arrived;
  {
    std::lock_guard lock(mutex_);
    running_ = false;
    arrived.swap(inbox_);
  }
  for (const Drain& drain : arrived) CloseSocket(drain.fd);
  for (Entry& entry : entries_) CloseEntry(entry);
  entries_.clear();
  CloseSocket(listen_fd_);
  listen_fd_ = kNoSocket;
}

void TlsAcceptor::CloseGracefully(std::unique_ptr<TlsConnection> connection,
                                  std::string_view last_words, std::chrono::milliseconds budget,
                                  size_t max_bytes) {
  SSL& ssl = connection->ssl();
  ERR_clear_error();
  if (!last_words.empty()) {
    // The socket is non-blocking: a reply that does not fit at once is lost,
    // which on a fresh connection's empty send buffer does not happen.
    SSL_write(&ssl, last_words.data(), static_cast<int>(last_words.size()));
  }
  SSL_shutdown(&ssl);  // close_notify, best effort
  ERR_clear_error();
  const int fd = connection->ReleaseSocket();
  ::shutdown(fd, SHUT_WR);
  {
    std::lock_guard lock(mutex_);
    if (running_) {
      inbox_.push_back(Drain{.fd = fd, .deadline = Clock::now() + budget, .max_bytes = max_bytes});
      Signal(wake_fd_);
      return;
    }
  }
  ::close(fd);
}

}  // namespace inbeeld::node::net
