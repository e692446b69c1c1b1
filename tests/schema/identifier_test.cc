#include "schema/identifier.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <string_view>

namespace inbeeld::schema {
namespace {

struct ValidCase {
  std::string_view text;
  std::string_view digits;
  IdentifierType type;
};

class ValidIdentifierTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidIdentifierTest, ParsesToNineDigitsAndType) {
  const ValidCase& c = GetParam();
  Result<Identifier> id = Identifier::Parse(c.text);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->digits(), c.digits);
  EXPECT_EQ(id->type(), c.type);
}

INSTANTIATE_TEST_SUITE_P(Facts, ValidIdentifierTest,
                         ::testing::Values(
                             // The design brief's facts.
                             ValidCase{"123456782", "123456782", IdentifierType::kBsn},
                             ValidCase{"111222333", "111222333", IdentifierType::kBsn},
                             ValidCase{"101222331", "101222331", IdentifierType::kOnderwijsnummer},
                             // Starts with 10 but its sum is ≡ 0: a BSN, not an onderwijsnummer.
                             ValidCase{"100252333", "100252333", IdentifierType::kBsn},
                             // Normalisation of what spreadsheets and people produce.
                             ValidCase{" 1234.56.782 ", "123456782", IdentifierType::kBsn},
                             ValidCase{"123-456-782", "123456782", IdentifierType::kBsn},
                             ValidCase{"123 456 782", "123456782", IdentifierType::kBsn},
                             ValidCase{"\t123456782\t", "123456782", IdentifierType::kBsn},
                             ValidCase{"123456782\r\n", "123456782", IdentifierType::kBsn},
                             ValidCase{"\xC2\xA0"
                                       "123456782\xC2\xA0",
                                       "123456782", IdentifierType::kBsn},
                             ValidCase{"123\xC2\xA0"
                                       "456\xC2\xA0"
                                       "782",
                                       "123456782", IdentifierType::kBsn},
                             ValidCase{"1012.22.331", "101222331",
                                       IdentifierType::kOnderwijsnummer},
                             // A spreadsheet dropped the leading zero: padded back.
                             ValidCase{"12345672", "012345672", IdentifierType::kBsn},
                             ValidCase{"1234.5672", "012345672", IdentifierType::kBsn},
                             ValidCase{"012345672", "012345672", IdentifierType::kBsn}));

// Every message Parse may return. Fixed strings: nothing of the input can be in
// them.
const std::set<std::string> kKnownMessages = {
    "is empty",
    "not 8 or 9 digits",
    "contains a character other than digits, spaces, dots or dashes",
    "is all zeros",
    "fails the BSN and onderwijsnummer check (11-proof)",
};

struct InvalidCase {
  std::string_view text;
  std::string_view message;
};

class InvalidIdentifierTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidIdentifierTest, FailsWithoutEchoingTheInput) {
  const InvalidCase& c = GetParam();
  Result<Identifier> id = Identifier::Parse(c.text);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(id.error().message, c.message);
  EXPECT_TRUE(kKnownMessages.contains(id.error().message));
  // No run of three digits from the input appears in the message.
  std::string digits;
  for (char ch : c.text) {
    if (ch >= '0' && ch <= '9') digits.push_back(ch);
  }
  for (size_t i = 0; i + 3 <= digits.size(); ++i) {
    EXPECT_EQ(id.error().message.find(digits.substr(i, 3)), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Facts, InvalidIdentifierTest,
    ::testing::Values(
        InvalidCase{"111252333", "fails the BSN and onderwijsnummer check (11-proof)"},
        InvalidCase{"101222332", "fails the BSN and onderwijsnummer check (11-proof)"},
        InvalidCase{"123456789", "fails the BSN and onderwijsnummer check (11-proof)"},
        // 8 digits padded, then checked: 012345678 fails.
        InvalidCase{"12345678", "fails the BSN and onderwijsnummer check (11-proof)"},
        // Sum of 000000009 is −9: a naive % would say −9, never 0 or 5.
        InvalidCase{"000000009", "fails the BSN and onderwijsnummer check (11-proof)"},
        InvalidCase{"", "is empty"}, InvalidCase{"   \t ", "is empty"},
        InvalidCase{"\xC2\xA0", "is empty"}, InvalidCase{"000000000", "is all zeros"},
        InvalidCase{"00000000", "is all zeros"}, InvalidCase{"0000.000.00", "is all zeros"},
        InvalidCase{"1234567", "not 8 or 9 digits"}, InvalidCase{"1234567820", "not 8 or 9 digits"},
        InvalidCase{"123456782123456782", "not 8 or 9 digits"},
        InvalidCase{"...", "not 8 or 9 digits"},
        InvalidCase{"12345678a", "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{"BSN123456782",
                    "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{"+31123456782",
                    "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{"1.23457E+08",
                    "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{"123/456/782",
                    "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{"123,456,782",
                    "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{std::string_view("1234\0"
                                     "56782",
                                     10),
                    "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{"\xEF\xBC\x91"
                    "23456782",  // fullwidth digit one
                    "contains a character other than digits, spaces, dots or dashes"},
        InvalidCase{"\xC2", "contains a character other than digits, spaces, dots or dashes"}));

TEST(IdentifierTest, TypeNames) {
  EXPECT_EQ(IdentifierTypeName(IdentifierType::kBsn), "bsn");
  EXPECT_EQ(IdentifierTypeName(IdentifierType::kOnderwijsnummer), "onderwijsnummer");
}

TEST(IdentifierTest, EqualityAndOrderFollowTheDigits) {
  Identifier a = *Identifier::Parse("111222333");
  Identifier b = *Identifier::Parse("123456782");
  Identifier a2 = *Identifier::Parse("111.222.333");
  EXPECT_EQ(a, a2);
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  EXPECT_LT(*Identifier::Parse("12345672"), a);  // 012345672
}

TEST(IdentifierTest, HelpersTakeExactlyNineDigits) {
  EXPECT_TRUE(IsValidBsn("123456782"));
  EXPECT_TRUE(IsValidBsn("100252333"));
  EXPECT_FALSE(IsValidBsn("111252333"));
  EXPECT_FALSE(IsValidBsn("000000000"));
  EXPECT_FALSE(IsValidBsn(" 123456782"));
  EXPECT_FALSE(IsValidBsn("12345678"));
  EXPECT_FALSE(IsValidBsn("101222331"));
  EXPECT_TRUE(IsValidOnderwijsnummer("101222331"));
  EXPECT_FALSE(IsValidOnderwijsnummer("101222332"));
  EXPECT_FALSE(IsValidOnderwijsnummer("100252333"));
  EXPECT_FALSE(IsValidOnderwijsnummer("1012223310"));
}

// Over a whole block of numbers starting with 10, Parse agrees with the
// helpers, the two rules never both hold, and about 1 in 11 passes each.
TEST(IdentifierTest, ParseAgreesWithHelpersOverARange) {
  size_t bsn = 0;
  size_t onderwijsnummer = 0;
  for (uint32_t v = 100'000'000; v < 100'200'000; ++v) {
    std::string digits = std::to_string(v);
    bool is_bsn = IsValidBsn(digits);
    bool is_onr = IsValidOnderwijsnummer(digits);
    ASSERT_FALSE(is_bsn && is_onr);
    Result<Identifier> id = Identifier::Parse(digits);
    ASSERT_EQ(id.has_value(), is_bsn || is_onr) << v;
    if (id) {
      EXPECT_EQ(id->type(), is_bsn ? IdentifierType::kBsn : IdentifierType::kOnderwijsnummer);
    }
    bsn += is_bsn;
    onderwijsnummer += is_onr;
  }
  EXPECT_NEAR(static_cast<double>(bsn) / 200'000, 1.0 / 11, 0.002);
  EXPECT_NEAR(static_cast<double>(onderwijsnummer) / 200'000, 1.0 / 11, 0.002);
}

TEST(IdentifierTest, RandomInvalidInputsNeverEchoDigits) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20'000; ++i) {
    std::string text;
    size_t len = rng() % 14;
    for (size_t j = 0; j < len; ++j) {
      const char kAlphabet[] = "0123456789 .-xA\t";
      text.push_back(kAlphabet[rng() % (sizeof(kAlphabet) - 1)]);
    }
    Result<Identifier> id = Identifier::Parse(text);
    if (id) continue;
    ASSERT_TRUE(kKnownMessages.contains(id.error().message)) << id.error().message;
  }
}

}  // namespace
}  // namespace inbeeld::schema
