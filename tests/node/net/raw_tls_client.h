// tests/node/net/raw_tls_client.h — a bare OpenSSL client for transport tests.
//
// Sends exactly the bytes a test writes (chunked bodies, forged headers) and
// lets a test pick the TLS version and the certificate, which PeerClient
// deliberately cannot. It does not check the server's certificate.
//
// TcpConnection is the other end of the spectrum: a plain socket for clients
// that never finish a handshake (silent, half a ClientHello, trickling).
//
// Thread safety: one connection per thread.
#ifndef INBEELD_TESTS_NODE_NET_RAW_TLS_CLIENT_H_
#define INBEELD_TESTS_NODE_NET_RAW_TLS_CLIENT_H_

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "node/net/openssl_util.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::net::testing {

class RawTlsConnection {
 public:
  // Connects to 127.0.0.1:port and completes the client side of the
  // handshake, presenting `identity` (none if null), offering TLS versions up
  // to `max_version`. Returns null and fills `error` if connecting or the
  // handshake fails. Every read waits at most 10 s, so no test can hang.
  static std::unique_ptr<RawTlsConnection> Connect(int port, const TlsIdentity* identity,
                                                   int max_version, std::string* error);
  ~RawTlsConnection();

  bool Write(std::string_view bytes);

  // Reads until the server ends the connection. `closed` is set false if the
  // 10 s read limit ran out instead.
  std::string ReadUntilClose(bool* closed);

  // Reads one response: headers, then a Content-Length body. nullopt if the
  // connection ends first.
  std::optional<std::string> ReadResponse();

  // Whether something (bytes, an alert, the end) can be read within `wait`.
  bool ReadableWithin(std::chrono::milliseconds wait);

 private:
  RawTlsConnection(int fd, SslCtxPtr ctx, SslPtr ssl);
  int fd_;
  SslCtxPtr ctx_;
  SslPtr ssl_;
  std::string buffered_;
};

class TcpConnection {
 public:
  // Connects to 127.0.0.1:port; null if that fails.
  static std::unique_ptr<TcpConnection> Connect(int port);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // False once the connection is gone (never raises SIGPIPE).
  bool Send(std::string_view bytes);
  // Whether the server closes (FIN or RST) within `wait`; bytes it sends
  // before (a TLS alert) are discarded.
  bool ClosedByServerWithin(std::chrono::milliseconds wait);

 private:
  explicit TcpConnection(int fd) : fd_(fd) {}
  int fd_;
};

// The bytes of a TLS 1.3 ClientHello, as a real client sends them first.
std::string ClientHelloBytes();

// The status code of a raw HTTP response, or -1.
int StatusOf(std::string_view response);
// The body of a raw HTTP response (what follows the blank line).
std::string_view BodyOf(std::string_view response);

}  // namespace inbeeld::node::net::testing

#endif  // INBEELD_TESTS_NODE_NET_RAW_TLS_CLIENT_H_
