#include "schema/cell_table.h"

namespace inbeeld::schema {

void CellTable::AddRow(size_t line, size_t end_line, std::span<const std::string_view> cells) {
  rows_.push_back(Row{line, end_line, cell_end_.size(), static_cast<uint32_t>(cells.size())});
  for (std::string_view c : cells) {
    text_.append(c);
    cell_end_.push_back(text_.size());
  }
}

void CellTable::AddRow(size_t line, std::span<const std::string> cells) {
  rows_.push_back(Row{line, line, cell_end_.size(), static_cast<uint32_t>(cells.size())});
  for (const std::string& c : cells) {
    text_.append(c);
    cell_end_.push_back(text_.size());
  }
}

void CellTable::ClearRows() {
  std::string().swap(text_);
  std::vector<size_t>().swap(cell_end_);
  std::vector<Row>().swap(rows_);
}

std::string_view CellTable::cell(size_t row, size_t column) const {
  const Row& r = rows_[row];
  if (column >= r.cell_count) return {};
  size_t i = r.first_cell + column;
  size_t begin = i == 0 ? 0 : cell_end_[i - 1];
  return std::string_view(text_).substr(begin, cell_end_[i] - begin);
}

}  // namespace inbeeld::schema
