#include "schema/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace inbeeld::schema {
namespace {

TEST(Utf8, AcceptsEveryScalarValueShortestForm) {
  for (const std::string& ok : std::vector<std::string>{
           std::string(), std::string("plain ASCII, long enough to skip"), std::string("\0", 1),
           std::string("caf\xc3\xa9"), std::string("\xe2\x80\x94"), std::string("\xef\xbf\xbf"),
           std::string("\xf0\x9f\x98\x80"), std::string("\xf4\x8f\xbf\xbf"),
           std::string("Zo\xc3\xab van der Berg")}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
  }
}

TEST(Utf8, RejectsWhatTable3_7Excludes) {
  for (const std::string& bad : std::vector<std::string>{
           "\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xed\xa0\x80",
           "\xed\xbf\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff",
           "\xc3", "\xe2\x80", "\xf0\x9f\x98", "caf\xe9", "abcdefgh\xe9", "\xc3\x28"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

}  // namespace
}  // namespace inbeeld::schema
