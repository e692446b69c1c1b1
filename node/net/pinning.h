// node/net/pinning.h — trust by pinned Ed25519 keys, enforced inside the TLS
// handshake.
//
// A PinSet maps each peer's raw Ed25519 public key to the peer's name, as
// written in the node's configuration. A PinVerifier installs the set on an
// OpenSSL context as its certificate verification: the peer's leaf
// certificate must carry an Ed25519 key equal to a pinned one, or the
// handshake fails with a bad_certificate alert. Chains, CAs, names and
// validity dates play no part: the pin is the trust. Because the check runs
// in the handshake, an unpinned client never reaches the HTTP parser.
//
// After a handshake, PeerName() says which pinned peer is on the connection;
// that — never an address or a header — is who called.
//
// Thread safety: PinSet is a plain value (const methods safe to share).
// PinVerifier's callbacks run concurrently on many connections; its pins may
// be replaced at any time (ReplacePins, for a configuration reload): each
// handshake and each PeerName call sees either the old set or the new one
// whole.
#ifndef INBEELD_NODE_NET_PINNING_H_
#define INBEELD_NODE_NET_PINNING_H_

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace inbeeld::node::net {

using Ed25519PublicKey = std::array<uint8_t, 32>;

class PinSet {
 public:
  PinSet() = default;

  // Pins `public_key` to `peer_name`.
  // Errors: kInvalidArgument for an empty name; kAlreadyExists if the key or
  // the name is pinned already (one key per peer, one peer per key).
  Status Add(std::string_view peer_name, std::span<const uint8_t, 32> public_key);

  // The name pinned to `public_key`, or nullopt. The view lives as long as
  // this set is neither destroyed nor modified.
  std::optional<std::string_view> Find(std::span<const uint8_t, 32> public_key) const;

  // The name pinned to the key in `cert`; nullopt if the key is not Ed25519
  // or not pinned. Does not allocate, so it is safe inside OpenSSL callbacks.
  std::optional<std::string_view> FindCertificate(const X509& cert) const;

  size_t size() const { return names_by_key_.size(); }
  bool empty() const { return names_by_key_.empty(); }

 private:
  std::map<Ed25519PublicKey, std::string> names_by_key_;
};

// The raw Ed25519 key in `cert`, or nullopt if it holds another kind of key.
std::optional<Ed25519PublicKey> Ed25519KeyOf(const X509& cert);

class PinVerifier {
 public:
  enum class Role {
    kServer,  // demand a client certificate; refuse the handshake without one
    kClient,  // check the server's certificate
  };

  explicit PinVerifier(PinSet pins) : pins_(std::make_shared<const PinSet>(std::move(pins))) {}
  PinVerifier(const PinVerifier&) = delete;
  PinVerifier& operator=(const PinVerifier&) = delete;

  // Makes `ctx` verify peers against the pins (SSL_VERIFY_PEER, plus
  // SSL_VERIFY_FAIL_IF_NO_PEER_CERT for kServer, with a certificate
  // verification callback that replaces OpenSSL's chain building).
  // REQUIRES: *this outlives `ctx` and every SSL made from it.
  void InstallOn(SSL_CTX& ctx, Role role) const;

  // The pinned peer on `ssl`, whose handshake has completed.
  // Errors: kUnauthenticated if the connection is not TLS 1.3, carries no
  // peer certificate, did not pass verification, or the key is not pinned.
  // (After a handshake under InstallOn none of these can happen; the checks
  // are repeated so that a broken invariant fails closed.)
  Result<std::string> PeerName(const SSL& ssl) const;

  // How many handshakes this verifier has refused.
  uint64_t refused_count() const { return refused_.load(std::memory_order_relaxed); }

  // The pins now in force (a snapshot: a later ReplacePins does not change it).
  std::shared_ptr<const PinSet> pins() const;

  // From the next handshake (and PeerName call) on, only `pins` are trusted.
  // Connections already handed over keep their name until they re-check.
  void ReplacePins(PinSet pins);

 private:
  static int VerifyCallback(X509_STORE_CTX* store, void* arg);

  mutable std::mutex pins_mu_;
  std::shared_ptr<const PinSet> pins_;  // GUARDED_BY(pins_mu_); never null
  mutable std::atomic<uint64_t> refused_{0};
};

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_PINNING_H_
