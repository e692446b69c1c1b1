#include "tests/node/net/raw_tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace inbeeld::node::net::testing {

std::unique_ptr<RawTlsConnection> RawTlsConnection::Connect(int port, const TlsIdentity* identity,
                                                            int max_version, std::string* error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    *error = "socket() failed";
    return nullptr;
  }
  timeval limit{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    *error = "connect() failed";
    return nullptr;
  }
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  if (identity != nullptr) {
    SSL_CTX_use_certificate(ctx.get(), identity->certificate());
    SSL_CTX_use_PrivateKey(ctx.get(), identity->private_key());
  }
  SslPtr ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), fd);
  ERR_clear_error();
  if (SSL_connect(ssl.get()) != 1) {
    *error = "TLS handshake failed: " + DrainOpenSslErrors();
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<RawTlsConnection>(
      new RawTlsConnection(fd, std::move(ctx), std::move(ssl)));
}

RawTlsConnection::RawTlsConnection(int fd, SslCtxPtr ctx, SslPtr ssl)
    : fd_(fd), ctx_(std::move(ctx)), ssl_(std::move(ssl)) {}

RawTlsConnection::~RawTlsConnection() {
  ssl_.reset();
  ::close(fd_);
}

bool RawTlsConnection::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    const int n = SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string RawTlsConnection::ReadUntilClose(bool* closed) {
  std::string out = std::move(buffered_);
  buffered_.clear();
  char buf[4096];
  for (;;) {
    errno = 0;
    const int n = SSL_read(ssl_.get(), buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    const int err = SSL_get_error(ssl_.get(), n);
    *closed = !(err == SSL_ERROR_WANT_READ ||
                (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)));
    ERR_clear_error();
    return out;
  }
}

std::optional<std::string> RawTlsConnection::ReadResponse() {
  char buf[4096];
  auto fill = [&]() {
    const int n = SSL_read(ssl_.get(), buf, sizeof buf);
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    buffered_.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t header_end;
  while ((header_end = buffered_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  header_end += 4;
  size_t length = 0;
  const std::string headers = buffered_.substr(0, header_end);
  for (std::string_view key : {"Content-Length: ", "content-length: "}) {
    if (size_t at = headers.find(key); at != std::string::npos) {
      length = std::strtoul(headers.c_str() + at + key.size(), nullptr, 10);
    }
  }
  while (buffered_.size() < header_end + length) {
    if (!fill()) return std::nullopt;
  }
  std::string response = buffered_.substr(0, header_end + length);
  buffered_.erase(0, header_end + length);
  return response;
}

bool RawTlsConnection::ReadableWithin(std::chrono::milliseconds wait) {
  if (SSL_has_pending(ssl_.get()) == 1 || !buffered_.empty()) return true;
  pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
}

std::unique_ptr<TcpConnection> TcpConnection::Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return nullptr;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<TcpConnection>(new TcpConnection(fd));
}

TcpConnection::~TcpConnection() { ::close(fd_); }

bool TcpConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TcpConnection::ClosedByServerWithin(std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) return false;
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
  }
}

std::string ClientHelloBytes() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  SslPtr ssl(SSL_new(ctx.get()));
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);  // ssl owns both now
  SSL_connect(ssl.get());           // writes the ClientHello, then wants to read
  ERR_clear_error();
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  return std::string(data, static_cast<size_t>(size));
}

int StatusOf(std::string_view response) {
  if (response.size() < 12 || response.substr(0, 9) != "HTTP/1.1 ") return -1;
  return std::atoi(std::string(response.substr(9, 3)).c_str());
}

std::string_view BodyOf(std::string_view response) {
  const size_t at = response.find("\r\n\r\n");
  return at == std::string_view::npos ? std::string_view() : response.substr(at + 4);
}

}  // namespace inbeeld::node::net::testing
