// node/backup/backup_store.h on real SQLCipher stores: the copy a backup
// carries opens under the store's key, at its schema version, with the
// store's rows and the configuration it was given, which a restore reads and
// then removes.
#include "node/backup/backup_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "crypto/secret_bytes.h"
#include "node/store/store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/subprocess.h"

namespace inbeeld::node::backup {
namespace {

using testing::FakeClock;
using testing::TempDir;

TEST(BackupStoreTest, TheCopyCarriesTheStoreAndTheConfigurationUntilDropped) {
  TempDir tmp;
  FakeClock clock("2031-05-01T09:00:00Z");
  auto key = crypto::SecretBytes::Random(32);
  auto store = Store::Open(tmp.path() / "inbeeld.db", key, /*create=*/true, clock);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->PutMeta("kept", "yes"));
  const auto copy = tmp.path() / "copy.db";
  std::ofstream(copy).close();  // ATTACH may not create it
  auto exported = BackupStore(**store).ExportCopy(copy, "[node]\nname = \"Test\"\n");
  ASSERT_TRUE(exported) << exported.error().message;
  // The live store does not carry the configuration itself.
  auto own = BackupStore(**store).CarriedConfig();
  ASSERT_TRUE(own);
  EXPECT_EQ(*own, "");

  auto restored = Store::Open(copy, key, /*create=*/false, clock);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ((*restored)->SchemaVersion(), Store::LatestSchemaVersion());
  auto kept = (*restored)->GetMeta("kept");
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, "yes");
  BackupStore carried(**restored);
  auto config = carried.CarriedConfig();
  ASSERT_TRUE(config);
  EXPECT_EQ(*config, "[node]\nname = \"Test\"\n");
  ASSERT_TRUE(carried.DropCarriedConfig());
  auto dropped = carried.CarriedConfig();
  ASSERT_TRUE(dropped);
  EXPECT_EQ(*dropped, "");
}

TEST(BackupStoreTest, ACopyNeedsItsFileToExistAndLeavesTheStoreUsable) {
  TempDir tmp;
  FakeClock clock("2031-05-01T09:00:00Z");
  auto key = crypto::SecretBytes::Random(32);
  ASSERT_TRUE(Store::Open(tmp.path() / "inbeeld.db", key, /*create=*/true, clock));
  // As a node opens its store: without SQLITE_OPEN_CREATE, which ATTACH inherits.
  auto store = Store::Open(tmp.path() / "inbeeld.db", key, /*create=*/false, clock);
  ASSERT_TRUE(store) << store.error().message;
  auto missing = BackupStore(**store).ExportCopy(tmp.path() / "absent.db", "config");
  ASSERT_FALSE(missing);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "absent.db"));
  // Nothing stayed attached or open: a second copy to a made file works.
  const auto copy = tmp.path() / "copy.db";
  std::ofstream(copy).close();
  auto exported = BackupStore(**store).ExportCopy(copy, "config");
  ASSERT_TRUE(exported) << exported.error().message;
  ASSERT_TRUE((*store)->PutMeta("after", "1"));
}

}  // namespace
}  // namespace inbeeld::node::backup
