// End-to-end tests of the `inbeeld` binary: real processes, real SQLCipher files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "schema/csv_import.h"
#include "schema/synthetic.h"
#include "schema/xlsx.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

namespace fs = std::filesystem;
using testing::Env;
using testing::ReadFile;

using testing::RunResult;
using testing::TempDir;
using testing::TestNode;
using testing::WriteFile;

// The lists lie around the day the test runs, as the nodes' own clock sees it.
const schema::Date kToday = testing::TodayUtc();
const std::string kPassphrase = "correct horse battery staple";

class CliTest : public ::testing::Test {
 protected:
  fs::path home() const { return tmp_.path() / "node"; }
  Env env(const std::string& passphrase = kPassphrase) const {
    return {{"INBEELD_HOME", home().string()}, {"INBEELD_PASSPHRASE", passphrase}};
  }
  RunResult Inbeeld(const std::vector<std::string>& args) const {
    return inbeeld::testing::Run(INBEELD_BINARY, args, env());
  }
  void Init() {
    RunResult r = Inbeeld({"init", "--name", "Leerplicht Test", "--organisation", "Gemeente Test",
                           "--role", "leerplicht", "--kdf-profile", "interactive"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Writes a generated list to a CSV file and returns its rows.
  std::vector<schema::ListRow> WriteList(const fs::path& path, size_t n, uint64_t seed) {
    auto rows = schema::GenerateList(seed, n, kToday);
    WriteFile(path, schema::WriteListCsv(rows, ';', true));
    return rows;
  }
  nlohmann::json ListJson() const {
    RunResult r = Inbeeld({"list", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  TempDir tmp_;
};

TEST_F(CliTest, InitImportListShowsTheImportedList) {
  Init();
  auto rows = WriteList(tmp_.path() / "lijst.csv", 60, 1);
  RunResult imported = Inbeeld({"import", (tmp_.path() / "lijst.csv").string(), "--list-date",
                                "01-11-2026", "--json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto j = nlohmann::json::parse(imported.out);
  EXPECT_EQ(j["rows"], 60);
  EXPECT_EQ(j["list_date"], "2026-11-01");

  nlohmann::json list = ListJson();
  EXPECT_EQ(list["total"], 60);
  size_t by_category = 0;
  for (auto& [name, count] : list["by_category"].items()) by_category += count.get<size_t>();
  EXPECT_EQ(by_category, 60u);
  // The binary uses the real date, so only the shape is checked here;
  // Summarise's arithmetic is tested with a fixed date in list_summary_test.
  EXPECT_TRUE(list["overdue_without_plan"].is_array());

  RunResult text = Inbeeld({"list"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Past the three-month mark without a plan"), std::string::npos);
  for (const auto& row : rows) {
    EXPECT_EQ(text.out.find(row.identifier->digits()), std::string::npos) << "list printed a BSN";
  }
}

// A file name is bytes; the import writes it into the audit record and the
// --json output, and nlohmann-json threw (the process aborted) on one that is
// not UTF-8. It is refused now, without being echoed, and nothing is stored.
TEST_F(CliTest, AFileNameThatIsNotUtf8IsRefusedWithoutEchoingIt) {
  Init();
  const fs::path bad = tmp_.path() / "lijst-\xe9t\xe9.csv";  // Windows-1252 "été"
  WriteList(bad, 5, 1);
  for (bool json : {false, true}) {
    std::vector<std::string> args = {"import", bad.string()};
    if (json) args.push_back("--json");
    RunResult r = Inbeeld(args);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("file name is not valid UTF-8"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\xe9'), std::string::npos) << "the name is echoed";
    EXPECT_EQ(r.out.find('\xe9'), std::string::npos) << "the name is echoed";
  }
  auto status = nlohmann::json::parse(Inbeeld({"status", "--json"}).out);
  EXPECT_EQ(status["list_versions"], 0);
  fs::rename(bad, tmp_.path() / "lijst.csv");
  EXPECT_EQ(Inbeeld({"import", (tmp_.path() / "lijst.csv").string(), "--json"}).exit_code, 0);
}

// A workbook from a school system with its own column names: --kolom says
// which is which, and a column mapped to nothing ("Klas=") is left alone.
TEST_F(CliTest, ImportsAnXlsxWithOwnColumnNamesThroughKolom) {
  Init();
  schema::Sheet sheet;
  sheet.name = "Thuiszitters";
  sheet.header = {"Leerling", "Soort", "Per", "Vestiging", "Traject", "Dossier", "Klas",
                  "Geb. datum"};
  sheet.rows = {
      {std::string("Emma de Vries"), std::string("dreigend"), std::string("01-02-2026"),
       std::string("12AB"), std::string("ja"), std::string("D-1"), std::string("3B"),
       std::string("05-03-2014")},
      {std::string("Sem Bakker"), std::string("relatief verzuim"), std::string("15-01-2026"),
       std::string("12AB01"), std::string("nee"), std::string("D-2"), std::string("=1+1"),
       std::string("2013")},
  };
  auto bytes = schema::WriteXlsx(schema::Workbook{{sheet}});
  ASSERT_TRUE(bytes);
  // Named .dat: the content, not the name, makes it a workbook.
  const fs::path path = tmp_.path() / "export.dat";
  WriteFile(path, *bytes);

  RunResult unmapped = Inbeeld({"import", path.string()});
  EXPECT_EQ(unmapped.exit_code, 3);
  EXPECT_NE(unmapped.err.find("export.dat:1: missing required column(s)"), std::string::npos)
      << unmapped.err;

  RunResult typo = Inbeeld({"import", path.string(), "--kolom", "Leerling=volledige naam"});
  EXPECT_EQ(typo.exit_code, 3);
  EXPECT_NE(typo.err.find("unknown field"), std::string::npos) << typo.err;

  RunResult imported = Inbeeld(
      {"import", path.string(), "--kolom", "Leerling=naam", "--kolom", "Soort=categorie",
       "--kolom", "Per=sinds", "--kolom", "Vestiging=brin", "--kolom", "Traject=plan", "--kolom",
       "Dossier=referentie", "--kolom", "Klas=", "--json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto j = nlohmann::json::parse(imported.out);
  EXPECT_EQ(j["rows"], 2);
  EXPECT_EQ(j["format"], "xlsx");
  EXPECT_EQ(j["rows_without_pgn"], 2);
  EXPECT_EQ(ListJson()["total"], 2);
}

TEST_F(CliTest, EachImportIsANewVersion) {
  Init();
  WriteList(tmp_.path() / "a.csv", 10, 1);
  WriteList(tmp_.path() / "b.csv", 12, 2);
  ASSERT_EQ(Inbeeld({"import", (tmp_.path() / "a.csv").string()}).exit_code, 0);
  ASSERT_EQ(Inbeeld({"import", (tmp_.path() / "b.csv").string()}).exit_code, 0);
  auto status = nlohmann::json::parse(Inbeeld({"status", "--json"}).out);
  EXPECT_EQ(status["list_versions"], 2);
  EXPECT_EQ(status["current_list"]["rows"], 12);
  RunResult old = Inbeeld({"list", "--json", "--version", "1"});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_EQ(nlohmann::json::parse(old.out)["total"], 10);
}

// `report quarterly` on fixed dates in the past (the binary runs on the real
// clock; the arithmetic is tested on a FakeClock in report_quarterly_test).
TEST_F(CliTest, ReportQuarterlyWritesTheRegistrationAndLogsWhoMadeIt) {
  Init();
  auto rows = schema::GenerateList(3, 8, {2026, 1, 10});  // out since before 10-01-2026
  WriteFile(tmp_.path() / "lijst.csv", schema::WriteListCsv(rows, ';', true));
  ASSERT_EQ(Inbeeld({"import", (tmp_.path() / "lijst.csv").string(), "--list-date",
                     "15-01-2026"})
                .exit_code,
            0);
  const fs::path csv = tmp_.path() / "kwartaal.csv";
  RunResult r = Inbeeld({"report", "quarterly", "--reference-date", "31-03-2026", "--csv",
                         csv.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["quarter"], "2026-K1");
  EXPECT_EQ(j["reference_date"], "2026-03-31");
  ASSERT_EQ(j["rows"].size(), 8u);
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(j["rows"][i]["row_number"], i + 1);
  EXPECT_EQ(j["on_list"], 8);
  std::ifstream in(csv, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(text.starts_with("\xEF\xBB\xBFNr.;Startdatum;Einddatum;Categorie;Onderwijstype\r\n"));
  for (const auto& row : rows) {
    EXPECT_EQ(text.find(row.identifier->digits()), std::string::npos) << "the CSV holds a BSN";
    EXPECT_EQ(r.out.find(row.identifier->digits()), std::string::npos) << "--json holds a BSN";
    EXPECT_EQ(text.find(row.own_reference), std::string::npos);
  }
  RunResult audit = Inbeeld({"audit", "show", "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("inbeeld.report.quarterly"), std::string::npos);

  RunResult text_out = Inbeeld({"report", "quarterly", "--reference-date", "31-03-2026"});
  ASSERT_EQ(text_out.exit_code, 0) << text_out.err;
  EXPECT_NE(text_out.out.find("Quarterly registration 2026-K1"), std::string::npos) << text_out.out;
  EXPECT_EQ(Inbeeld({"report", "quarterly", "--reference-date", "31-02-2026"}).exit_code, 3);
  EXPECT_EQ(Inbeeld({"report", "quarterly", "--reference-date", "01-01-2100"}).exit_code, 3);
}

TEST_F(CliTest, WrongPassphraseFailsClearlyAndChangesNothing) {
  Init();
  WriteList(tmp_.path() / "a.csv", 20, 3);
  ASSERT_EQ(Inbeeld({"import", (tmp_.path() / "a.csv").string()}).exit_code, 0);
  nlohmann::json before = ListJson();
  std::string db_before = ReadFile(home() / "inbeeld.db");

  RunResult wrong = inbeeld::testing::Run(INBEELD_BINARY, {"list"}, env("not the passphrase"));
  EXPECT_EQ(wrong.exit_code, 4);
  EXPECT_NE(wrong.err.find("wrong passphrase"), std::string::npos) << wrong.err;
  RunResult wrong_import =
      inbeeld::testing::Run(INBEELD_BINARY, {"import", (tmp_.path() / "a.csv").string()}, env("not the passphrase"));
  EXPECT_EQ(wrong_import.exit_code, 4);

  EXPECT_EQ(ReadFile(home() / "inbeeld.db"), db_before);
  EXPECT_EQ(ListJson(), before);
}

TEST_F(CliTest, CorruptDatabaseFailsClearlyWithoutWriting) {
  Init();
  WriteList(tmp_.path() / "a.csv", 200, 4);
  ASSERT_EQ(Inbeeld({"import", (tmp_.path() / "a.csv").string()}).exit_code, 0);
  std::string db = ReadFile(home() / "inbeeld.db");
  ASSERT_GT(db.size(), 3 * 4096u);
  // Damage one byte in the middle of the third page.
  db[2 * 4096 + 1000] = static_cast<char>(db[2 * 4096 + 1000] ^ 0x5a);
  WriteFile(home() / "inbeeld.db", db);

  RunResult r = Inbeeld({"status", "--check"});
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_NE(r.err.find("inbeeld: error:"), std::string::npos);
  RunResult list = Inbeeld({"list"});
  EXPECT_EQ(list.exit_code, 7) << list.out << list.err;
  EXPECT_EQ(ReadFile(home() / "inbeeld.db"), db) << "a failed command wrote to a corrupt store";
}

TEST_F(CliTest, DamagedFirstPageIsReportedAsCorruptNotAsWrongPassphrase) {
  Init();
  std::string db = ReadFile(home() / "inbeeld.db");
  db[100] = static_cast<char>(db[100] ^ 1);
  WriteFile(home() / "inbeeld.db", db);
  RunResult r = Inbeeld({"status"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
}

TEST_F(CliTest, BadCheckDigitOnLine17IsReportedAndNothingIsStored) {
  Init();
  WriteList(tmp_.path() / "good.csv", 30, 5);
  ASSERT_EQ(Inbeeld({"import", (tmp_.path() / "good.csv").string()}).exit_code, 0);
  nlohmann::json before = ListJson();

  // Line 1 is the header, so line 17 is the 16th data row. Break its check digit.
  auto rows = schema::GenerateList(6, 40, kToday);
  std::string csv = schema::WriteListCsv(rows, ';', true);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '\n') {
      lines.push_back(csv.substr(start, i - start + 1));
      start = i + 1;
    }
  }
  ASSERT_GE(lines.size(), 17u);
  std::string digits = rows[15].identifier->digits();
  size_t pos = lines[16].find(digits);
  ASSERT_NE(pos, std::string::npos);
  char& last = lines[16][pos + 8];
  last = last == '9' ? '0' : static_cast<char>(last + 1);
  std::string broken_digits = lines[16].substr(pos, 9);
  std::string broken;
  for (const auto& l : lines) broken += l;
  WriteFile(tmp_.path() / "bad.csv", broken);

  RunResult r = Inbeeld({"import", (tmp_.path() / "bad.csv").string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("bad.csv:17:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(broken_digits), std::string::npos) << "the error echoed the identifier";
  EXPECT_EQ(ListJson(), before);
}

TEST_F(CliTest, DuplicateIdentifiersNameBothLines) {
  Init();
  auto rows = schema::GenerateList(7, 10, kToday);
  rows[7].identifier = rows[2].identifier;
  WriteFile(tmp_.path() / "dup.csv", schema::WriteListCsv(rows, ',', false));
  RunResult r = Inbeeld({"import", (tmp_.path() / "dup.csv").string()});
  EXPECT_EQ(r.exit_code, 3);
  // Data row 2 is on line 4, data row 7 on line 9.
  EXPECT_NE(r.err.find("dup.csv:9:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 4"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(rows[2].identifier->digits()), std::string::npos);
}

// ---------------------------------------------------------------------------
// Children without a PGN, and the role-based PGN policy.

// `n` generated children without a PGN, named by name parts (synthetic names,
// letters only so each is a different name after normalisation).
std::vector<schema::ListRow> ChildrenWithoutPgn(uint64_t seed, size_t n) {
  auto rows = schema::GenerateList(seed, n, kToday);
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].identifier.reset();
    rows[i].name = {};
    rows[i].name.first_names = std::string("Testa ") + static_cast<char>('a' + i % 26) + "nna";
    rows[i].name.roepnaam = "Roep";
    rows[i].name.surname = std::string("Proef") + static_cast<char>('a' + i / 26 % 26) + "naam";
    rows[i].sex = schema::Sex::kFemale;
    if (i % 4 == 0) rows[i].birth_date = schema::PartialDate{2013, 0, 0};
  }
  return rows;
}

// The list a node shows, and its database file: what "nothing changed" means.
struct NodeState {
  std::string list;
  std::string db;
  bool operator==(const NodeState&) const = default;
};

NodeState StateOf(const TestNode& node) {
  RunResult list = node.Cli({"list", "--json", "--rows"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  return {list.out, testing::ReadFile(node.home() / "inbeeld.db")};
}

TEST(PgnPolicyCliTest, AnSwvNodeRefusesAFileWithABsnColumnAndKeepsItsList) {
  TempDir tmp;
  TestNode swv(tmp.path(), "swv-vo-zk", "swv");
  EXPECT_NE(testing::ReadFile(swv.home() / "inbeeld.toml").find("\nholds_pgn = false\n"),
            std::string::npos);
  // Its own list, without any PGN, goes in.
  swv.Import(ChildrenWithoutPgn(41, 30));
  const NodeState before = StateOf(swv);

  // A leerplicht export with a BSN column: refused, whether the column holds
  // numbers or nothing at all.
  auto with_bsn = schema::GenerateList(42, 20, kToday);
  const std::string header = "BSN;Categorie;Sinds;BRIN;Plan;Kenmerk;Naam;Geboortedatum\r\n";
  std::string full = header, empty = header;
  for (const auto& row : with_bsn) {
    std::string rest = ";dreigend;01-11-2026;12AB;nee;" + row.own_reference + ";" +
                       *row.name.full_name + ";" + schema::FormatDutch(row.birth_date->date()) +
                       "\r\n";
    full += row.identifier->digits() + rest;
    empty += rest;
  }
  for (const auto& [file, text] : {std::pair{"lijst.csv", full}, std::pair{"leeg.csv", empty}}) {
    const fs::path path = tmp.path() / file;
    testing::WriteFile(path, text);
    RunResult r = swv.Cli({"import", path.string()});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find(std::string(file) +
                         ":1: kolom 'BSN': this node (role swv) may not hold a BSN or "
                         "onderwijsnummer (UAVG art. 46; OSO) — remove the column and import "
                         "again\n"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("nothing was imported and the stored list is unchanged"),
              std::string::npos)
        << r.err;
    for (const auto& row : with_bsn) {
      EXPECT_EQ(r.err.find(row.identifier->digits()), std::string::npos) << "echoed a BSN";
      EXPECT_EQ(r.err.find(*row.name.full_name), std::string::npos) << "echoed a name";
    }
    EXPECT_EQ(r.out, "");

    RunResult json = swv.Cli({"import", path.string(), "--json"});
    EXPECT_EQ(json.exit_code, 3);
    auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j["imported"], false);
    ASSERT_EQ(j["problems"].size(), 1u);
    EXPECT_EQ(j["problems"][0]["line"], 1);
    EXPECT_EQ(j["problems"][0]["column"], "BSN");
  }
  // The same BSNs in a column named "Kenmerk" (taken as the own reference):
  // refused by its cells, naming the column and the first row's line.
  {
    std::string kenmerk = "Kenmerk;Categorie;Sinds;BRIN;Plan;Naam;Geboortedatum\r\n";
    for (const auto& row : with_bsn) {
      kenmerk += row.identifier->digits() + ";dreigend;01-11-2026;12AB;nee;" +
                 *row.name.full_name + ";" + schema::FormatDutch(row.birth_date->date()) + "\r\n";
    }
    const fs::path path = tmp.path() / "kenmerk.csv";
    testing::WriteFile(path, kenmerk);
    RunResult r = swv.Cli({"import", path.string()});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("kenmerk.csv:2: kolom 'Kenmerk': this node (role swv) may not hold"),
              std::string::npos)
        << r.err;
    for (const auto& row : with_bsn) {
      EXPECT_EQ(r.err.find(row.identifier->digits()), std::string::npos) << "echoed a BSN";
    }
  }
  EXPECT_EQ(StateOf(swv), before) << "a refused import changed the node";
  auto status = swv.CliJson({"status", "--json"});
  EXPECT_EQ(status["list_versions"], 1);
  EXPECT_EQ(status["holds_pgn"], false);
}

TEST(PgnPolicyCliTest, ANodeConfiguredWithoutPgnRefusesLikewise) {
  TempDir tmp;
  TestNode lp(tmp.path(), "leerplicht-velsen", "leerplicht", /*holds_pgn=*/false);
  EXPECT_NE(testing::ReadFile(lp.home() / "inbeeld.toml").find("\nholds_pgn = false\n"),
            std::string::npos);
  lp.Import(ChildrenWithoutPgn(43, 10));
  const NodeState before = StateOf(lp);
  const fs::path path = tmp.path() / "lijst.csv";
  testing::WriteFile(path, schema::WriteListCsv(schema::GenerateList(44, 5, kToday)));
  RunResult r = lp.Cli({"import", path.string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("lijst.csv:1: kolom 'bsn': this node (holds_pgn = false in its "
                       "configuration) may not hold a BSN or onderwijsnummer — remove the column "
                       "and import again\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(StateOf(lp), before);

  // An SWV that is configured to hold PGNs imports them (until protocol v2
  // needs none, the tests' SWVs do).
  TestNode holding(tmp.path(), "swv-po-zk", "swv", /*holds_pgn=*/true);
  RunResult imported = holding.Cli({"import", path.string()});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
}

TEST(PgnPolicyCliTest, ALeerplichtNodeTakesChildrenWithAndWithoutAPgn) {
  TempDir tmp;
  TestNode lp(tmp.path(), "leerplicht-haarlem", "leerplicht");
  auto rows = schema::GenerateList(45, 40, kToday);
  auto without = ChildrenWithoutPgn(46, 12);
  for (auto& row : without) row.own_reference = "GEEN-" + row.own_reference;
  rows.insert(rows.end(), without.begin(), without.end());
  const fs::path path = tmp.path() / "gemengd.csv";
  testing::WriteFile(path, schema::WriteListCsv(rows));
  RunResult imported = lp.Cli({"import", path.string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("Imported 52 rows from gemengd.csv (12 without a BSN/onderwijsnummer)"),
            std::string::npos)
      << imported.out;

  auto list = lp.CliJson({"list", "--json", "--rows"});
  EXPECT_EQ(list["total"], 52);
  EXPECT_EQ(list["without_pgn"], 12);
  size_t flagged = 0;
  for (const auto& row : list["rows"]) {
    flagged += !row["has_pgn"].get<bool>();
    EXPECT_FALSE(row.contains("name")) << "names only with --with-names";
  }
  EXPECT_EQ(flagged, 12u);

  RunResult text = lp.Cli({"list", "--rows", "--with-names"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("52 children"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("12 without a BSN/onderwijsnummer"), std::string::npos) << text.out;
  // A child without a PGN shows as roepnaam and surname, with what is known of
  // its birth date and its sex.
  EXPECT_NE(text.out.find("Roep Proefanaam (2013, V)"), std::string::npos) << text.out;
  for (const auto& row : rows) {
    if (row.identifier) {
      EXPECT_EQ(text.out.find(row.identifier->digits()), std::string::npos) << "printed a BSN";
    }
  }
  auto named = lp.CliJson({"list", "--json", "--rows", "--with-names"});
  bool found = false;
  for (const auto& row : named["rows"]) {
    if (row["own_reference"] != without[0].own_reference) continue;
    found = true;
    EXPECT_EQ(row["name"]["surname"], "Proefanaam");
    EXPECT_EQ(row["name"]["roepnaam"], "Roep");
    EXPECT_EQ(row["birth_date"], "2013");
    EXPECT_EQ(row["sex"], "V");
  }
  EXPECT_TRUE(found);
}

TEST_F(CliTest, AChildWithoutAPgnListedTwiceNamesBothLines) {
  Init();
  auto rows = ChildrenWithoutPgn(47, 10);
  rows[7].name = rows[2].name;
  rows[7].birth_date = rows[2].birth_date;
  WriteFile(tmp_.path() / "dubbel.csv", schema::WriteListCsv(rows, ';', false));
  RunResult r = Inbeeld({"import", (tmp_.path() / "dubbel.csv").string()});
  EXPECT_EQ(r.exit_code, 3);
  // Data row 2 is on line 4, data row 7 on line 9.
  EXPECT_NE(r.err.find("dubbel.csv:9: duplicate child without BSN/onderwijsnummer: same name and "
                       "birth date as line 4"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("Proef"), std::string::npos) << "echoed a name";
}

TEST(PgnPolicyCliTest, PeerAddWritesAndChecksTheMatchKeys) {
  TempDir tmp;
  TestNode lp(tmp.path(), "leerplicht-haarlem", "leerplicht");
  TestNode swv(tmp.path(), "swv-vo-zk", "swv");
  TestNode other(tmp.path(), "leerplicht-velsen", "leerplicht");

  // Towards an SWV: never the PGN, written out explicitly.
  RunResult added = lp.AddPeer(swv);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(testing::ReadFile(lp.home() / "inbeeld.toml").find("match_keys = [\"name\", \"weak\"]"),
            std::string::npos);
  // Between leerplicht nodes the PGN may be used.
  RunResult between = lp.AddPeer(other, {"--match-keys", "pgn,name"});
  ASSERT_EQ(between.exit_code, 0) << between.err;

  const std::string before = testing::ReadFile(swv.home() / "inbeeld.toml");
  RunResult as_swv = swv.AddPeer(lp, {"--match-keys", "name,pgn"});
  EXPECT_EQ(as_swv.exit_code, 3);
  EXPECT_NE(as_swv.err.find("peer not added: "), std::string::npos) << as_swv.err;
  EXPECT_NE(as_swv.err.find("match_keys[1]: \"pgn\": this node is a samenwerkingsverband (role "
                            "swv) and may not use a BSN or onderwijsnummer in an exchange (UAVG "
                            "art. 46)"),
            std::string::npos)
      << as_swv.err;
  EXPECT_EQ(testing::ReadFile(swv.home() / "inbeeld.toml"), before) << "refused, yet written";
  RunResult unknown = swv.AddPeer(lp, {"--match-keys", "bsn"});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.err.find("--match-keys"), std::string::npos) << unknown.err;

  auto peers = lp.CliJson({"peer", "list", "--json"});
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0]["match_keys"], (nlohmann::json{"name", "weak"}));
  EXPECT_EQ(peers[1]["match_keys"], (nlohmann::json{"pgn", "name"}));
  RunResult text = lp.Cli({"peer", "list"});
  EXPECT_NE(text.out.find("  matching  name, weak\n"), std::string::npos) << text.out;
}

TEST_F(CliTest, InitHoldsPgnIsCheckedAndWritten) {
  RunResult bad = Inbeeld({"init", "--name", "N", "--organisation", "O", "--role", "swv",
                           "--holds-pgn", "misschien", "--kdf-profile", "interactive"});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("--holds-pgn"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(home() / "node.json"));
  RunResult good = Inbeeld({"init", "--name", "N", "--organisation", "O", "--role", "school",
                            "--holds-pgn", "nee", "--kdf-profile", "interactive"});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(ReadFile(home() / "inbeeld.toml").find("\nholds_pgn = false\n"), std::string::npos);
}

TEST_F(CliTest, PassphraseFromFile) {
  WriteFile(tmp_.path() / "pass", kPassphrase + "\n");
  Env file_env = {{"INBEELD_HOME", home().string()},
                  {"INBEELD_PASSPHRASE_FILE", (tmp_.path() / "pass").string()}};
  RunResult init = inbeeld::testing::Run(INBEELD_BINARY,
                       {"init", "--name", "N", "--organisation", "O", "--role", "swv",
                        "--kdf-profile", "interactive"},
                       file_env);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  // The same passphrase through the other channel opens the node.
  EXPECT_EQ(Inbeeld({"status"}).exit_code, 0);
}

TEST_F(CliTest, PassphraseFromTheSystemdCredentialAndAWarningForAFileOthersMayRead) {
  Init();
  // As the unit's LoadCredentialEncrypted=passphrase:… leaves it, without
  // INBEELD_PASSPHRASE_FILE.
  fs::create_directories(tmp_.path() / "credentials");
  WriteFile(tmp_.path() / "credentials" / "passphrase", kPassphrase + "\n");
  fs::permissions(tmp_.path() / "credentials" / "passphrase", fs::perms::owner_read);
  RunResult credential = inbeeld::testing::Run(
      INBEELD_BINARY, {"status"},
      {{"INBEELD_HOME", home().string()},
       {"CREDENTIALS_DIRECTORY", (tmp_.path() / "credentials").string()}});
  EXPECT_EQ(credential.exit_code, 0) << credential.err;
  EXPECT_EQ(credential.err.find("warning"), std::string::npos) << credential.err;

  fs::path pass = tmp_.path() / "pass";
  WriteFile(pass, kPassphrase + "\n");
  fs::permissions(pass, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read);
  RunResult readable = inbeeld::testing::Run(
      INBEELD_BINARY, {"status"},
      {{"INBEELD_HOME", home().string()}, {"INBEELD_PASSPHRASE_FILE", pass.string()}});
  EXPECT_EQ(readable.exit_code, 0) << readable.err;
  EXPECT_NE(readable.err.find("warning: the passphrase file " + pass.string()), std::string::npos)
      << readable.err;
  EXPECT_NE(readable.err.find("(mode 0644)"), std::string::npos) << readable.err;
  EXPECT_EQ(readable.err.find(kPassphrase), std::string::npos);
}

TEST_F(CliTest, NoPassphraseSourceIsAClearError) {
  Init();
  RunResult r = inbeeld::testing::Run(INBEELD_BINARY, {"status"}, {{"INBEELD_HOME", home().string()}});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("INBEELD_PASSPHRASE_FILE"), std::string::npos) << r.err;
}

TEST_F(CliTest, UninitialisedAndDoubleInit) {
  RunResult none = Inbeeld({"status"});
  EXPECT_EQ(none.exit_code, 6);
  EXPECT_NE(none.err.find("inbeeld init"), std::string::npos) << none.err;
  Init();
  RunResult again = Inbeeld({"init", "--name", "X", "--organisation", "Y", "--role", "school",
                             "--kdf-profile", "interactive"});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_NE(again.err.find("already"), std::string::npos);
}

TEST_F(CliTest, MissingDataDirectoryIsAClearError) {
  RunResult r = inbeeld::testing::Run(INBEELD_BINARY, {"status"}, {{"INBEELD_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("--data-dir"), std::string::npos) << r.err;
  RunResult flag = inbeeld::testing::Run(INBEELD_BINARY,
                       {"init", "--data-dir", (tmp_.path() / "flagged").string(), "--name", "N",
                        "--organisation", "O", "--role", "school", "--kdf-profile", "interactive"},
                       {{"INBEELD_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
  EXPECT_TRUE(fs::exists(tmp_.path() / "flagged" / "node.json"));
}

TEST_F(CliTest, ShortPassphraseRefusedAtInit) {
  RunResult r = inbeeld::testing::Run(INBEELD_BINARY,
                    {"init", "--name", "N", "--organisation", "O", "--role", "school"},
                    env("short"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(fs::exists(home() / "node.json"));
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (std::string cmd : {"init", "import", "list", "status", "demo", "whoami", "serve", "match",
                          "results", "peer"}) {
    RunResult r = Inbeeld({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd << ": " << r.out;
  }
  RunResult top = Inbeeld({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(Inbeeld({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(Inbeeld({}).exit_code, 2);
}

TEST_F(CliTest, VersionIsTheProjectVersion) {
  // Needs no node and no passphrase: what an administrator types first.
  RunResult r = inbeeld::testing::Run(INBEELD_BINARY, {"--version"}, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("inbeeld ") + INBEELD_PROJECT_VERSION + "\n");
  EXPECT_EQ(r.err, "");
  EXPECT_NE(Inbeeld({"--help"}).out.find("--version"), std::string::npos);
}

TEST_F(CliTest, ConfigAndMetadataArePrivate) {
  Init();
  for (const char* f : {"inbeeld.toml", "node.json", "inbeeld.db"}) {
    auto perms = fs::status(home() / f).permissions();
    EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none) << f;
  }
  EXPECT_EQ(fs::status(home()).permissions() & fs::perms::others_all, fs::perms::none);
}

TEST_F(CliTest, DemoRunsEndToEnd) {
  RunResult r = inbeeld::testing::Run(INBEELD_BINARY, {"demo", "--rows", "60"}, {});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The SWV's list is imported without any BSN, and matched by name all the same.
  EXPECT_NE(r.out.find("--role swv"), std::string::npos) << r.out;
  const std::regex swv_import(R"(Imported (\d+) rows from swv-vo-zk\.csv \((\d+) without a BSN)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, swv_import)) << r.out;
  EXPECT_EQ(m[1], m[2]);
  EXPECT_NE(r.out.find("both sides exactly right"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("decoys at most possible"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("count mode: neither side learned which records"), std::string::npos);
  EXPECT_NE(r.out.find("Stopped both nodes"), std::string::npos);
}

}  // namespace
}  // namespace inbeeld
