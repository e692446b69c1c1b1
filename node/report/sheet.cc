#include "node/report/sheet.h"

#include <string_view>

namespace inbeeld::node::report {
namespace {

std::string CsvText(const std::string& text) {
  std::string t = text;
  // A leading = + - @ (or a tab or CR before one) makes Excel evaluate the
  // cell: keep it text.
  if (!t.empty() && std::string_view("=+-@\t\r").find(t.front()) != std::string_view::npos) {
    t.insert(t.begin(), '\'');
  }
  if (t.find_first_of(";\"\r\n") == std::string::npos) return t;
  std::string out = "\"";
  for (char c : t) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string CsvCell(const Cell& cell) {
  if (const auto* number = std::get_if<int64_t>(&cell)) return std::to_string(*number);
  return CsvText(std::get<std::string>(cell));
}

std::string SheetCsv(const Sheet& sheet) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t i = 0; i < sheet.header.size(); ++i) {
    if (i > 0) out += ';';
    out += CsvText(sheet.header[i]);
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
