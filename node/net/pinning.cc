#include "node/net/pinning.h"

#include <openssl/evp.h>

#include <algorithm>
#include <utility>

namespace inbeeld::node::net {

Status PinSet::Add(std::string_view peer_name, std::span<const uint8_t, 32> public_key) {
  if (peer_name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "pinned peer: name is empty");
  }
  Ed25519PublicKey key;
  std::copy(public_key.begin(), public_key.end(), key.begin());
  if (names_by_key_.contains(key)) {
    return Fail(ErrorCode::kAlreadyExists,
                "pinned peer '" + std::string(peer_name) + "': its key is already pinned");
  }
  for (const auto& [unused_key, name] : names_by_key_) {
    if (name == peer_name) {
      return Fail(ErrorCode::kAlreadyExists,
                  "pinned peer '" + std::string(peer_name) + "' is already pinned");
    }
  }
  names_by_key_.emplace(key, std::string(peer_name));
  return {};
}

std::optional<std::string_view> PinSet::Find(std::span<const uint8_t, 32> public_key) const {
  Ed25519PublicKey key;
  std::copy(public_key.begin(), public_key.end(), key.begin());
  auto it = names_by_key_.find(key);
  if (it == names_by_key_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> PinSet::FindCertificate(const X509& cert) const {
  std::optional<Ed25519PublicKey> key = Ed25519KeyOf(cert);
  if (!key) return std::nullopt;
  return Find(*key);
}

std::optional<Ed25519PublicKey> Ed25519KeyOf(const X509& cert) {
  EVP_PKEY* pkey = X509_get0_pubkey(&cert);
  if (pkey == nullptr || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) return std::nullopt;
  Ed25519PublicKey key{};
  size_t len = key.size();
  if (EVP_PKEY_get_raw_public_key(pkey, key.data(), &len) != 1 || len != key.size()) {
    return std::nullopt;
  }
  return key;
}

void PinVerifier::InstallOn(SSL_CTX& ctx, Role role) const {
  const int mode =
      role == Role::kServer ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER;
  SSL_CTX_set_verify(&ctx, mode, nullptr);
  // The cert-verify callback replaces X509_verify_cert() entirely: with no CA
  // in the chain, OpenSSL's own verification would reject every self-signed
  // peer, and a per-depth verify_callback would have to second-guess each of
  // its errors. Here there is exactly one decision, on the leaf.
  SSL_CTX_set_cert_verify_callback(&ctx, &PinVerifier::VerifyCallback,
                                   const_cast<PinVerifier*>(this));
}

std::shared_ptr<const PinSet> PinVerifier::pins() const {
  std::lock_guard lock(pins_mu_);
  return pins_;
}

void PinVerifier::ReplacePins(PinSet pins) {
  auto fresh = std::make_shared<const PinSet>(std::move(pins));
  std::lock_guard lock(pins_mu_);
  pins_.swap(fresh);
}

int PinVerifier::VerifyCallback(X509_STORE_CTX* store, void* arg) {
  const auto* self = static_cast<const PinVerifier*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  // Copying the shared_ptr does not allocate (safe inside OpenSSL's callback).
  const std::shared_ptr<const PinSet> pins = self->pins();
  if (leaf != nullptr && pins->FindCertificate(*leaf).has_value()) {
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
  }
  self->refused_.fetch_add(1, std::memory_order_relaxed);
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
  return 0;
}

Result<std::string> PinVerifier::PeerName(const SSL& ssl) const {
  if (SSL_version(&ssl) != TLS1_3_VERSION) {
    return Fail(ErrorCode::kUnauthenticated, "connection is not TLS 1.3");
  }
  if (SSL_get_verify_result(&ssl) != X509_V_OK) {
    return Fail(ErrorCode::kUnauthenticated, "peer certificate did not pass pinning");
  }
  X509* cert = SSL_get0_peer_certificate(&ssl);
  if (cert == nullptr) {
    return Fail(ErrorCode::kUnauthenticated, "peer presented no certificate");
  }
  const std::shared_ptr<const PinSet> pins = this->pins();
  std::optional<std::string_view> name = pins->FindCertificate(*cert);
  if (!name) {
    return Fail(ErrorCode::kUnauthenticated, "peer key is not pinned");
  }
  return std::string(*name);
}

}  // namespace inbeeld::node::net
