// node/retention/retention_store.h on a real SQLCipher store in a temporary
// directory, on an injected clock: which rows a cut-off expires (strictly
// before it; never the current list version, never a running session), what
// goes with them, and that a failed purge leaves everything.
#include "node/retention/retention_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/pseudonym.h"
#include "crypto/secret_bytes.h"
#include "node/exchange/results_store.h"
#include "node/store/store.h"
#include "node/sync/sync_store.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::retention {
namespace {

using testing::FakeClock;
using testing::TempDir;

schema::wire::SessionId SessionNumbered(uint8_t n) {
  schema::wire::SessionId id{};
  id[0] = n;
  return id;
}

// The count, or -1 (failing the test) on an error.
int64_t CountOf(const Result<int64_t>& r) {
  EXPECT_TRUE(r) << (r ? std::string() : r.error().message);
  return r ? *r : -1;
}

class RetentionStoreTest : public ::testing::Test {
 protected:
  RetentionStoreTest() : clock_("2031-05-01T09:00:00Z") {
    auto store = Store::Open(tmp_.path() / "inbeeld.db", key_, /*create=*/true, clock_);
    if (!store) throw std::runtime_error(store.error().message);
    store_ = std::move(*store);
  }

  // A list version of `n` rows imported at the clock's now.
  void Import(uint64_t seed, size_t n) {
    auto v = store_->ImportList(schema::GenerateList(seed, n, {2031, 1, 1}), {2031, 1, 1},
                                "lijst.csv", subject_key_, field_key_);
    ASSERT_TRUE(v) << v.error().message;
  }

  std::vector<int64_t> VersionIds() {
    std::vector<int64_t> ids;
    auto versions = store_->Versions();
    EXPECT_TRUE(versions);
    if (versions) {
      for (const auto& v : *versions) ids.push_back(v.id);
    }
    return ids;
  }

  // A session started at the clock's now; running, or failed at once.
  void Session(uint8_t n, bool running) {
    exchange::ResultsStore results(*store_);
    exchange::SessionRecord r;
    r.id = SessionNumbered(n);
    r.role = "responder";
    r.peer = "A";
    r.peer_key = "ed25519:00";
    r.purpose = "leerplicht";
    r.list_version = 1;
    ASSERT_TRUE(results.Begin(r));
    if (!running) {
      ASSERT_TRUE(results.MarkFailed(r.id, "down"));
    }
  }

  int64_t CountRows(const char* sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(store_->handle(), sql, -1, &s, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
  }

  TempDir tmp_;
  FakeClock clock_;
  crypto::SecretBytes key_ = crypto::SecretBytes::Random(32);
  crypto::PseudonymKey subject_key_ = crypto::PseudonymKey::Generate();
  crypto::SecretBytes field_key_ = crypto::SecretBytes::Random(32);
  std::unique_ptr<Store> store_;
};

TEST_F(RetentionStoreTest, AListVersionExpiresStrictlyBeforeTheCutOffAndNeverTheCurrentOne) {
  Import(1, 3);  // 09:00
  clock_.Set("2031-05-01T10:00:00Z");
  Import(2, 4);
  clock_.Set("2031-05-01T11:00:00Z");
  Import(3, 5);  // current
  RetentionStore expired(*store_);
  ASSERT_TRUE(expired.InTransaction([&]() -> Status {
    EXPECT_EQ(CountOf(expired.CountExpiredListRows("2031-05-01T10:00:00Z")),
              3);  // version 1's; version 2 is at the cut-off and stays
    EXPECT_EQ(CountOf(expired.DeleteExpiredListVersions("2031-05-01T10:00:00Z")), 1);
    return {};
  }));
  EXPECT_EQ(VersionIds(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM list_rows"), 4 + 5);  // the rows went with it

  // A cut-off after every import: the current version still stays.
  ASSERT_TRUE(expired.InTransaction([&]() -> Status {
    EXPECT_EQ(CountOf(expired.CountExpiredListRows("2032-01-01T00:00:00Z")), 4);
    EXPECT_EQ(CountOf(expired.DeleteExpiredListVersions("2032-01-01T00:00:00Z")), 1);
    return {};
  }));
  EXPECT_EQ(VersionIds(), (std::vector<int64_t>{3}));
}

TEST_F(RetentionStoreTest, ARunningSessionStaysAndASyncRunTakesItsPeersAlong) {
  Session(1, /*running=*/false);  // 09:00, failed
  Session(2, /*running=*/true);   // 09:00, still running
  clock_.Set("2031-05-01T10:00:00Z");
  Session(3, /*running=*/false);  // at the cut-off
  sync::SyncStore runs(*store_);
  auto old_run = runs.BeginRun("2031-05-01T09:00:00Z", "leerplicht", 1);
  ASSERT_TRUE(old_run);
  ASSERT_TRUE(runs.RecordPeer(*old_run, {"A", "failed", "match", std::nullopt, "down"}, false));
  auto new_run = runs.BeginRun("2031-05-01T10:00:00Z", "leerplicht", 1);
  ASSERT_TRUE(new_run);
  ASSERT_TRUE(runs.RecordPeer(*new_run, {"A", "skipped", "match", std::nullopt, ""}, false));
  ASSERT_EQ(
      sqlite3_exec(store_->handle(),
                   "INSERT INTO region_sessions(id, role, coordinator, purpose, "
                   "participants, started_at, status, list_version, own_list_size) VALUES"
                   "(x'01', 'coordinator', 'A', 'p', 3, '2031-05-01T09:00:00Z', 'failed', 1, 0),"
                   "(x'02', 'participant', 'A', 'p', 3, '2031-05-01T09:00:00Z', 'running', 1, 0),"
                   "(x'03', 'participant', 'A', 'p', 3, '2031-05-01T10:00:00Z', 'completed', 1, 0)",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);

  const std::string cutoff = "2031-05-01T10:00:00Z";
  RetentionStore expired(*store_);
  ASSERT_TRUE(expired.InTransaction([&]() -> Status {
    EXPECT_EQ(CountOf(expired.DeleteFinishedSessions(cutoff)), 1);
    EXPECT_EQ(CountOf(expired.DeleteSyncRuns(cutoff)), 1);
    EXPECT_EQ(CountOf(expired.DeleteFinishedRegionSessions(cutoff)), 1);
    return {};
  }));
  exchange::ResultsStore results(*store_);
  EXPECT_FALSE(results.Get(SessionNumbered(1)));
  EXPECT_TRUE(results.Get(SessionNumbered(2)));
  EXPECT_TRUE(results.Get(SessionNumbered(3)));
  auto gone = runs.Run(*old_run);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM sync_run_peers"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM region_sessions WHERE id = x'01'"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM region_sessions"), 2);
}

TEST_F(RetentionStoreTest, AFailedPurgeDeletesNothingAndCompactionRunsOutsideIt) {
  Import(1, 3);
  clock_.Set("2031-05-02T09:00:00Z");
  Import(2, 3);
  RetentionStore expired(*store_);
  auto failed = expired.InTransaction([&]() -> Status {
    EXPECT_EQ(CountOf(expired.DeleteExpiredListVersions("2031-05-02T00:00:00Z")), 1);
    // VACUUM cannot run inside a transaction.
    EXPECT_FALSE(expired.Compact());
    return Fail(ErrorCode::kInternal, "the audit record failed");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "the audit record failed");
  EXPECT_EQ(VersionIds(), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(expired.Compact());
}

}  // namespace
}  // namespace inbeeld::node::retention
