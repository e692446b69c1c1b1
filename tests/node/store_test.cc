// Store tests on real SQLCipher files: keys, all-or-nothing import, no plaintext.
#include "node/store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/pseudonym.h"
#include "schema/synthetic.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;

constexpr schema::Date kToday{2026, 11, 22};

struct Keys {
  crypto::SecretBytes storage = crypto::SecretBytes::Random(32);
  crypto::PseudonymKey subject = crypto::PseudonymKey::Generate();
  crypto::SecretBytes field = crypto::SecretBytes::Random(32);
};

TEST(StoreTest, WrongKeyIsUnauthenticated) {
  TempDir tmp;
  Keys keys;
  ASSERT_TRUE(Store::Open(tmp.path() / "db", keys.storage, true));
  auto other = crypto::SecretBytes::Random(32);
  auto reopened = Store::Open(tmp.path() / "db", other, false);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(reopened.error().message.find("wrong passphrase"), std::string::npos);
}

TEST(StoreTest, CreateRefusesExistingAndOpenRefusesMissing) {
  TempDir tmp;
  Keys keys;
  auto missing = Store::Open(tmp.path() / "db", keys.storage, false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(Store::Open(tmp.path() / "db", keys.storage, true));
  auto again = Store::Open(tmp.path() / "db", keys.storage, true);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST(StoreTest, ImportRoundTripsEveryField) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true);
  ASSERT_TRUE(store) << store.error().message;
  auto rows = schema::GenerateList(11, 300, kToday);
  auto version = (*store)->ImportList(rows, kToday, "lijst.csv", keys.subject, keys.field);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(version->row_count, 300);

  auto loaded = (*store)->LoadRows(version->id, Unseal::kEverything, keys.field);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), rows.size());
  std::map<std::string, const schema::ListRow*> by_id;
  for (const auto& r : rows) by_id[r.identifier.digits()] = &r;
  for (const auto& s : *loaded) {
    ASSERT_TRUE(s.identifier.has_value());
    auto it = by_id.find(s.identifier->digits());
    ASSERT_NE(it, by_id.end());
    const schema::ListRow& want = *it->second;
    EXPECT_EQ(s.category, want.category);
    EXPECT_EQ(s.since, want.since);
    EXPECT_EQ(s.school_brin, want.school_brin);
    EXPECT_EQ(s.plan_in_place, want.plan_in_place);
    EXPECT_EQ(s.own_reference, want.own_reference);
    EXPECT_EQ(s.name, want.name);
    EXPECT_EQ(s.birth_date, want.birth_date);
  }
}

TEST(StoreTest, FailedImportLeavesTheStoreAsItWas) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true);
  ASSERT_TRUE(store);
  auto first = schema::GenerateList(12, 50, kToday);
  ASSERT_TRUE((*store)->ImportList(first, kToday, "a.csv", keys.subject, keys.field));
  // A list holding one identifier twice violates the store's key: the whole
  // import must roll back.
  auto second = schema::GenerateList(13, 50, kToday);
  second[40].identifier = second[3].identifier;
  auto failed = (*store)->ImportList(second, kToday, "b.csv", keys.subject, keys.field);
  ASSERT_FALSE(failed);
  auto versions = (*store)->Versions();
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->size(), 1u);
  auto rows = (*store)->LoadRows(versions->back().id, Unseal::kLabelsOnly, keys.field);
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 50u);
}

TEST(StoreTest, NoIdentifierNameOrBirthDateInTheFileOrItsWal) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true);
  ASSERT_TRUE(store);
  auto rows = schema::GenerateList(14, 500, kToday);
  ASSERT_TRUE((*store)->ImportList(rows, kToday, "a.csv", keys.subject, keys.field));
  // Scan while the store is still open, so the WAL is on disk too.
  std::string bytes;
  for (const auto& entry : fs::directory_iterator(tmp.path())) bytes += ReadFile(entry.path());
  ASSERT_TRUE(fs::exists(tmp.path() / "db-wal")) << "expected a WAL to scan";
  ASSERT_GT(bytes.size(), 100000u);
  for (const auto& r : rows) {
    ASSERT_EQ(bytes.find(r.identifier.digits()), std::string::npos) << "identifier in plain bytes";
    if (r.name) {
      ASSERT_EQ(bytes.find(*r.name), std::string::npos) << "name in plain bytes";
    }
    if (r.birth_date) {
      ASSERT_EQ(bytes.find(schema::FormatIso(*r.birth_date)), std::string::npos);
      ASSERT_EQ(bytes.find(schema::FormatDutch(*r.birth_date)), std::string::npos);
    }
    ASSERT_EQ(bytes.find(r.own_reference), std::string::npos) << "reference in plain bytes";
  }
  EXPECT_EQ(bytes.find("SQLite format 3"), std::string::npos) << "file header is not encrypted";
}

TEST(StoreTest, SecretsAreWriteOnce) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true);
  ASSERT_TRUE(store);
  auto secret = crypto::SecretBytes::Random(32);
  ASSERT_TRUE((*store)->PutSecret("k", secret));
  auto again = (*store)->PutSecret("k", crypto::SecretBytes::Random(32));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  auto read = (*store)->GetSecret("k");
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->ConstantTimeEquals(secret));
}

TEST(StoreTest, IntegrityCheckPassesOnAHealthyStore) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->ImportList(schema::GenerateList(15, 100, kToday), kToday, "a.csv",
                                   keys.subject, keys.field));
  auto status = (*store)->CheckIntegrity();
  EXPECT_TRUE(status) << status.error().message;
}

}  // namespace
}  // namespace inbeeld::node
