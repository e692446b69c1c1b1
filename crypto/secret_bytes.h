// crypto/secret_bytes.h — a buffer of key material.
//
// SecretBytes is move-only. Its contents are wiped (sodium_memzero) when it is
// destroyed, when it is assigned over, and when it is moved from (the buffer
// moves; the source is left empty, size 0). It has no operator<< and no
// conversion to a string, so a key cannot be logged by accident. The raw bytes
// are reached only through RevealForCrypto() / MutableForCrypto(), names meant
// to be grepped for in review.
//
// The buffer lives on the ordinary heap: it is not mlock()ed and may be
// swapped out. Wiping bounds how long a key lingers in memory; it does not
// protect against an attacker who can read the process.
//
// Thread safety: like std::vector. Concurrent const access is safe; anything
// else needs external synchronisation.
#ifndef INBEELD_CRYPTO_SECRET_BYTES_H_
#define INBEELD_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace inbeeld::crypto {

class SecretBytes {
 public:
  // An empty secret (size 0).
  SecretBytes() = default;
  // `n` zero bytes, to be filled through MutableForCrypto().
  explicit SecretBytes(size_t n);

  // `n` bytes from libsodium's CSPRNG (randombytes_buf).
  static SecretBytes Random(size_t n);
  // A copy of `data`. The caller remains responsible for wiping its own copy.
  static SecretBytes CopyFrom(std::span<const uint8_t> data);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Greppable on purpose: every place that touches raw key bytes shows up.
  // The span is valid until this object is destroyed, moved from or assigned.
  std::span<const uint8_t> RevealForCrypto() const { return {data_.get(), size_}; }
  std::span<uint8_t> MutableForCrypto() { return {data_.get(), size_}; }

  // True iff both secrets have the same size and contents. For equal sizes the
  // comparison takes time independent of the contents; sizes are not secret.
  bool ConstantTimeEquals(const SecretBytes& other) const;

 private:
  void Wipe();

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_SECRET_BYTES_H_
