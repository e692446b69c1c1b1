// node/passphrase.h — where the storage passphrase comes from.
//
// Never from the command line (argv is visible to every user via /proc). In
// order: the file named by INBEELD_PASSPHRASE_FILE (one trailing newline is
// stripped), the variable INBEELD_PASSPHRASE, or a prompt on the controlling
// terminal with echo off. With none of these available the call fails with a
// message that names the two variables.
//
// Thread safety: reads the process environment and the terminal; call from the
// main thread only.
#ifndef INBEELD_NODE_PASSPHRASE_H_
#define INBEELD_NODE_PASSPHRASE_H_

#include <functional>
#include <optional>
#include <string>

#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace inbeeld::node {

// A view of the environment, injectable so tests need not mutate the process.
using GetEnvFn = std::function<std::optional<std::string>(const char* name)>;
GetEnvFn ProcessEnvironment();

enum class PassphrasePurpose {
  kUnlock,  // ask once
  kCreate,  // ask twice on a terminal and require they match; enforce minimum length
};

constexpr size_t kMinPassphraseLength = 10;

// Errors: kInvalidArgument (empty, too short for kCreate, file unreadable — the
// path is named, the content never), kFailedPrecondition (no source available).
Result<crypto::SecretBytes> ReadPassphrase(PassphrasePurpose purpose, const GetEnvFn& env);

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_PASSPHRASE_H_
