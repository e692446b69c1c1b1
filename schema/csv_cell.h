// schema/csv_cell.h — one cell of a CSV file meant for Dutch Excel (';').
//
// A cell that starts with = + - @ (or a tab or carriage return, after which
// Excel still reads a formula) gets a leading ' so a spreadsheet shows it as
// text and never runs it; a cell holding ';', '"' or a line break is quoted,
// with quotes doubled. The overview, the meeting list and the reports share
// it, so every export guards the same way.
//
// Thread safety: pure function.
#ifndef INBEELD_SCHEMA_CSV_CELL_H_
#define INBEELD_SCHEMA_CSV_CELL_H_

#include <string>
#include <string_view>

namespace inbeeld::schema {

std::string ExcelCsvCell(std::string_view text);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_CSV_CELL_H_
