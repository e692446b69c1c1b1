// crypto/merkle.h — the RFC 9162 Merkle tree behind a node's audit log.
//
// A node's exchange log is append-only. Each record is a leaf; the log commits
// to all of its records with the root of an RFC 9162 (section 2.1) Merkle tree
// over SHA-256, with domain separation between leaves and inner nodes:
//
//   leaf hash   = SHA-256(0x00 || record bytes)
//   node hash   = SHA-256(0x01 || left || right)
//   MTH({})     = SHA-256("")                       (the empty tree)
//   MTH(D[n])   = node hash(MTH(D[0:k]), MTH(D[k:n])), k the largest power
//                 of two below n
//
// Two proofs make the log auditable without handing over all of it:
//  - an inclusion proof shows that a leaf is at a given index of the tree with
//    a given root (RFC 9162 section 2.1.3);
//  - a consistency proof shows that a tree of an older size is a prefix of a
//    tree of a newer size, i.e. that the log only grew (section 2.1.4).
// Generation needs the leaf hashes; verification needs only the proof, the
// sizes and the roots, and follows the RFC's verification algorithms.
//
// CompactRange keeps the O(log n) state ("frontier": one hash per set bit of
// the size) from which the next root follows after each append, so a node
// need not re-read its log to sign a new checkpoint.
//
// Errors: verification failures are kUnauthenticated (the proof does not
// lead to the root it claims); proofs of the wrong shape, indexes outside the
// tree and sizes in the wrong order are kInvalidArgument. Messages give the
// numbers (sizes, counts), never hashes of the caller's data.
//
// Thread safety: free functions without shared state, safe from any thread.
// CompactRange is a plain value: concurrent const use is safe, anything else
// needs external synchronisation.
#ifndef INBEELD_CRYPTO_MERKLE_H_
#define INBEELD_CRYPTO_MERKLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/error.h"

namespace inbeeld::crypto {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256(0x00 || data): the hash of one log record.
Hash LeafHash(std::span<const uint8_t> data);

// SHA-256(0x01 || left || right): an inner node.
Hash NodeHash(const Hash& left, const Hash& right);

// SHA-256 of the empty string: the root of a tree without leaves.
Hash EmptyRoot();

// MTH of the tree whose leaves have the given leaf hashes (already hashed
// with LeafHash). O(n) time, O(log n) memory, no recursion.
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// The Merkle tree hash of a growing list of leaves, kept in O(log n) space:
// the roots of the perfect subtrees the size decomposes into, largest first.
class CompactRange {
 public:
  // The empty tree (size 0, root EmptyRoot()).
  CompactRange() = default;

  // Restores a range from Serialize()'s output.
  // Errors: kDataLoss if `bytes` is not exactly one well-formed encoding
  // (unknown version, length that does not match the size, trailing bytes).
  static Result<CompactRange> Parse(std::span<const uint8_t> bytes);

  // Adds the next leaf (its LeafHash). Amortised O(1), at most 64 node hashes.
  // REQUIRES: size() < UINT64_MAX (the process aborts otherwise).
  void Append(const Hash& leaf_hash);

  uint64_t size() const { return size_; }

  // The root over all appended leaves; EmptyRoot() for size 0.
  Hash Root() const;

  // Encoding for storage: version byte 0x01, the size as 8 bytes big-endian,
  // then one 32-byte hash per set bit of the size, largest subtree first.
  std::vector<uint8_t> Serialize() const;

  friend bool operator==(const CompactRange&, const CompactRange&) = default;

 private:
  uint64_t size_ = 0;
  // Invariant: peaks_.size() == popcount(size_); peaks_[0] covers the
  // leftmost (largest) perfect subtree.
  std::vector<Hash> peaks_;
};

// The inclusion proof (RFC 9162 section 2.1.3.1, PATH(m, D[n])) for the leaf
// at `index` in the tree over `leaf_hashes`, sibling nearest the leaf first.
// Errors: kInvalidArgument if index >= leaf_hashes.size().
Result<std::vector<Hash>> InclusionProof(std::span<const Hash> leaf_hashes, uint64_t index);

// Verifies that `leaf_hash` is the leaf at `index` of the tree of `tree_size`
// leaves whose root is `root` (RFC 9162 section 2.1.3.2).
// Errors: kInvalidArgument if index >= tree_size or the proof does not have
// the number of hashes this index and size need ("inclusion proof has 5
// hashes, expected 4"); kUnauthenticated if the proof does not lead to `root`.
Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       std::span<const Hash> proof, const Hash& root);

// The consistency proof (RFC 9162 section 2.1.4.1, PROOF(m, D[n])) between
// the tree of the first `old_size` leaves and the tree of all `leaf_hashes`.
// Empty when old_size is 0 or equals the new size.
// Errors: kInvalidArgument if old_size > leaf_hashes.size().
Result<std::vector<Hash>> ConsistencyProof(std::span<const Hash> leaf_hashes, uint64_t old_size);

// Verifies that the tree of `old_size` leaves with root `old_root` is a prefix
// of the tree of `new_size` leaves with root `new_root` (RFC 9162 section
// 2.1.4.2). Equal sizes need an empty proof and equal roots. An old size of 0
// is consistent with every tree given an empty proof; `old_root` is then not
// examined.
// Errors: kInvalidArgument if old_size > new_size or the proof does not have
// the number of hashes these sizes need; kUnauthenticated if the proof does
// not lead to the old root, to the new root, or (equal sizes) the roots differ.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, std::span<const Hash> proof);

}  // namespace inbeeld::crypto

#endif  // INBEELD_CRYPTO_MERKLE_H_
