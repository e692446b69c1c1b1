// node/datadir/passphrase.h — where the storage passphrase comes from.
//
// Never from the command line (argv is visible to every user via /proc). In
// order, the first that is there:
//   1. the file named by INBEELD_PASSPHRASE_FILE;
//   2. the systemd credential `passphrase`: the file $CREDENTIALS_DIRECTORY/
//      passphrase, when CREDENTIALS_DIRECTORY is set and that file exists
//      (the unit's LoadCredentialEncrypted=passphrase:…, packaging/);
//   3. the variable INBEELD_PASSPHRASE;
//   4. a prompt on the controlling terminal with echo off.
// With none of these available the call fails with a message that names the
// sources. From a file (1 or 2) one trailing newline is stripped.
//
// A passphrase file that its group or others may read or write is still used,
// but a warning naming the path and its mode goes to `warnings`: refusing
// would stop a running service over a chmod, and the issue asked for a
// warning. Whoever could read the file can already open the store.
//
// Thread safety: reads the process environment and the terminal; call from the
// main thread only.
#ifndef INBEELD_NODE_DATADIR_PASSPHRASE_H_
#define INBEELD_NODE_DATADIR_PASSPHRASE_H_

#include <functional>
#include <iostream>
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

// The name of the systemd credential holding the passphrase (source 2 above).
inline constexpr char kPassphraseCredential[] = "passphrase";

// Errors: kInvalidArgument (empty, too short for kCreate, file unreadable — the
// path is named, the content never), kFailedPrecondition (no source available).
// Warnings (a file readable by others) are written to `warnings`, one line each.
Result<crypto::SecretBytes> ReadPassphrase(PassphrasePurpose purpose, const GetEnvFn& env,
                                           std::ostream& warnings = std::cerr);

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_DATADIR_PASSPHRASE_H_
