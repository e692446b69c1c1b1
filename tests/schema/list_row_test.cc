#include "schema/list_row.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

namespace inbeeld::schema {
namespace {

constexpr Category kAll[] = {Category::kRelatiefVerzuim, Category::kAbsoluutVerzuim,
                             Category::kVrijstelling5a, Category::kDreigend};

TEST(CategoryTest, NamesAndLabels) {
  EXPECT_EQ(CategoryName(Category::kRelatiefVerzuim), "relatief_verzuim");
  EXPECT_EQ(CategoryName(Category::kAbsoluutVerzuim), "absoluut_verzuim");
  EXPECT_EQ(CategoryName(Category::kVrijstelling5a), "vrijstelling_5a");
  EXPECT_EQ(CategoryName(Category::kDreigend), "dreigend");
  EXPECT_EQ(CategoryLabel(Category::kRelatiefVerzuim), "relatief verzuim");
  EXPECT_EQ(CategoryLabel(Category::kAbsoluutVerzuim), "absoluut verzuim");
  EXPECT_EQ(CategoryLabel(Category::kVrijstelling5a), "vrijstelling 5 onder a");
  EXPECT_EQ(CategoryLabel(Category::kDreigend), "dreigend thuiszitter");
}

TEST(CategoryTest, NamesAndLabelsParseBack) {
  for (Category c : kAll) {
    EXPECT_EQ(*ParseCategory(CategoryName(c)), c);
    EXPECT_EQ(*ParseCategory(CategoryLabel(c)), c);
  }
}

class ParseCategoryTest : public ::testing::TestWithParam<std::pair<std::string_view, Category>> {};

TEST_P(ParseCategoryTest, Accepts) {
  Result<Category> c = ParseCategory(GetParam().first);
  ASSERT_TRUE(c.has_value()) << GetParam().first;
  EXPECT_EQ(*c, GetParam().second);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, ParseCategoryTest,
    ::testing::Values(std::pair{"relatief verzuim", Category::kRelatiefVerzuim},
                      std::pair{"Relatief Verzuim", Category::kRelatiefVerzuim},
                      std::pair{"  LANGDURIG RELATIEF VERZUIM ", Category::kRelatiefVerzuim},
                      std::pair{"relatief-verzuim", Category::kRelatiefVerzuim},
                      std::pair{"Relative absence", Category::kRelatiefVerzuim},
                      std::pair{"absoluut verzuim", Category::kAbsoluutVerzuim},
                      std::pair{"ABSOLUUT_VERZUIM", Category::kAbsoluutVerzuim},
                      std::pair{"absolute absence", Category::kAbsoluutVerzuim},
                      std::pair{"vrijstelling 5a", Category::kVrijstelling5a},
                      std::pair{"Vrijstelling 5 onder a", Category::kVrijstelling5a},
                      std::pair{"vrijstelling art. 5a", Category::kVrijstelling5a},
                      std::pair{"5a", Category::kVrijstelling5a},
                      std::pair{"5A", Category::kVrijstelling5a},
                      std::pair{"5 onder a", Category::kVrijstelling5a},
                      std::pair{"exemption 5a", Category::kVrijstelling5a},
                      std::pair{"dreigend", Category::kDreigend},
                      std::pair{"Dreigend thuiszitter", Category::kDreigend},
                      std::pair{"at risk", Category::kDreigend},
                      std::pair{"At-Risk", Category::kDreigend}));

TEST(CategoryTest, RejectsOthersWithoutEcho) {
  for (std::string_view text :
       {"", "  ", "verzuim", "5b", "vrijstelling 5b", "thuiszitter", "123456782",
        "relatief verzuim!", "a very long text that is longer than any accepted category"}) {
    Result<Category> c = ParseCategory(text);
    ASSERT_FALSE(c.has_value()) << text;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
    // One fixed text for every unknown value: nothing of the input in it.
    if (!text.empty() && text != "  ") {
      EXPECT_EQ(c.error().message, ParseCategory("?").error().message);
    }
  }
  EXPECT_EQ(ParseCategory("123456782").error().message.find("123"), std::string::npos);
}

TEST(BrinTest, AcceptsAndNormalises) {
  EXPECT_EQ(*ParseBrin("12AB"), "12AB");
  EXPECT_EQ(*ParseBrin(" 12ab "), "12AB");
  EXPECT_EQ(*ParseBrin("12aB01"), "12AB01");
  EXPECT_EQ(*ParseBrin("12AB 01"), "12AB01");
  EXPECT_EQ(*ParseBrin("\t00zz99\t"), "00ZZ99");
}

TEST(BrinTest, RejectsWithoutEcho) {
  for (std::string_view text : {"", " ", "12A", "1AB2", "AB12", "12ABC", "12AB1", "12AB012",
                                "12AB0A", "123456782", "12ÄB", "12-AB", "12AB\n"}) {
    Result<std::string> b = ParseBrin(text);
    ASSERT_FALSE(b.has_value()) << text;
    EXPECT_EQ(b.error().code, ErrorCode::kInvalidArgument);
    if (!text.empty() && text != " ") {
      EXPECT_EQ(b.error().message, ParseBrin("?").error().message);
    }
  }
  EXPECT_EQ(ParseBrin("123456782").error().message.find("123"), std::string::npos);
}

TEST(YesNoTest, AcceptsDutchAndEnglish) {
  for (std::string_view yes :
       {"ja", "JA", "j", "J", "yes", "Yes", "y", "true", "TRUE", "1", "waar", "Waar", " ja "}) {
    Result<bool> b = ParseYesNo(yes);
    ASSERT_TRUE(b.has_value()) << yes;
    EXPECT_TRUE(*b) << yes;
  }
  for (std::string_view no :
       {"nee", "NEE", "n", "N", "no", "No", "false", "False", "0", "onwaar", "ONWAAR", "\tnee\t"}) {
    Result<bool> b = ParseYesNo(no);
    ASSERT_TRUE(b.has_value()) << no;
    EXPECT_FALSE(*b) << no;
  }
}

TEST(YesNoTest, RejectsOthers) {
  for (std::string_view text :
       {"", "maybe", "misschien", "2", "jaa", "ne", "x", "-", "neeeeeeeeeeeeeeeeee", "123456782"}) {
    Result<bool> b = ParseYesNo(text);
    ASSERT_FALSE(b.has_value()) << text;
    if (!text.empty()) {
      EXPECT_EQ(b.error().message, ParseYesNo("?").error().message);
    }
  }
}

ListRow Labels() {
  return ListRow{.category = Category::kDreigend,
                 .since = Date{2026, 1, 1},
                 .school_brin = "12AB",
                 .plan_in_place = true,
                 .own_reference = "LPH-000001"};
}

TEST(ListRowTest, CompareByValue) {
  ListRow a = Labels();
  a.identifier = *Identifier::Parse("123456782");
  ListRow b = a;
  EXPECT_EQ(a, b);
  b.name.full_name = "Zoë de Vries";
  EXPECT_NE(a, b);
  b = a;
  b.name.roepnaam = "Zoë";
  EXPECT_NE(a, b);
  b = a;
  b.birth_date = PartialDate{2014, 0, 0};
  EXPECT_NE(a, b);
  b = a;
  b.sex = Sex::kFemale;
  EXPECT_NE(a, b);
  b = a;
  b.identifier.reset();
  EXPECT_NE(a, b);
}

TEST(ListRowTest, APgnAloneIdentifiesAChild) {
  ListRow row = Labels();
  EXPECT_FALSE(IdentifiesChild(row));
  row.identifier = *Identifier::Parse("101222331");  // an onderwijsnummer counts too
  EXPECT_TRUE(IdentifiesChild(row));
}

TEST(ListRowTest, WithoutAPgnASurnameOrFullNameAndABirthYearAreNeeded) {
  const PartialDate year_only{2014, 0, 0};
  const PartialDate full{2014, 3, 5};

  ListRow row = Labels();
  row.name.surname = "Visser";
  EXPECT_FALSE(IdentifiesChild(row)) << "no birth date";
  row.birth_date = year_only;
  EXPECT_TRUE(IdentifiesChild(row));
  row.birth_date = full;
  EXPECT_TRUE(IdentifiesChild(row));

  row = Labels();
  row.name.full_name = "Visser, Sem";
  row.birth_date = year_only;
  EXPECT_TRUE(IdentifiesChild(row));

  // Given names, initials or a prefix are not a surname.
  row = Labels();
  row.name.first_names = "Sem Jan";
  row.name.roepnaam = "Sem";
  row.name.initials = "S.J.";
  row.name.prefix = "van";
  row.birth_date = full;
  EXPECT_FALSE(IdentifiesChild(row));

  // An empty surname is no surname; an invalid birth date is no birth date.
  row = Labels();
  row.name.surname = "";
  row.birth_date = full;
  EXPECT_FALSE(IdentifiesChild(row));
  row.name.surname = "Visser";
  row.birth_date = PartialDate{2014, 0, 5};  // a day without a month
  EXPECT_FALSE(IdentifiesChild(row));
  row.birth_date = PartialDate{2014, 2, 30};
  EXPECT_FALSE(IdentifiesChild(row));
}

}  // namespace
}  // namespace inbeeld::schema
