#include "schema/csv_cell.h"

namespace inbeeld::schema {

std::string ExcelCsvCell(std::string_view text) {
  std::string t(text);
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

}  // namespace inbeeld::schema
