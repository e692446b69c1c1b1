#include "node/psi/point_index.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace inbeeld::node::psi {

void EnsureSodiumReady() {
  // sodium_init() is idempotent and thread-safe; the static keeps later calls
  // to one atomic load.
  static const int status = sodium_init();
  if (status < 0) std::abort();
}

PointIndex::PointIndex(schema::wire::PointView points) : points_(points) {
  static_assert(crypto_shorthash_KEYBYTES == 16);
  static_assert(crypto_shorthash_BYTES == 8);
  EnsureSodiumReady();
  randombytes_buf(key_.data(), key_.size());
  size_t capacity = 16;
  while (capacity < 2 * points.size()) capacity *= 2;
  slots_.assign(capacity, kNotFound);
  mask_ = capacity - 1;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto p = points[i];
    for (size_t s = Slot(p);; s = (s + 1) & mask_) {
      const uint32_t held = slots_[s];
      if (held == kNotFound) {
        slots_[s] = static_cast<uint32_t>(i);
        break;
      }
      if (std::memcmp(points_[held].data(), p.data(), p.size()) == 0) {
        duplicate_ = Duplicate{held, static_cast<uint32_t>(i)};
        return;
      }
    }
  }
}

uint32_t PointIndex::Find(std::span<const uint8_t, schema::wire::kPointSize> point) const {
  for (size_t s = Slot(point);; s = (s + 1) & mask_) {
    const uint32_t held = slots_[s];
    if (held == kNotFound) return kNotFound;
    if (std::memcmp(points_[held].data(), point.data(), point.size()) == 0) return held;
  }
}

size_t PointIndex::Slot(std::span<const uint8_t, schema::wire::kPointSize> point) const {
  uint8_t hash[crypto_shorthash_BYTES];
  crypto_shorthash(hash, point.data(), point.size(), key_.data());
  uint64_t h;
  std::memcpy(&h, hash, sizeof(h));
  return static_cast<size_t>(h) & mask_;
}

}  // namespace inbeeld::node::psi
