// Fuzzes the .xlsx reader (schema/xlsx.h) through ParseListFile with file
// bytes: the zip container, the relationships, the XML of workbook, styles,
// shared strings and sheet.
//
// Invariants beyond "no crash": every problem's column, message and melding
// is valid UTF-8 (the console and `inbeeld import --json` print them as
// JSON), neither text holds a run of 8 or more digits (an identifier is never
// echoed), problems are sorted by line, a refused file has no rows, and what
// was read writes back with WriteXlsx into a workbook that reads the same.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "schema/list_file.h"
#include "schema/utf8.h"
#include "schema/xlsx.h"

namespace {

bool HasLongDigitRun(std::string_view text) {
  size_t run = 0;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 8) return true;
  }
  return false;
}

// Text the writer keeps as it is.
bool Clean(const std::string& text) {
  if (!inbeeld::schema::IsValidUtf8(text)) return false;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  return text.find("\xEF\xBF\xBE") == std::string::npos &&
         text.find("\xEF\xBF\xBF") == std::string::npos;
}

}  // namespace

INBEELD_FUZZ_TARGET(xlsx_import) {
  using namespace inbeeld::schema;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const CellTable table = ReadXlsx(bytes);
  for (bool allow_identifier : {true, false}) {
    const ParsedList parsed =
        ParseListTable(table, ParseOptions{.allow_identifier = allow_identifier});
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : parsed.problems) {
      INBEELD_FUZZ_CHECK(!HasLongDigitRun(p.message));
      INBEELD_FUZZ_CHECK(!HasLongDigitRun(p.melding));
      problems.push_back(
          {{"line", p.line}, {"column", p.column}, {"message", p.message}, {"melding", p.melding}});
    }
    (void)problems.dump();  // throws (and so aborts) on invalid UTF-8
    INBEELD_FUZZ_CHECK(
        std::is_sorted(parsed.problems.begin(), parsed.problems.end(),
                       [](const auto& a, const auto& b) { return a.line < b.line; }));
    if (parsed.identifier_refused) INBEELD_FUZZ_CHECK(parsed.rows.empty());
    if (!allow_identifier) {
      for (const ListRow& row : parsed.rows) INBEELD_FUZZ_CHECK(!row.identifier.has_value());
    }
  }
  // Cells that were read come back the same through the writer, when they
  // hold nothing the writer must drop (controls, U+FFFE/U+FFFF, bad UTF-8).
  if (table.header.empty() || table.too_many_rows) return;
  Sheet sheet{"S", table.header, {}, {}};
  bool clean = std::all_of(table.header.begin(), table.header.end(), Clean);
  for (size_t r = 0; r < table.row_count(); ++r) {
    std::vector<SheetCell> cells;
    for (size_t c = 0; c < table.cell_count(r); ++c) {
      cells.emplace_back(std::string(table.cell(r, c)));
      clean = clean && Clean(std::string(table.cell(r, c)));
    }
    sheet.rows.push_back(std::move(cells));
  }
  if (!clean) return;
  const auto written = WriteXlsx(Workbook{{sheet}});
  INBEELD_FUZZ_CHECK(written.has_value());
  const CellTable again = ReadXlsx(*written);
  INBEELD_FUZZ_CHECK(again.header == table.header);
  INBEELD_FUZZ_CHECK(again.row_count() == table.row_count());
  for (size_t r = 0; r < table.row_count(); ++r) {
    for (size_t c = 0; c < table.header.size(); ++c) {
      INBEELD_FUZZ_CHECK(again.cell(r, c) == table.cell(r, c));
    }
  }
}
