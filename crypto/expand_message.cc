#include "crypto/expand_message.h"

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {
namespace {

constexpr size_t kHashBytes = crypto_hash_sha512_BYTES;  // b_in_bytes
constexpr size_t kBlockBytes = 128;                      // s_in_bytes of SHA-512
constexpr std::string_view kOversizeDstPrefix = "H2C-OVERSIZE-DST-";

static_assert(kHashBytes == 64);

void Update(crypto_hash_sha512_state* state, std::span<const uint8_t> data) {
  crypto_hash_sha512_update(state, data.data(), data.size());
}

void UpdateByte(crypto_hash_sha512_state* state, uint8_t byte) {
  crypto_hash_sha512_update(state, &byte, 1);
}

}  // namespace

Result<Bytes> ExpandMessageXmdSha512(std::span<const uint8_t> msg, std::span<const uint8_t> dst,
                                     size_t len_in_bytes) {
  internal::EnsureSodium();
  if (len_in_bytes == 0 || len_in_bytes > kExpandMessageMaxBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "expand_message_xmd: output length must be between 1 and " +
                    std::to_string(kExpandMessageMaxBytes) + " bytes, got " +
                    std::to_string(len_in_bytes));
  }
  const size_t ell = (len_in_bytes + kHashBytes - 1) / kHashBytes;  // <= 255 by the check

  // RFC 9380 5.3.3: an oversized DST is hashed down to 64 bytes first.
  std::array<uint8_t, kHashBytes> short_dst{};
  if (dst.size() > 255) {
    crypto_hash_sha512_state state;
    crypto_hash_sha512_init(&state);
    crypto_hash_sha512_update(&state, reinterpret_cast<const uint8_t*>(kOversizeDstPrefix.data()),
                              kOversizeDstPrefix.size());
    Update(&state, dst);
    crypto_hash_sha512_final(&state, short_dst.data());
    dst = short_dst;
  }
  const uint8_t dst_len = static_cast<uint8_t>(dst.size());  // DST_prime = DST || I2OSP(len, 1)

  // b_0 = H(Z_pad || msg || I2OSP(len_in_bytes, 2) || I2OSP(0, 1) || DST_prime)
  std::array<uint8_t, kHashBytes> b0{};
  {
    static constexpr std::array<uint8_t, kBlockBytes> kZeroPad{};
    crypto_hash_sha512_state state;
    crypto_hash_sha512_init(&state);
    Update(&state, kZeroPad);
    Update(&state, msg);
    UpdateByte(&state, static_cast<uint8_t>(len_in_bytes >> 8));
    UpdateByte(&state, static_cast<uint8_t>(len_in_bytes & 0xff));
    UpdateByte(&state, 0);
    Update(&state, dst);
    UpdateByte(&state, dst_len);
    crypto_hash_sha512_final(&state, b0.data());
  }

  // b_1 = H(b_0 || I2OSP(1, 1) || DST_prime)
  // b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime)
  Bytes uniform(ell * kHashBytes);
  std::array<uint8_t, kHashBytes> chain = b0;  // b_0 XOR b_(i-1); b_0 XOR 0 for i = 1
  for (size_t i = 1; i <= ell; ++i) {
    uint8_t* bi = uniform.data() + (i - 1) * kHashBytes;
    crypto_hash_sha512_state state;
    crypto_hash_sha512_init(&state);
    Update(&state, chain);
    UpdateByte(&state, static_cast<uint8_t>(i));
    Update(&state, dst);
    UpdateByte(&state, dst_len);
    crypto_hash_sha512_final(&state, bi);
    for (size_t j = 0; j < kHashBytes; ++j) chain[j] = static_cast<uint8_t>(b0[j] ^ bi[j]);
  }
  // The output may be secret-derived (it feeds key derivation), so intermediate
  // state is wiped rather than left on the stack.
  sodium_memzero(b0.data(), b0.size());
  sodium_memzero(chain.data(), chain.size());
  sodium_memzero(uniform.data() + len_in_bytes, uniform.size() - len_in_bytes);
  uniform.resize(len_in_bytes);
  return uniform;
}

}  // namespace inbeeld::crypto
