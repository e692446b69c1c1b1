// Tests for the [report] section of inbeeld.toml (config/parse_config.cc) and
// how the initial configuration renders it.
#include <gtest/gtest.h>

#include <string>

#include "config/node_config.h"

namespace inbeeld::config {
namespace {

const std::string kHead = R"([node]
name = "SWV VO Zuid-Kennemerland"
organisation = "SWV VO Zuid-Kennemerland"
role = "swv"
)";

TEST(ReportConfigTest, AbsentSectionDerivesPerChild) {
  auto config = ParseConfig(kHead, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->report.onderwijstype, Onderwijstype::kPoVo);
}

TEST(ReportConfigTest, ReadsEachValue) {
  for (const auto& [text, type] :
       {std::pair{"po", Onderwijstype::kPo}, std::pair{"vo", Onderwijstype::kVo},
        std::pair{"po-vo", Onderwijstype::kPoVo}}) {
    auto config =
        ParseConfig(kHead + "\n[report]\nonderwijstype = \"" + text + "\"\n", "inbeeld.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->report.onderwijstype, type) << text;
    EXPECT_EQ(OnderwijstypeName(type), text);
  }
}

TEST(ReportConfigTest, EmptySectionTakesTheDefault) {
  auto config = ParseConfig(kHead + "\n[report]\n", "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->report, ReportConfig{});
}

TEST(ReportConfigTest, UnknownValueIsRefusedWithItsLine) {
  auto config = ParseConfig(kHead + "\n[report]\nonderwijstype = \"PO\"\n", "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(config.error().message.find(
                R"(inbeeld.toml:7: report.onderwijstype: expected "po", "vo" or "po-vo")"),
            std::string::npos)
      << config.error().message;
}

TEST(ReportConfigTest, WrongTypeAndUnknownKeyAreRefused) {
  auto number = ParseConfig(kHead + "\n[report]\nonderwijstype = 1\n", "inbeeld.toml");
  ASSERT_FALSE(number);
  EXPECT_NE(number.error().message.find("report.onderwijstype"), std::string::npos)
      << number.error().message;
  auto typo = ParseConfig(kHead + "\n[report]\nonderwijs_type = \"po\"\n", "inbeeld.toml");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("onderwijs_type"), std::string::npos) << typo.error().message;
  auto not_a_table = ParseConfig(kHead + "\nreport = \"po\"\n", "inbeeld.toml");
  ASSERT_FALSE(not_a_table);
}

TEST(ReportConfigTest, InitialConfigOfAnSwvHasTheSectionOthersHaveItCommentedOut) {
  InitialConfigSpec swv{"SWV VO Zuid-Kennemerland", "SWV VO ZK", Role::kSwv, "", std::nullopt};
  const std::string swv_text = RenderInitialConfig(swv);
  EXPECT_NE(swv_text.find("\n[report]\nonderwijstype = \"po-vo\"\n"), std::string::npos);
  auto parsed = ParseConfig(swv_text, "inbeeld.toml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->report.onderwijstype, Onderwijstype::kPoVo);

  InitialConfigSpec leerplicht{"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, "",
                               std::nullopt};
  const std::string text = RenderInitialConfig(leerplicht);
  EXPECT_NE(text.find("\n# [report]\n# onderwijstype = \"po-vo\"\n"), std::string::npos);
  EXPECT_TRUE(ParseConfig(text, "inbeeld.toml"));
}

}  // namespace
}  // namespace inbeeld::config
