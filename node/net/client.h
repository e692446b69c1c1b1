// node/net/client.h — talks to one pinned peer over mutual TLS 1.3.
//
// PeerClient wraps cpp-httplib 0.11.4's SSLClient. It presents this node's
// certificate and accepts the server only if its leaf certificate carries
// exactly the one Ed25519 key pinned for that peer; httplib's own CA and
// host-name verification is switched off because it cannot express that (and
// it would override our check: with verification on, httplib 0.11.4 sets
// SSL_VERIFY_NONE on each connection and then demands a CA chain).
//
// Each Post opens a fresh connection (no keep-alive), so every request runs
// the full handshake and pin check. Responses are read with a size limit and
// never decompressed.
//
// A failed Post is a PeerError: an Error (code and message, as from any
// other call) plus the peer's retry hint when it refused for load (a 429 or
// 503 with Retry-After, or "retry_after_s" in its JSON body; reply.h). A
// PeerError converts to a plain Error, so PeerResult converts to
// Result<Reply> — dropping the hint; keep the PeerResult to read it.
//
// Thread safety: Post may be called from several threads; requests to one
// peer are serialised.
#ifndef INBEELD_NODE_NET_CLIENT_H_
#define INBEELD_NODE_NET_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "node/net/reply.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::net {

struct ClientOptions {
  // Limit for TCP connect, and separately for the TLS handshake.
  std::chrono::milliseconds connect_timeout{5'000};
  // Longest wait for any single read or write once connected.
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // Largest response body accepted.
  size_t max_response_bytes = size_t{64} << 20;
};

struct PeerError : Error {
  // Set when the peer answered 429 or 503 with a retry hint: how long it
  // asked us to wait (0 s..kMaxRetryAfter). Never set for failures of our
  // own (unreachable, timeouts, TLS).
  std::optional<std::chrono::seconds> retry_after = std::nullopt;
  // The HTTP status when the peer answered (so the TLS handshake, pins
  // included, succeeded); 0 for failures before any answer.
  int http_status = 0;
};

using PeerResult = std::expected<Reply, PeerError>;

class PeerClient {
 public:
  // A client for peer `peer_name` at host:port whose key must be
  // `peer_public_key`. `self` need not outlive the client.
  // Errors: kInvalidArgument for an empty name or host, a port outside
  // 1..65535, or non-positive options; kInternal if TLS setup fails.
  static Result<std::unique_ptr<PeerClient>> Create(const TlsIdentity& self,
                                                    std::string_view peer_name,
                                                    std::span<const uint8_t, 32> peer_public_key,
                                                    std::string_view host, int port,
                                                    ClientOptions options = {});

  ~PeerClient();
  PeerClient(const PeerClient&) = delete;
  PeerClient& operator=(const PeerClient&) = delete;

  // POSTs `body` to `path` and returns the peer's 2xx reply.
  // Errors:
  //   kInvalidArgument   path not starting with '/', or path or content_type
  //                      holding spaces or control characters;
  //   kUnavailable       the peer cannot be reached, or the connection broke;
  //   kUnauthenticated   the peer presented a key that is not the pinned one,
  //                      refused our certificate, or the handshake failed;
  //   kDeadlineExceeded  connect, handshake or a read/write timed out;
  //   kResourceExhausted the response exceeds max_response_bytes;
  //   a non-2xx reply    becomes ErrorFromReply (reply.h): the peer's code
  //                      from its JSON body (or from the status) and message,
  //                      with retry_after = RetryHintOf(reply) — e.g. a busy
  //                      peer's 429 is kResourceExhausted with retry_after.
  PeerResult Post(std::string_view path, std::string_view body, std::string_view content_type);

  const std::string& peer_name() const;

 private:
  class Impl;
  explicit PeerClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Post, asking a busy peer (a 429 or 503 with a retry hint) again after the
// time it named — at least 1 s, doubling per attempt, at most 30 s, plus up
// to a quarter more at random so that many clients do not return in step —
// up to `attempts` times in all. Any other outcome is returned at once.
PeerResult PostPatiently(PeerClient& client, std::string_view path, std::string_view body,
                         std::string_view content_type, int attempts = 8);

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_CLIENT_H_
