#include "crypto/aead.h"

#include <sodium.h>

#include <string>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

static_assert(kAeadKeySize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceSize == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagSize == crypto_aead_xchacha20poly1305_ietf_ABYTES);

namespace {

Status CheckKey(const SecretBytes& key) {
  if (key.size() != kAeadKeySize) {
    return Fail(ErrorCode::kInvalidArgument, "AEAD key must be " + std::to_string(kAeadKeySize) +
                                                 " bytes, got " + std::to_string(key.size()));
  }
  return {};
}

}  // namespace

Result<Bytes> Seal(const SecretBytes& key, std::span<const uint8_t> plaintext,
                   std::span<const uint8_t> aad) {
  internal::EnsureSodium();
  INBEELD_RETURN_IF_ERROR(CheckKey(key));
  if (plaintext.size() > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX) {
    return Fail(ErrorCode::kInvalidArgument, "AEAD plaintext is too large");
  }
  Bytes sealed(kAeadNonceSize + plaintext.size() + kAeadTagSize);
  uint8_t* nonce = sealed.data();
  randombytes_buf(nonce, kAeadNonceSize);
  unsigned long long ciphertext_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.data() + kAeadNonceSize, &ciphertext_len, plaintext.data(), plaintext.size(),
      aad.data(), aad.size(), /*nsec=*/nullptr, nonce, key.RevealForCrypto().data());
  return sealed;
}

Result<Bytes> Open(const SecretBytes& key, std::span<const uint8_t> sealed,
                   std::span<const uint8_t> aad) {
  internal::EnsureSodium();
  INBEELD_RETURN_IF_ERROR(CheckKey(key));
  if (sealed.size() < kAeadOverhead) {
    return Fail(ErrorCode::kInvalidArgument, "sealed message is " + std::to_string(sealed.size()) +
                                                 " bytes, shorter than the minimum of " +
                                                 std::to_string(kAeadOverhead));
  }
  const std::span<const uint8_t> nonce = sealed.first(kAeadNonceSize);
  const std::span<const uint8_t> ciphertext = sealed.subspan(kAeadNonceSize);
  Bytes plaintext(ciphertext.size() - kAeadTagSize);
  unsigned long long plaintext_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          plaintext.data(), &plaintext_len, /*nsec=*/nullptr, ciphertext.data(), ciphertext.size(),
          aad.data(), aad.size(), nonce.data(), key.RevealForCrypto().data()) != 0) {
    return Fail(ErrorCode::kUnauthenticated, "sealed message failed authentication");
  }
  return plaintext;
}

}  // namespace inbeeld::crypto
