// node/region/session_store.h on a real SQLCipher store in a temporary
// directory, on an injected clock: a count is recorded once, finished once,
// counted against the daily limit by coordinator and start time, and read
// back newest first with its figures; damaged figures are kDataLoss.
#include "node/region/session_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/secret_bytes.h"
#include "node/store/store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::region {
namespace {

using testing::FakeClock;
using testing::TempDir;

std::string Id(char c) { return std::string(32, c); }

StartedRegionCount Started(const std::string& id, const std::string& coordinator) {
  StartedRegionCount s;
  s.id_hex = id;
  s.role = "participant";
  s.coordinator = coordinator;
  s.purpose = "regionale-telling";
  s.participants = 3;
  s.list_version = 1;
  s.own_list_size = 90;
  return s;
}

RegionalCounts Figures(const std::string& id, uint64_t distinct) {
  RegionalCounts c;
  c.session = id;
  c.participants = {"Leerplicht Haarlem", "SWV VO Zuid-Kennemerland", "Leerplicht Velsen"};
  c.distinct = distinct;
  c.single_list = distinct - 2;
  c.possible = 1;
  c.by_category = {distinct - 3, 1, 1, 1};
  c.list_sizes = {90, 60, 40};
  return c;
}

class RegionSessionStoreTest : public ::testing::Test {
 protected:
  RegionSessionStoreTest() : clock_("2031-05-01T09:00:00Z") {
    auto store = Store::Open(tmp_.path() / "inbeeld.db", key_, /*create=*/true, clock_);
    if (!store) throw std::runtime_error(store.error().message);
    store_ = std::move(*store);
  }

  std::string Status(const std::string& id) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(store_->handle(),
                                 "SELECT status || '/' || COALESCE(error, '') || '/' || "
                                 "COALESCE(finished_at, '') FROM region_sessions WHERE hex(id) = ?",
                                 -1, &s, nullptr),
              SQLITE_OK);
    std::string upper;
    for (char c : id) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    sqlite3_bind_text(s, 1, upper.c_str(), -1, SQLITE_TRANSIENT);
    std::string out = "(none)";
    if (sqlite3_step(s) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

  TempDir tmp_;
  crypto::SecretBytes key_ = crypto::SecretBytes::Random(32);
  FakeClock clock_;
  std::unique_ptr<Store> store_;
};

TEST_F(RegionSessionStoreTest, ACountIsRecordedOnceAndAnIdUsedBeforeIsRefused) {
  RegionSessionStore sessions(*store_);
  ASSERT_TRUE(sessions.Record(Started(Id('a'), "Leerplicht Haarlem")));
  EXPECT_EQ(Status(Id('a')), "running//");

  auto again = sessions.Record(Started(Id('a'), "Leerplicht Velsen"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(again.error().message, "region session id was used before");

  auto not_hex = sessions.Record(Started("not hex", "Leerplicht Haarlem"));
  ASSERT_FALSE(not_hex);
  EXPECT_EQ(not_hex.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(RegionSessionStoreTest, TheDailyLimitCountsOneCoordinatorsCountsSinceAMoment) {
  RegionSessionStore sessions(*store_);
  ASSERT_TRUE(sessions.Record(Started(Id('1'), "Leerplicht Haarlem")));  // 09:00
  clock_.Advance(std::chrono::hours(2));
  ASSERT_TRUE(sessions.Record(Started(Id('2'), "Leerplicht Haarlem")));  // 11:00
  ASSERT_TRUE(sessions.Finish(Id('2'), "peer down", nullptr));
  ASSERT_TRUE(sessions.Record(Started(Id('3'), "Leerplicht Velsen")));

  // Failed or not, every count started since the moment counts.
  EXPECT_EQ(sessions.CountStartedSince("Leerplicht Haarlem", "2031-05-01T09:00:00Z"), 2);
  EXPECT_EQ(sessions.CountStartedSince("Leerplicht Haarlem", "2031-05-01T10:00:00Z"), 1);
  EXPECT_EQ(sessions.CountStartedSince("Leerplicht Velsen", "2031-05-01T00:00:00Z"), 1);
  EXPECT_EQ(sessions.CountStartedSince("SWV VO Zuid-Kennemerland", "2031-05-01T00:00:00Z"), 0);
}

TEST_F(RegionSessionStoreTest, CompletedCountsComeBackNewestFirstWithTheirFigures) {
  RegionSessionStore sessions(*store_);
  ASSERT_TRUE(sessions.Record(Started(Id('1'), "Leerplicht Haarlem")));
  ASSERT_TRUE(sessions.Record(Started(Id('2'), "Leerplicht Haarlem")));
  ASSERT_TRUE(sessions.Record(Started(Id('3'), "Leerplicht Haarlem")));
  const RegionalCounts first = Figures(Id('1'), 150);
  ASSERT_TRUE(sessions.Finish(Id('1'), "", &first));
  clock_.Advance(std::chrono::minutes(5));
  ASSERT_TRUE(sessions.Finish(Id('2'), "coordinator gone", nullptr));
  const RegionalCounts third = Figures(Id('3'), 170);
  ASSERT_TRUE(sessions.Finish(Id('3'), "", &third));

  auto completed = sessions.Completed(10);
  ASSERT_TRUE(completed) << completed.error().message;
  ASSERT_EQ(completed->size(), 2u);  // the failed count is not a figure
  EXPECT_EQ((*completed)[0].finished_at, "2031-05-01T09:05:00Z");
  EXPECT_EQ((*completed)[1].finished_at, "2031-05-01T09:00:00Z");
  const RegionalCounts& newest = (*completed)[0].counts;
  EXPECT_EQ(newest.session, Id('3'));
  EXPECT_EQ(newest.distinct, 170u);
  EXPECT_EQ(newest.single_list, third.single_list);
  EXPECT_EQ(newest.possible, third.possible);
  EXPECT_EQ(newest.participants, third.participants);
  EXPECT_EQ(newest.list_sizes, third.list_sizes);
  EXPECT_EQ(newest.by_category, third.by_category);
  EXPECT_EQ((*completed)[1].counts.distinct, 150u);

  auto latest = sessions.Completed(1);
  ASSERT_TRUE(latest);
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ(latest->front().counts.session, Id('3'));
}

TEST_F(RegionSessionStoreTest, AFinishedCountIsNotFinishedAgain) {
  RegionSessionStore sessions(*store_);
  ASSERT_TRUE(sessions.Record(Started(Id('b'), "Leerplicht Haarlem")));
  ASSERT_TRUE(sessions.Finish(Id('b'), "session expired", nullptr));
  EXPECT_EQ(Status(Id('b')), "failed/session expired/2031-05-01T09:00:00Z");

  // A late result (or a second expiry) leaves the record as it was.
  clock_.Advance(std::chrono::minutes(1));
  const RegionalCounts late = Figures(Id('b'), 150);
  ASSERT_TRUE(sessions.Finish(Id('b'), "", &late));
  EXPECT_EQ(Status(Id('b')), "failed/session expired/2031-05-01T09:00:00Z");
  auto completed = sessions.Completed(10);
  ASSERT_TRUE(completed);
  EXPECT_TRUE(completed->empty());
}

TEST_F(RegionSessionStoreTest, DamagedFiguresAreDataLossNotACrash) {
  RegionSessionStore sessions(*store_);
  ASSERT_TRUE(sessions.Record(Started(Id('c'), "Leerplicht Haarlem")));
  const RegionalCounts figures = Figures(Id('c'), 150);
  ASSERT_TRUE(sessions.Finish(Id('c'), "", &figures));
  for (const char* damaged : {"not json", "[1,2,3]", R"({"participants": 7})",
                              R"({"list_sizes": ["negen"]})"}) {
    SCOPED_TRACE(damaged);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(store_->handle(), "UPDATE region_sessions SET list_sizes = ?",
                                 -1, &s, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(s, 1, damaged, -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    auto completed = sessions.Completed(10);
    ASSERT_FALSE(completed);
    EXPECT_EQ(completed.error().code, ErrorCode::kDataLoss);
    EXPECT_EQ(completed.error().message, "stored regional count is unreadable");
  }
}

}  // namespace
}  // namespace inbeeld::node::region
