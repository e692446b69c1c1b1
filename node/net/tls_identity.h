// node/net/tls_identity.h — a node's TLS identity: its Ed25519 key and a
// self-signed X.509 certificate around it.
//
// Peers trust each other by pinning the raw Ed25519 public key (see
// pinning.h), never by a CA; the certificate exists only because TLS carries
// keys in certificates. It is made fresh in memory on every start (CN = the
// node's name, valid from an hour ago for ten years, random serial) and never
// written to disk.
//
// Thread safety: immutable after Create; safe to share between threads. The
// OpenSSL objects it lends out must not be modified.
#ifndef INBEELD_NODE_NET_TLS_IDENTITY_H_
#define INBEELD_NODE_NET_TLS_IDENTITY_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"
#include "node/net/openssl_util.h"

namespace inbeeld::node::net {

class TlsIdentity {
 public:
  // Builds the key from a 32-byte Ed25519 seed (RFC 8032 private key) and
  // self-signs a certificate naming `common_name`. The seed is read in place
  // and not copied by this code; OpenSSL keeps its own copy inside the key
  // and wipes it when the key is freed.
  // Errors: kInvalidArgument if common_name is empty, longer than 64 bytes
  // (the X.509 limit) or holds control characters; kInternal if OpenSSL fails.
  static Result<TlsIdentity> Create(std::span<const uint8_t, 32> seed,
                                    std::string_view common_name);

  TlsIdentity(TlsIdentity&&) noexcept = default;
  TlsIdentity& operator=(TlsIdentity&&) noexcept = default;
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;
  ~TlsIdentity() = default;

  // Borrowed pointers, valid while *this lives. SSL_CTX_use_certificate and
  // SSL_CTX_use_PrivateKey take their own references, so a TLS context set up
  // from them may outlive this object.
  X509* certificate() const { return certificate_.get(); }
  EVP_PKEY* private_key() const { return key_.get(); }

  // The raw Ed25519 public key: what peers pin.
  const std::array<uint8_t, 32>& public_key() const { return public_key_; }
  const std::string& common_name() const { return common_name_; }

 private:
  TlsIdentity(EvpPkeyPtr key, X509Ptr certificate, std::array<uint8_t, 32> public_key,
              std::string common_name);

  EvpPkeyPtr key_;
  X509Ptr certificate_;
  std::array<uint8_t, 32> public_key_;
  std::string common_name_;
};

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_TLS_IDENTITY_H_
