// Each migration of the store is audited: a node made at an older schema
// version migrates at its first unlock and its audit log says so, once; in
// process, on an injected clock.
#include <gtest/gtest.h>

#include <string>

#include "node/audit/audit_log.h"
#include "node/datadir/node_dir.h"
#include "node/store/store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node {
namespace {

using testing::FakeClock;
using testing::TempDir;

// The schema of inbeeld 0.1.0, the first release (tests/upgrade/PREVIOUS_RELEASE).
constexpr int kReleasedSchema = 8;

crypto::SecretBytes Passphrase() {
  const std::string text = "passphrase of a migration test node";
  return crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

NodeDir MakeNode(const TempDir& tmp, const Clock& clock, int schema_version) {
  NodeDir dir(tmp.path() / "node", clock);
  InitOptions options;
  options.config.node_name = "Leerplicht Migratie";
  options.config.organisation = "Gemeente Migratie";
  options.config.role = config::Role::kLeerplicht;
  options.kdf_profile = "interactive";
  options.schema_version_for_testing = schema_version;
  auto made = dir.Initialise(options, Passphrase());
  EXPECT_TRUE(made) << made.error().message;
  return dir;
}

std::vector<schema::AuditRecord> Migrations(UnlockedNode& node) {
  audit::AuditLog log(*node.store, node.identity);
  auto records = log.Records({});
  EXPECT_TRUE(records) << records.error().message;
  std::vector<schema::AuditRecord> out;
  for (const auto& r : *records) {
    if (r.record.name == "inbeeld.store.migrated") out.push_back(r.record);
  }
  return out;
}

TEST(MigrationAuditTest, TheFirstUnlockAfterAnUpgradeRecordsTheMigrationOnce) {
  TempDir tmp;
  FakeClock clock("2031-03-04T08:00:00Z");
  NodeDir dir = MakeNode(tmp, clock, kReleasedSchema);
  clock.Set("2031-03-05T09:30:00Z");
  {
    auto node = dir.Unlock(Passphrase());
    ASSERT_TRUE(node) << node.error().message;
    EXPECT_EQ(node->store->SchemaVersion(), Store::LatestSchemaVersion());
    auto migrations = Migrations(*node);
    ASSERT_EQ(migrations.size(), 1u);
    EXPECT_EQ(migrations[0].status, schema::AuditStatus::kOk);
    EXPECT_EQ(migrations[0].attributes.at("inbeeld.schema_version.before"), "8");
    EXPECT_EQ(migrations[0].attributes.at("inbeeld.schema_version"),
              std::to_string(Store::LatestSchemaVersion()));
    EXPECT_EQ(migrations[0].start_time_ms, 1930469400000);  // 2031-03-05T09:30:00Z
  }
  clock.Set("2031-03-06T10:00:00Z");
  auto again = dir.Unlock(Passphrase());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(Migrations(*again).size(), 1u);
}

TEST(MigrationAuditTest, ANewNodeRecordsNoMigration) {
  TempDir tmp;
  FakeClock clock("2031-03-04T08:00:00Z");
  NodeDir dir = MakeNode(tmp, clock, 0);
  auto node = dir.Unlock(Passphrase());
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_TRUE(Migrations(*node).empty());
}

// A process that opened the store without unlocking the node (a restore
// checks the staged store first), or stopped between the migration and its
// record, leaves the record to the next unlock.
TEST(MigrationAuditTest, AMigrationWithoutItsRecordIsRecordedAtTheNextUnlock) {
  TempDir tmp;
  FakeClock clock("2031-03-04T08:00:00Z");
  NodeDir dir = MakeNode(tmp, clock, kReleasedSchema);
  {
    auto store = dir.OpenStore(Passphrase());
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ((*store)->SchemaVersion(), Store::LatestSchemaVersion());
    auto pending = (*store)->UnrecordedMigrationFrom();
    ASSERT_TRUE(pending) << pending.error().message;
    EXPECT_EQ(*pending, kReleasedSchema);
  }
  auto node = dir.Unlock(Passphrase());
  ASSERT_TRUE(node) << node.error().message;
  auto migrations = Migrations(*node);
  ASSERT_EQ(migrations.size(), 1u);
  EXPECT_EQ(migrations[0].attributes.at("inbeeld.schema_version.before"), "8");
  auto pending = node->store->UnrecordedMigrationFrom();
  ASSERT_TRUE(pending) << pending.error().message;
  EXPECT_FALSE(*pending);
}

}  // namespace
}  // namespace inbeeld::node
