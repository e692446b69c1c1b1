#include "node/console/spreadsheet.h"

#include <algorithm>
#include <variant>

#include "schema/xlsx.h"

namespace inbeeld::node::console {

Result<std::string> SheetsXlsx(const std::vector<report::Sheet>& sheets) {
  schema::Workbook workbook;
  for (const auto& sheet : sheets) {
    schema::Sheet out;
    out.name = sheet.name;
    out.header = sheet.header;
    std::vector<size_t> widths(sheet.header.size());
    for (size_t c = 0; c < sheet.header.size(); ++c) widths[c] = sheet.header[c].size();
    for (const auto& row : sheet.rows) {
      std::vector<schema::SheetCell> cells;
      for (size_t c = 0; c < row.size(); ++c) {
        if (const auto* text = std::get_if<std::string>(&row[c])) {
          cells.emplace_back(*text);
          if (c < widths.size()) widths[c] = std::max(widths[c], text->size());
        } else {
          cells.emplace_back(static_cast<double>(std::get<int64_t>(row[c])));
        }
      }
      out.rows.push_back(std::move(cells));
    }
    for (size_t w : widths)
      out.column_widths.push_back(static_cast<double>(std::min<size_t>(w + 2, 60)));
    workbook.sheets.push_back(std::move(out));
  }
  return schema::WriteXlsx(workbook);
}

}  // namespace inbeeld::node::console
