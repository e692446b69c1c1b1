// The column mapping (schema/list_fields.h, ParseOptions::mapping) and the
// Dutch problem messages (ImportProblem::melding, schema/import_messages.h).
#include "schema/list_fields.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "schema/csv_import.h"
#include "schema/identifier.h"
#include "schema/import_messages.h"

namespace inbeeld::schema {
namespace {

std::string Describe(const ParsedList& list) {
  std::string out;
  for (const ImportProblem& p : list.problems) {
    out += std::to_string(p.line) + " [" + p.column + "] " + p.message + "\n";
  }
  return out;
}

TEST(ListFieldsTest, NamesAreTheCanonicalColumnsInOrder) {
  std::vector<std::string> names;
  for (const ListFieldInfo& f : ListFields()) {
    names.emplace_back(f.name);
    EXPECT_FALSE(f.label.empty());
    EXPECT_EQ(ParseListField(f.name).value(), f.field);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"bsn", "categorie", "sinds", "brin", "plan", "referentie",
                                      "voornamen", "roepnaam", "voorletters", "tussenvoegsel",
                                      "achternaam", "naam", "geboortedatum", "geslacht"}));
  size_t required = 0;
  for (const ListFieldInfo& f : ListFields()) required += f.required;
  EXPECT_EQ(required, 5u);
  EXPECT_FALSE(ParseListField("Geboortedatum"));
  EXPECT_FALSE(ParseListField("klas"));
}

TEST(ListFieldsTest, ProposeMappingFollowsTheAliases) {
  std::vector<std::string> header = {"Geb. datum", "Klas", "BSN", "Eigen kenmerk"};
  ColumnMapping proposed = ProposeMapping(header);
  EXPECT_EQ(proposed.at("Geb. datum"), ListField::kBirthDate);
  EXPECT_EQ(proposed.at("Klas"), std::nullopt);
  EXPECT_EQ(proposed.at("BSN"), ListField::kIdentifier);
  EXPECT_EQ(proposed.at("Eigen kenmerk"), ListField::kOwnReference);
}

// A school system's own names: none of them an alias.
constexpr std::string_view kOwnNames =
    "Leerling;Soort;Per;Vestiging;Traject;Dossier;Klas;Geboren\n"
    "Emma de Vries;dreigend;01-02-2026;12AB;ja;D-1;3B;05-03-2014\n";

ParseOptions OwnNamesMapping() {
  ParseOptions options;
  options.mapping = {{"Leerling", ListField::kFullName},
                     {"Soort", ListField::kCategory},
                     {"Per", ListField::kSince},
                     {"Vestiging", ListField::kSchool},
                     {"Traject", ListField::kPlan},
                     {"Dossier", ListField::kOwnReference},
                     {"Klas", std::nullopt},
                     {"geboren", ListField::kBirthDate}};
  return options;
}

TEST(ColumnMappingTest, ExplicitMappingReadsAFileWithItsOwnNames) {
  ParsedList without = ParseListCsv(kOwnNames);
  EXPECT_FALSE(without.ok());
  ParsedList list = ParseListCsv(kOwnNames, OwnNamesMapping());
  ASSERT_TRUE(list.ok()) << Describe(list);
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0].name.full_name, "Emma de Vries");
  EXPECT_EQ(list.rows[0].own_reference, "D-1");
  EXPECT_EQ(list.rows[0].birth_date, (PartialDate{2014, 3, 5}));  // "geboren" matched "Geboren"
}

TEST(ColumnMappingTest, ExplicitChoiceOverridesTheGuess) {
  // "Datum" would be guessed as sinds; the operator says it is the birth date.
  const std::string csv =
      "naam;categorie;Ingang;brin;plan;referentie;Datum\n"
      "Emma de Vries;dreigend;01-02-2026;12AB;ja;R1;05-03-2014\n";
  ParseOptions options;
  options.mapping = {{"Datum", ListField::kBirthDate}, {"Ingang", ListField::kSince}};
  ParsedList list = ParseListCsv(csv, options);
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.rows[0].since, (Date{2026, 2, 1}));
  EXPECT_EQ(list.rows[0].birth_date, (PartialDate{2014, 3, 5}));
}

TEST(ColumnMappingTest, AColumnMappedToNothingIsNotRead) {
  // The naam column holds rubbish; mapped to nothing it is never looked at.
  const std::string csv =
      "bsn;categorie;sinds;brin;plan;referentie;naam\n"
      "123456782;dreigend;01-02-2026;12AB;ja;R1;\x01\x02\n";
  ParseOptions options;
  options.mapping = {{"naam", std::nullopt}};
  ParsedList list = ParseListCsv(csv, options);
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.rows[0].name.full_name, std::nullopt);
}

TEST(ColumnMappingTest, TwoColumnsForOneFieldNameBoth) {
  const std::string csv =
      "bsn;categorie;sinds;brin;plan;referentie;Kenmerk school\n"
      "123456782;dreigend;01-02-2026;12AB;ja;R1;K1\n";
  ParseOptions options;
  options.mapping = {{"Kenmerk school", ListField::kOwnReference}};
  ParsedList list = ParseListCsv(csv, options);
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 1u);
  EXPECT_EQ(list.problems[0].column, "Kenmerk school");
  EXPECT_EQ(list.problems[0].message,
            "names the same field (referentie) as column 6; keep one of them");
  EXPECT_NE(list.problems[0].melding.find("kolom 6"), std::string::npos);
  EXPECT_TRUE(list.rows.empty());
}

TEST(ColumnMappingTest, AMappingForAColumnTheFileLacksIsAProblem) {
  ParseOptions options = OwnNamesMapping();
  options.mapping.emplace("Geslacht leerling", ListField::kSex);
  ParsedList list = ParseListCsv(kOwnNames, options);
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].column, "Geslacht leerling");
}

TEST(ColumnMappingTest, ANodeWithoutPgnRefusesAColumnMappedToBsn) {
  const std::string csv =
      "Nummer;categorie;sinds;brin;plan;referentie;naam;geboortedatum\n"
      "123456782;dreigend;01-02-2026;12AB;ja;R1;Emma de Vries;05-03-2014\n";
  ParseOptions options{.allow_identifier = false};
  EXPECT_TRUE(ParseListCsv(csv, options).ok());  // "Nummer" is no alias: ignored
  options.mapping = {{"Nummer", ListField::kIdentifier}};
  ParsedList list = ParseListCsv(csv, options);
  EXPECT_TRUE(list.identifier_refused);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].column, "Nummer");
  EXPECT_NE(list.problems[0].melding.find("mag geen BSN"), std::string::npos);
}

TEST(ColumnMappingTest, ANodeWithoutPgnRefusesABsnColumnMappedElsewhere) {
  const std::string csv =
      "BSN;categorie;sinds;brin;plan;Ref;naam;geboortedatum\n"
      "123456782;dreigend;01-02-2026;12AB;ja;R1;Emma de Vries;05-03-2014\n";
  ParseOptions options{.allow_identifier = false};
  options.mapping = {{"BSN", ListField::kOwnReference}, {"Ref", std::nullopt}};
  EXPECT_TRUE(ParseListCsv(csv, options).identifier_refused);
  // Mapped to nothing, its cells are never read, and the rest imports.
  options.mapping = {{"BSN", std::nullopt}, {"Ref", ListField::kOwnReference}};
  ParsedList ignored = ParseListCsv(csv, options);
  ASSERT_TRUE(ignored.ok()) << Describe(ignored);
  EXPECT_FALSE(ignored.rows[0].identifier.has_value());
}

TEST(ColumnMappingTest, ANodeWithoutPgnRefusesBsnsMappedToTheReference) {
  // The mapping screen's one-click mistake: the BSN column "Nummer" sent to
  // referentie, the real reference column to nothing.
  std::string bsn;
  for (uint32_t n = 222333444; bsn.empty(); ++n) {
    if (IsValidBsn(std::to_string(n))) bsn = std::to_string(n);
  }
  const std::string csv =
      "Nummer;categorie;sinds;brin;plan;Dossier;naam;geboortedatum\n"
      "D-7;dreigend;01-02-2026;12AB;ja;D-7;Emma de Vries;05-03-2014\n" +
      bsn + ";dreigend;01-02-2026;12AB;ja;D-8;Sem de Vries;05-03-2015\n";
  ParseOptions options{.allow_identifier = false};
  options.mapping = {{"Nummer", ListField::kOwnReference}, {"Dossier", std::nullopt}};
  ParsedList list = ParseListCsv(csv, options);
  EXPECT_TRUE(list.identifier_refused);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 3u);
  EXPECT_EQ(list.problems[0].column, "Nummer");
  EXPECT_NE(list.problems[0].melding.find("lijkt een BSN of onderwijsnummer"), std::string::npos);
  for (const ImportProblem& p : list.problems) {
    EXPECT_EQ(p.message.find(bsn), std::string::npos) << p.message;
    EXPECT_EQ(p.melding.find(bsn), std::string::npos) << p.melding;
  }
  // Mapped as it should be, the file imports; so it does where a PGN may be held.
  options.mapping = {{"Nummer", std::nullopt}, {"Dossier", ListField::kOwnReference}};
  ParsedList fixed = ParseListCsv(csv, options);
  ASSERT_TRUE(fixed.ok()) << Describe(fixed);
  EXPECT_EQ(fixed.rows.size(), 2u);
  options = ParseOptions{.mapping = {{"Nummer", ListField::kOwnReference}, {"Dossier", std::nullopt}}};
  ParsedList held = ParseListCsv(csv, options);
  ASSERT_TRUE(held.ok()) << Describe(held);
  EXPECT_EQ(held.rows.at(1).own_reference, bsn);
}

// Every kind of problem the parser makes, each with a BSN-like value planted
// in the broken cell: every problem has a Dutch melding that is not the
// general fallback, and neither text holds the value.
TEST(DutchMessagesTest, EveryProblemHasADutchMeldingWithoutTheValue) {
  const std::string secret = "987654321";  // not 11-proof: a broken BSN
  const std::string csv =
      "bsn;categorie;sinds;brin;plan;referentie;voornamen;achternaam;geboortedatum;geslacht\n" +
      // 2: identifier 11-proof, category, since shape, BRIN, plan, sex
      secret + ";" + secret + ";" + secret + ";" + secret + ";" + secret + ";R2;;Berg;2014;" +
      secret + "\n" +
      // 3: identifier not 8 or 9 digits, since day, reference too long, birth date shape
      "1" + secret + ";dreigend;31-02-2026;12AB;ja;" + std::string(65, 'x') + ";;Berg;" + secret +
      ";\n" +
      // 4: identifier characters, year, control character, birth month, no reference
      "9876x4321;dreigend;01-01-1800;12AB;ja;;\x01;Berg;13-2014;\n" +
      // 5: all zeros; day without month; name too long
      "000000000;dreigend;01-01-2026;12AB;ja;R5;" + std::string(201, 'n') + ";Berg;05-00-2014;\n" +
      // 6, 7: duplicate identifier; 8: cannot be matched; 9: too few fields
      "123456782;dreigend;01-01-2026;12AB;ja;R6;;;;\n"
      "123456782;dreigend;01-01-2026;12AB;ja;R7;;;;\n"
      ";dreigend;01-01-2026;12AB;ja;R8;;;;\n"
      ";dreigend\n"
      // 10, 11: the same child without a PGN twice; 12: empty category, month
      ";dreigend;01-01-2026;12AB;ja;R10;Emma;Berg;05-03-2014;\n"
      ";dreigend;01-01-2026;12AB;ja;R11;Emma;Berg;05-03-2014;\n"
      "123456782;;01-13-2026;12AB;ja;R12;;;;\n"
      // 13: an unclosed quote
      "\"" +
      secret + ";dreigend\n";
  ParsedList list = ParseListCsv(csv);
  ASSERT_GE(list.problems.size(), 25u) << Describe(list);
  std::set<std::string> messages;
  for (const ImportProblem& p : list.problems) {
    messages.insert(p.message);
    EXPECT_FALSE(p.melding.empty()) << p.message;
    bool translated = true;
    (void)DutchFieldMessage(p.message, &translated);
    EXPECT_NE(p.melding, DutchFieldMessage("no such text")) << p.message;
    EXPECT_EQ(p.message.find(secret), std::string::npos) << p.message;
    EXPECT_EQ(p.melding.find(secret), std::string::npos) << p.melding;
  }
  // The kinds above, each at least once.
  for (const char* part : {"11-proof",
                           "unknown category",
                           "expected a date",
                           "BRIN",
                           "ja or nee",
                           "sex",
                           "not 8 or 9",
                           "day does not exist",
                           "longer than 64",
                           "birth date like",
                           "other than digits",
                           "year is outside",
                           "control character",
                           "month is not",
                           "own reference",
                           "all zeros",
                           "day is given",
                           "longer than 200",
                           "duplicate identifier",
                           "cannot be matched",
                           "fields but the header",
                           "duplicate child",
                           "is empty",
                           "never closed"}) {
    bool found = false;
    for (const std::string& m : messages) found = found || m.find(part) != std::string::npos;
    EXPECT_TRUE(found) << part << "\n" << Describe(list);
  }
}

TEST(DutchMessagesTest, HeaderAndFileProblemsHaveDutchToo) {
  for (std::string_view csv : {std::string_view(""),
                               std::string_view("\xFF\xFE"
                                                "a"),
                               std::string_view("\"a;b\n"), std::string_view("naam\nx\n"),
                               std::string_view("bsn;bsn;categorie\n")}) {
    ParsedList list = ParseListCsv(csv);
    ASSERT_FALSE(list.problems.empty());
    for (const ImportProblem& p : list.problems) EXPECT_FALSE(p.melding.empty()) << p.message;
  }
  ParsedList refused = ParseListCsv("bsn;categorie\n", ParseOptions{.allow_identifier = false});
  EXPECT_FALSE(refused.problems.at(0).melding.empty());
}

}  // namespace
}  // namespace inbeeld::schema
