// node/sync/sync_store.h on a real SQLCipher store in a temporary directory:
// the run and peer rows a sync and a retry write, and the overview's reads of
// each peer's latest completed match session, on an injected clock.
#include "node/sync/sync_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/secret_bytes.h"
#include "node/exchange/results_store.h"
#include "node/store/store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::sync {
namespace {

using testing::FakeClock;
using testing::TempDir;
using Subject = std::array<uint8_t, 32>;

Subject SubjectNumbered(uint8_t n) {
  Subject s{};
  s[0] = n;
  return s;
}

schema::wire::SessionId SessionNumbered(uint8_t n) {
  schema::wire::SessionId id{};
  id[0] = n;
  return id;
}

class SyncStoreTest : public ::testing::Test {
 protected:
  SyncStoreTest() : clock_("2031-05-01T09:00:00Z") {
    auto store = Store::Open(tmp_.path() / "inbeeld.db", key_, /*create=*/true, clock_);
    if (!store) throw std::runtime_error(store.error().message);
    store_ = std::move(*store);
  }

  struct Pair {
    uint8_t subject;
    schema::Strength strength;
    std::string code;
    schema::wire::Labels labels = {};
  };

  // A session with `peer` started at the clock's now, finished an hour later
  // (completed with `pairs`, or failed), leaving the clock there.
  void Session(uint8_t n, const std::string& peer, schema::wire::Mode mode,
               const std::vector<Pair>& pairs, bool completed = true) {
    exchange::ResultsStore results(*store_);
    exchange::SessionRecord r;
    r.id = SessionNumbered(n);
    r.role = "initiator";
    r.peer = peer;
    r.peer_key = "ed25519:00";
    r.purpose = "leerplicht";
    r.mode = mode;
    r.list_version = 1;
    ASSERT_TRUE(results.Begin(r));
    clock_.Advance(std::chrono::hours(1));
    if (!completed) {
      ASSERT_TRUE(results.MarkFailed(r.id, "down"));
      return;
    }
    psi::Outcome outcome;
    outcome.mode = mode;
    std::vector<Subject> subjects;
    for (const Pair& p : pairs) {
      psi::MatchedPair m;
      m.local_index = static_cast<uint32_t>(subjects.size());
      m.strength = p.strength;
      m.pair_code = p.code;
      m.peer_labels = p.labels;
      outcome.pairs.push_back(m);
      subjects.push_back(SubjectNumbered(p.subject));
    }
    auto done = results.Complete(r.id, outcome, subjects);
    ASSERT_TRUE(done) << done.error().message;
  }

  void Decide(uint8_t session, const std::string& code, exchange::Decision decision) {
    auto decided =
        exchange::ResultsStore(*store_).Decide(SessionNumbered(session), code, decision, "op");
    ASSERT_TRUE(decided) << decided.error().message;
  }

  TempDir tmp_;
  FakeClock clock_;
  crypto::SecretBytes key_ = crypto::SecretBytes::Random(32);
  std::unique_ptr<Store> store_;
};

TEST_F(SyncStoreTest, RunsAreNumberedAndReadBackNewestFirst) {
  SyncStore runs(*store_);
  auto none = runs.LatestRunId();
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  auto missing = runs.Run(1);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());

  auto first = runs.BeginRun("2031-05-01T09:00:00Z", "leerplicht", 7);
  ASSERT_TRUE(first);
  ASSERT_TRUE(runs.MarkFinished(*first, "2031-05-01T09:05:00Z"));
  auto second = runs.BeginRun("2031-05-02T09:00:00Z", "verzuim", 8);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);

  auto latest = runs.LatestRunId();
  ASSERT_TRUE(latest);
  EXPECT_EQ(*latest, *second);
  auto run = runs.Run(*first);
  ASSERT_TRUE(run);
  ASSERT_TRUE(run->has_value());
  EXPECT_EQ((*run)->id, *first);
  EXPECT_EQ((*run)->started_at, "2031-05-01T09:00:00Z");
  EXPECT_EQ((*run)->purpose, "leerplicht");
  EXPECT_EQ((*run)->list_version, 7);

  auto recent = runs.RecentRuns(5);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].id, *second);
  EXPECT_EQ((*recent)[0].finished_at, "");  // not finished yet
  EXPECT_EQ((*recent)[0].purpose, "verzuim");
  EXPECT_EQ((*recent)[1].id, *first);
  EXPECT_EQ((*recent)[1].finished_at, "2031-05-01T09:05:00Z");
  auto one = runs.RecentRuns(1);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, *second);
}

TEST_F(SyncStoreTest, ASecondOutcomeForAPeerNeedsARetryAndMovesToTheEnd) {
  SyncStore runs(*store_);
  auto run = runs.BeginRun("2031-05-01T09:00:00Z", "leerplicht", 1);
  ASSERT_TRUE(run);
  StoredPeerOutcome down{"Gemeente A", "failed", "match", std::nullopt, "peer unreachable"};
  StoredPeerOutcome skipped{"Gemeente B", "skipped", "count", std::nullopt, ""};
  ASSERT_TRUE(runs.RecordPeer(*run, down, /*replace=*/false));
  ASSERT_TRUE(runs.RecordPeer(*run, skipped, /*replace=*/false));
  // The same peer twice in one run without a retry: the primary key refuses.
  EXPECT_FALSE(runs.RecordPeer(*run, down, /*replace=*/false));

  StoredPeerOutcome back{"Gemeente A", "completed", "match", SessionNumbered(9), ""};
  ASSERT_TRUE(runs.RecordPeer(*run, back, /*replace=*/true));
  auto peers = runs.PeersOf(*run);
  ASSERT_TRUE(peers);
  ASSERT_EQ(peers->size(), 2u);
  EXPECT_EQ((*peers)[0].peer, "Gemeente B");
  EXPECT_EQ((*peers)[0].status, "skipped");
  EXPECT_EQ((*peers)[0].mode, "count");
  EXPECT_FALSE((*peers)[0].session_id);
  EXPECT_EQ((*peers)[0].error, "");
  EXPECT_EQ((*peers)[1].peer, "Gemeente A");  // the retried outcome replaced the first
  EXPECT_EQ((*peers)[1].status, "completed");
  ASSERT_TRUE((*peers)[1].session_id);
  EXPECT_EQ(*(*peers)[1].session_id, SessionNumbered(9));
  EXPECT_EQ((*peers)[1].error, "");

  auto other = runs.PeersOf(*run + 1);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty());
}

TEST_F(SyncStoreTest, TheOverviewReadsEachPeersLatestCompletedMatchSession) {
  using schema::Strength;
  schema::wire::Labels labels;
  labels.category = schema::Category::kDreigend;
  labels.since = schema::Date{2031, 1, 15};
  labels.school = "00AA";
  labels.plan = true;
  // Peer A: 09:00 knows children 1 and 2; 10:00 (the latest completed) knows
  // 2 again, 3 through a confirmed possible pair, and has a rejected and an
  // open possible pair; 11:00 failed. Peer B: a match without pairs. Peer C:
  // only a count.
  Session(1, "A", schema::wire::Mode::kMatch,
          {{1, Strength::kCertain, "AAA-001"}, {2, Strength::kProbable, "AAA-002"}});
  Session(2, "A", schema::wire::Mode::kMatch,
          {{2, Strength::kCertain, "BBB-001", labels},
           {3, Strength::kPossible, "BBB-002"},
           {4, Strength::kPossible, "BBB-003"},
           {5, Strength::kPossible, "BBB-004"}});
  Decide(2, "BBB-002", exchange::Decision::kConfirmed);
  Decide(2, "BBB-003", exchange::Decision::kRejected);
  Session(3, "A", schema::wire::Mode::kMatch, {{6, Strength::kCertain, "CCC-001"}},
          /*completed=*/false);
  Session(4, "B", schema::wire::Mode::kMatch, {});
  Session(5, "C", schema::wire::Mode::kCount, {});

  SyncStore reads(*store_);
  auto pairs = reads.LatestMatchPairs();
  ASSERT_TRUE(pairs) << pairs.error().message;
  ASSERT_EQ(pairs->size(), 4u);
  std::map<uint8_t, LatestPair> by_subject;
  for (const LatestPair& p : *pairs) {
    EXPECT_EQ(p.peer, "A");
    by_subject[p.subject[0]] = p;
  }
  ASSERT_EQ(by_subject.size(), 4u);
  EXPECT_TRUE(by_subject[2].same_child);
  EXPECT_EQ(by_subject[2].labels.category, schema::Category::kDreigend);
  EXPECT_EQ(by_subject[2].labels.since, (schema::Date{2031, 1, 15}));
  EXPECT_EQ(by_subject[2].labels.school, "00AA");
  EXPECT_EQ(by_subject[2].labels.plan, true);
  EXPECT_TRUE(by_subject[3].same_child);  // confirmed
  EXPECT_FALSE(by_subject[3].labels.category);
  EXPECT_FALSE(by_subject[4].same_child);
  EXPECT_TRUE(by_subject[4].rejected);
  EXPECT_FALSE(by_subject[5].same_child);  // open: to check with A
  EXPECT_FALSE(by_subject[5].rejected);

  auto first = reads.FirstMatches();
  ASSERT_TRUE(first);
  std::map<uint8_t, std::string> since;
  for (const FirstMatch& f : *first) {
    EXPECT_EQ(f.peer, "A");
    since[f.subject[0]] = f.started_at;
  }
  EXPECT_EQ(since, (std::map<uint8_t, std::string>{{1, "2031-05-01T09:00:00Z"},
                                                   {2, "2031-05-01T09:00:00Z"},
                                                   {3, "2031-05-01T10:00:00Z"}}));

  auto partners = reads.MatchPartners();
  ASSERT_TRUE(partners);
  EXPECT_EQ(*partners, (std::vector<std::string>{"A", "B"}));
}

TEST_F(SyncStoreTest, AStoredPairWithAnUnknownCategoryOrDateIsDataLoss) {
  schema::wire::Labels labels;
  labels.category = schema::Category::kRelatiefVerzuim;
  labels.since = schema::Date{2031, 1, 15};
  Session(1, "A", schema::wire::Mode::kMatch, {{1, schema::Strength::kCertain, "AAA-001", labels}});
  sqlite3* db = store_->handle();
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE session_pairs SET peer_category = 4", nullptr, nullptr, nullptr),
      SQLITE_OK);
  auto category = SyncStore(*store_).LatestMatchPairs();
  ASSERT_FALSE(category);
  EXPECT_EQ(category.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(category.error().message, "stored match has an unknown category");

  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE session_pairs SET peer_category = 0, peer_since = '2031-02-30'",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  auto date = SyncStore(*store_).LatestMatchPairs();
  ASSERT_FALSE(date);
  EXPECT_EQ(date.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(date.error().message, "stored match has an unreadable date");
}

}  // namespace
}  // namespace inbeeld::node::sync
