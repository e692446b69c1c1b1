#include "crypto/password.h"

#include <sodium.h>

#include <string>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

Result<std::string> HashPassword(std::string_view password, KdfParams cost) {
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return Fail(ErrorCode::kInvalidArgument, "password: must be 1 to 1024 bytes");
  }
  internal::EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops_limit, cost.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(ErrorCode::kResourceExhausted, "password: Argon2id could not allocate its memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      password.size() > kMaxPasswordBytes) {
    return false;
  }
  internal::EnsureSodium();
  std::string terminated(hash);  // crypto_pwhash_str_verify wants a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(std::string_view hash, KdfParams cost) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  internal::EnsureSodium();
  std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost.ops_limit, cost.mem_limit) != 0;
}

}  // namespace inbeeld::crypto
