#include "crypto/kdf.h"

#include <sodium.h>

#include <string>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

static_assert(kSaltSize == crypto_pwhash_argon2id_SALTBYTES);

KdfParams KdfParams::Interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}
KdfParams KdfParams::Moderate() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}
KdfParams KdfParams::Sensitive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE, crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE};
}

Result<SecretBytes> DeriveKey(std::span<const uint8_t> passphrase, std::span<const uint8_t> salt,
                              KdfParams params, size_t key_len) {
  internal::EnsureSodium();
  if (salt.size() != kSaltSize) {
    return Fail(ErrorCode::kInvalidArgument, "KDF salt must be " + std::to_string(kSaltSize) +
                                                 " bytes, got " + std::to_string(salt.size()));
  }
  if (passphrase.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "passphrase is empty");
  }
  if (passphrase.size() > crypto_pwhash_argon2id_PASSWD_MAX) {
    return Fail(ErrorCode::kInvalidArgument, "passphrase is too long");
  }
  if (key_len < crypto_pwhash_argon2id_BYTES_MIN || key_len > crypto_pwhash_argon2id_BYTES_MAX) {
    return Fail(ErrorCode::kInvalidArgument, "KDF key length must be at least " +
                                                 std::to_string(crypto_pwhash_argon2id_BYTES_MIN) +
                                                 " bytes, got " + std::to_string(key_len));
  }
  if (params.ops_limit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      params.ops_limit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
    return Fail(ErrorCode::kInvalidArgument,
                "KDF ops_limit out of range: " + std::to_string(params.ops_limit));
  }
  if (params.mem_limit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      params.mem_limit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return Fail(ErrorCode::kInvalidArgument,
                "KDF mem_limit out of range: " + std::to_string(params.mem_limit));
  }

  SecretBytes key(key_len);
  std::span<uint8_t> out = key.MutableForCrypto();
  // With every argument validated above, the remaining failure of
  // crypto_pwhash is the allocation of mem_limit bytes.
  if (crypto_pwhash(out.data(), out.size(), reinterpret_cast<const char*>(passphrase.data()),
                    passphrase.size(), salt.data(), params.ops_limit, params.mem_limit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(
        ErrorCode::kResourceExhausted,
        "Argon2id could not allocate " + std::to_string(params.mem_limit) + " bytes of memory");
  }
  return key;
}

}  // namespace inbeeld::crypto
