#include "node/net/tls_identity.h"

#include <openssl/bn.h>
#include <openssl/rand.h>

#include <utility>

namespace inbeeld::node::net {
namespace {

constexpr size_t kMaxCommonNameBytes = 64;  // ub-common-name, RFC 5280
constexpr int kValidityDays = 3650;
constexpr long kBackdateSeconds = 3600;  // tolerate peers whose clock is behind

Status ValidateCommonName(std::string_view name) {
  if (name.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "TLS identity: node name is empty");
  }
  if (name.size() > kMaxCommonNameBytes) {
    return Fail(ErrorCode::kInvalidArgument, "TLS identity: node name is longer than 64 bytes");
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Fail(ErrorCode::kInvalidArgument, "TLS identity: node name holds a control character");
    }
  }
  return {};
}

std::unexpected<Error> OpenSslFailure(std::string_view what) {
  return Fail(ErrorCode::kInternal,
              "TLS identity: " + std::string(what) + ": " + DrainOpenSslErrors());
}

// A positive 127-bit serial: random so that two certificates for one key made
// at different starts never share issuer+serial.
Status SetRandomSerial(X509& cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return OpenSslFailure("random serial");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;  // never zero, never negative
  std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (bn == nullptr || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(&cert)) == nullptr) {
    return OpenSslFailure("serial number");
  }
  return {};
}

}  // namespace

TlsIdentity::TlsIdentity(EvpPkeyPtr key, X509Ptr certificate, std::array<uint8_t, 32> public_key,
                         std::string common_name)
    : key_(std::move(key)),
      certificate_(std::move(certificate)),
      public_key_(public_key),
      common_name_(std::move(common_name)) {}

Result<TlsIdentity> TlsIdentity::Create(std::span<const uint8_t, 32> seed,
                                        std::string_view common_name) {
  INBEELD_RETURN_IF_ERROR(ValidateCommonName(common_name));

  EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (key == nullptr) return OpenSslFailure("Ed25519 key from seed");

  std::array<uint8_t, 32> public_key{};
  size_t public_len = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &public_len) != 1 ||
      public_len != public_key.size()) {
    return OpenSslFailure("Ed25519 public key");
  }

  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslFailure("allocate certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslFailure("version");
  INBEELD_RETURN_IF_ERROR(SetRandomSerial(*cert));
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), kValidityDays, 0, nullptr) == nullptr) {
    return OpenSslFailure("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return OpenSslFailure("subject name");
  }
  if (X509_set_issuer_name(cert.get(), name) != 1) return OpenSslFailure("issuer name");
  if (X509_set_pubkey(cert.get(), key.get()) != 1) return OpenSslFailure("public key");
  // Ed25519 signs the whole message itself: the digest argument must be null.
  if (X509_sign(cert.get(), key.get(), nullptr) <= 0) return OpenSslFailure("self-sign");

  return TlsIdentity(std::move(key), std::move(cert), public_key, std::string(common_name));
}

}  // namespace inbeeld::node::net
