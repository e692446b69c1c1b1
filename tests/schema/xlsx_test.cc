#include "schema/xlsx.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "schema/identifier.h"
#include "schema/list_file.h"
#include "schema/synthetic.h"

namespace inbeeld::schema {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

// A zip archive built by hand, for shapes WriteXlsx never makes.
std::string Zip(const Entries& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  EXPECT_NE(archive, nullptr);
  for (const auto& [name, data] : entries) {
    zip_source_t* s = zip_source_buffer(archive, data.data(), data.size(), 0);
    EXPECT_GE(zip_file_add(archive, name.c_str(), s, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(archive), 0);
  zip_stat_t st;
  zip_stat_init(&st);
  zip_source_stat(buffer, &st);
  std::string out(st.size, '\0');
  zip_source_open(buffer);
  zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return out;
}

// The entries of an archive, by name.
std::map<std::string, std::string> Unzip(const std::string& bytes) {
  std::map<std::string, std::string> out;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  zip_t* archive = zip_open_from_source(src, ZIP_RDONLY, &error);
  EXPECT_NE(archive, nullptr);
  if (archive == nullptr) return out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &st);
    zip_file_t* f = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    std::string data(st.size, '\0');
    zip_fread(f, data.data(), data.size());
    zip_fclose(f);
    out[st.name] = data;
  }
  zip_discard(archive);
  zip_error_fini(&error);
  return out;
}

constexpr std::string_view kMainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

// A workbook as Excel lays it out, with the given sheet, shared strings and
// styles (empty: left out).
std::string HandXlsx(const std::string& sheet_data, const std::string& shared = "",
                     const std::string& styles = "", const std::string& workbook_pr = "",
                     const std::string& sheet_prefix = "") {
  std::string rels =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
      "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
  std::string workbook = "<workbook xmlns=\"" + std::string(kMainNs) +
                         "\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                         "relationships\">" +
                         workbook_pr +
                         "<sheets><sheet name=\"Blad2\" sheetId=\"2\" r:id=\"rId7\"/>"
                         "<sheet name=\"Blad1\" sheetId=\"1\" r:id=\"rId3\"/></sheets></workbook>";
  std::string workbook_rels =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId3\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet2.xml\"/>"
      "<Relationship Id=\"rId7\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"/xl/worksheets/sheet1.xml\"/>"
      "<Relationship Id=\"rId8\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
      "sharedStrings\" Target=\"sharedStrings.xml\"/>"
      "<Relationship Id=\"rId9\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
      "Target=\"styles.xml\"/></Relationships>";
  Entries entries = {
      {"_rels/.rels", rels},
      {"xl/workbook.xml", workbook},
      {"xl/_rels/workbook.xml.rels", workbook_rels},
      // The first sheet in workbook order is sheet1.xml (rId7), not sheet2.
      {"xl/worksheets/sheet1.xml", sheet_prefix + "<worksheet xmlns=\"" + std::string(kMainNs) +
                                       "\"><sheetData>" + sheet_data + "</sheetData></worksheet>"},
      {"xl/worksheets/sheet2.xml", "<worksheet xmlns=\"" + std::string(kMainNs) +
                                       "\"><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>"
                                       "wrong sheet</t></is></c></row></sheetData></worksheet>"},
  };
  if (!shared.empty()) {
    entries.emplace_back("xl/sharedStrings.xml",
                         "<sst xmlns=\"" + std::string(kMainNs) + "\">" + shared + "</sst>");
  }
  if (!styles.empty()) {
    entries.emplace_back("xl/styles.xml", "<styleSheet xmlns=\"" + std::string(kMainNs) + "\">" +
                                              styles + "</styleSheet>");
  }
  return Zip(entries);
}

std::vector<std::vector<std::string>> Cells(const CellTable& table) {
  std::vector<std::vector<std::string>> out;
  out.push_back(table.header);
  for (size_t r = 0; r < table.row_count(); ++r) {
    std::vector<std::string> row;
    for (size_t c = 0; c < std::max(table.cell_count(r), table.header.size()); ++c) {
      row.emplace_back(table.cell(r, c));
    }
    out.push_back(row);
  }
  return out;
}

std::string Describe(const CellTable& table) {
  std::string out;
  for (const ImportProblem& p : table.problems) {
    out += std::to_string(p.line) + " [" + p.column + "] " + p.message + " / " + p.melding + "\n";
  }
  return out;
}

// ---------------------------------------------------------------------------
// Writing, and reading back what was written.

TEST(XlsxTest, WrittenWorkbookReadsBackToTheSameCells) {
  Sheet sheet;
  sheet.name = "Lijst";
  sheet.header = {"referentie", "naam", "aantal", "opmerking"};
  sheet.rows = {
      {std::string("R-1"), std::string("Zoë Öztürk"), 3.0, std::string("a & b < c > d \"e\"")},
      {std::string("=SUM(A1)"), std::string("  spaties  "), 3.5, std::string("tab\tin")},
      {std::string("R-3"), std::string("Jan van der Berg"), 123456782.0, std::string("")},
  };
  Sheet second;
  second.name = "Tweede";
  second.header = {"x"};
  Result<std::string> bytes = WriteXlsx(Workbook{{sheet, second}});
  ASSERT_TRUE(bytes) << bytes.error().message;
  ASSERT_TRUE(LooksLikeZip(*bytes));

  CellTable table = ReadXlsx(*bytes);
  ASSERT_TRUE(table.problems.empty()) << Describe(table);
  EXPECT_EQ(table.format, "xlsx");
  EXPECT_EQ(table.header_line, 1u);
  std::vector<std::vector<std::string>> expected = {
      {"referentie", "naam", "aantal", "opmerking"},
      {"R-1", "Zoë Öztürk", "3", "a & b < c > d \"e\""},
      // Trimmed on reading, as a CSV field is; the formula-like text is text.
      {"=SUM(A1)", "spaties", "3.5", "tab\tin"},
      {"R-3", "Jan van der Berg", "123456782", ""},
  };
  EXPECT_EQ(Cells(table), expected);
  EXPECT_EQ(table.line(0), 2u);
  EXPECT_EQ(table.line(2), 4u);
}

TEST(XlsxTest, WrittenPackageHasThePartsExcelNeeds) {
  Sheet sheet{"Afstemming", {"paarcode", "zekerheid"}, {{std::string("K7F-2QX"), 1.0}}, {}};
  Result<std::string> bytes = WriteXlsx(Workbook{{sheet}});
  ASSERT_TRUE(bytes);
  auto parts = Unzip(*bytes);
  for (const char* name :
       {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
        "xl/styles.xml", "xl/worksheets/sheet1.xml"}) {
    EXPECT_TRUE(parts.contains(name)) << name;
  }
  const std::string& xml = parts["xl/worksheets/sheet1.xml"];
  EXPECT_NE(xml.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(xml.find("<autoFilter ref=\"A1:B2\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<col min=\"1\" max=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("s=\"1\""), std::string::npos);  // bold header
  EXPECT_EQ(xml.find("<f>"), std::string::npos);      // never a formula
  EXPECT_NE(parts["[Content_Types].xml"].find("/xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_NE(parts["xl/workbook.xml"].find("_xlnm._FilterDatabase"), std::string::npos);
  EXPECT_NE(parts["xl/styles.xml"].find("<b/>"), std::string::npos);
}

TEST(XlsxTest, WriterDropsWhatXmlForbidsAndEscapes) {
  Sheet sheet{"S",
              {"a"},
              {{std::string("x\x01y\x1Fz\xEF\xBF\xBE"
                            "<&>")},
               {std::string("\xFF")}},
              {}};
  Result<std::string> bytes = WriteXlsx(Workbook{{sheet}});
  ASSERT_TRUE(bytes);
  CellTable table = ReadXlsx(*bytes);
  ASSERT_TRUE(table.problems.empty()) << Describe(table);
  EXPECT_EQ(table.cell(0, 0), "xyz<&>");
  EXPECT_EQ(table.cell(1, 0), "\xEF\xBF\xBD");  // invalid UTF-8 became U+FFFD
}

TEST(XlsxTest, WriterRefusesBadWorkbooks) {
  EXPECT_FALSE(WriteXlsx(Workbook{}));
  EXPECT_FALSE(WriteXlsx(Workbook{{Sheet{"a/b", {"x"}, {}, {}}}}));
  EXPECT_FALSE(WriteXlsx(Workbook{{Sheet{std::string(32, 'a'), {"x"}, {}, {}}}}));
  EXPECT_FALSE(WriteXlsx(Workbook{{Sheet{"Blad", {"x"}, {}, {}}, Sheet{"blad", {"x"}, {}, {}}}}));
  EXPECT_FALSE(WriteXlsx(Workbook{{Sheet{"S", {"x"}, {{1.0 / 0.0}}, {}}}}));
}

// ---------------------------------------------------------------------------
// Reading what Excel and others write.

TEST(XlsxTest, SharedStringsRichTextDatesNumbersAndSparseCells) {
  const std::string shared =
      "<si><t>referentie</t></si>"
      "<si><r><rPr><b/></rPr><t>Geb.</t></r><r><t xml:space=\"preserve\"> datum</t></r>"
      "<rPh><t>PHONETIC</t></rPh></si>"
      "<si><t>Zoë</t></si>";
  const std::string styles =
      "<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
      "<numFmt numFmtId=\"165\" formatCode=\"&quot;dag&quot;\\ 0\"/></numFmts>"
      "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
      "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
      "<xf numFmtId=\"165\"/><xf numFmtId=\"49\"/></cellXfs>";
  const std::string sheet =
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"C2\" t=\"s\"><v>1</v></c>"
      "<c t=\"inlineStr\"><is><t>bsn</t></is></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>2</v></c><c r=\"C3\" s=\"1\"><v>41703</v></c>"
      "<c r=\"D3\"><v>1.23456782E8</v></c></row>"
      "<row r=\"5\"><c r=\"A5\" t=\"str\"><f>A3</f><v>Zoë</v></c><c r=\"B5\" t=\"b\"><v>1</v></c>"
      "<c r=\"C5\" s=\"2\"><v>41703.75</v></c><c r=\"D5\" s=\"3\"><v>7</v></c>"
      "<c r=\"E5\" s=\"4\"/></row>"
      "<row r=\"6\"><c r=\"C6\" s=\"1\"><v>60</v></c><c r=\"D6\" t=\"e\"><v>#N/A</v></c></row>";
  CellTable table = ReadXlsx(HandXlsx(sheet, shared, styles));
  ASSERT_TRUE(table.problems.empty()) << Describe(table);
  EXPECT_EQ(table.header_line, 2u);
  std::vector<std::vector<std::string>> expected = {
      {"referentie", "", "Geb. datum", "bsn"},
      {"Zoë", "", "05-03-2014", "123456782"},
      {"Zoë", "WAAR", "05-03-2014", "7"},  // a custom non-date format stays a number
      {"", "", "29-02-1900", "#N/A"},      // Excel's day that never was
  };
  EXPECT_EQ(Cells(table), expected);
  EXPECT_EQ(table.line(0), 3u);
  EXPECT_EQ(table.line(1), 5u);
  EXPECT_EQ(table.line(2), 6u);
}

TEST(XlsxTest, Date1904System) {
  const std::string styles =
      "<cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs>";
  CellTable table =
      ReadXlsx(HandXlsx("<row r=\"1\"><c t=\"inlineStr\"><is><t>sinds</t></is></c></row>"
                        "<row r=\"2\"><c s=\"1\"><v>40241</v></c></row>",
                        "", styles, "<workbookPr date1904=\"1\"/>"));
  ASSERT_TRUE(table.problems.empty()) << Describe(table);
  EXPECT_EQ(table.cell(0, 0), "05-03-2014");
}

TEST(XlsxTest, ParseListFileReadsAListFromAWorkbook) {
  std::vector<ListRow> rows = GenerateList(5, 20, Date{2026, 1, 15});
  CellTable csv = ReadCsvTable(WriteListCsv(rows));
  Sheet sheet{"Lijst", csv.header, {}, {}};
  for (size_t r = 0; r < csv.row_count(); ++r) {
    std::vector<SheetCell> cells;
    for (size_t c = 0; c < csv.header.size(); ++c) cells.emplace_back(std::string(csv.cell(r, c)));
    sheet.rows.push_back(cells);
  }
  Result<std::string> bytes = WriteXlsx(Workbook{{sheet}});
  ASSERT_TRUE(bytes);
  ParsedList list = ParseListFile(*bytes, "lijst.xlsx");
  ASSERT_TRUE(list.ok()) << list.problems[0].message;
  EXPECT_EQ(list.format, "xlsx");
  EXPECT_EQ(list.rows, rows);
  // And a CSV is still a CSV, whatever its name.
  ParsedList from_csv = ParseListFile(WriteListCsv(rows), "lijst.txt");
  EXPECT_EQ(from_csv.format, "csv");
  EXPECT_EQ(from_csv.rows, rows);
}

TEST(XlsxTest, ANodeWithoutPgnRefusesBsnsInAWorkbooksReferenceColumn) {
  // A "Kenmerk" column of BSNs as Excel keeps them: numbers.
  std::string bsn;
  for (uint32_t n = 333444555; bsn.empty(); ++n) {
    if (IsValidBsn(std::to_string(n))) bsn = std::to_string(n);
  }
  Sheet sheet{"Lijst",
              {"Kenmerk", "Categorie", "Sinds", "BRIN", "Plan", "Naam", "Geboortedatum"},
              {{SheetCell(std::stod(bsn)), std::string("dreigend"), std::string("01-02-2026"),
                std::string("12AB"), std::string("ja"), std::string("Emma de Vries"),
                std::string("05-03-2014")}},
              {}};
  Result<std::string> bytes = WriteXlsx(Workbook{{sheet}});
  ASSERT_TRUE(bytes);
  ParsedList list = ParseListFile(*bytes, "lijst.xlsx", ParseOptions{.allow_identifier = false});
  EXPECT_TRUE(list.identifier_refused);
  EXPECT_TRUE(list.rows.empty());
  ASSERT_EQ(list.problems.size(), 1u);
  EXPECT_EQ(list.problems[0].line, 2u);
  EXPECT_EQ(list.problems[0].column, "Kenmerk");
  EXPECT_EQ(list.problems[0].message.find(bsn), std::string::npos);
  EXPECT_EQ(list.problems[0].melding.find(bsn), std::string::npos);
  // Where a PGN may be held it is read as before: a reference.
  ParsedList held = ParseListFile(*bytes, "lijst.xlsx");
  ASSERT_TRUE(held.ok()) << held.problems[0].message;
  EXPECT_EQ(held.rows.at(0).own_reference, bsn);
}

TEST(XlsxTest, ProblemsNameTheSheetRowAndTheHeaderText) {
  const std::string sheet =
      "<row r=\"1\"><c t=\"inlineStr\"><is><t>BSN</t></is></c>"
      "<c t=\"inlineStr\"><is><t>Categorie</t></is></c><c t=\"inlineStr\"><is><t>Sinds</t></is></c>"
      "<c t=\"inlineStr\"><is><t>BRIN</t></is></c><c t=\"inlineStr\"><is><t>Plan</t></is></c>"
      "<c t=\"inlineStr\"><is><t>Kenmerk</t></is></c></row>"
      "<row r=\"4\"><c><v>123456781</v></c><c t=\"inlineStr\"><is><t>dreigend</t></is></c>"
      "<c><v>123456782</v></c><c t=\"inlineStr\"><is><t>12AB</t></is></c><c t=\"b\"><v>0</v></c>"
      "<c t=\"inlineStr\"><is><t>R1</t></is></c></row>";
  ParsedList list = ParseListFile(HandXlsx(sheet), "lijst.xlsx");
  ASSERT_EQ(list.problems.size(), 2u);
  EXPECT_EQ(list.problems[0].line, 4u);
  EXPECT_EQ(list.problems[0].column, "BSN");
  EXPECT_EQ(list.problems[1].column, "Sinds");
  for (const ImportProblem& p : list.problems) {
    EXPECT_EQ(p.message.find("12345678"), std::string::npos) << p.message;
    EXPECT_EQ(p.melding.find("12345678"), std::string::npos) << p.melding;
    EXPECT_FALSE(p.melding.empty());
  }
}

TEST(XlsxTest, AValueUnderNoHeaderIsAProblemOfItsRow) {
  CellTable table =
      ReadXlsx(HandXlsx("<row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c></row>"
                        "<row r=\"2\"><c t=\"inlineStr\"><is><t>x</t></is></c></row>"
                        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>x</t></is></c>"
                        "<c r=\"D3\"><v>123456782</v></c></row>"));
  ASSERT_EQ(table.problems.size(), 1u) << Describe(table);
  EXPECT_EQ(table.problems[0].line, 3u);
  EXPECT_EQ(table.row_count(), 1u);
  EXPECT_EQ(table.problems[0].message.find("123456782"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Hostile and broken files: one problem each, English and Dutch, no crash.

struct HostileCase {
  const char* name;
  std::string bytes;
  std::string message_part;
};

void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

std::vector<HostileCase> HostileCases() {
  const std::string header = "<row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c></row>";
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<x>";
  for (int i = 0; i < 100; ++i) deep += "</x>";
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>";
  return {
      {"NotAZip", std::string("PK\x03\x04") + std::string(200, 'x'), "not a readable .xlsx"},
      {"Empty", "", "not one"},
      {"OleEncrypted", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(512, '\0'),
       "without a password"},
      {"ZipWithoutWorkbook", Zip({{"hello.txt", "hi"}}), "holds no Excel workbook"},
      {"BillionLaughs",
       HandXlsx(header + "<row r=\"2\"><c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row>", "", "",
                "", laughs),
       "DOCTYPE"},
      {"DeepNesting", HandXlsx(header + "<row r=\"2\">" + deep + "</row>"), "nested too deeply"},
      {"ColumnBeyondXfd", HandXlsx(header + "<row r=\"2\"><c r=\"XFE2\"><v>1</v></c></row>"),
       "cell reference"},
      {"RowBeyondTheLast", HandXlsx(header + "<row r=\"1048577\"><c><v>1</v></c></row>"),
       "cell reference"},
      {"CellsOutOfOrder",
       HandXlsx(header + "<row r=\"2\"><c r=\"B2\"><v>1</v></c><c r=\"A2\"><v>1</v></c></row>"),
       "cell reference"},
      {"SharedStringOutOfRange",
       HandXlsx(header + "<row r=\"2\"><c t=\"s\"><v>5</v></c></row>", "<si><t>a</t></si>"),
       "shared text"},
      {"ColumnBeyondTheCap", HandXlsx(header + "<row r=\"2\"><c r=\"AMK2\"><v>1</v></c></row>"),
       "beyond column 1024"},
      {"MalformedXml", HandXlsx(header + "<row r=\"2\"><c>"), "not a readable .xlsx"},
      {"EmptySheet", HandXlsx(""), "no header row"},
  };
}

class XlsxHostileTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(XlsxHostileTest, GivesOneProblemInEnglishAndDutch) {
  ParsedList list = ParseListFile(GetParam().bytes, "lijst.xlsx");
  ASSERT_EQ(list.problems.size(), 1u) << list.problems.size();
  EXPECT_TRUE(list.rows.empty());
  EXPECT_NE(list.problems[0].message.find(GetParam().message_part), std::string::npos)
      << list.problems[0].message;
  EXPECT_FALSE(list.problems[0].melding.empty());
  EXPECT_EQ(list.problems[0].melding.find("lol"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(All, XlsxHostileTest, ::testing::ValuesIn(HostileCases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(XlsxTest, OversizedAndOvercompressedEntriesAreRefused) {
  const std::string header = "<row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c></row>";
  // A sheet that unpacks beyond 64 MiB.
  std::string big = header + "<row r=\"2\"><c t=\"inlineStr\"><is><t>" +
                    std::string(kMaxSheetBytes, ' ') + "</t></is></c></row>";
  CellTable bomb = ReadXlsx(HandXlsx(big));
  ASSERT_EQ(bomb.problems.size(), 1u);
  EXPECT_NE(bomb.problems[0].message.find("unpacks to more"), std::string::npos);
  // Shared strings of 2 MiB of one character compress more than 250 to one.
  CellTable ratio = ReadXlsx(HandXlsx(header, "<si><t>" + std::string(2 << 20, 'a') + "</t></si>"));
  ASSERT_EQ(ratio.problems.size(), 1u);
  EXPECT_NE(ratio.problems[0].message.find("unpacks to more"), std::string::npos);
}

TEST(XlsxTest, OldXlsByNameOrContentGetsItsOwnMessage) {
  ParsedList renamed = ParseListFile("just some text", "lijst.xls");
  ASSERT_EQ(renamed.problems.size(), 1u);
  EXPECT_NE(renamed.problems[0].message.find("not one"), std::string::npos);
}

}  // namespace
}  // namespace inbeeld::schema
