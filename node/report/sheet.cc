#include "node/report/sheet.h"

#include <string_view>

#include "schema/csv_cell.h"

namespace inbeeld::node::report {

std::string CsvCell(const Cell& cell) {
  if (const auto* number = std::get_if<int64_t>(&cell)) return std::to_string(*number);
  return schema::ExcelCsvCell(std::get<std::string>(cell));
}

std::string SheetCsv(const Sheet& sheet) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t i = 0; i < sheet.header.size(); ++i) {
    if (i > 0) out += ';';
    out += schema::ExcelCsvCell(sheet.header[i]);
  }
  out += "\r\n";
  for (const auto& row : sheet.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ';';
      out += CsvCell(row[i]);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace inbeeld::node::report
