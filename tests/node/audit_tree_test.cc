// The persisted audit tree must agree with the RFC 9162 reference in crypto/
// at every size, across the 256-leaf block boundaries it caches.
#include "node/audit/tree_store.h"

#include <gtest/gtest.h>

#include "crypto/merkle.h"
#include "node/store/sqlite_util.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::audit {
namespace {

class TreeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(tmp_.path() / "db", crypto::SecretBytes::Random(32), true, clock_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
  }
  // Appends leaves "leaf-<i>" until the tree has `size` leaves.
  void GrowTo(uint64_t size) {
    std::vector<std::string> lines;
    std::vector<LeafIndex> index;
    for (uint64_t i = leaves_.size(); i < size; ++i) {
      lines.push_back("leaf-" + std::to_string(i));
      index.push_back({"trace", "", 0});
      leaves_.push_back(crypto::LeafHash(
          std::span(reinterpret_cast<const uint8_t*>(lines.back().data()), lines.back().size())));
    }
    auto tx = Transaction::Begin(store_->handle());
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tree().AppendInTransaction(lines, index));
    ASSERT_TRUE(tx->Commit());
  }
  TreeStore tree() { return TreeStore(*store_); }

  testing::TempDir tmp_;
  testing::FakeClock clock_{"2031-02-28T12:00:00Z"};
  std::unique_ptr<Store> store_;
  std::vector<crypto::Hash> leaves_;
};

TEST_F(TreeStoreTest, RootsMatchTheReferenceAcrossBlockBoundaries) {
  // Grow in uneven steps so appends start and end mid-block.
  for (uint64_t size : {1, 2, 3, 255, 256, 257, 300, 511, 512, 513, 700, 1024, 1025, 1300}) {
    GrowTo(size);
    auto t = tree();
    auto n = t.Size();
    ASSERT_TRUE(n);
    ASSERT_EQ(*n, size);
    for (uint64_t at : {uint64_t{0}, uint64_t{1}, size / 2, size - 1, size}) {
      auto root = t.RootAt(at);
      ASSERT_TRUE(root) << root.error().message;
      EXPECT_EQ(*root, crypto::RootFromLeafHashes(std::span(leaves_).first(at))) << at;
    }
  }
}

TEST_F(TreeStoreTest, ProofsEqualTheReferenceAndVerify) {
  GrowTo(1100);
  auto t = tree();
  for (uint64_t size : {1, 7, 256, 257, 600, 1024, 1100}) {
    auto all = std::span(leaves_).first(size);
    crypto::Hash root = crypto::RootFromLeafHashes(all);
    for (uint64_t index : {uint64_t{0}, size / 3, size - 1}) {
      auto proof = t.InclusionProof(index, size);
      ASSERT_TRUE(proof) << proof.error().message;
      EXPECT_EQ(*proof, *crypto::InclusionProof(all, index));
      EXPECT_TRUE(crypto::VerifyInclusion(leaves_[index], index, size, *proof, root));
    }
    for (uint64_t old_size : {uint64_t{1}, size / 2, size}) {
      if (old_size == 0) continue;
      auto proof = t.ConsistencyProof(old_size, size);
      ASSERT_TRUE(proof) << proof.error().message;
      EXPECT_EQ(*proof, *crypto::ConsistencyProof(all, old_size));
      crypto::Hash old_root = crypto::RootFromLeafHashes(all.first(old_size));
      EXPECT_TRUE(crypto::VerifyConsistency(old_size, size, old_root, root, *proof));
    }
  }
}

TEST_F(TreeStoreTest, OutOfRangeRequestsAreErrors) {
  GrowTo(10);
  auto t = tree();
  EXPECT_FALSE(t.RootAt(11));
  EXPECT_FALSE(t.InclusionProof(10, 10));
  EXPECT_FALSE(t.ConsistencyProof(5, 11));
  EXPECT_FALSE(t.ConsistencyProof(6, 5));
}

}  // namespace
}  // namespace inbeeld::node::audit
