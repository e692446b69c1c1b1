#include "crypto/secret_bytes.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "crypto/bytes.h"
#include "crypto/sodium_init.h"

namespace inbeeld::crypto {

SecretBytes::SecretBytes(size_t n)
    // new[]() value-initialises, so the buffer starts as zeros.
    : data_(n == 0 ? nullptr : new uint8_t[n]()), size_(n) {}

SecretBytes SecretBytes::Random(size_t n) {
  internal::EnsureSodium();
  SecretBytes out(n);
  if (n != 0) randombytes_buf(out.data_.get(), n);
  return out;
}

SecretBytes SecretBytes::CopyFrom(std::span<const uint8_t> data) {
  SecretBytes out(data.size());
  if (!data.empty()) std::copy(data.begin(), data.end(), out.data_.get());
  return out;
}

// Moving hands over the heap buffer itself, so no second copy of the secret
// is made; the source is reset to empty so it cannot be read afterwards.
SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

bool SecretBytes::ConstantTimeEquals(const SecretBytes& other) const {
  return crypto::ConstantTimeEquals(RevealForCrypto(), other.RevealForCrypto());
}

void SecretBytes::Wipe() {
  // sodium_memzero is not optimised away, unlike a memset before free.
  if (data_ != nullptr) sodium_memzero(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

}  // namespace inbeeld::crypto
