#include "schema/csv_import.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "schema/identifier.h"
#include "schema/synthetic.h"

namespace inbeeld::schema {
namespace {

constexpr std::string_view kHeader = "bsn;categorie;sinds;brin;plan;referentie;naam;geboortedatum";
constexpr std::string_view kCheckMessage = "fails the BSN and onderwijsnummer check (11-proof)";

std::optional<PartialDate> Born(int year, int month, int day) {
  return PartialDate{year, month, day};
}

std::string ReadFixture(std::string_view name) {
  std::string path = std::string(INBEELD_TESTDATA_DIR) + "/csv/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Join(const std::vector<std::string>& lines, std::string_view eol = "\n") {
  std::string out;
  for (const std::string& line : lines) {
    out += line;
    out += eol;
  }
  return out;
}

std::string Describe(const ParsedList& list) {
  std::ostringstream out;
  for (const ImportProblem& p : list.problems) {
    out << "  line " << p.line << " [" << p.column << "] " << p.message << "\n";
  }
  return out.str();
}

// No problem may carry any of `secrets` (identifiers, names, birth dates from
// the input), nor any run of 8 or more digits.
void ExpectNoLeak(const ParsedList& list, const std::vector<std::string>& secrets) {
  for (const ImportProblem& p : list.problems) {
    for (const std::string& secret : secrets) {
      EXPECT_EQ(p.message.find(secret), std::string::npos) << p.message;
      EXPECT_EQ(p.column.find(secret), std::string::npos) << p.column;
    }
    size_t run = 0;
    for (char c : p.message + " " + p.column) {
      run = (c >= '0' && c <= '9') ? run + 1 : 0;
      EXPECT_LT(run, 8u) << p.message;
    }
  }
}

// ---------------------------------------------------------------------------
// Fixtures as operators produce them.

TEST(CsvImportTest, DutchExcelExportWithBom) {
  ParsedList list = ParseListCsv(ReadFixture("dutch_excel_bom.csv"));
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.encoding, "utf-8-bom");
  EXPECT_EQ(list.delimiter, ';');
  ASSERT_EQ(list.rows.size(), 4u);

  const ListRow& first = list.rows[0];
  EXPECT_EQ(first.identifier->digits(), "939909169");  // was 939.909.169
  EXPECT_EQ(first.category, Category::kRelatiefVerzuim);
  EXPECT_EQ(first.since, (Date{2026, 1, 31}));
  EXPECT_EQ(first.school_brin, "12AB");
  EXPECT_TRUE(first.plan_in_place);
  EXPECT_EQ(first.own_reference, "LPH-000001");
  EXPECT_EQ(first.name.full_name, "Daan de Jong");
  EXPECT_EQ(first.birth_date, Born(2013, 3, 14));

  const ListRow& second = list.rows[1];
  EXPECT_EQ(second.identifier->digits(), "244935348");  // was " 244935348 "
  EXPECT_EQ(second.category, Category::kAbsoluutVerzuim);
  EXPECT_EQ(second.since, (Date{2026, 2, 1}));
  EXPECT_EQ(second.school_brin, "12AB01");
  EXPECT_FALSE(second.plan_in_place);
  EXPECT_EQ(second.name.full_name, std::nullopt);
  EXPECT_EQ(second.birth_date, std::nullopt);

  EXPECT_EQ(list.rows[2].identifier->digits(), "204505331");  // was 204-505-331
  EXPECT_EQ(list.rows[2].name.full_name, "Zoë Öztürk");
  EXPECT_EQ(list.rows[2].since, (Date{2026, 1, 5}));
  EXPECT_EQ(list.rows[3].identifier->type(), IdentifierType::kOnderwijsnummer);
  EXPECT_EQ(list.rows[3].category, Category::kVrijstelling5a);
  EXPECT_EQ(list.rows[3].since, (Date{2025, 12, 15}));
  EXPECT_EQ(list.rows[3].name.full_name, "Bakker, Sem");
  EXPECT_EQ(list.rows[3].birth_date, Born(2010, 1, 1));
}

TEST(CsvImportTest, EnglishHeadersCommasAndQuotes) {
  ParsedList list = ParseListCsv(ReadFixture("english_comma.csv"));
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.encoding, "utf-8");
  EXPECT_EQ(list.delimiter, ',');
  ASSERT_EQ(list.rows.size(), 4u);
  EXPECT_EQ(list.rows[0].own_reference, "REF-1, team A");
  EXPECT_EQ(list.rows[0].birth_date, Born(2012, 2, 29));
  EXPECT_EQ(list.rows[1].name.full_name, "Noël \"Nono\" Smit");
  EXPECT_EQ(list.rows[1].category, Category::kAbsoluutVerzuim);
  EXPECT_EQ(list.rows[2].category, Category::kVrijstelling5a);
  EXPECT_TRUE(list.rows[2].plan_in_place);
  EXPECT_EQ(list.rows[3].category, Category::kDreigend);
  EXPECT_EQ(list.rows[3].school_brin, "90IJ01");
  EXPECT_EQ(list.rows[3].identifier->type(), IdentifierType::kOnderwijsnummer);
}

TEST(CsvImportTest, Windows1252IsConvertedToUtf8) {
  std::string bytes = ReadFixture("windows1252.csv");
  ASSERT_NE(bytes.find('\xEB'), std::string::npos);  // the fixture holds a raw ë
  ParsedList list = ParseListCsv(bytes);
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.encoding, "windows-1252");
  ASSERT_EQ(list.rows.size(), 2u);
  EXPECT_EQ(list.rows[0].name.full_name, "Chlo\xC3\xAB Jansen");
  EXPECT_EQ(list.rows[1].name.full_name, "In\xC3\xA9s Visser");
}

TEST(CsvImportTest, Windows1252HighTable) {
  std::string text = std::string(kHeader) + "\n123456782;dreigend;01-01-2026;12AB;ja;R1;" +
                     "\x80\x93x\x94\x85\x8A\x9F\xA0\xE9\xFF;\n";
  ParsedList list = ParseListCsv(text);
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.encoding, "windows-1252");
  ASSERT_EQ(list.rows.size(), 1u);
  // € “ x ” … Š Ÿ NBSP é ÿ
  EXPECT_EQ(list.rows[0].name.full_name,
            "\xE2\x82\xAC\xE2\x80\x9Cx\xE2\x80\x9D\xE2\x80\xA6\xC5\xA0\xC5\xB8\xC2\xA0\xC3\xA9"
            "\xC3\xBF");
}

TEST(CsvImportTest, Utf16IsRefusedClearly) {
  ParsedList list =
      ParseListCsv(std::string_view("\xFF\xFE"
                                    "b\0s\0n\0",
                                    8));
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, 1u);
  EXPECT_NE(list.problems[0].message.find("UTF-16"), std::string::npos);
  EXPECT_TRUE(list.rows.empty());
}

TEST(CsvImportTest, SwvExportWithoutAnyPgn) {
  // What an SWV system exports: no BSN column, name parts, partial birth dates.
  for (bool allow_identifier : {true, false}) {
    ParsedList list = ParseListCsv(ReadFixture("swv_without_pgn.csv"),
                                   ParseOptions{.allow_identifier = allow_identifier});
    ASSERT_TRUE(list.ok()) << Describe(list);
    EXPECT_FALSE(list.identifier_refused);
    ASSERT_EQ(list.rows.size(), 5u);
    for (const ListRow& row : list.rows) EXPECT_FALSE(row.identifier.has_value());

    const ListRow& berg = list.rows[0];
    EXPECT_EQ(berg.own_reference, "SWV-0101");
    EXPECT_EQ(berg.name.surname, "Berg");
    EXPECT_EQ(berg.name.prefix, "van der");
    EXPECT_EQ(berg.name.first_names, "Anna Maria");
    EXPECT_EQ(berg.name.roepnaam, "Anne");
    EXPECT_EQ(berg.name.initials, "A.M.");
    EXPECT_EQ(berg.name.full_name, std::nullopt);
    EXPECT_EQ(berg.birth_date, Born(2014, 3, 5));
    EXPECT_EQ(berg.sex, Sex::kFemale);
    EXPECT_EQ(berg.category, Category::kRelatiefVerzuim);
    EXPECT_EQ(berg.since, (Date{2026, 1, 12}));
    EXPECT_FALSE(berg.plan_in_place);

    EXPECT_EQ(list.rows[1].birth_date, Born(2012, 11, 30));
    EXPECT_EQ(list.rows[1].sex, Sex::kMale);
    EXPECT_EQ(list.rows[1].name.roepnaam, std::nullopt);  // an empty cell is absent
    // "." is kept as written: normalisation (match_keys.h) treats it as unknown.
    EXPECT_EQ(list.rows[2].name.first_names, ".");
    EXPECT_EQ(list.rows[2].birth_date, Born(2015, 0, 0));
    EXPECT_EQ(list.rows[2].sex, Sex::kFemale);
    EXPECT_EQ(list.rows[3].name.surname, "Jansen-de Vries");
    EXPECT_EQ(list.rows[3].birth_date, Born(2013, 3, 0));
    EXPECT_EQ(list.rows[3].sex, std::nullopt);
    EXPECT_EQ(list.rows[4].name.surname, "Ćosić");
    EXPECT_EQ(list.rows[4].birth_date, Born(2012, 0, 0));
    EXPECT_EQ(list.rows[4].sex, Sex::kOther);
  }
}

TEST(CsvImportTest, APgnColumnMayBeEmptyForChildrenWithoutOne) {
  std::string text = Join({
      "bsn;categorie;sinds;brin;plan;referentie;achternaam;voornamen;geboortedatum",  // 1
      "123456782;dreigend;01-01-2026;12AB;ja;R1;;;",                                  // 2
      ";dreigend;01-01-2026;12AB;ja;R2;Visser;Sem;05-03-2014",                        // 3
      "  ;dreigend;01-01-2026;12AB;ja;R3;Visser;Tess;2014",                           // 4
      ";dreigend;01-01-2026;12AB;ja;R4;;;",                                           // 5
      ";dreigend;01-01-2026;12AB;ja;R5;Visser;Sem;",                                  // 6
      ";dreigend;01-01-2026;12AB;ja;R6;;Sem;05-03-2014",                              // 7
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.rows.size(), 3u) << Describe(list);
  EXPECT_TRUE(list.rows[0].identifier.has_value());
  EXPECT_FALSE(list.rows[1].identifier.has_value());
  EXPECT_EQ(list.rows[1].name.surname, "Visser");
  EXPECT_EQ(list.rows[2].birth_date, Born(2014, 0, 0));
  const std::string message =
      "no BSN/onderwijsnummer and no name with birth date: this child cannot be matched";
  EXPECT_EQ(list.problems, (std::vector<ImportProblem>{{5, "", message},
                                                       {6, "", message},
                                                       {7, "", message}}))
      << Describe(list);
}

TEST(CsvImportTest, AFullNameColumnIdentifiesAChildToo) {
  std::string text = Join({
      "Naam;Geboortedatum;Categorie;Sinds;BRIN;Plan;Kenmerk",
      "\"Berg, Anna van der\";05-03-2014;dreigend;01-01-2026;12AB;ja;R1",
      "Sem Visser;00-03-2013;dreigend;01-01-2026;12AB;ja;R2",
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_TRUE(list.ok()) << Describe(list);
  ASSERT_EQ(list.rows.size(), 2u);
  EXPECT_EQ(list.rows[0].name.full_name, "Berg, Anna van der");
  EXPECT_EQ(list.rows[0].name.surname, std::nullopt);
  EXPECT_EQ(list.rows[1].birth_date, Born(2013, 3, 0));
}

TEST(CsvImportTest, NameBirthDateAndSexProblemsEchoNothing) {
  std::string text = Join({
      "referentie;categorie;sinds;brin;plan;achternaam;voornamen;geboortedatum;geslacht",  // 1
      "R1;dreigend;01-01-2026;12AB;ja;Visser;Sem;05-13-2013;Visser",                      // 2
      "R2;dreigend;01-01-2026;12AB;ja;Visser;Sem;05-00-2013;2013",                        // 3
      "R3;dreigend;01-01-2026;12AB;ja;" + std::string(201, 'V') + ";Sem;2013;",           // 4
      "R4;dreigend;01-01-2026;12AB;ja;Visser;\"Sem\nJan\";2013;",                          // 5-6
      "R5;dreigend;01-01-2026;12AB;ja;Visser;Sem;Visser;",                                // 7
  });
  // (2013: the messages give 2014 as an example of the format.)
  ParsedList list = ParseListCsv(text);
  EXPECT_TRUE(list.rows.empty());
  std::vector<std::pair<size_t, std::string>> where;
  for (const ImportProblem& p : list.problems) where.emplace_back(p.line, p.column);
  std::vector<std::pair<size_t, std::string>> expected = {
      {2, "geboortedatum"}, {2, "geslacht"}, {3, "geboortedatum"}, {3, "geslacht"},
      {4, "achternaam"},    {5, "voornamen"}, {7, "geboortedatum"}};
  EXPECT_EQ(where, expected) << Describe(list);
  ExpectNoLeak(list, {"Visser", "Sem", "2013", "05-13-2013", "VVVV", "Jan"});
}

TEST(CsvImportTest, ChildrenWithoutAPgnListedTwiceNameBothLines) {
  std::string text = Join({
      "referentie;categorie;sinds;brin;plan;achternaam;tussenvoegsel;voornamen;geboortedatum;"
      "bsn",                                                                             // 1
      "R1;dreigend;01-01-2026;12AB;ja;Berg;van der;Anna Maria;05-03-2014;",              // 2
      "R2;dreigend;01-01-2026;12AB;ja;Berg;van der;Anna Johanna;05-03-2014;",            // 3 twin
      "R3;dreigend;01-01-2026;12AB;ja;Berg;van der;Sem;05-03-2014;",                     // 4 twin
      "R4;relatief verzuim;01-01-2026;12AB;ja;BERG;Van der;anna  maria;2014-03-05;",     // 5 = 2
      "R5;dreigend;01-01-2026;12AB;ja;Berg;van der;Anna Maria;05-03-2014;123456782",     // 6 PGN
      "R6;dreigend;01-01-2026;12AB;ja;Berg;van der;Sem;2014;",                          // 7 other
      "R7;dreigend;01-01-2026;12AB;ja;Berg;van der;Sem;05-03-2014;",                     // 8 = 4
      "R8;dreigend;01-01-2026;12AB;ja;Berg;van der;;05-03-2014;",                        // 9 thin
      "R9;dreigend;01-01-2026;12AB;ja;Berg;van der;;05-03-2014;",                        // 10 thin
  });
  ParsedList list = ParseListCsv(text);
  EXPECT_EQ(list.problems,
            (std::vector<ImportProblem>{
                {5, "", "duplicate child without BSN/onderwijsnummer: same name and birth date as "
                        "line 2"},
                {8, "", "duplicate child without BSN/onderwijsnummer: same name and birth date as "
                        "line 4"}}))
      << Describe(list);
  std::vector<std::string> references;
  for (const ListRow& row : list.rows) references.push_back(row.own_reference);
  EXPECT_EQ(references, (std::vector<std::string>{"R1", "R2", "R3", "R5", "R6", "R8", "R9"}));
  ExpectNoLeak(list, {"Berg", "Anna", "Sem", "2014"});
}

TEST(CsvImportTest, DuplicateProblemsKeepLineOrder) {
  std::string text = Join({
      "referentie;categorie;sinds;brin;plan;achternaam;voornamen;geboortedatum",  // 1
      "R1;dreigend;01-01-2026;12AB;ja;Visser;Sem;05-03-2014",                     // 2
      "R2;dreigend;01-01-2026;12AB;ja;Visser;Sem;05-03-2014",                     // 3 dup
      "R3;soms;01-01-2026;12AB;ja;Visser;Tess;05-03-2014",                        // 4 bad
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.problems.size(), 2u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 3u);
  EXPECT_EQ(list.problems[1].line, 4u);
}

TEST(CsvImportTest, ANodeWithoutPgnRefusesAPgnColumnEvenWhenEmpty) {
  const ParseOptions no_pgn{.allow_identifier = false};
  for (std::string header : {"BSN", "Onderwijsnummer", "PGN", "bsn/onderwijsnummer", " Id "}) {
    std::string text = Join({
        "Kenmerk;Achternaam;Geboortedatum;" + header + ";Categorie;Sinds;BRIN;Plan",  // 1
        "R1;Visser;05-03-2014;;dreigend;01-01-2026;12AB;ja",                          // 2
        "R2;Visser;05-03-2015;123456782;dreigend;01-01-2026;12AB;ja",                 // 3
    });
    ParsedList list = ParseListCsv(text, no_pgn);
    EXPECT_TRUE(list.identifier_refused);
    EXPECT_TRUE(list.rows.empty());
    std::string trimmed = header == " Id " ? "Id" : header;
    EXPECT_EQ(list.problems,
              (std::vector<ImportProblem>{
                  {1, trimmed,
                   "this node may not hold a BSN or onderwijsnummer (UAVG art. 46; OSO); remove "
                   "the column and import again"}}))
        << Describe(list);
    ExpectNoLeak(list, {"123456782", "Visser"});
    // The same file is read normally where a PGN may be held.
    EXPECT_TRUE(ParseListCsv(text).ok()) << Describe(ParseListCsv(text));
  }
  // Refused before anything else: even a header that is wrong in other ways.
  ParsedList broken = ParseListCsv("bsn;naam\n123456782;Sem\n", no_pgn);
  EXPECT_TRUE(broken.identifier_refused);
  ASSERT_EQ(broken.problems.size(), 1u);
  EXPECT_EQ(broken.problems[0].column, "bsn");
  // "leerlingnummer" is no PGN.
  ParsedList pupil = ParseListCsv(
      "leerlingnummer;referentie;categorie;sinds;brin;plan;achternaam;geboortedatum\n"
      "4711;R1;dreigend;01-01-2026;12AB;ja;Visser;2014\n",
      no_pgn);
  EXPECT_TRUE(pupil.ok()) << Describe(pupil);
  EXPECT_FALSE(pupil.identifier_refused);
}

// Synthetic numbers that pass the BSN 11-proof, from `from` upwards.
std::vector<std::string> ValidBsns(size_t count, uint32_t from = 111222333) {
  std::vector<std::string> out;
  for (uint32_t n = from; out.size() < count; ++n) {
    if (IsValidBsn(std::to_string(n))) out.push_back(std::to_string(n));
  }
  return out;
}

// A problem's texts hold none of `secrets`, and no run of 8 digits (the
// melding too, which ExpectNoLeak does not read).
void ExpectNothingOf(const ParsedList& list, const std::vector<std::string>& secrets) {
  ExpectNoLeak(list, secrets);
  for (const ImportProblem& p : list.problems) {
    for (const std::string& secret : secrets) {
      EXPECT_EQ(p.melding.find(secret), std::string::npos) << p.melding;
    }
    size_t run = 0;
    for (char c : p.melding) {
      run = (c >= '0' && c <= '9') ? run + 1 : 0;
      EXPECT_LT(run, 8u) << p.melding;
    }
  }
}

TEST(CsvImportTest, ANodeWithoutPgnRefusesBsnsInTheReferenceColumn) {
  // A BSN column named "Kenmerk": guessed as the own reference.
  const std::vector<std::string> bsns = ValidBsns(3);
  const std::string dotted = bsns[1].substr(0, 4) + "." + bsns[1].substr(4, 2) + "." +
                             bsns[1].substr(6);  // 1112.22.xxx, as Excel shows it
  const std::string text = Join({
      "Kenmerk;Achternaam;Geboortedatum;Categorie;Sinds;BRIN;Plan",  // 1
      "D-1;Visser;05-03-2014;dreigend;01-01-2026;12AB;ja",            // 2
      bsns[0] + ";Jansen;05-03-2015;dreigend;01-01-2026;12AB;ja",     // 3
      dotted + ";Bakker;05-03-2016;dreigend;01-01-2026;12AB;ja",      // 4
      bsns[2] + ";Smit;2014;soms;01-01-2026;12AB;ja",                 // 5: a bad row too
  });
  ParsedList list = ParseListCsv(text, ParseOptions{.allow_identifier = false});
  EXPECT_TRUE(list.identifier_refused);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 3u);
  EXPECT_EQ(list.problems[0].column, "Kenmerk");
  EXPECT_NE(list.problems[0].message.find("seems to hold a BSN or onderwijsnummer"),
            std::string::npos);
  EXPECT_NE(list.problems[0].melding.find("lijkt een BSN of onderwijsnummer te bevatten"),
            std::string::npos);
  ExpectNothingOf(list, {bsns[0], bsns[1], bsns[2], dotted, "Jansen"});

  // Where a PGN may be held the same file reads as before: the numbers are
  // references (and row 5's category is wrong, as it was).
  ParsedList held = ParseListCsv(text);
  EXPECT_FALSE(held.identifier_refused);
  ASSERT_EQ(held.problems.size(), 1u) << Describe(held);
  EXPECT_EQ(held.problems[0].line, 5u);
  ASSERT_EQ(held.rows.size(), 3u);
  EXPECT_EQ(held.rows[1].own_reference, bsns[0]);
  EXPECT_EQ(held.rows[2].own_reference, dotted);
}

TEST(CsvImportTest, ANodeWithoutPgnRefusesPgnsInNameColumnsInEveryForm) {
  const ParseOptions no_pgn{.allow_identifier = false};
  std::string onderwijsnummer;
  for (uint32_t n = 101000000; onderwijsnummer.empty(); ++n) {
    if (IsValidOnderwijsnummer(std::to_string(n))) onderwijsnummer = std::to_string(n);
  }
  // An 8-digit BSN whose leading 0 a spreadsheet dropped.
  std::string padded;
  for (uint32_t n = 12345678; padded.empty(); ++n) {
    if (IsValidBsn("0" + std::to_string(n))) padded = std::to_string(n);
  }
  const std::string bsn = ValidBsns(1)[0];
  const std::string spaced = bsn.substr(0, 3) + " " + bsn.substr(3, 3) + "-" + bsn.substr(6);
  for (std::string column : {"Voornamen", "Roepnaam", "Voorletters", "Tussenvoegsel",
                             "Achternaam", "Naam"}) {
    for (const std::string& value : {bsn, spaced, padded, onderwijsnummer}) {
      const std::string text = Join({
          "Referentie;Categorie;Sinds;BRIN;Plan;Geboortedatum;Roepnaam;" + column,
          "R1;dreigend;01-01-2026;12AB;ja;05-03-2014;Sem;" + value,
      });
      // "Roepnaam" twice names one field twice: refused all the same.
      ParsedList list = ParseListCsv(text, no_pgn);
      EXPECT_TRUE(list.identifier_refused) << column;
      EXPECT_TRUE(list.rows.empty());
      ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
      EXPECT_EQ(list.problems[0].line, 2u);
      EXPECT_EQ(list.problems[0].column, column);
      ExpectNothingOf(list, {value, bsn, padded, onderwijsnummer});
    }
  }
}

TEST(CsvImportTest, ANodeWithoutPgnAcceptsNumbersFailingThe11Proof) {
  // Dossier numbers and other plain numbers that are no BSN or onderwijsnummer.
  // A reference that would pass gets a letter in front (the header's advice).
  const std::string prefixed = "D-" + ValidBsns(1)[0];
  for (const std::string& reference :
       {std::string("20261234"), std::string("123456789"), std::string("2026-0017"),
        std::string("1234567890"), prefixed}) {
    ASSERT_FALSE(Identifier::Parse(reference)) << reference;
    const std::string text = Join({
        "Kenmerk;Achternaam;Geboortedatum;Categorie;Sinds;BRIN;Plan",
        reference + ";Visser;05-03-2014;dreigend;01-01-2026;12AB;ja",
    });
    ParsedList list = ParseListCsv(text, ParseOptions{.allow_identifier = false});
    ASSERT_TRUE(list.ok()) << reference << "\n" << Describe(list);
    EXPECT_FALSE(list.identifier_refused);
    ASSERT_EQ(list.rows.size(), 1u);
    EXPECT_EQ(list.rows[0].own_reference, reference);
  }
}

// ---------------------------------------------------------------------------
// Lines, delimiters, quoting.

TEST(CsvImportTest, LineEndingsAllReadTheSame) {
  std::vector<std::string> lines = {
      std::string(kHeader), "123456782;dreigend;01-01-2026;12AB;ja;R1;;",
      "111222333;dreigend;01-01-2026;12AB;ja;R2;;", "111252333;dreigend;01-01-2026;12AB;ja;R3;;"};
  for (std::string_view eol : {"\n", "\r\n", "\r"}) {
    ParsedList list = ParseListCsv(Join(lines, eol));
    ASSERT_EQ(list.rows.size(), 2u) << Describe(list);
    ASSERT_EQ(list.problems.size(), 1u);
    EXPECT_EQ(list.problems[0].line, 4u);
    EXPECT_EQ(list.problems[0].column, "bsn");
    // And without a final line break.
    std::string text = Join(lines, eol);
    text.resize(text.size() - std::string_view(eol).size());
    EXPECT_EQ(ParseListCsv(text).rows.size(), 2u);
  }
}

TEST(CsvImportTest, DetectsTabDelimiter) {
  std::string text =
      "bsn\tcategorie\tsinds\tbrin\tplan\treferentie\n"
      "123456782\tdreigend\t01-01-2026\t12AB\tja\tR;1,2\n";
  ParsedList list = ParseListCsv(text);
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.delimiter, '\t');
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0].own_reference, "R;1,2");
}

TEST(CsvImportTest, DelimiterCountedOutsideQuotesOnly) {
  std::string text =
      "bsn,categorie,sinds,brin,plan,referentie,\"opmerking; vrij; tekst; hier\"\n"
      "123456782,dreigend,01-01-2026,12AB,ja,R1,\"a; b\"\n";
  ParsedList list = ParseListCsv(text);
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.delimiter, ',');
  EXPECT_EQ(list.rows.size(), 1u);
}

TEST(CsvImportTest, QuotedFieldsAndPhysicalLineNumbers) {
  std::string text =
      Join(
          {
              "bsn;categorie;sinds;brin;plan;referentie;naam;opmerking",  // 1
              "\"123456782\";\"dreigend\";01-01-2026;12AB;ja;\"R;1\";\"Sem \"\"S\"\" Bos\";\"regel "
              "een",                                                         // 2
              "regel twee",                                                  // 3
              "regel drie\"",                                                // 4
              "111222333;dreigend;01-01-2026;12AB;ja;R2;  \"Tess Kok\"  ;",  // 5
              "\"111252333\r\n\";dreigend;01-01-2026;12AB;ja;R3;;",          // 6-7
              "101222332;dreigend;01-01-2026;12AB;ja;R4;;",                  // 8
          });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.rows.size(), 2u) << Describe(list);
  EXPECT_EQ(list.rows[0].own_reference, "R;1");
  EXPECT_EQ(list.rows[0].name.full_name, "Sem \"S\" Bos");
  EXPECT_EQ(list.rows[1].name.full_name, "Tess Kok");
  ASSERT_EQ(list.problems.size(), 2u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 6u);
  EXPECT_EQ(list.problems[0].message, kCheckMessage);  // CRLF inside quotes trimmed away
  EXPECT_EQ(list.problems[1].line, 8u);
  EXPECT_EQ(list.problems[1].column, "bsn");
}

TEST(CsvImportTest, SkipsBlankAndDelimiterOnlyLines) {
  std::string text = Join({
      "",                                            // 1
      "   ",                                         // 2
      std::string(kHeader),                          // 3
      ";;;;;;;",                                     // 4
      "",                                            // 5
      "123456782;dreigend;01-01-2026;12AB;ja;R1;;",  // 6
      "  ;  ; ;;;;;",                                // 7
      "111252333;dreigend;01-01-2026;12AB;ja;R3;;",  // 8
      "",
  });
  ParsedList list = ParseListCsv(text);
  EXPECT_EQ(list.rows.size(), 1u);
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 8u);
}

TEST(CsvImportTest, TrailingEmptyFieldsAreTolerated) {
  std::string text =
      Join({std::string(kHeader) + ";;", "123456782;dreigend;01-01-2026;12AB;ja;R1;;;;;;"});
  ParsedList list = ParseListCsv(text);
  EXPECT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.rows.size(), 1u);
}

// ---------------------------------------------------------------------------
// Header mapping.

class HeaderVariantTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(HeaderVariantTest, MapsToTheFields) {
  std::string text =
      std::string(GetParam()) + "\n123456782;Dreigend;31-01-2026;12ab;Ja;R-1;Sem Bos;01-02-2012\n";
  ParsedList list = ParseListCsv(text);
  ASSERT_TRUE(list.ok()) << GetParam() << "\n" << Describe(list);
  ASSERT_EQ(list.rows.size(), 1u);
  const ListRow& row = list.rows[0];
  EXPECT_EQ(row.identifier->digits(), "123456782");
  EXPECT_EQ(row.category, Category::kDreigend);
  EXPECT_EQ(row.since, (Date{2026, 1, 31}));
  EXPECT_EQ(row.school_brin, "12AB");
  EXPECT_TRUE(row.plan_in_place);
  EXPECT_EQ(row.own_reference, "R-1");
  EXPECT_EQ(row.name.full_name, "Sem Bos");
  EXPECT_EQ(row.birth_date, Born(2012, 2, 1));
}

INSTANTIATE_TEST_SUITE_P(
    DutchAndEnglish, HeaderVariantTest,
    ::testing::Values(
        "bsn;categorie;sinds;brin;plan;referentie;naam;geboortedatum",
        "BSN;Categorie;Sinds;BRIN;Plan;Referentie;Naam;Geboortedatum",
        "BSN/onderwijsnummer;Type verzuim;Verzuim sinds;School BRIN;Plan aanwezig;Eigen "
        "referentie;Naam leerling;Geboortedatum",
        "onderwijsnummer;soort;startdatum;brincode;aanbod;kenmerk;naam;geboortedatum",
        "Burgerservicenummer;Soort verzuim;Datum;BRIN-code;Plan/aanbod;Dossiernummer;Naam;"
        "Geboorte datum",
        "PGN;verzuim_categorie;ingangsdatum;Brin school;Aanbod aanwezig;Casenummer;naam_leerling;"
        "GEBOORTEDATUM",
        "Identifier;Category;Since;School;Plan in place;Own reference;Name;Date of birth",
        "id;category;date;school;offer;reference;name;dob",
        "ID;Category;Start date;School;Plan_in_place;Case reference;Name;Birth date",
        " bsn ; categorie ; sinds ; brin ; plan ; eigen.referentie ; naam ; geboortedatum "));

TEST(CsvImportTest, UnknownColumnsAreIgnoredAndOrderIsFree) {
  std::string text = Join({
      "Opmerking;Referentie;Leerlingnummer;Plan;BRIN;Sinds;Categorie;BSN;Mentor",
      "vrij;R1;4711;nee;12AB;01-01-2026;dreigend;123456782;mevr. X",
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_TRUE(list.ok()) << Describe(list);
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_EQ(list.rows[0].identifier->digits(), "123456782");
  EXPECT_EQ(list.rows[0].own_reference, "R1");
  EXPECT_TRUE(list.rows[0].name.empty());
}

TEST(CsvImportTest, MissingColumnsGiveOneProblemOnTheHeaderLine) {
  std::string text = Join({
      "bsn;categorie;sinds;brin;naam",
      "123456782;dreigend;01-01-2026;12AB;Sem",
  });
  ParsedList list = ParseListCsv(text);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 1u);
  EXPECT_NE(list.problems[0].message.find("plan"), std::string::npos);
  EXPECT_NE(list.problems[0].message.find("referentie"), std::string::npos);
  EXPECT_EQ(list.problems[0].message.find("bsn"), std::string::npos);
}

// Without a PGN column, a child is found by its name with its birth date.
struct IdentityHeaderCase {
  std::string header;
  std::string missing;  // "" when the header is enough
};

class IdentityHeaderTest : public ::testing::TestWithParam<IdentityHeaderCase> {};

TEST_P(IdentityHeaderTest, NeedsAPgnOrANameWithABirthDate) {
  ParsedList list = ParseListCsv(GetParam().header + ";categorie;sinds;brin;plan;referentie\n");
  if (GetParam().missing.empty()) {
    EXPECT_TRUE(list.ok()) << Describe(list);
    return;
  }
  EXPECT_EQ(list.problems,
            (std::vector<ImportProblem>{{1, "", "missing required column(s): " + GetParam().missing}}))
      << Describe(list);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, IdentityHeaderTest,
    ::testing::Values(
        IdentityHeaderCase{"bsn", ""}, IdentityHeaderCase{"achternaam;geboortedatum", ""},
        IdentityHeaderCase{"naam;geb.datum", ""},
        IdentityHeaderCase{"bsn;achternaam;voornamen;geboortedatum;geslacht", ""},
        IdentityHeaderCase{"voornamen;roepnaam;tussenvoegsel;geslacht",
                           "bsn (or, for children without one, achternaam or naam with "
                           "geboortedatum)"},
        IdentityHeaderCase{"achternaam;voornamen",
                           "geboortedatum (with the name, or else bsn)"},
        IdentityHeaderCase{"voornamen;geboortedatum",
                           "achternaam or naam (with geboortedatum, or else bsn)"}));

// Every accepted spelling of the name, birth-date and sex headers.
struct NameHeaderCase {
  std::string header;
  std::string value;
  std::function<bool(const ListRow&)> check;
};

void PrintTo(const NameHeaderCase& c, std::ostream* os) { *os << c.header; }

class NameHeaderTest : public ::testing::TestWithParam<NameHeaderCase> {};

TEST_P(NameHeaderTest, MapsToTheField) {
  // A bsn column so that any one name column makes a valid header.
  std::string text = "bsn;categorie;sinds;brin;plan;referentie;" + GetParam().header +
                     "\n123456782;dreigend;01-01-2026;12AB;ja;R1;" + GetParam().value + "\n";
  ParsedList list = ParseListCsv(text);
  ASSERT_TRUE(list.ok()) << GetParam().header << "\n" << Describe(list);
  ASSERT_EQ(list.rows.size(), 1u);
  EXPECT_TRUE(GetParam().check(list.rows[0])) << GetParam().header;
}

NameHeaderCase FirstNames(std::string header) {
  return {std::move(header), "Anna Maria",
          [](const ListRow& r) { return r.name.first_names == "Anna Maria"; }};
}
NameHeaderCase Roepnaam(std::string header) {
  return {std::move(header), "Anne", [](const ListRow& r) { return r.name.roepnaam == "Anne"; }};
}
NameHeaderCase Initials(std::string header) {
  return {std::move(header), "A.M.", [](const ListRow& r) { return r.name.initials == "A.M."; }};
}
NameHeaderCase Prefix(std::string header) {
  return {std::move(header), "van der",
          [](const ListRow& r) { return r.name.prefix == "van der"; }};
}
NameHeaderCase Surname(std::string header) {
  return {std::move(header), "Berg", [](const ListRow& r) { return r.name.surname == "Berg"; }};
}
NameHeaderCase FullName(std::string header) {
  return {std::move(header), "Anne van der Berg",
          [](const ListRow& r) { return r.name.full_name == "Anne van der Berg"; }};
}
NameHeaderCase BirthDate(std::string header) {
  return {std::move(header), "00-03-2014",
          [](const ListRow& r) { return r.birth_date == PartialDate{2014, 3, 0}; }};
}
NameHeaderCase SexColumn(std::string header) {
  return {std::move(header), "v", [](const ListRow& r) { return r.sex == Sex::kFemale; }};
}

INSTANTIATE_TEST_SUITE_P(
    DutchAndEnglish, NameHeaderTest,
    ::testing::Values(
        FirstNames("Voornamen"), FirstNames("Voornaam"), FirstNames("Voornamen leerling"),
        FirstNames("First names"), FirstNames("first_name"), FirstNames("Given names"),
        Roepnaam("Roepnaam"), Roepnaam("Roepnaam leerling"), Roepnaam("Preferred name"),
        Initials("Voorletters"), Initials("Initialen"), Initials("Initials"),
        Prefix("Tussenvoegsel"), Prefix("Tussenvoegsels"), Prefix("Voorvoegsel"),
        Prefix("Voorvoegsels"), Prefix("Prefix"), Prefix("Surname prefix"),
        Surname("Achternaam"), Surname("Achternaam leerling"), Surname("Geslachtsnaam"),
        Surname("Familienaam"), Surname("Surname"), Surname("Last name"), Surname("Family name"),
        FullName("Naam"), FullName("Naam leerling"), FullName("Volledige naam"), FullName("Name"),
        FullName("Full name"), BirthDate("Geboortedatum"), BirthDate("Geb.datum"),
        BirthDate("Geb. datum"), BirthDate("GEB-DATUM"), BirthDate("Geboortedatum leerling"),
        BirthDate("Date of birth"), BirthDate("Birth date"), BirthDate("DOB"),
        SexColumn("Geslacht"), SexColumn("Sex"), SexColumn("Gender")));

TEST(CsvImportTest, AFileWithoutHeaderIsMissingEveryColumnAndEchoesNothing) {
  std::string text = Join({
      "123456782;dreigend;01-01-2026;12AB;ja;R1;Sem Bos;02-03-2012",
      "111222333;dreigend;01-01-2026;12AB;ja;R2;Tess Kok;04-05-2013",
  });
  ParsedList list = ParseListCsv(text);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, 1u);
  EXPECT_NE(list.problems[0].message.find("bsn"), std::string::npos);
  ExpectNoLeak(list, {"123456782", "Sem Bos", "02-03-2012"});
}

TEST(CsvImportTest, ADuplicatedColumnIsAProblem) {
  std::string text = Join({
      "bsn;onderwijsnummer;categorie;sinds;brin;plan;referentie",
      "123456782;;dreigend;01-01-2026;12AB;ja;R1",
  });
  ParsedList list = ParseListCsv(text);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 1u);
  EXPECT_EQ(list.problems[0].column, "onderwijsnummer");
  EXPECT_NE(list.problems[0].message.find("column 1"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Row problems.

TEST(CsvImportTest, Line17WithABadCheckDigitIsReportedExactly) {
  ParsedList list = ParseListCsv(ReadFixture("line17_bad_check_digit.csv"));
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0], (ImportProblem{17, "bsn", std::string(kCheckMessage)}));
  EXPECT_EQ(list.rows.size(), 16u);
  ExpectNoLeak(list, {"939909168"});
}

TEST(CsvImportTest, EveryProblemOfARowIsReported) {
  std::string text = Join({
      std::string(kHeader),                                                             // 1
      "123456782;soms;31-02-2026;ABCD;misschien;;" + std::string(201, 'x') + ";1-1-2",  // 2
      "12345678x;dreigend;01-01-2026;12AB;ja;R2;;",                                     // 3
      "111222333;dreigend;01-01-2026;12AB;ja;" + std::string(65, 'r') + ";Tess;",       // 4
      "101222331;dreigend;01-01-2026;12AB;ja;R4;\"Sem\nBos\";",                         // 5-6
      "186387829;dreigend;01-01-2026;12AB;ja;R5;;",                                     // 7 ok
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.rows.size(), 1u) << Describe(list);
  EXPECT_EQ(list.rows[0].own_reference, "R5");
  std::vector<std::pair<size_t, std::string>> where;
  for (const ImportProblem& p : list.problems) where.emplace_back(p.line, p.column);
  std::vector<std::pair<size_t, std::string>> expected = {
      {2, "categorie"}, {2, "sinds"},         {2, "brin"}, {2, "plan"},       {2, "referentie"},
      {2, "naam"},      {2, "geboortedatum"}, {3, "bsn"},  {4, "referentie"}, {5, "naam"}};
  EXPECT_EQ(where, expected) << Describe(list);
  for (const ImportProblem& p : list.problems) EXPECT_FALSE(p.message.empty());
  ExpectNoLeak(list, {"123456782", "12345678", "111222333", "101222331", "Sem", "Tess"});
}

TEST(CsvImportTest, WrongFieldCount) {
  std::string text = Join({
      std::string(kHeader),                            // 1
      "123456782;dreigend;01-01-2026;12AB;ja;R1",      // 2: too few (naam, geboortedatum)
      "111222333;dreigend;01-01-2026;12AB;ja;R2;;;x",  // 3: extra non-empty field
      "186387829;dreigend;01-01-2026;12AB;ja;R3;;;;",  // 4: extra empty fields: fine
      "\"899210752;dreigend;01-01-2026;12AB;ja;R4;;",  // 5: quote swallows lines 5-6
      "827448570;dreigend;01-01-2026;12AB;ja;\"R5;;",  // 6
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.rows.size(), 1u) << Describe(list);
  EXPECT_EQ(list.rows[0].own_reference, "R3");
  ASSERT_EQ(list.problems.size(), 3u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 2u);
  EXPECT_EQ(list.problems[0].column, "");
  EXPECT_NE(list.problems[0].message.find("6 fields"), std::string::npos);
  EXPECT_NE(list.problems[0].message.find("header has 8"), std::string::npos);
  EXPECT_EQ(list.problems[1].line, 3u);
  EXPECT_EQ(list.problems[2].line, 5u);
  EXPECT_NE(list.problems[2].message.find("line 6"), std::string::npos);
  ExpectNoLeak(list, {"123456782", "111222333", "899210752", "827448570"});
}

TEST(CsvImportTest, DuplicatesNameBothLines) {
  std::string text = Join({
      std::string(kHeader),                                    // 1
      "123456782;dreigend;01-01-2026;12AB;ja;R1;;",            // 2
      "012345672;dreigend;01-01-2026;12AB;ja;R2;;",            // 3
      "111222333;dreigend;01-01-2026;12AB;ja;R3;;",            // 4
      "123.456.782;relatief verzuim;01-01-2026;12AB;ja;R4;;",  // 5: same as 2
      "12345672;dreigend;01-01-2026;12AB;ja;R5;;",             // 6: same as 3 after padding
      "123-456-782;dreigend;01-01-2026;12AB;ja;R6;;",          // 7: same as 2 again
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.problems.size(), 3u) << Describe(list);
  EXPECT_EQ(list.problems[0], (ImportProblem{5, "bsn", "duplicate identifier, also on line 2"}));
  EXPECT_EQ(list.problems[1], (ImportProblem{6, "bsn", "duplicate identifier, also on line 3"}));
  EXPECT_EQ(list.problems[2], (ImportProblem{7, "bsn", "duplicate identifier, also on line 2"}));
  ASSERT_EQ(list.rows.size(), 3u);
  EXPECT_EQ(list.rows[0].own_reference, "R1");
  ExpectNoLeak(list, {"123456782", "012345672", "12345672"});
}

// A misaligned or careless file puts personal data in every column. Whatever
// the column, no problem repeats a value.
TEST(CsvImportTest, ProblemsNeverContainTheValues) {
  std::vector<std::string> secrets = {"123456782",  "111222333",  "101222331", "Zoë Öztürk",
                                      "14-03-2013", "2013-03-14", "939909168"};
  std::string text = Join({
      "bsn;categorie;sinds;brin;plan;referentie;naam;geboortedatum",
      "Zoë Öztürk;123456782;14-03-2013;111222333;2013-03-14;R1;101222331;Zoë Öztürk",
      "939909168;Zoë Öztürk;123456782;2013-03-14;111222333;R2;;123456782",
      "14-03-2013;101222331;Zoë Öztürk;123456782;Zoë Öztürk;;;939909168",
      "111222333;dreigend;01-01-2026;12AB;ja;R3;Zoë Öztürk;14-03-2013",
      "111.222.333;dreigend;01-01-2026;12AB;ja;R4;Zoë Öztürk;14-03-2013",
      "939909168;dreigend;01-01-2026;12AB;ja;R5;Zoë Öztürk;14-03-2013",
  });
  ParsedList list = ParseListCsv(text);
  EXPECT_EQ(list.rows.size(), 1u);
  EXPECT_GE(list.problems.size(), 15u) << Describe(list);
  ExpectNoLeak(list, secrets);
}

// ---------------------------------------------------------------------------
// Truncated, oversized and hostile input.

TEST(CsvImportTest, TruncatedMidQuote) {
  ParsedList list = ParseListCsv(ReadFixture("truncated_mid_quote.csv"));
  EXPECT_EQ(list.rows.size(), 2u);
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 4u);
  EXPECT_NE(list.problems[0].message.find("never closed"), std::string::npos);
}

TEST(CsvImportTest, TruncatedMidFieldAtEveryLength) {
  std::string full =
      Join({std::string(kHeader), "123456782;dreigend;01-01-2026;12AB;ja;R1;Sem Bos;02-03-2012",
            "111222333;\"dreigend\";01-01-2026;12AB;ja;\"R2\";\"Tess\";"});
  size_t second_row = full.find("111222333");
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    ParsedList list = ParseListCsv(std::string_view(full).substr(0, cut));
    EXPECT_LE(list.rows.size(), 2u);
    // Cut anywhere inside the second row (short of only its line break), that
    // row is reported on its line: a field is cut, missing or unclosed.
    if (cut > second_row && cut < full.size() - 1) {
      bool line3 = false;
      for (const ImportProblem& p : list.problems) line3 |= p.line == 3;
      EXPECT_TRUE(line3) << cut << "\n" << Describe(list);
      EXPECT_EQ(list.rows.size(), 1u);
    }
    ExpectNoLeak(list, {"123456782", "111222333", "Sem Bos", "02-03-2012"});
  }
}

TEST(CsvImportTest, UnterminatedQuoteAtTheStart) {
  std::string text = "\"bsn;categorie;sinds;brin;plan;referentie\n123456782;dreigend;\n";
  ParsedList list = ParseListCsv(text);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 1u);
  ExpectNoLeak(list, {"123456782"});
}

TEST(CsvImportTest, AStrayQuoteInARowLosesOnlyThatRow) {
  std::string text = Join({
      std::string(kHeader),                            // 1
      "123456782;dreigend;01-01-2026;12AB;ja;\"R1;;",  // 2: never closed
      "111222333;dreigend;01-01-2026;12AB;ja;R2;;",    // 3
      "186387829;dreigend;01-01-2026;12AB;ja;R3;;",    // 4
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.rows.size(), 2u) << Describe(list);
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, 2u);
}

TEST(CsvImportTest, NulBytes) {
  using namespace std::string_literals;
  std::string text = std::string(kHeader) + "\n" +
                     "1234\0"
                     "56782;dreig\0end;01-01-2026;12AB;ja;R\0"
                     "1;S\0em;\n"
                     "\0\0\0\n"
                     "111222333;dreigend;01-01-2026;12AB;ja;R2;;\n"s;
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.rows.size(), 1u) << Describe(list);
  EXPECT_EQ(list.rows[0].own_reference, "R2");
  std::vector<std::string> columns;
  for (const ImportProblem& p : list.problems) columns.push_back(p.column);
  EXPECT_EQ(columns, (std::vector<std::string>{"bsn", "categorie", "referentie", "naam", ""}))
      << Describe(list);
  // A NUL in the header: that column is unknown, so a required one is missing.
  ParsedList bad_header = ParseListCsv("bs\0n;categorie;sinds;brin;plan;referentie\n"s);
  ASSERT_EQ(bad_header.problems.size(), 1u);
  EXPECT_NE(bad_header.problems[0].message.find("bsn"), std::string::npos);
}

TEST(CsvImportTest, A100KiBLineIsSkippedWithAProblem) {
  std::string text = Join({
      std::string(kHeader),                                                              // 1
      "123456782;dreigend;01-01-2026;12AB;ja;R1;" + std::string(100 * 1024, 'n') + ";",  // 2
      "111222333;dreigend;01-01-2026;12AB;ja;R2;\"" + std::string(100 * 1024, 'q') +     // 3
          "\n\";",                                                                       // 4
      "186387829;dreigend;01-01-2026;12AB;ja;R3;;",                                      // 5
  });
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.rows.size(), 1u) << Describe(list);
  EXPECT_EQ(list.rows[0].own_reference, "R3");
  ASSERT_GE(list.problems.size(), 2u) << Describe(list);
  EXPECT_EQ(list.problems[0].line, 2u);
  EXPECT_NE(list.problems[0].message.find("65536"), std::string::npos);
  EXPECT_EQ(list.problems[1].line, 3u);
  // Line 4 (`";`) is what remains of the quoted field; it may add a problem of
  // its own, but line 5 is read correctly.
  for (const ImportProblem& p : list.problems) EXPECT_LE(p.line, 4u);
}

TEST(CsvImportTest, AHugeHeaderLine) {
  ParsedList list = ParseListCsv(std::string(200 * 1024, 'h') + "\n1;2\n");
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, 1u);
}

TEST(CsvImportTest, EmptyInputs) {
  for (std::string_view text : {std::string_view(""), std::string_view("\xEF\xBB\xBF"),
                                std::string_view("\n\n \r\n\t\n"), std::string_view(";;;\n;;\n")}) {
    ParsedList list = ParseListCsv(text);
    EXPECT_TRUE(list.rows.empty());
    ASSERT_EQ(list.problems.size(), 1u);
    EXPECT_NE(list.problems[0].message.find("empty"), std::string::npos);
  }
}

TEST(CsvImportTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(99);
  const std::string alphabet =
      std::string("0123456789;,\t\"\r\n ab.-\xC3\xAB\x80\xFF", 25) + std::string(1, '\0');
  for (int i = 0; i < 3000; ++i) {
    std::string text = (i % 2 == 0) ? std::string(kHeader) + "\n" : std::string();
    size_t len = rng() % 400;
    for (size_t j = 0; j < len; ++j) text.push_back(alphabet[rng() % alphabet.size()]);
    ParsedList list = ParseListCsv(text);
    for (const ImportProblem& p : list.problems) {
      ASSERT_GE(p.line, 1u);
      ASSERT_FALSE(p.message.empty());
    }
    for (const ListRow& row : list.rows) {
      ASSERT_TRUE(IdentifiesChild(row));
      if (row.identifier) {
        ASSERT_EQ(row.identifier->digits().size(), 9u);
      }
    }
  }
}

TEST(CsvImportTest, ProblemsAreCapped) {
  std::string text = std::string(kHeader) + "\n";
  for (int i = 0; i < 12'000; ++i) text += "x;dreigend;01-01-2026;12AB;ja;R;;\n";
  ParsedList list = ParseListCsv(text);
  ASSERT_EQ(list.problems.size(), kMaxProblems + 1);
  EXPECT_NE(list.problems.back().message.find("2000 more problems"), std::string::npos)
      << list.problems.back().message;
}

TEST(CsvImportTest, MoreThanTheRowLimitIsRejected) {
  std::string text = std::string(kHeader) + "\n";
  text.reserve(text.size() + 2 * (kMaxDataRows + 1));
  for (size_t i = 0; i < kMaxDataRows + 1; ++i) text += "x\n";
  ParsedList list = ParseListCsv(text);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, kMaxDataRows + 2);
  EXPECT_NE(list.problems[0].message.find("more than 2000000"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Writing.

TEST(CsvImportTest, WriteThenParseRoundTrips) {
  std::vector<ListRow> rows = GenerateList(5, 2000, Date{2026, 1, 15});
  struct Variant {
    char delimiter;
    bool bom;
  };
  for (Variant v :
       {Variant{';', true}, Variant{';', false}, Variant{',', true}, Variant{'\t', false}}) {
    std::string csv = WriteListCsv(rows, v.delimiter, v.bom);
    EXPECT_EQ(csv.starts_with("\xEF\xBB\xBF"), v.bom);
    ParsedList list = ParseListCsv(csv);
    ASSERT_TRUE(list.ok()) << Describe(list);
    EXPECT_EQ(list.delimiter, v.delimiter);
    EXPECT_EQ(list.encoding, v.bom ? "utf-8-bom" : "utf-8");
    EXPECT_EQ(list.rows, rows);
  }
}

TEST(CsvImportTest, WriterQuotesWhatNeedsIt) {
  std::vector<ListRow> rows = GenerateList(6, 3, Date{2026, 1, 15});
  rows[0].name.full_name = " Sem; \"de\" Bos ";
  rows[0].own_reference = "a,b";
  rows[1].name = {};
  rows[1].birth_date = std::nullopt;
  rows[2].own_reference = "x\ty";
  for (char delimiter : {';', ','}) {
    std::string csv = WriteListCsv(rows, delimiter, false);
    EXPECT_TRUE(csv.starts_with("bsn") && csv.find("\r\n") != std::string::npos);
    ParsedList list = ParseListCsv(csv);
    // A tab is a control character: the reference with one is refused on import.
    ASSERT_EQ(list.problems.size(), 1u) << Describe(list);
    EXPECT_EQ(list.problems[0].line, 4u);
    ASSERT_EQ(list.rows.size(), 2u);
    EXPECT_EQ(list.rows[0], rows[0]);
    EXPECT_EQ(list.rows[1], rows[1]);
  }
}

TEST(CsvImportTest, WriterHeaderAndFormat) {
  ListRow row{.identifier = *Identifier::Parse("101222331"),
              .category = Category::kVrijstelling5a,
              .since = Date{2026, 1, 5},
              .school_brin = "12AB01",
              .plan_in_place = false,
              .own_reference = "R1",
              .birth_date = PartialDate{2012, 3, 4}};
  ListRow partial{.category = Category::kDreigend,
                  .since = Date{2026, 1, 6},
                  .school_brin = "12AB",
                  .plan_in_place = true,
                  .own_reference = "R2",
                  .birth_date = PartialDate{2013, 7, 0},
                  .sex = Sex::kFemale};
  partial.name.first_names = "Anna Maria";
  partial.name.roepnaam = "Anne";
  partial.name.initials = "A.M.";
  partial.name.prefix = "van der";
  partial.name.surname = "Berg";
  EXPECT_EQ(WriteListCsv({row, partial}, ';', false),
            "bsn;categorie;sinds;brin;plan;referentie;voornamen;roepnaam;voorletters;"
            "tussenvoegsel;achternaam;naam;geboortedatum;geslacht\r\n"
            "101222331;vrijstelling 5 onder a;05-01-2026;12AB01;nee;R1;;;;;;;04-03-2012;\r\n"
            ";dreigend thuiszitter;06-01-2026;12AB;ja;R2;Anna Maria;Anne;A.M.;van der;Berg;;"
            "07-2013;V\r\n");
  // Without any PGN the column is left out, so a node that may hold none can
  // import the file.
  EXPECT_EQ(WriteListCsv({partial}, ',', false),
            "categorie,sinds,brin,plan,referentie,voornamen,roepnaam,voorletters,"
            "tussenvoegsel,achternaam,naam,geboortedatum,geslacht\r\n"
            "dreigend thuiszitter,06-01-2026,12AB,ja,R2,Anna Maria,Anne,A.M.,van der,Berg,,"
            "07-2013,V\r\n");
  EXPECT_EQ(WriteListCsv({}, ';', false),
            "categorie;sinds;brin;plan;referentie;voornamen;roepnaam;voorletters;tussenvoegsel;"
            "achternaam;naam;geboortedatum;geslacht\r\n");
}

TEST(CsvImportTest, RowsWithoutAPgnRoundTrip) {
  std::vector<ListRow> rows = GenerateList(8, 200, Date{2026, 1, 15});
  const PartialDate dates[] = {{2014, 0, 0}, {2014, 6, 0}, {2014, 6, 30}};
  const Sex sexes[] = {Sex::kMale, Sex::kFemale, Sex::kOther};
  for (size_t i = 0; i < rows.size(); ++i) {
    ListRow& row = rows[i];
    if (i % 2 == 0) row.identifier.reset();
    if (i % 3 == 0) {
      // Parts instead of one combined name; synthetic names, unique by i.
      row.name = {};
      row.name.first_names = "Anna Maria " + std::to_string(i);
      if (i % 4 == 0) row.name.roepnaam = "Anne";
      if (i % 5 == 0) row.name.initials = "A.M.";
      if (i % 6 == 0) row.name.prefix = "van der";
      row.name.surname = "Berg";
    }
    row.birth_date = dates[i % 3];
    row.birth_date->year += static_cast<int>(i % 7);
    if (i % 4 != 3) row.sex = sexes[i % 3];
  }
  for (char delimiter : {';', ',', '\t'}) {
    ParsedList list = ParseListCsv(WriteListCsv(rows, delimiter, true));
    ASSERT_TRUE(list.ok()) << Describe(list);
    EXPECT_EQ(list.rows, rows);
  }
  // And a list without any PGN, as an SWV writes it.
  for (ListRow& row : rows) row.identifier.reset();
  std::string csv = WriteListCsv(rows);
  ParsedList list = ParseListCsv(csv, ParseOptions{.allow_identifier = false});
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.rows, rows);
}

// ---------------------------------------------------------------------------
// Speed.

// Speed is compared, not timed: parsing a list against writing the same list
// as CSV, both measured here, so a slower or busier machine slows both. The
// figure itself is bench/import_bench's. The ratio only means something in
// an optimised build without sanitizers; elsewhere a smaller list just
// exercises the same path.
#if defined(NDEBUG) && !defined(INBEELD_SANITIZED)
constexpr size_t kSpeedRows = 1'000'000;
constexpr double kMaxRatio = 12.0;  // parse time / write time; about 3.7 measured
#else
constexpr size_t kSpeedRows = 100'000;
constexpr double kMaxRatio = 1e9;
#endif

TEST(CsvImportTest, ParsesAMillionRowsQuickly) {
  std::vector<ListRow> rows = GenerateList(11, kSpeedRows, Date{2026, 1, 15});
  auto written_at = std::chrono::steady_clock::now();
  std::string csv = WriteListCsv(rows);
  auto start = std::chrono::steady_clock::now();
  ParsedList list = ParseListCsv(csv);
  auto end = std::chrono::steady_clock::now();
  const double write = std::chrono::duration<double>(start - written_at).count();
  const double parse = std::chrono::duration<double>(end - start).count();
  std::printf("parsed %zu rows (%.1f MB) in %.3f s; writing them took %.3f s (ratio %.1f)\n",
              list.rows.size(), static_cast<double>(csv.size()) / 1e6, parse, write,
              parse / write);
  ASSERT_TRUE(list.ok()) << Describe(list);
  EXPECT_EQ(list.rows.size(), rows.size());
  EXPECT_EQ(list.rows, rows);
  EXPECT_LT(parse / write, kMaxRatio);
}

}  // namespace
}  // namespace inbeeld::schema
