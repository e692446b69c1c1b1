#include "crypto/sodium_init.h"

#include <sodium.h>

#include <cstdlib>

namespace inbeeld::crypto::internal {

void EnsureSodium() {
  // sodium_init() is itself idempotent and thread-safe, but it takes a lock;
  // the static makes every call after the first a single guard check.
  // It returns 1 when already initialised (e.g. by another library), which is
  // fine; only -1 is a failure, and without a working RNG no key here is safe.
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) std::abort();
}

}  // namespace inbeeld::crypto::internal
