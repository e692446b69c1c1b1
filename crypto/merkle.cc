#include "crypto/merkle.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <string>

#include "crypto/sodium_init.h"

namespace inbeeld::crypto {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;
constexpr uint8_t kCompactRangeVersion = 0x01;
constexpr size_t kCompactRangeHeaderSize = 1 + 8;

// The largest power of two strictly below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// How many hashes an inclusion proof for `index` in a tree of `size` leaves
// has: the levels at which the paths to leaf `index` and to the last leaf
// diverge ("inner", where the sibling is a full subtree below the divergence),
// plus one per set bit above them ("border", where the leaf's path meets the
// right edge of the tree). This is the shape RFC 9162's PATH produces.
// REQUIRES: index < size.
struct ProofShape {
  uint64_t inner;
  uint64_t border;
};
ProofShape InclusionShape(uint64_t index, uint64_t size) {
  const uint64_t inner = static_cast<uint64_t>(std::bit_width(index ^ (size - 1)));
  // A shift by 64 would be undefined; nothing is left above bit 63.
  const uint64_t border = inner >= 64 ? 0 : static_cast<uint64_t>(std::popcount(index >> inner));
  return {inner, border};
}

std::string CountMismatch(std::string_view what, size_t got, uint64_t want) {
  return std::string(what) + " proof has " + std::to_string(got) + " hashes, expected " +
         std::to_string(want);
}

}  // namespace

Hash LeafHash(std::span<const uint8_t> data) {
  internal::EnsureSodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kLeafPrefix, 1);
  if (!data.empty()) crypto_hash_sha256_update(&state, data.data(), data.size());
  Hash out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Hash NodeHash(const Hash& left, const Hash& right) {
  internal::EnsureSodium();
  uint8_t buffer[1 + 2 * kHashSize];
  buffer[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buffer + 1);
  std::copy(right.begin(), right.end(), buffer + 1 + kHashSize);
  Hash out;
  crypto_hash_sha256(out.data(), buffer, sizeof(buffer));
  return out;
}

Hash EmptyRoot() {
  internal::EnsureSodium();
  Hash out;
  crypto_hash_sha256(out.data(), nullptr, 0);
  return out;
}

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  CompactRange range;
  for (const Hash& leaf : leaf_hashes) range.Append(leaf);
  return range.Root();
}

// --- CompactRange ---------------------------------------------------------

void CompactRange::Append(const Hash& leaf_hash) {
  // 2^64 - 1 leaves is not a log anyone will write; reaching it is a bug.
  if (size_ == UINT64_MAX) std::abort();
  // Adding one to the size carries through its trailing one bits; each carry
  // merges the two equal-sized subtrees at that level into one.
  Hash carry = leaf_hash;
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    carry = NodeHash(peaks_.back(), carry);
    peaks_.pop_back();
  }
  peaks_.push_back(carry);
  ++size_;
}

Hash CompactRange::Root() const {
  if (peaks_.empty()) return EmptyRoot();
  // MTH splits at the largest power of two, which is exactly the leftmost
  // peak; the rest splits the same way, so the root folds from the right.
  Hash root = peaks_.back();
  for (size_t i = peaks_.size() - 1; i-- > 0;) root = NodeHash(peaks_[i], root);
  return root;
}

std::vector<uint8_t> CompactRange::Serialize() const {
  std::vector<uint8_t> out;
  out.reserve(kCompactRangeHeaderSize + peaks_.size() * kHashSize);
  out.push_back(kCompactRangeVersion);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(size_ >> shift));
  for (const Hash& peak : peaks_) out.insert(out.end(), peak.begin(), peak.end());
  return out;
}

Result<CompactRange> CompactRange::Parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < kCompactRangeHeaderSize) {
    return Fail(ErrorCode::kDataLoss, "compact range encoding has " + std::to_string(bytes.size()) +
                                          " bytes, shorter than its 9-byte header");
  }
  if (bytes[0] != kCompactRangeVersion) {
    return Fail(ErrorCode::kDataLoss,
                "compact range encoding has unknown version " + std::to_string(bytes[0]));
  }
  uint64_t size = 0;
  for (size_t i = 1; i < kCompactRangeHeaderSize; ++i) size = (size << 8) | bytes[i];
  const size_t peaks = static_cast<size_t>(std::popcount(size));
  const size_t want = kCompactRangeHeaderSize + peaks * kHashSize;
  if (bytes.size() != want) {
    return Fail(ErrorCode::kDataLoss, "compact range encoding for size " + std::to_string(size) +
                                          " has " + std::to_string(bytes.size()) +
                                          " bytes, expected " + std::to_string(want));
  }
  CompactRange range;
  range.size_ = size;
  range.peaks_.resize(peaks);
  for (size_t i = 0; i < peaks; ++i) {
    const auto start =
        bytes.begin() + static_cast<std::ptrdiff_t>(kCompactRangeHeaderSize + i * kHashSize);
    std::copy(start, start + kHashSize, range.peaks_[i].begin());
  }
  return range;
}

// --- Inclusion ------------------------------------------------------------

Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaf_hashes, uint64_t index) {
  if (index >= leaf_hashes.size()) {
    return Fail(ErrorCode::kInvalidArgument, "leaf index " + std::to_string(index) +
                                                 " is outside a tree of size " +
                                                 std::to_string(leaf_hashes.size()));
  }
  // PATH(m, D[n]) descends from the root, collecting the root of the subtree
  // the leaf is not in; the proof lists those siblings from the leaf up.
  std::vector<Hash> proof;
  std::span<const Hash> tree = leaf_hashes;
  uint64_t m = index;
  while (tree.size() > 1) {
    const uint64_t k = SplitPoint(tree.size());
    if (m < k) {
      proof.push_back(RootFromLeafHashes(tree.subspan(k)));
      tree = tree.first(k);
    } else {
      proof.push_back(RootFromLeafHashes(tree.first(k)));
      tree = tree.subspan(k);
      m -= k;
    }
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       std::span<const Hash> proof, const Hash& root) {
  if (index >= tree_size) {
    return Fail(ErrorCode::kInvalidArgument, "leaf index " + std::to_string(index) +
                                                 " is outside a tree of size " +
                                                 std::to_string(tree_size));
  }
  const ProofShape shape = InclusionShape(index, tree_size);
  if (proof.size() != shape.inner + shape.border) {
    return Fail(ErrorCode::kInvalidArgument,
                CountMismatch("inclusion", proof.size(), shape.inner + shape.border));
  }
  // RFC 9162 section 2.1.3.2, step by step.
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return Fail(ErrorCode::kUnauthenticated,
                  "inclusion proof is longer than the path to the root");
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Fail(ErrorCode::kUnauthenticated,
                "inclusion proof is shorter than the path to the root");
  }
  if (r != root) {
    return Fail(ErrorCode::kUnauthenticated,
                "root mismatch: the inclusion proof does not lead to the root");
  }
  return {};
}

// --- Consistency ----------------------------------------------------------

Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaf_hashes, uint64_t old_size) {
  if (old_size > leaf_hashes.size()) {
    return Fail(ErrorCode::kInvalidArgument, "old size " + std::to_string(old_size) +
                                                 " is larger than the new size " +
                                                 std::to_string(leaf_hashes.size()));
  }
  if (old_size == 0 || old_size == leaf_hashes.size()) return std::vector<Hash>{};
  // SUBPROOF(m, D[n], b) descends like PATH; when the old tree is itself a
  // subtree met on the way down (m == n) its root is listed only if the old
  // tree was not the left edge all along (b false), since a verifier knows
  // the old root already.
  std::vector<Hash> proof;
  std::span<const Hash> tree = leaf_hashes;
  uint64_t m = old_size;
  bool left_edge = true;
  while (m != tree.size()) {
    const uint64_t k = SplitPoint(tree.size());
    if (m <= k) {
      proof.push_back(RootFromLeafHashes(tree.subspan(k)));
      tree = tree.first(k);
    } else {
      proof.push_back(RootFromLeafHashes(tree.first(k)));
      tree = tree.subspan(k);
      m -= k;
      left_edge = false;
    }
  }
  if (!left_edge) proof.push_back(RootFromLeafHashes(tree));
  std::reverse(proof.begin(), proof.end());
  return proof;
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument, "old size " + std::to_string(old_size) +
                                                 " is larger than the new size " +
                                                 std::to_string(new_size));
  }
  if (old_size == new_size || old_size == 0) {
    if (!proof.empty()) {
      return Fail(ErrorCode::kInvalidArgument, CountMismatch("consistency", proof.size(), 0));
    }
    if (old_size == new_size && old_root != new_root) {
      return Fail(
          ErrorCode::kUnauthenticated,
          "root mismatch: two trees of size " + std::to_string(new_size) + " have different roots");
    }
    return {};
  }

  // The old tree's last leaf sits under a perfect subtree of 2^shift leaves
  // that both trees share; the proof starts from that subtree's root unless
  // it is the whole old tree (then the verifier already has it: old_root).
  const int shift = std::countr_zero(old_size);
  const bool old_is_perfect = std::has_single_bit(old_size);
  const ProofShape shape = InclusionShape(old_size - 1, new_size);
  const uint64_t want =
      (old_is_perfect ? 0 : 1) + (shape.inner - static_cast<uint64_t>(shift)) + shape.border;
  if (proof.size() != want) {
    return Fail(ErrorCode::kInvalidArgument, CountMismatch("consistency", proof.size(), want));
  }

  // RFC 9162 section 2.1.4.2, step by step; step 2's prepending of the old
  // root is done by choosing where the path starts.
  const Hash& seed = old_is_perfect ? old_root : proof[0];
  const std::span<const Hash> rest = old_is_perfect ? proof : proof.subspan(1);
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = seed;
  Hash sr = seed;
  for (const Hash& c : rest) {
    if (sn == 0) {
      return Fail(ErrorCode::kUnauthenticated,
                  "consistency proof is longer than the path to the root");
    }
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return Fail(ErrorCode::kUnauthenticated,
                "consistency proof is shorter than the path to the root");
  }
  if (fr != old_root) {
    return Fail(ErrorCode::kUnauthenticated, "consistency proof does not lead to the old root");
  }
  if (sr != new_root) {
    return Fail(ErrorCode::kUnauthenticated, "consistency proof does not lead to the new root");
  }
  return {};
}

}  // namespace inbeeld::crypto
