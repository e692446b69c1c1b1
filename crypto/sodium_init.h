// crypto/sodium_init.h — internal: one-time libsodium initialisation.
//
// Every public entry point of inbeeld_crypto that reaches libsodium calls
// EnsureSodium() first, so callers never need an explicit Init(). Not part of
// the module's public API; other modules have no reason to include it.
//
// Thread safety: safe to call from any number of threads at once (the first
// call runs sodium_init() inside a function-local static; later calls are one
// atomic load).
#ifndef INBEELD_CRYPTO_SODIUM_INIT_H_
#define INBEELD_CRYPTO_SODIUM_INIT_H_

namespace inbeeld::crypto::internal {

// Initialises libsodium once. If libsodium cannot initialise (no usable source
// of randomness), the process is aborted: nothing in this module is safe
// without it.
void EnsureSodium();

}  // namespace inbeeld::crypto::internal

#endif  // INBEELD_CRYPTO_SODIUM_INIT_H_
