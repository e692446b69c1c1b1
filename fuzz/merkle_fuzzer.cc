// Fuzzes the Merkle proof verifiers and the compact range decoder
// (crypto/merkle.h) with proofs, sizes and indexes as an export or a peer
// gives them.
//
// Input: an op byte, then numbers and hashes (fuzz/byte_reader.h). Against a
// fixed tree of 40 leaves the verifiers must be sound — a proof that leads to
// the real root at size n proves the real leaf, or the real old root — and
// complete: every proof the generators make verifies. Compact ranges that
// parse serialise back to the same bytes.
#include <array>
#include <span>
#include <string>
#include <vector>

#include "crypto/merkle.h"
#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_target.h"

namespace {

using namespace inbeeld::crypto;
constexpr uint64_t kLeaves = 40;

const std::vector<Hash>& Leaves() {
  static const std::vector<Hash> leaves = [] {
    std::vector<Hash> out;
    for (uint64_t i = 0; i < kLeaves; ++i) {
      const std::string text = "record " + std::to_string(i);
      out.push_back(
          LeafHash(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
    }
    return out;
  }();
  return leaves;
}

Hash RootOf(uint64_t size) { return RootFromLeafHashes(std::span(Leaves()).first(size)); }

Hash ReadHash(inbeeld::fuzz::ByteReader& in) {
  Hash h;
  in.Fill(h);
  return h;
}

std::vector<Hash> ReadProof(inbeeld::fuzz::ByteReader& in) {
  const auto rest = in.Rest();
  std::vector<Hash> proof(rest.size() / kHashSize);
  for (size_t i = 0; i < proof.size(); ++i) {
    std::copy_n(rest.begin() + static_cast<std::ptrdiff_t>(i * kHashSize), kHashSize,
                proof[i].begin());
  }
  return proof;
}

}  // namespace

INBEELD_FUZZ_TARGET(merkle) {
  inbeeld::fuzz::ByteReader in(data, size);
  switch (in.Byte() % 4) {
    case 0: {  // a stored compact range
      const auto bytes = in.Rest();
      auto range = CompactRange::Parse(bytes);
      if (!range) return;
      const std::vector<uint8_t> again = range->Serialize();
      INBEELD_FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()));
      (void)range->Root();
      if (range->size() < UINT64_MAX) range->Append(Leaves()[0]);
      return;
    }
    case 1: {  // inclusion
      const uint64_t index = in.Number(), tree_size = in.Number();
      const bool real_leaf = in.Byte() & 1;
      const Hash leaf = real_leaf && index < kLeaves ? Leaves()[index] : ReadHash(in);
      const bool real_root = tree_size <= kLeaves;
      const Hash root = real_root ? RootOf(tree_size) : ReadHash(in);
      const std::vector<Hash> proof = ReadProof(in);
      if (VerifyInclusion(leaf, index, tree_size, proof, root) && real_root) {
        INBEELD_FUZZ_CHECK(index < tree_size && leaf == Leaves()[index]);
      }
      return;
    }
    case 2: {  // consistency
      const uint64_t old_size = in.Number(), new_size = in.Number();
      const bool real_old = in.Byte() & 1;
      const Hash old_root = real_old && old_size <= kLeaves ? RootOf(old_size) : ReadHash(in);
      const bool real_new = new_size <= kLeaves;
      const Hash new_root = real_new ? RootOf(new_size) : ReadHash(in);
      const std::vector<Hash> proof = ReadProof(in);
      if (VerifyConsistency(old_size, new_size, old_root, new_root, proof) && real_new &&
          old_size > 0) {
        INBEELD_FUZZ_CHECK(old_size <= new_size && old_root == RootOf(old_size));
      }
      return;
    }
    case 3: {  // the generators' proofs verify
      const uint64_t a = in.Number() % (kLeaves + 1), b = in.Number() % (kLeaves + 1);
      const std::span<const Hash> tree = std::span(Leaves()).first(std::max(a, b));
      const uint64_t index = std::min(a, b);
      if (index < tree.size()) {
        auto proof = InclusionProof(tree, index);
        INBEELD_FUZZ_CHECK(proof.has_value());
        INBEELD_FUZZ_CHECK(
            VerifyInclusion(tree[index], index, tree.size(), *proof, RootOf(tree.size())));
      }
      auto consistency = ConsistencyProof(tree, index);
      INBEELD_FUZZ_CHECK(consistency.has_value());
      INBEELD_FUZZ_CHECK(
          VerifyConsistency(index, tree.size(), RootOf(index), RootOf(tree.size()), *consistency));
      return;
    }
  }
}
