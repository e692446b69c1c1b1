// crypto/password.h — Argon2id password hashes for the people who log in to
// the console (node/console/people.h).
//
// A hash is libsodium's crypto_pwhash_str string ("$argon2id$v=19$m=…"), which
// carries its own salt and cost, so a stored hash stays verifiable when the
// cost is raised later. The console stores it in the encrypted store only.
//
// Thread safety: pure functions; safe from any thread. Each call allocates the
// cost's memory for its duration (64 MiB interactive, 256 MiB moderate).
#ifndef INBEELD_CRYPTO_PASSWORD_H_
#define INBEELD_CRYPTO_PASSWORD_H_

#include <string>
#include <string_view>

#include "base/error.h"
#include "crypto/kdf.h"

namespace inbeeld::crypto {

inline constexpr size_t kMaxPasswordBytes = 1024;

// Hashes `password` (1..kMaxPasswordBytes bytes) with Argon2id at `cost`.
// Errors: kInvalidArgument for an empty or too long password;
// kResourceExhausted when the memory cannot be allocated.
Result<std::string> HashPassword(std::string_view password, KdfParams cost);

// True iff `password` matches `hash` (constant time in the password).
// A malformed hash is false, never an error.
bool VerifyPassword(std::string_view hash, std::string_view password);

// True when `hash` was made with a cost other than `cost` (rehash on login).
bool PasswordNeedsRehash(std::string_view hash, KdfParams cost);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_PASSWORD_H_
