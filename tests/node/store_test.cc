// Store tests on real SQLCipher files: keys, all-or-nothing import, no plaintext.
#include "node/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <span>

#include "crypto/aead.h"
#include "crypto/pseudonym.h"
#include "node/exchange/results_store.h"
#include "schema/match_keys.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;

constexpr schema::Date kToday{2026, 11, 22};
const testing::FakeClock kClock{"2026-11-22T10:00:00Z"};

struct Keys {
  crypto::SecretBytes storage = crypto::SecretBytes::Random(32);
  crypto::PseudonymKey subject = crypto::PseudonymKey::Generate();
  crypto::SecretBytes field = crypto::SecretBytes::Random(32);
};

TEST(StoreTest, WrongKeyIsUnauthenticated) {
  TempDir tmp;
  Keys keys;
  ASSERT_TRUE(Store::Open(tmp.path() / "db", keys.storage, true, kClock));
  auto other = crypto::SecretBytes::Random(32);
  auto reopened = Store::Open(tmp.path() / "db", other, false, kClock);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(reopened.error().message.find("wrong passphrase"), std::string::npos);
}

TEST(StoreTest, CreateRefusesExistingAndOpenRefusesMissing) {
  TempDir tmp;
  Keys keys;
  auto missing = Store::Open(tmp.path() / "db", keys.storage, false, kClock);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(Store::Open(tmp.path() / "db", keys.storage, true, kClock));
  auto again = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

// A generated list in which part of the children have no PGN and are named by
// name parts, a birth date that may be partial, and sex. Synthetic names only.
// Letters only: normalisation for matching drops digits, so "Naam1" and
// "Naam2" would be one name.
std::string Letters(size_t i) {
  std::string out;
  do {
    out.push_back(static_cast<char>('a' + i % 26));
    i /= 26;
  } while (i > 0);
  return out;
}

std::vector<schema::ListRow> MixedList(uint64_t seed, size_t n) {
  auto rows = schema::GenerateList(seed, n, kToday);
  const schema::PartialDate partial[] = {{2013, 0, 0}, {2012, 6, 0}};
  for (size_t i = 0; i < rows.size(); ++i) {
    schema::ListRow& row = rows[i];
    if (i % 3 != 0) continue;
    row.identifier.reset();
    row.name = {};
    row.name.first_names = "Synthia" + Letters(seed) + " Testa" + Letters(i);
    row.name.roepnaam = "Synroep" + Letters(i);
    row.name.prefix = "van der";
    row.name.surname = "Proefnaam" + Letters(i);
    if (i % 2 == 0) row.name.initials = "S.T.";
    if (i % 9 == 0) row.birth_date = partial[i % 2];
    row.sex = i % 4 == 0 ? schema::Sex::kFemale : schema::Sex::kMale;
  }
  return rows;
}

std::map<std::string, const schema::ListRow*> ByReference(
    const std::vector<schema::ListRow>& rows) {
  std::map<std::string, const schema::ListRow*> out;
  for (const auto& r : rows) out[r.own_reference] = &r;
  return out;
}

TEST(StoreTest, ImportRoundTripsEveryField) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_TRUE(store) << store.error().message;
  auto rows = MixedList(11, 300);
  auto version = (*store)->ImportList(rows, kToday, "lijst.csv", keys.subject, keys.field);
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(version->row_count, 300);

  auto loaded = (*store)->LoadRows(version->id, Unseal::kEverything, keys.field);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), rows.size());
  auto by_reference = ByReference(rows);
  size_t without_pgn = 0;
  for (const auto& s : *loaded) {
    auto it = by_reference.find(s.own_reference);
    ASSERT_NE(it, by_reference.end());
    const schema::ListRow& want = *it->second;
    EXPECT_EQ(s.identifier, want.identifier);
    EXPECT_EQ(s.has_pgn, want.identifier.has_value());
    EXPECT_EQ(s.category, want.category);
    EXPECT_EQ(s.since, want.since);
    EXPECT_EQ(s.school_brin, want.school_brin);
    EXPECT_EQ(s.plan_in_place, want.plan_in_place);
    EXPECT_EQ(s.name, want.name);
    EXPECT_EQ(s.birth_date, want.birth_date);
    EXPECT_EQ(s.sex, want.sex);
    without_pgn += !s.has_pgn;
  }
  EXPECT_EQ(without_pgn, 100u);

  // Less unsealed, less known; whether a PGN is held is always known.
  auto labels = (*store)->LoadRows(version->id, Unseal::kLabelsOnly, keys.field);
  ASSERT_TRUE(labels);
  auto identifiers = (*store)->LoadRows(version->id, Unseal::kIdentifiers, keys.field);
  ASSERT_TRUE(identifiers);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_FALSE((*labels)[i].identifier.has_value());
    EXPECT_EQ((*labels)[i].has_pgn, (*loaded)[i].has_pgn);
    EXPECT_EQ((*identifiers)[i].identifier, (*loaded)[i].identifier);
    for (const StoredRow* r : {&(*labels)[i], &(*identifiers)[i]}) {
      EXPECT_TRUE(r->name.empty());
      EXPECT_FALSE(r->birth_date.has_value());
      EXPECT_FALSE(r->sex.has_value());
    }
  }
}

TEST(StoreTest, AnyTextInANameRoundTrips) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_TRUE(store);
  auto rows = schema::GenerateList(21, 2, kToday);
  rows[0].identifier.reset();
  rows[0].name = {};
  rows[0].name.surname =
      std::string("Na\0me", 5) + std::string(1000, 'x');  // the store does not care
  rows[0].name.first_names = "";
  rows[0].birth_date = schema::PartialDate{2014, 0, 0};
  rows[1].name = {};  // a PGN row without any person field
  rows[1].birth_date.reset();
  auto version = (*store)->ImportList(rows, kToday, "a.csv", keys.subject, keys.field);
  ASSERT_TRUE(version) << version.error().message;
  auto loaded = (*store)->LoadRows(version->id, Unseal::kEverything, keys.field);
  ASSERT_TRUE(loaded);
  auto by_reference = ByReference(rows);
  for (const StoredRow& s : *loaded) {
    const schema::ListRow& want = *by_reference.at(s.own_reference);
    EXPECT_EQ(s.name, want.name);
    EXPECT_EQ(s.birth_date, want.birth_date);
  }
}

// A row with a PGN keeps the subject it had before rows without one existed,
// so audit records already written stay valid; a row without one gets a
// pseudonym of its person key under another domain.
TEST(StoreTest, SubjectsArePinned) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_TRUE(store);
  auto rows = MixedList(31, 30);
  auto version = (*store)->ImportList(rows, kToday, "a.csv", keys.subject, keys.field);
  ASSERT_TRUE(version);
  auto loaded = (*store)->LoadRows(version->id, Unseal::kIdentifiers, keys.field);
  ASSERT_TRUE(loaded);
  auto by_reference = ByReference(rows);
  auto bytes = [](const std::string& s) {
    return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  for (const StoredRow& s : *loaded) {
    const schema::ListRow& want = *by_reference.at(s.own_reference);
    if (want.identifier) {
      EXPECT_EQ(s.subject, keys.subject.Pseudonymise("inbeeld/list-subject/v1",
                                                     bytes(want.identifier->digits())));
      EXPECT_EQ(s.subject, SubjectOf(keys.subject, *want.identifier));
    } else {
      auto key = schema::PersonIdentityKey(want.name, want.birth_date);
      ASSERT_TRUE(key.has_value());
      EXPECT_EQ(s.subject,
                keys.subject.Pseudonymise("inbeeld/list-subject-person/v1", bytes(*key)));
    }
  }
  // The same children in a later version keep their subjects.
  std::vector<schema::ListRow> later(rows.rbegin(), rows.rend());
  later.pop_back();
  auto second = (*store)->ImportList(later, kToday, "b.csv", keys.subject, keys.field);
  ASSERT_TRUE(second);
  auto reloaded = (*store)->LoadRows(second->id, Unseal::kLabelsOnly, keys.field);
  ASSERT_TRUE(reloaded);
  std::map<std::string, std::array<uint8_t, 32>> first_subject;
  for (const StoredRow& s : *loaded) first_subject[s.own_reference] = s.subject;
  for (const StoredRow& s : *reloaded) EXPECT_EQ(s.subject, first_subject.at(s.own_reference));
}

TEST(StoreTest, FailedImportLeavesTheStoreAsItWas) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_TRUE(store);
  auto first = schema::GenerateList(12, 50, kToday);
  ASSERT_TRUE((*store)->ImportList(first, kToday, "a.csv", keys.subject, keys.field));
  auto expect_unchanged = [&] {
    auto versions = (*store)->Versions();
    ASSERT_TRUE(versions);
    EXPECT_EQ(versions->size(), 1u);
    auto rows = (*store)->LoadRows(versions->back().id, Unseal::kLabelsOnly, keys.field);
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 50u);
  };
  // A list holding one identifier twice violates the store's key: the whole
  // import must roll back.
  auto second = schema::GenerateList(13, 50, kToday);
  second[40].identifier = second[3].identifier;
  auto failed = (*store)->ImportList(second, kToday, "b.csv", keys.subject, keys.field);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  expect_unchanged();

  // So does one child without a PGN twice (another reference, same person).
  auto third = MixedList(14, 50);
  third[9] = third[3];
  third[9].own_reference = "ANDERS-1";
  failed = (*store)->ImportList(third, kToday, "c.csv", keys.subject, keys.field);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(failed.error().message.find("the same child twice"), std::string::npos);
  expect_unchanged();

  // And a row that names no child at all.
  auto fourth = schema::GenerateList(15, 50, kToday);
  fourth[7].identifier.reset();
  fourth[7].birth_date.reset();
  failed = (*store)->ImportList(fourth, kToday, "d.csv", keys.subject, keys.field);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  expect_unchanged();
}

TEST(StoreTest, NoIdentifierNameOrBirthDateInTheFileOrItsWal) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_TRUE(store);
  auto rows = MixedList(14, 500);
  ASSERT_TRUE((*store)->ImportList(rows, kToday, "a.csv", keys.subject, keys.field));
  // Scan while the store is still open, so the WAL is on disk too.
  std::string bytes;
  for (const auto& entry : fs::directory_iterator(tmp.path())) bytes += ReadFile(entry.path());
  ASSERT_TRUE(fs::exists(tmp.path() / "db-wal")) << "expected a WAL to scan";
  ASSERT_GT(bytes.size(), 100000u);
  size_t scanned_without_pgn = 0;
  for (const auto& r : rows) {
    if (r.identifier) {
      ASSERT_EQ(bytes.find(r.identifier->digits()), std::string::npos)
          << "identifier in plain bytes";
    } else {
      ++scanned_without_pgn;
    }
    for (const auto* part :
         {&r.name.first_names, &r.name.roepnaam, &r.name.surname, &r.name.full_name}) {
      if (*part) {
        ASSERT_EQ(bytes.find(**part), std::string::npos) << "name in plain bytes";
      }
    }
    if (r.birth_date) {
      // A year alone is too short to look for in a megabyte of ciphertext.
      if (r.birth_date->month != 0) {
        ASSERT_EQ(bytes.find(schema::FormatPartialIso(*r.birth_date)), std::string::npos);
        ASSERT_EQ(bytes.find(schema::FormatPartialDutch(*r.birth_date)), std::string::npos);
      }
      if (r.birth_date->full()) {
        ASSERT_EQ(bytes.find(schema::FormatIso(r.birth_date->date())), std::string::npos);
        ASSERT_EQ(bytes.find(schema::FormatDutch(r.birth_date->date())), std::string::npos);
      }
    }
    ASSERT_EQ(bytes.find(r.own_reference), std::string::npos) << "reference in plain bytes";
  }
  EXPECT_GT(scanned_without_pgn, 100u);
  EXPECT_EQ(bytes.find("Proefnaam"), std::string::npos);
  EXPECT_EQ(bytes.find("SQLite format 3"), std::string::npos) << "file header is not encrypted";
}

// A database an older inbeeld left (schema 4: every row with a PGN, the name
// and birth date sealed as "name\0yyyy-mm-dd") opens, migrates, and reads its
// rows back as a full name and a full birth date under their old subjects.
TEST(StoreTest, MigratesRowsStoredBeforeSchema5) {
  TempDir tmp;
  Keys keys;
  auto rows = schema::GenerateList(16, 40, kToday);
  rows[5].name = {};
  rows[6].birth_date.reset();
  rows[7].name = {};
  rows[7].birth_date.reset();
  {
    auto old = Store::CreateAtSchemaVersionForTesting(tmp.path() / "db", keys.storage, 4,
                                                       kClock);
    ASSERT_TRUE(old) << old.error().message;
    EXPECT_EQ((*old)->SchemaVersion(), 4);
    sqlite3* db = (*old)->handle();
    ASSERT_EQ(
        sqlite3_exec(db,
                     "INSERT INTO list_versions(id, list_date, imported_at, source, row_count) "
                     "VALUES(1, '2026-11-01', '2026-11-01T09:00:00Z', 'oud.csv', 40)",
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(
                  db,
                  "INSERT INTO list_rows(version_id, subject, identifier_sealed, category, since, "
                  "school, plan, own_reference, personal_sealed) VALUES(1,?,?,?,?,?,?,?,?)",
                  -1, &insert, nullptr),
              SQLITE_OK);
    for (const schema::ListRow& row : rows) {
      auto subject = SubjectOf(keys.subject, *row.identifier);
      auto aad = [&](std::string_view label) {
        std::vector<uint8_t> out(label.begin(), label.end());
        out.insert(out.end(), subject.begin(), subject.end());
        return out;
      };
      const std::string& digits = row.identifier->digits();
      auto sealed_id = crypto::Seal(
          keys.field, std::span(reinterpret_cast<const uint8_t*>(digits.data()), digits.size()),
          aad("inbeeld/list-identifier/v1"));
      ASSERT_TRUE(sealed_id);
      sqlite3_bind_blob(insert, 1, subject.data(), 32, SQLITE_TRANSIENT);
      sqlite3_bind_blob(insert, 2, sealed_id->data(), static_cast<int>(sealed_id->size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 3, static_cast<int64_t>(row.category));
      sqlite3_bind_text(insert, 4, schema::FormatIso(row.since).c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 5, row.school_brin.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 6, row.plan_in_place ? 1 : 0);
      sqlite3_bind_text(insert, 7, row.own_reference.c_str(), -1, SQLITE_TRANSIENT);
      if (row.name.full_name || row.birth_date) {
        std::string personal = row.name.full_name.value_or("");
        personal.push_back('\0');
        if (row.birth_date) personal += schema::FormatIso(row.birth_date->date());
        auto sealed = crypto::Seal(
            keys.field,
            std::span(reinterpret_cast<const uint8_t*>(personal.data()), personal.size()),
            aad("inbeeld/list-personal/v1"));
        ASSERT_TRUE(sealed);
        sqlite3_bind_blob(insert, 8, sealed->data(), static_cast<int>(sealed->size()),
                          SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_null(insert, 8);
      }
      ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE) << sqlite3_errmsg(db);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
  }
  auto store = Store::Open(tmp.path() / "db", keys.storage, false, kClock);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->SchemaVersion(), Store::LatestSchemaVersion());  // migrated to the newest
  auto loaded = (*store)->LoadRows(1, Unseal::kEverything, keys.field);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), rows.size());
  auto by_reference = ByReference(rows);
  for (const StoredRow& s : *loaded) {
    const schema::ListRow& want = *by_reference.at(s.own_reference);
    EXPECT_EQ(s.subject, SubjectOf(keys.subject, *want.identifier));
    EXPECT_EQ(s.identifier, want.identifier);
    EXPECT_TRUE(s.has_pgn);
    EXPECT_EQ(s.name, want.name);  // only full_name, as the generator fills it
    EXPECT_EQ(s.birth_date, want.birth_date);
    EXPECT_FALSE(s.sex.has_value());
  }
  // New rows, with and without a PGN, go in next to the old ones.
  auto next =
      (*store)->ImportList(MixedList(17, 30), kToday, "nieuw.csv", keys.subject, keys.field);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_TRUE((*store)->CheckIntegrity());
}

// A sealed person value is bound to its row: moved to another row, it no
// longer opens.
// A store from protocol v1 (schema 5: one match per own child, no strength)
// opens, migrates, and shows its old matches as certain pairs without a code,
// and its sessions' overlap as children in a certain pair.
TEST(StoreTest, MigratesV1MatchesToPairs) {
  TempDir tmp;
  Keys keys;
  const std::array<uint8_t, 16> id{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const std::array<uint8_t, 32> subject_a{7}, subject_b{9};
  {
    auto old = Store::CreateAtSchemaVersionForTesting(tmp.path() / "db", keys.storage, 5,
                                                       kClock);
    ASSERT_TRUE(old) << old.error().message;
    sqlite3* db = (*old)->handle();
    sqlite3_stmt* insert = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(
                  db,
                  "INSERT INTO sessions(id, role, peer, peer_key, purpose, mode, started_at, "
                  "finished_at, status, list_version, own_list_size, peer_list_size, "
                  "peer_list_date, overlap, label_mask) VALUES(?, 'initiator', 'swv', "
                  "'ed25519:00', 'p', 'match', '2026-11-01T09:00:00Z', '2026-11-01T09:00:05Z', "
                  "'completed', 1, 40, 30, '2026-10-30', 2, 3)",
                  -1, &insert, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(insert, 1, id.data(), 16, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(insert);
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "INSERT INTO session_matches(session_id, subject, peer_category, "
                                 "peer_since, peer_school, peer_plan) VALUES(?, ?, 1, "
                                 "'2026-09-01', NULL, NULL)",
                                 -1, &insert, nullptr),
              SQLITE_OK);
    for (const auto* subject : {&subject_a, &subject_b}) {
      sqlite3_bind_blob(insert, 1, id.data(), 16, SQLITE_TRANSIENT);
      sqlite3_bind_blob(insert, 2, subject->data(), 32, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE) << sqlite3_errmsg(db);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
  }
  auto store = Store::Open(tmp.path() / "db", keys.storage, false, kClock);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->SchemaVersion(), Store::LatestSchemaVersion());
  exchange::ResultsStore results(**store);
  auto session = results.Get(id);
  ASSERT_TRUE(session) << session.error().message;
  EXPECT_EQ(session->overlap, 2u);
  ASSERT_TRUE(session->own_counts);
  EXPECT_EQ(session->own_counts->strong, 2u);
  EXPECT_EQ(session->own_counts->possible, 0u);
  EXPECT_EQ(session->key_mask, schema::kKeyTypePgn);
  auto pairs = results.Matches(id);
  ASSERT_TRUE(pairs) << pairs.error().message;
  ASSERT_EQ(pairs->size(), 2u);
  for (const auto& pair : *pairs) {
    EXPECT_EQ(pair.strength, schema::Strength::kCertain);
    EXPECT_TRUE(pair.pair_code.empty());
    EXPECT_TRUE(pair.SameChild());
    EXPECT_EQ(pair.peer_labels.category, schema::Category::kAbsoluutVerzuim);  // stored as 1
  }
  // Nothing to decide on a v1 pair: it is certain.
  auto decided = results.Decide(id, "", exchange::Decision::kConfirmed, "fg");
  EXPECT_FALSE(decided);
}

TEST(StoreTest, PersonFieldsAreBoundToTheirRow) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_TRUE(store);
  auto version = (*store)->ImportList(MixedList(18, 12), kToday, "a.csv", keys.subject, keys.field);
  ASSERT_TRUE(version);
  ASSERT_EQ(sqlite3_exec((*store)->handle(),
                         "UPDATE list_rows SET person_sealed = (SELECT person_sealed FROM "
                         "list_rows WHERE person_sealed IS NOT NULL ORDER BY subject DESC LIMIT 1) "
                         "WHERE subject = (SELECT subject FROM list_rows WHERE person_sealed IS "
                         "NOT NULL ORDER BY subject LIMIT 1)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  auto loaded = (*store)->LoadRows(version->id, Unseal::kEverything, keys.field);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kDataLoss);
  // The labels alone still load: nothing sealed is opened for them.
  EXPECT_TRUE((*store)->LoadRows(version->id, Unseal::kLabelsOnly, keys.field));
}

TEST(StoreTest, SecretsAreWriteOnce) {
  TempDir tmp;
  Keys keys;
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
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
  auto store = Store::Open(tmp.path() / "db", keys.storage, true, kClock);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->ImportList(schema::GenerateList(15, 100, kToday), kToday, "a.csv",
                                   keys.subject, keys.field));
  auto status = (*store)->CheckIntegrity();
  EXPECT_TRUE(status) << status.error().message;
}

}  // namespace
}  // namespace inbeeld::node
