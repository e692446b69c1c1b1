// node/psi/point_index.h — a hash index over a flat array of 32-byte points,
// for the membership and duplicate tests of the PSI session.
//
// Open addressing with linear probing over uint32 positions into the array
// (the points themselves are not copied): 4 bytes a slot, at most half the
// slots used, so about 8 bytes a point. Slots are found with SipHash-2-4
// (libsodium's crypto_shorthash) under a random key drawn for each index:
// several of the lists indexed here are chosen by the peer, and with a
// predictable hash a peer could send points that all land in one probe
// sequence and turn the linear-time matching quadratic.
//
// Thread safety: Find() may be called concurrently; construction may not.
#ifndef INBEELD_NODE_PSI_POINT_INDEX_H_
#define INBEELD_NODE_PSI_POINT_INDEX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "schema/wire.h"

namespace inbeeld::node::psi {

class PointIndex {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  struct Duplicate {
    uint32_t first;   // the earlier position
    uint32_t second;  // the later position holding the same bytes
  };

  // Indexes points[0..size). REQUIRES: points.size() < UINT32_MAX; the
  // memory behind `points` outlives this index and does not change.
  explicit PointIndex(schema::wire::PointView points);

  // The first repeated point in position order, if any. When set, the index
  // stopped at points[second] and must not be used for lookups.
  const std::optional<Duplicate>& duplicate() const { return duplicate_; }

  // The position of a point equal to `point`, or kNotFound.
  uint32_t Find(std::span<const uint8_t, schema::wire::kPointSize> point) const;

 private:
  size_t Slot(std::span<const uint8_t, schema::wire::kPointSize> point) const;

  schema::wire::PointView points_;
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
  std::array<uint8_t, 16> key_{};
  std::optional<Duplicate> duplicate_;
};

// Calls sodium_init() once; aborts if libsodium cannot start (no randomness).
void EnsureSodiumReady();

}  // namespace inbeeld::node::psi

#endif  // INBEELD_NODE_PSI_POINT_INDEX_H_
