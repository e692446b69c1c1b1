// Tests for the [sync] section of inbeeld.toml (config/parse_config.cc).
#include <gtest/gtest.h>

#include <string>

#include "config/node_config.h"

namespace inbeeld::config {
namespace {

const std::string kHead = R"([node]
name = "Leerplicht Haarlem"
organisation = "Gemeente Haarlem"
role = "leerplicht"

[[activity]]
id = "thuiszitters-afstemming"
name = "Afstemming"
purpose = "Elk kind in beeld."
legal_basis = "AVG art. 6 lid 1 sub e"
controller = "College van B&W Haarlem"
data_categories = ["verzuimcategorie"]
recipients = []
retention_days = 365
)";

TEST(SyncConfigTest, AbsentSectionMeansNoSync) {
  auto config = ParseConfig(kHead, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->sync, SyncConfig{});
  EXPECT_TRUE(config->sync.purpose.empty());
}

TEST(SyncConfigTest, ReadsPurposeAndSchedule) {
  auto config = ParseConfig(kHead + R"(
[sync]
purpose = "thuiszitters-afstemming"
every_days = 21
purge_every_hours = 6
)",
                            "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->sync, (SyncConfig{"thuiszitters-afstemming", 21, 6}));
}

TEST(SyncConfigTest, PurposeMustBeARegisteredActivity) {
  auto config = ParseConfig(kHead + "\n[sync]\npurpose = \"elders\"\n", "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(config.error().message.find("inbeeld.toml:17: sync.purpose: must be the id of an "
                                        "[[activity]]"),
            std::string::npos)
      << config.error().message;
}

TEST(SyncConfigTest, ScheduleNeedsAPurposeAndRanges) {
  auto no_purpose = ParseConfig(kHead + "\n[sync]\nevery_days = 21\n", "inbeeld.toml");
  ASSERT_FALSE(no_purpose);
  EXPECT_NE(no_purpose.error().message.find("sync.every_days: needs sync.purpose"),
            std::string::npos)
      << no_purpose.error().message;
  auto too_often = ParseConfig(kHead + "\n[sync]\npurge_every_hours = 0\n", "inbeeld.toml");
  ASSERT_FALSE(too_often);
  EXPECT_NE(too_often.error().message.find("sync.purge_every_hours"), std::string::npos);
  auto unknown = ParseConfig(kHead + "\n[sync]\nevery_day = 3\n", "inbeeld.toml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("every_day"), std::string::npos);
}

}  // namespace
}  // namespace inbeeld::config
