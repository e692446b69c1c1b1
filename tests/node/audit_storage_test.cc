// What one exchange costs in audit storage: a session over a 10,000-child
// list grows the store with the matches, not with the list (the list itself
// is committed once per list version). Prints the figures.
#include <gtest/gtest.h>

#include <cstdio>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/store/sqlite_util.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::audit {
namespace {

const testing::FakeClock kClock("2026-11-22T14:03:05Z");

int64_t StoreBytes(Store& store) {
  auto pages = Statement::Prepare(store.handle(), "PRAGMA page_count");
  auto size = Statement::Prepare(store.handle(), "PRAGMA page_size");
  if (!pages || !size || !pages->Step() || !size->Step()) return -1;
  return pages->ColumnInt(0) * size->ColumnInt(0);
}

ExchangeAudit Session(int64_t list_version) {
  ExchangeAudit e;
  e.trace_id = NewTraceId();
  e.role = "initiator";
  e.node_key = "ed25519:" + std::string(64, 'a');
  e.peer = "swv";
  e.peer_key = "ed25519:" + std::string(64, 'b');
  e.purpose = "thuiszitters-afstemming";
  e.legal_basis = "Leerplichtwet 1969 art. 16";
  e.mode = "match";
  e.outcome = "completed";
  e.start_ms = NowMs(kClock);
  e.end_ms = e.start_ms + 1000;
  e.list_version = list_version;
  return e;
}

TEST(AuditStorageTest, ASessionGrowsTheLogWithItsMatchesNotWithItsList) {
  testing::TempDir tmp;
  auto store = Store::Open(tmp.path() / "db", crypto::SecretBytes::Random(32), true, kClock);
  ASSERT_TRUE(store) << store.error().message;
  crypto::SigningKey node_key = crypto::SigningKey::Generate();
  AuditLog log(**store, node_key);
  const crypto::PseudonymKey audit_key = crypto::PseudonymKey::Generate();

  constexpr size_t kChildren = 10'000;
  std::vector<std::array<uint8_t, 32>> subjects(kChildren);
  for (size_t i = 0; i < kChildren; ++i) {
    subjects[i].fill(0);
    for (size_t b = 0; b < 8; ++b) subjects[i][b] = static_cast<uint8_t>(i >> (8 * b));
    subjects[i][31] = 0x5a;
  }
  // 5% certain or probable, 1% possible only: about what a municipality's
  // list and an SWV's list share.
  std::vector<ChildMatch> matched(kChildren, ChildMatch::kNo);
  size_t yes = 0, possibly = 0;
  for (size_t i = 0; i < kChildren; ++i) {
    if (i % 20 == 0) {
      matched[i] = ChildMatch::kYes;
      ++yes;
    } else if (i % 100 == 1) {
      matched[i] = ChildMatch::kPossibly;
      ++possibly;
    }
  }

  int64_t before = StoreBytes(**store);
  ASSERT_TRUE(AppendExchange(log, Session(1), audit_key, subjects, matched));
  int64_t first = StoreBytes(**store) - before;
  ASSERT_TRUE(AppendExchange(log, Session(1), audit_key, subjects, matched));
  int64_t second = StoreBytes(**store) - before - first;
  ASSERT_TRUE(AppendExchange(log, Session(1), audit_key, subjects, {}));
  int64_t count_mode = StoreBytes(**store) - before - first - second;
  std::printf(
      "audit storage, %zu-child list, %zu yes + %zu possibly: first session %lld bytes, next "
      "match session %lld bytes, next count session %lld bytes\n",
      kChildren, yes, possibly, static_cast<long long>(first), static_cast<long long>(second),
      static_cast<long long>(count_mode));
  // Before list commitments every session cost about 770 bytes a child on the
  // list (7.7 MB here). Now: the list once, then about a kilobyte a match.
  EXPECT_LT(second, static_cast<int64_t>((yes + possibly) * 1024 + 16 * 1024));
  EXPECT_LT(count_mode, 16 * 1024);
  EXPECT_LT(first - second, static_cast<int64_t>(kChildren * 48)) << "the list's commitment";
}

}  // namespace
}  // namespace inbeeld::node::audit
