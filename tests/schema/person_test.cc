#include "schema/person.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace inbeeld::schema {
namespace {

// Every message ParsePartialDate and ParseSex may return. Fixed strings:
// nothing of the input can be in them (a birth date and a sex are personal
// data).
const std::set<std::string> kKnownMessages = {
    "is empty",
    "expected a birth date like 31-01-2014, 00-01-2014, 01-2014, 2014 or 2014-01-31",
    "a day is given but the month is unknown",
    "year is outside 1900..2100",
    "month is not between 1 and 12",
    "day does not exist in that month",
    // ParseDate's own, for full dates it judges.
    "expected a date like 31-01-2026 or 2026-01-31",
    "expected a sex like M, V or X (man, vrouw, overig; male, female, other)",
};

struct PartialCase {
  std::string_view text;
  PartialDate date;
};

class ParsePartialDateTest : public ::testing::TestWithParam<PartialCase> {};

TEST_P(ParsePartialDateTest, Parses) {
  const PartialCase& c = GetParam();
  Result<PartialDate> d = ParsePartialDate(c.text);
  ASSERT_TRUE(d.has_value()) << c.text << ": " << d.error().message;
  EXPECT_EQ(*d, c.date) << c.text;
  EXPECT_TRUE(IsValidPartialDate(*d));
}

INSTANTIATE_TEST_SUITE_P(
    EveryAcceptedForm, ParsePartialDateTest,
    ::testing::Values(
        // Full dates: whatever ParseDate accepts.
        PartialCase{"05-03-2014", {2014, 3, 5}}, PartialCase{"5-3-2014", {2014, 3, 5}},
        PartialCase{"05/03/2014", {2014, 3, 5}}, PartialCase{"05.03.2014", {2014, 3, 5}},
        PartialCase{"2014-03-05", {2014, 3, 5}}, PartialCase{"2014-3-5", {2014, 3, 5}},
        PartialCase{"29-02-2012", {2012, 2, 29}},
        // Trimmed: space, tab, CR, LF, non-breaking space.
        PartialCase{"  05-03-2014\t", {2014, 3, 5}}, PartialCase{"2014\r\n", {2014, 0, 0}},
        PartialCase{"\xC2\xA0"
                    "03-2014\xC2\xA0",
                    {2014, 3, 0}},
        // Year only.
        PartialCase{"2014", {2014, 0, 0}}, PartialCase{"1900", {1900, 0, 0}},
        PartialCase{"2100", {2100, 0, 0}},
        // Month and year.
        PartialCase{"03-2014", {2014, 3, 0}}, PartialCase{"3-2014", {2014, 3, 0}},
        PartialCase{"03/2014", {2014, 3, 0}}, PartialCase{"3.2014", {2014, 3, 0}},
        PartialCase{"12-2014", {2014, 12, 0}},
        // An unknown month written as a month: the year only.
        PartialCase{"00-2014", {2014, 0, 0}}, PartialCase{"xx-2014", {2014, 0, 0}},
        // Unknown day and month, Dutch order.
        PartialCase{"00-00-2014", {2014, 0, 0}}, PartialCase{"0-0-2014", {2014, 0, 0}},
        PartialCase{"00/00/2014", {2014, 0, 0}}, PartialCase{"00.00.2014", {2014, 0, 0}},
        PartialCase{"xx-xx-2014", {2014, 0, 0}}, PartialCase{"XX-XX-2014", {2014, 0, 0}},
        PartialCase{"XX/XX/2014", {2014, 0, 0}}, PartialCase{"xx.xx.2014", {2014, 0, 0}},
        // Unknown day, known month, Dutch order.
        PartialCase{"00-03-2014", {2014, 3, 0}}, PartialCase{"0-3-2014", {2014, 3, 0}},
        PartialCase{"xx-03-2014", {2014, 3, 0}}, PartialCase{"XX/3/2014", {2014, 3, 0}},
        PartialCase{"00.12.2014", {2014, 12, 0}},
        // ISO order.
        PartialCase{"2014-03", {2014, 3, 0}}, PartialCase{"2014-3", {2014, 3, 0}},
        PartialCase{"2014-00", {2014, 0, 0}}, PartialCase{"2014-00-00", {2014, 0, 0}},
        PartialCase{"2014-03-00", {2014, 3, 0}}, PartialCase{"2014-xx-xx", {2014, 0, 0}},
        PartialCase{"2014-03-XX", {2014, 3, 0}}));

class BadPartialDateTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(BadPartialDateTest, IsRejectedWithoutEcho) {
  std::string_view text = GetParam();
  Result<PartialDate> d = ParsePartialDate(text);
  ASSERT_FALSE(d.has_value()) << text;
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(kKnownMessages.contains(d.error().message)) << d.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    MalformedTruncatedHostile, BadPartialDateTest,
    ::testing::Values("", "   ", "\xC2\xA0", "-", "--", "//", "x", "xx", "X", "0", "00", "14",
                      "214", "20140", "2014-", "-2014", "2014--", "-03-2014", "03-2014-",
                      "03--2014", "05-03-", "05-03", "05-03-14", "05-03-20140", "2014-03-05-01",
                      "01-01-01-2014",
                      // A known day with an unknown month.
                      "05-00-2014", "05-xx-2014", "5-0-2014", "2014-00-05", "2014-xx-05",
                      // Out of range.
                      "1899", "2101", "0000", "9999", "13-2014", "2014-13", "00-13-2014",
                      "32-01-2014", "29-02-2013", "31-04-2014", "2014-02-30", "1-1-1899",
                      // Other spellings of unknown we do not take.
                      "x-x-2014", "Xx-xX-2014",
                      "?"
                      "?-?"
                      "?-2014",
                      "000-03-2014", "003-2014", "--2014",
                      // Mixed separators, ISO with a separator ParseDate refuses.
                      "00-00/2014", "05/03-2014", "2014/03", "2014.03.05", "2014/00/00",
                      // Not a date at all.
                      "2014 03", "03 2014", "ca. 2014", "2014?", "eind 2014", "05-03-2014 00:00",
                      "+2014", "２０１４", "2O14",
                      std::string_view("20\0"
                                       "14",
                                       5),
                      "2014\x80", "'; DROP TABLE"));

TEST(ParsePartialDateTest, VeryLongInputIsRefusedWithAFixedMessage) {
  std::string huge(100000, '0');
  Result<PartialDate> d = ParsePartialDate(huge);
  ASSERT_FALSE(d.has_value());
  EXPECT_TRUE(kKnownMessages.contains(d.error().message));
  std::string dashes(100000, '-');
  EXPECT_FALSE(ParsePartialDate(dashes).has_value());
  std::string many = "01";
  for (int i = 0; i < 10000; ++i) many += "-01";
  EXPECT_FALSE(ParsePartialDate(many).has_value());
}

// Each truncation of accepted dates either parses to a valid PartialDate or
// fails with a fixed message; never anything else.
TEST(ParsePartialDateTest, EveryTruncationIsValidOrRefused) {
  for (std::string_view text :
       {"05-03-2014", "2014-03-05", "xx-xx-2014", "00-03-2014", "2014-03-00", "03/2014"}) {
    for (size_t n = 0; n <= text.size(); ++n) {
      Result<PartialDate> d = ParsePartialDate(text.substr(0, n));
      if (d) {
        EXPECT_TRUE(IsValidPartialDate(*d)) << text.substr(0, n);
      } else {
        EXPECT_TRUE(kKnownMessages.contains(d.error().message)) << d.error().message;
      }
    }
  }
}

TEST(PartialDateTest, Validity) {
  EXPECT_TRUE(IsValidPartialDate({2014, 0, 0}));
  EXPECT_TRUE(IsValidPartialDate({2014, 3, 0}));
  EXPECT_TRUE(IsValidPartialDate({2014, 3, 5}));
  EXPECT_TRUE(IsValidPartialDate({2012, 2, 29}));
  EXPECT_FALSE(IsValidPartialDate({2013, 2, 29}));
  EXPECT_FALSE(IsValidPartialDate({2014, 0, 5}));
  EXPECT_FALSE(IsValidPartialDate({2014, 13, 0}));
  EXPECT_FALSE(IsValidPartialDate({2014, -1, 0}));
  EXPECT_FALSE(IsValidPartialDate({2014, 3, -1}));
  EXPECT_FALSE(IsValidPartialDate({2014, 4, 31}));
  EXPECT_FALSE(IsValidPartialDate({1899, 0, 0}));
  EXPECT_FALSE(IsValidPartialDate({2101, 0, 0}));
  EXPECT_TRUE((PartialDate{2014, 3, 5}.full()));
  EXPECT_FALSE((PartialDate{2014, 3, 0}.full()));
  EXPECT_FALSE((PartialDate{2014, 0, 0}.full()));
  EXPECT_EQ(PartialDate::FromDate(Date{2014, 3, 5}), (PartialDate{2014, 3, 5}));
  EXPECT_EQ((PartialDate{2014, 3, 5}.date()), (Date{2014, 3, 5}));
}

TEST(PartialDateTest, Formats) {
  EXPECT_EQ(FormatPartialIso({2014, 3, 5}), "2014-03-05");
  EXPECT_EQ(FormatPartialIso({2014, 3, 0}), "2014-03");
  EXPECT_EQ(FormatPartialIso({2014, 0, 0}), "2014");
  EXPECT_EQ(FormatPartialIso({1900, 12, 31}), "1900-12-31");
  EXPECT_EQ(FormatPartialDutch({2014, 3, 5}), "05-03-2014");
  EXPECT_EQ(FormatPartialDutch({2014, 3, 0}), "03-2014");
  EXPECT_EQ(FormatPartialDutch({2014, 0, 0}), "2014");
  EXPECT_EQ(FormatPartialDutch({2100, 12, 31}), "31-12-2100");
}

// What we format, we parse back to the same value.
TEST(PartialDateTest, FormatsRoundTrip) {
  for (const PartialDate& d : {PartialDate{2014, 3, 5}, PartialDate{2014, 3, 0},
                               PartialDate{2014, 0, 0}, PartialDate{2012, 2, 29}}) {
    Result<PartialDate> iso = ParsePartialDate(FormatPartialIso(d));
    ASSERT_TRUE(iso.has_value()) << FormatPartialIso(d);
    EXPECT_EQ(*iso, d);
    Result<PartialDate> dutch = ParsePartialDate(FormatPartialDutch(d));
    ASSERT_TRUE(dutch.has_value()) << FormatPartialDutch(d);
    EXPECT_EQ(*dutch, d);
  }
}

struct SexCase {
  std::string_view text;
  Sex sex;
};

class ParseSexTest : public ::testing::TestWithParam<SexCase> {};

TEST_P(ParseSexTest, Parses) {
  Result<Sex> s = ParseSex(GetParam().text);
  ASSERT_TRUE(s.has_value()) << GetParam().text;
  EXPECT_EQ(*s, GetParam().sex);
}

INSTANTIATE_TEST_SUITE_P(
    EveryAcceptedWord, ParseSexTest,
    ::testing::Values(
        SexCase{"m", Sex::kMale}, SexCase{"M", Sex::kMale}, SexCase{"man", Sex::kMale},
        SexCase{"Man", Sex::kMale}, SexCase{"mannelijk", Sex::kMale},
        SexCase{"MANNELIJK", Sex::kMale}, SexCase{"jongen", Sex::kMale},
        SexCase{"male", Sex::kMale}, SexCase{"boy", Sex::kMale}, SexCase{" m\t", Sex::kMale},
        SexCase{"v", Sex::kFemale}, SexCase{"V", Sex::kFemale}, SexCase{"vrouw", Sex::kFemale},
        SexCase{"Vrouwelijk", Sex::kFemale}, SexCase{"meisje", Sex::kFemale},
        SexCase{"f", Sex::kFemale}, SexCase{"F", Sex::kFemale}, SexCase{"female", Sex::kFemale},
        SexCase{"Girl", Sex::kFemale}, SexCase{"V\r\n", Sex::kFemale}, SexCase{"x", Sex::kOther},
        SexCase{"X", Sex::kOther}, SexCase{"o", Sex::kOther}, SexCase{"O", Sex::kOther},
        SexCase{"overig", Sex::kOther}, SexCase{"Anders", Sex::kOther},
        SexCase{"other", Sex::kOther}, SexCase{"\xC2\xA0X\xC2\xA0", Sex::kOther}));

class BadSexTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(BadSexTest, IsRejectedWithoutEcho) {
  Result<Sex> s = ParseSex(GetParam());
  ASSERT_FALSE(s.has_value()) << GetParam();
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(kKnownMessages.contains(s.error().message)) << s.error().message;
}

INSTANTIATE_TEST_SUITE_P(Invalid, BadSexTest,
                         ::testing::Values("", " ", "mv", "mm", "ma", "mannen", "vrouwen", "w",
                                           "onbekend", "?", "-", "0", "1", "2", "jongen.", "m/v",
                                           "M V", "femal", "Männlich", "\xFF",
                                           std::string_view("m\0", 2), "xx"));

TEST(ParseSexTest, VeryLongInputIsRefusedWithAFixedMessage) {
  std::string huge(100000, 'm');
  Result<Sex> s = ParseSex(huge);
  ASSERT_FALSE(s.has_value());
  EXPECT_TRUE(kKnownMessages.contains(s.error().message));
}

TEST(SexTest, Codes) {
  EXPECT_EQ(SexCode(Sex::kMale), "M");
  EXPECT_EQ(SexCode(Sex::kFemale), "V");
  EXPECT_EQ(SexCode(Sex::kOther), "X");
  for (Sex sex : {Sex::kMale, Sex::kFemale, Sex::kOther}) {
    Result<Sex> back = ParseSex(SexCode(sex));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, sex);
  }
}

TEST(PersonNameTest, EmptyIffNoPart) {
  EXPECT_TRUE(PersonName{}.empty());
  PersonName n;
  n.initials = "J.";
  EXPECT_FALSE(n.empty());
  PersonName f;
  f.full_name = "";
  EXPECT_FALSE(f.empty());  // present, though empty: the caller trims and omits
}

}  // namespace
}  // namespace inbeeld::schema
