// The regional count among nodes in this process (tests/support/
// local_region.h): the whole protocol, its crypto on worker threads, the
// stores and the audit, without TLS. The figures must be those of the lists
// whatever the number of threads. Between real processes: region_test.cc.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "node/region/regional.h"
#include "schema/synthetic.h"
#include "schema/wire.h"
#include "tests/support/local_region.h"

namespace inbeeld::testing {
namespace {

class RegionLocalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema::RegionSpec spec;
    spec.seed = 31;
    spec.partners = {
        {"Leerplicht A", 60}, {"Leerplicht B", 45}, {"Leerplicht C", 50}, {"Leerplicht D", 40}};
    spec.overlap = 0.5;
    spec.today = {2026, 11, 2};
    lists_ = schema::GenerateRegion(spec);
    // Two crypto threads a participant, whatever the machine has: the split
    // loops run even on one core.
    auto region = LocalRegion::Create(lists_, config::Role::kLeerplicht, /*threads=*/2);
    ASSERT_TRUE(region) << region.error().message;
    region_ = std::move(*region);
  }

  // What the lists say, by identifier (every child here has a BSN and a name
  // of its own; a pool child is one identity on every list).
  void ExpectFiguresOfTheLists(const node::region::RegionalCounts& counts) {
    std::map<std::string, int> lists_per_child;
    std::map<std::string, schema::Category> category_of;  // by the first list holding it
    for (const auto& list : lists_) {
      for (const auto& row : list) {
        ++lists_per_child[row.identifier->digits()];
        category_of.emplace(row.identifier->digits(), row.category);
      }
    }
    uint64_t single = 0;
    for (const auto& [id, n] : lists_per_child) single += n == 1 ? 1 : 0;
    std::vector<uint64_t> by_category(4, 0);
    for (const auto& [id, category] : category_of) {
      ++by_category[static_cast<size_t>(schema::wire::CategoryCode(category)) - 1];
    }
    EXPECT_EQ(counts.participants, (std::vector<std::string>{"n0", "n1", "n2", "n3"}));
    EXPECT_EQ(counts.list_sizes, (std::vector<uint64_t>{60, 45, 50, 40}));
    EXPECT_EQ(counts.distinct, lists_per_child.size());
    EXPECT_EQ(counts.single_list, single);
    EXPECT_EQ(counts.by_category, by_category);
    ASSERT_GT(single, 0u);
    ASSERT_LT(lists_per_child.size(), 60u + 45 + 50 + 40) << "the lists must overlap";
  }

  std::vector<std::vector<schema::ListRow>> lists_;
  std::unique_ptr<LocalRegion> region_;
};

TEST_F(RegionLocalTest, TheFiguresAreThoseOfTheListsOnOneThreadOrTwo) {
  for (unsigned threads : {1u, 2u}) {
    auto counts = region_->Count(threads);
    ASSERT_TRUE(counts) << counts.error().message;
    ExpectFiguresOfTheLists(*counts);
  }
}

TEST_F(RegionLocalTest, EveryParticipantRecordsTheCoordinatorsFigures) {
  auto counts = region_->Count(2);
  ASSERT_TRUE(counts) << counts.error().message;
  for (size_t i = 0; i < region_->size(); ++i) {
    auto latest = node::region::LatestRegionalCount(*region_->node(i).node().store);
    ASSERT_TRUE(latest) << latest.error().message;
    ASSERT_TRUE(*latest) << "node " << i << " recorded no count";
    EXPECT_EQ((*latest)->session, counts->session) << "node " << i;
    EXPECT_EQ((*latest)->distinct, counts->distinct) << "node " << i;
    EXPECT_EQ((*latest)->list_sizes, counts->list_sizes) << "node " << i;
  }
}

}  // namespace
}  // namespace inbeeld::testing
