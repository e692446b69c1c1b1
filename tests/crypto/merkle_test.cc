#include "crypto/merkle.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "crypto/bytes.h"
#include "tests/crypto/vectors.h"

namespace inbeeld::crypto {
namespace {

using testing::Unhex;

// --- Helpers and an independent reference ---------------------------------

Hash H(std::string_view hex) {
  const Bytes bytes = Unhex(hex);
  if (bytes.size() != kHashSize) std::abort();
  Hash out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::vector<Hash> Hashes(const nlohmann::json& list) {
  std::vector<Hash> out;
  for (const auto& hex : list) out.push_back(H(hex.get<std::string>()));
  return out;
}

nlohmann::json LoadTree() {
  std::ifstream in(std::string(INBEELD_TESTDATA_DIR) + "/merkle/rfc6962-example-tree.json");
  if (!in) return nullptr;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Distinct leaves: LeafHash of the 8-byte big-endian index.
std::vector<Hash> MakeLeaves(size_t n) {
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < n; ++i) {
    uint8_t bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<uint8_t>(i >> (56 - 8 * b));
    leaves.push_back(LeafHash(bytes));
  }
  return leaves;
}

uint64_t LargestPowerOfTwoBelow(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// RFC 9162 section 2.1.1, 2.1.3.1 and 2.1.4.1, transcribed as recursion.
Hash RefRoot(std::span<const Hash> d) {
  if (d.empty()) return H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  if (d.size() == 1) return d[0];
  const uint64_t k = LargestPowerOfTwoBelow(d.size());
  return NodeHash(RefRoot(d.first(k)), RefRoot(d.subspan(k)));
}

std::vector<Hash> RefPath(uint64_t m, std::span<const Hash> d) {
  if (d.size() <= 1) return {};
  const uint64_t k = LargestPowerOfTwoBelow(d.size());
  std::vector<Hash> out;
  if (m < k) {
    out = RefPath(m, d.first(k));
    out.push_back(RefRoot(d.subspan(k)));
  } else {
    out = RefPath(m - k, d.subspan(k));
    out.push_back(RefRoot(d.first(k)));
  }
  return out;
}

std::vector<Hash> RefSubproof(uint64_t m, std::span<const Hash> d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash>{} : std::vector<Hash>{RefRoot(d)};
  const uint64_t k = LargestPowerOfTwoBelow(d.size());
  std::vector<Hash> out;
  if (m <= k) {
    out = RefSubproof(m, d.first(k), b);
    out.push_back(RefRoot(d.subspan(k)));
  } else {
    out = RefSubproof(m - k, d.subspan(k), false);
    out.push_back(RefRoot(d.first(k)));
  }
  return out;
}

std::vector<Hash> RefProof(uint64_t m, std::span<const Hash> d) {
  if (m == 0 || m == d.size()) return {};
  return RefSubproof(m, d, true);
}

Hash Sha256(std::span<const uint8_t> data) {
  Hash out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

// --- Hashing ----------------------------------------------------------------

TEST(MerkleHashTest, LeafAndNodeHashesAreDomainSeparatedSha256) {
  ASSERT_EQ(sodium_init() < 0, false);
  const Bytes data = ToBytes("record");
  Bytes prefixed = {0x00};
  prefixed.insert(prefixed.end(), data.begin(), data.end());
  EXPECT_EQ(LeafHash(data), Sha256(prefixed));

  const Hash left = LeafHash(ToBytes("l"));
  const Hash right = LeafHash(ToBytes("r"));
  Bytes node = {0x01};
  node.insert(node.end(), left.begin(), left.end());
  node.insert(node.end(), right.begin(), right.end());
  EXPECT_EQ(NodeHash(left, right), Sha256(node));
  EXPECT_NE(NodeHash(left, right), NodeHash(right, left));
  EXPECT_EQ(EmptyRoot(), H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

// --- Published vectors: the RFC 6962/9162 example tree ----------------------

class ExampleTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = LoadTree();
    ASSERT_TRUE(tree_.is_object()) << "missing tests/testdata/merkle/rfc6962-example-tree.json";
    for (const auto& hex : tree_["leaves"])
      leaves_.push_back(LeafHash(Unhex(hex.get<std::string>())));
    roots_ = Hashes(tree_["roots_by_size"]);
    ASSERT_EQ(leaves_.size(), 8u);
    ASSERT_EQ(roots_.size(), 9u);
  }
  std::span<const Hash> Prefix(uint64_t n) const { return std::span(leaves_).first(n); }

  nlohmann::json tree_;
  std::vector<Hash> leaves_;
  std::vector<Hash> roots_;
};

TEST_F(ExampleTreeTest, LeafHashesMatch) { EXPECT_EQ(leaves_, Hashes(tree_["leaf_hashes"])); }

TEST_F(ExampleTreeTest, RootOfEveryPrefixMatches) {
  for (uint64_t n = 0; n <= 8; ++n) {
    EXPECT_EQ(RootFromLeafHashes(Prefix(n)), roots_[n]) << "size " << n;
    EXPECT_EQ(RefRoot(Prefix(n)), roots_[n]) << "size " << n;
  }
}

TEST_F(ExampleTreeTest, CompactRangeHoldsThePublishedPeaks) {
  CompactRange range;
  for (uint64_t n = 0; n <= 8; ++n) {
    if (n > 0) range.Append(leaves_[n - 1]);
    ASSERT_EQ(range.size(), n);
    EXPECT_EQ(range.Root(), roots_[n]) << "size " << n;
    // Serialize() is version || size || peaks, so the peaks are its tail.
    Bytes want = {0x01, 0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(n)};
    for (const Hash& peak : Hashes(tree_["compact_ranges_by_size"][n])) {
      want.insert(want.end(), peak.begin(), peak.end());
    }
    EXPECT_EQ(range.Serialize(), want) << "size " << n;
  }
}

TEST_F(ExampleTreeTest, PublishedInclusionProofs) {
  ASSERT_EQ(tree_["inclusion_proofs"].size(), 5u);
  for (const auto& v : tree_["inclusion_proofs"]) {
    const uint64_t index = v["index"];
    const uint64_t size = v["size"];
    const std::vector<Hash> want = Hashes(v["proof"]);
    SCOPED_TRACE("index " + std::to_string(index) + " size " + std::to_string(size));
    Result<std::vector<Hash>> proof = InclusionProof(Prefix(size), index);
    ASSERT_TRUE(proof.has_value()) << proof.error().message;
    EXPECT_EQ(*proof, want);
    Status ok = VerifyInclusion(leaves_[index], index, size, want, roots_[size]);
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
  }
}

TEST_F(ExampleTreeTest, PublishedConsistencyProofs) {
  ASSERT_EQ(tree_["consistency_proofs"].size(), 5u);
  for (const auto& v : tree_["consistency_proofs"]) {
    const uint64_t old_size = v["old_size"];
    const uint64_t new_size = v["new_size"];
    const std::vector<Hash> want = Hashes(v["proof"]);
    SCOPED_TRACE("old " + std::to_string(old_size) + " new " + std::to_string(new_size));
    Result<std::vector<Hash>> proof = ConsistencyProof(Prefix(new_size), old_size);
    ASSERT_TRUE(proof.has_value()) << proof.error().message;
    EXPECT_EQ(*proof, want);
    Status ok = VerifyConsistency(old_size, new_size, roots_[old_size], roots_[new_size], want);
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
  }
}

// --- Roots against the reference -------------------------------------------

TEST(MerkleRootTest, MatchesReferenceForSizesUpTo70) {
  const std::vector<Hash> leaves = MakeLeaves(70);
  for (size_t n = 0; n <= 70; ++n) {
    EXPECT_EQ(RootFromLeafHashes(std::span(leaves).first(n)), RefRoot(std::span(leaves).first(n)))
        << "size " << n;
  }
}

TEST(CompactRangeTest, RootAndSerialisationForSizesUpTo300) {
  const std::vector<Hash> leaves = MakeLeaves(301);
  CompactRange range;
  for (size_t n = 0; n <= 300; ++n) {
    if (n > 0) range.Append(leaves[n - 1]);
    const Hash want = RefRoot(std::span(leaves).first(n));
    ASSERT_EQ(range.size(), n);
    ASSERT_EQ(range.Root(), want) << "size " << n;

    const Bytes encoded = range.Serialize();
    EXPECT_EQ(encoded.size(), 9 + 32 * static_cast<size_t>(std::popcount(n))) << "size " << n;
    Result<CompactRange> restored = CompactRange::Parse(encoded);
    ASSERT_TRUE(restored.has_value()) << restored.error().message;
    EXPECT_EQ(*restored, range);
    EXPECT_EQ(restored->Root(), want);
    // A restored range keeps growing into the same tree.
    restored->Append(leaves[n]);
    EXPECT_EQ(restored->Root(), RefRoot(std::span(leaves).first(n + 1))) << "size " << n + 1;
  }
}

TEST(CompactRangeTest, ParseRejectsEveryTruncationAndExtension) {
  CompactRange range;
  for (const Hash& leaf : MakeLeaves(11)) range.Append(leaf);  // 3 peaks
  const Bytes encoded = range.Serialize();
  for (size_t n = 0; n < encoded.size(); ++n) {
    Result<CompactRange> parsed = CompactRange::Parse(std::span(encoded).first(n));
    ASSERT_FALSE(parsed.has_value()) << "length " << n;
    EXPECT_EQ(parsed.error().code, ErrorCode::kDataLoss);
  }
  Bytes longer = encoded;
  longer.push_back(0);
  EXPECT_FALSE(CompactRange::Parse(longer).has_value());
}

TEST(CompactRangeTest, ParseRejectsWrongVersionAndSizeThatDisagreesWithLength) {
  CompactRange range;
  for (const Hash& leaf : MakeLeaves(11)) range.Append(leaf);
  Bytes encoded = range.Serialize();
  Bytes wrong_version = encoded;
  wrong_version[0] = 0x02;
  EXPECT_FALSE(CompactRange::Parse(wrong_version).has_value());
  Bytes wrong_size = encoded;
  wrong_size[8] = 12;  // 0b1100: two peaks, but three are encoded
  Result<CompactRange> parsed = CompactRange::Parse(wrong_size);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().message,
            "compact range encoding for size 12 has 105 bytes, expected 73");
  wrong_size[8] = 13;  // 0b1101: three peaks again, so it parses (hashes cannot be checked)
  EXPECT_TRUE(CompactRange::Parse(wrong_size).has_value());
}

TEST(CompactRangeTest, ParsesTheLargestSize) {
  Bytes encoded = {0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  encoded.resize(9 + 64 * 32, 0xab);
  Result<CompactRange> parsed = CompactRange::Parse(encoded);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->size(), UINT64_MAX);
  EXPECT_EQ(parsed->Serialize(), encoded);
}

// --- Exhaustive proofs for small trees ---------------------------------------

constexpr uint64_t kMaxExhaustive = 40;

// Every proof with every single bit flipped, a hash dropped at either end,
// and a hash added at either end.
std::vector<std::vector<Hash>> Corruptions(const std::vector<Hash>& proof, const Hash& extra) {
  std::vector<std::vector<Hash>> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit = 0; bit < kHashSize * 8; ++bit) {
      std::vector<Hash> flipped = proof;
      flipped[i][bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      out.push_back(std::move(flipped));
    }
  }
  if (!proof.empty()) {
    out.emplace_back(proof.begin() + 1, proof.end());
    out.emplace_back(proof.begin(), proof.end() - 1);
  }
  std::vector<Hash> appended = proof;
  appended.push_back(extra);
  out.push_back(std::move(appended));
  std::vector<Hash> prepended = {extra};
  prepended.insert(prepended.end(), proof.begin(), proof.end());
  out.push_back(std::move(prepended));
  return out;
}

class ExhaustiveProofTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    leaves_ = MakeLeaves(2 * kMaxExhaustive + 2);
    for (uint64_t n = 0; n <= 2 * kMaxExhaustive + 1; ++n) roots_.push_back(RefRoot(Prefix(n)));
  }
  std::span<const Hash> Prefix(uint64_t n) const { return std::span(leaves_).first(n); }

  std::vector<Hash> leaves_;
  std::vector<Hash> roots_;  // roots_[n]: root of the first n leaves
};

TEST_P(ExhaustiveProofTest, EveryInclusionProofVerifiesAndNoCorruptionDoes) {
  const uint64_t size = GetParam();
  const Hash& root = roots_[size];
  for (uint64_t index = 0; index < size; ++index) {
    SCOPED_TRACE("index " + std::to_string(index) + " size " + std::to_string(size));
    Result<std::vector<Hash>> proof = InclusionProof(Prefix(size), index);
    ASSERT_TRUE(proof.has_value());
    ASSERT_EQ(*proof, RefPath(index, Prefix(size)));
    Status ok = VerifyInclusion(leaves_[index], index, size, *proof, root);
    ASSERT_TRUE(ok.has_value()) << ok.error().message;

    for (const std::vector<Hash>& bad : Corruptions(*proof, root)) {
      ASSERT_FALSE(VerifyInclusion(leaves_[index], index, size, bad, root).has_value());
    }
    for (uint64_t other = 0; other < size; ++other) {
      if (other == index) continue;
      ASSERT_FALSE(VerifyInclusion(leaves_[index], other, size, *proof, root).has_value())
          << "claimed index " << other;
      ASSERT_FALSE(VerifyInclusion(leaves_[other], index, size, *proof, root).has_value())
          << "leaf " << other;
    }
    // Another tree size, with that tree's real root or with this one.
    for (uint64_t other = index + 1; other <= 2 * size + 1; ++other) {
      if (other == size) continue;
      ASSERT_FALSE(VerifyInclusion(leaves_[index], index, other, *proof, roots_[other]).has_value())
          << "claimed size " << other;
    }
    ASSERT_FALSE(VerifyInclusion(leaves_[index], index, size * 2, *proof, root).has_value());
    if (index < size / 2) {
      ASSERT_FALSE(VerifyInclusion(leaves_[index], index, size / 2, *proof, root).has_value());
    }
    ASSERT_FALSE(VerifyInclusion(leaves_[index], index, size, *proof, EmptyRoot()).has_value());
  }
}

TEST_P(ExhaustiveProofTest, EveryConsistencyProofVerifiesAndNoCorruptionDoes) {
  const uint64_t new_size = GetParam();
  const Hash& new_root = roots_[new_size];
  for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
    SCOPED_TRACE("old " + std::to_string(old_size) + " new " + std::to_string(new_size));
    const Hash& old_root = roots_[old_size];
    Result<std::vector<Hash>> proof = ConsistencyProof(Prefix(new_size), old_size);
    ASSERT_TRUE(proof.has_value());
    ASSERT_EQ(*proof, RefProof(old_size, Prefix(new_size)));
    Status ok = VerifyConsistency(old_size, new_size, old_root, new_root, *proof);
    ASSERT_TRUE(ok.has_value()) << ok.error().message;

    for (const std::vector<Hash>& bad : Corruptions(*proof, new_root)) {
      ASSERT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, bad).has_value());
    }
    if (old_size == 0) continue;  // trivially consistent: nothing else to get wrong
    // Other sizes, each with the root of the tree of that size. (A proof does
    // not authenticate sizes on their own: the hashes for 1 -> 4 also
    // "prove" 1 -> 3 against the 4-leaf root. Sizes are bound by the signed
    // checkpoint that carries them with the root.)
    for (uint64_t other = 1; other <= new_size; ++other) {
      if (other == old_size) continue;
      ASSERT_FALSE(VerifyConsistency(other, new_size, roots_[other], new_root, *proof).has_value())
          << "claimed old size " << other;
    }
    for (uint64_t other = old_size; other <= 2 * new_size + 1; ++other) {
      if (other == new_size) continue;
      ASSERT_FALSE(VerifyConsistency(old_size, other, old_root, roots_[other], *proof).has_value())
          << "claimed new size " << other;
    }
    // The wrong-size probes of transparency-dev/merkle's verify_test.go, which
    // (like theirs) only make sense for a non-trivial proof.
    if (!proof->empty()) {
      for (const auto& [claimed_old, claimed_new] :
           {std::pair{old_size - 1, new_size}, std::pair{old_size + 1, new_size},
            std::pair{old_size ^ 2, new_size}, std::pair{old_size, new_size * 2},
            std::pair{old_size, new_size / 2}}) {
        ASSERT_FALSE(
            VerifyConsistency(claimed_old, claimed_new, old_root, new_root, *proof).has_value())
            << "claimed " << claimed_old << " -> " << claimed_new;
      }
    }
    // Roots that belong to other trees.
    for (uint64_t other = 0; other <= new_size; ++other) {
      if (other != old_size && roots_[other] != old_root) {
        ASSERT_FALSE(
            VerifyConsistency(old_size, new_size, roots_[other], new_root, *proof).has_value());
      }
      if (other != new_size) {
        ASSERT_FALSE(
            VerifyConsistency(old_size, new_size, old_root, roots_[other], *proof).has_value());
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ExhaustiveProofTest,
                         ::testing::Range<uint64_t>(1, kMaxExhaustive + 1),
                         [](const ::testing::TestParamInfo<uint64_t>& param) {
                           return "size" + std::to_string(param.param);
                         });

// --- Errors -----------------------------------------------------------------

TEST(MerkleErrorTest, InclusionProofOutsideTheTree) {
  const std::vector<Hash> leaves = MakeLeaves(4);
  Result<std::vector<Hash>> proof = InclusionProof(leaves, 4);
  ASSERT_FALSE(proof.has_value());
  EXPECT_EQ(proof.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(InclusionProof({}, 0).has_value());

  Status status = VerifyInclusion(leaves[0], 4, 4, {}, RefRoot(leaves));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(VerifyInclusion(EmptyRoot(), 0, 0, {}, EmptyRoot()).has_value());
}

TEST(MerkleErrorTest, InclusionMessagesSayWhatIsWrong) {
  const std::vector<Hash> leaves = MakeLeaves(16);
  const Hash root = RefRoot(leaves);
  std::vector<Hash> proof = *InclusionProof(leaves, 3);
  ASSERT_EQ(proof.size(), 4u);

  std::vector<Hash> longer = proof;
  longer.push_back(root);
  Status status = VerifyInclusion(leaves[3], 3, 16, longer, root);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().message, "inclusion proof has 5 hashes, expected 4");

  proof[2][0] ^= 1;
  status = VerifyInclusion(leaves[3], 3, 16, proof, root);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(status.error().message.find("root mismatch"), std::string::npos)
      << status.error().message;
}

TEST(MerkleErrorTest, ConsistencyMessagesSayWhatIsWrong) {
  const std::vector<Hash> leaves = MakeLeaves(16);
  const Hash old_root = RefRoot(std::span(leaves).first(6));
  const Hash new_root = RefRoot(leaves);
  const std::vector<Hash> proof = *ConsistencyProof(leaves, 6);

  Status status = VerifyConsistency(6, 16, new_root, new_root, proof);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(status.error().message, "consistency proof does not lead to the old root");

  status = VerifyConsistency(6, 16, old_root, old_root, proof);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message, "consistency proof does not lead to the new root");

  status = VerifyConsistency(6, 16, old_root, new_root, std::span(proof).first(proof.size() - 1));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().message, "consistency proof has " + std::to_string(proof.size() - 1) +
                                        " hashes, expected " + std::to_string(proof.size()));
}

TEST(MerkleErrorTest, ConsistencyEdgeCases) {
  const std::vector<Hash> leaves = MakeLeaves(5);
  const Hash root5 = RefRoot(leaves);
  const Hash root3 = RefRoot(std::span(leaves).first(3));
  // Going back in time is not a proof of anything.
  Status status = VerifyConsistency(5, 3, root5, root3, {});
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ConsistencyProof(std::span(leaves).first(3), 5).has_value());
  // Equal sizes: empty proof and equal roots, nothing else.
  EXPECT_TRUE(VerifyConsistency(5, 5, root5, root5, {}).has_value());
  status = VerifyConsistency(5, 5, root5, root3, {});
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
  const std::vector<Hash> one = {root5};
  EXPECT_FALSE(VerifyConsistency(5, 5, root5, root5, one).has_value());
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {}).has_value());
  EXPECT_FALSE(VerifyConsistency(0, 0, EmptyRoot(), root5, {}).has_value());
  // The empty tree is a prefix of every tree; a proof for it must be empty.
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyRoot(), root5, {}).has_value());
  EXPECT_FALSE(VerifyConsistency(0, 5, EmptyRoot(), root5, one).has_value());
  // A non-trivial step always needs a proof.
  EXPECT_FALSE(VerifyConsistency(3, 5, root3, root5, {}).has_value());
}

TEST(MerkleErrorTest, HugeSizesAreHandledWithoutOverflow) {
  const Hash leaf = LeafHash(ToBytes("x"));
  const std::vector<Hash> proof(64, leaf);
  for (uint64_t index : {uint64_t{0}, uint64_t{1} << 63, UINT64_MAX - 1}) {
    Status status = VerifyInclusion(leaf, index, UINT64_MAX, proof, leaf);
    ASSERT_FALSE(status.has_value()) << index;
    EXPECT_EQ(status.error().code,
              index == UINT64_MAX - 1 ? ErrorCode::kInvalidArgument : ErrorCode::kUnauthenticated)
        << index << ": " << status.error().message;
  }
  for (uint64_t old_size : {uint64_t{1}, uint64_t{1} << 63, UINT64_MAX - 1}) {
    Status status = VerifyConsistency(old_size, UINT64_MAX, leaf, leaf, proof);
    EXPECT_FALSE(status.has_value()) << old_size;
  }
}

}  // namespace
}  // namespace inbeeld::crypto
