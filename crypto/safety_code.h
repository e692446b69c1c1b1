// crypto/safety_code.h — a node key as digits two people can read aloud.
//
// Partners pin each other's Ed25519 key. Reading 64 hex digits over the phone
// is error-prone, so both sides show the same 20 digits in four groups of five
// ("04521 88310 27764 51902"), derived from the key with SHA-256 under a fixed
// label. 20 digits are ~66 bits: finding another key with the same code takes
// about 2^66 key generations, out of reach for someone who wants to slip in
// their own key, while a single misheard digit changes the code.
//
// Thread safety: pure function.
#ifndef INBEELD_CRYPTO_SAFETY_CODE_H_
#define INBEELD_CRYPTO_SAFETY_CODE_H_

#include <cstdint>
#include <span>
#include <string>

namespace inbeeld::crypto {

// Four groups of five decimal digits separated by single spaces.
std::string SafetyCode(std::span<const uint8_t, 32> public_key);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_SAFETY_CODE_H_
