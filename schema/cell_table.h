// schema/cell_table.h — a file's cells as text, between the file formats (CSV,
// .xlsx) and the list parser (ParseListTable in schema/csv_import.h).
//
// A reader (ReadCsvTable, ReadXlsx) turns bytes into a CellTable: the header
// row, the data rows with the line each came from (a CSV file's physical line,
// a sheet's row number as Excel shows it), and the problems met while reading
// (a quote never closed, a sheet that is not one). A reader that could not find
// a header leaves `header` empty and says why in `problems`.
//
// Cells are kept in one buffer, so a table of a million rows costs its text
// plus a few bytes a cell, not a string a cell.
//
// Thread safety: a plain value; const methods are safe from any thread.
#ifndef INBEELD_SCHEMA_CELL_TABLE_H_
#define INBEELD_SCHEMA_CELL_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace inbeeld::schema {

inline constexpr size_t kMaxDataRows = 2'000'000;
inline constexpr size_t kMaxLineBytes = 64 * 1024;
inline constexpr size_t kMaxProblems = 10'000;

// One thing wrong with a file, for the operator. Neither text ever contains a
// cell's value: any cell of a misaligned file may hold an identifier.
struct ImportProblem {
  size_t line = 0;           // CSV: 1-based physical line where the record starts;
                             // .xlsx: the sheet's row number; 1 for the whole file
  std::string column;        // header text as in the file; empty for the whole line
  std::string message;       // English, for the CLI and logs
  std::string melding = {};  // the same in plain Dutch, for the console

  // `melding` translates `message`, so it takes no part in equality.
  bool operator==(const ImportProblem& other) const {
    return line == other.line && column == other.column && message == other.message;
  }
};

class CellTable {
 public:
  // "csv" or "xlsx".
  std::string format = "csv";
  // CSV only: the delimiter and how the bytes were decoded ("utf-8",
  // "utf-8-bom", "windows-1252", "utf-16").
  char delimiter = ';';
  std::string encoding = "utf-8";

  // The header cells as in the file (trimmed) and the header's line; empty
  // when the reader found none (then `problems` says why).
  std::vector<std::string> header;
  size_t header_line = 0;

  // Problems met while reading, sorted by line; rows they concern are not in
  // the table. At most kMaxProblems are kept; `dropped_problems` counts the
  // rest.
  std::vector<ImportProblem> problems;
  size_t dropped_problems = 0;
  // The file has more than kMaxDataRows data rows: no rows are kept and
  // `problems` holds only the one saying so.
  bool too_many_rows = false;

  // Appends a data row. REQUIRES: lines do not decrease from row to row.
  void AddRow(size_t line, size_t end_line, std::span<const std::string_view> cells);
  void AddRow(size_t line, std::span<const std::string> cells);
  // Drops every row (for too_many_rows).
  void ClearRows();

  size_t row_count() const { return rows_.size(); }
  // The line a row starts on, and (CSV) the line it ends on.
  size_t line(size_t row) const { return rows_[row].line; }
  size_t end_line(size_t row) const { return rows_[row].end_line; }
  size_t cell_count(size_t row) const { return rows_[row].cell_count; }
  // A cell's text; empty beyond the row's last cell (a sheet leaves trailing
  // empty cells out).
  std::string_view cell(size_t row, size_t column) const;
  // Bytes of cell text held.
  size_t text_bytes() const { return text_.size(); }

 private:
  struct Row {
    size_t line;
    size_t end_line;
    size_t first_cell;
    uint32_t cell_count;
  };
  std::string text_;
  std::vector<size_t> cell_end_;  // cell_end_[i]: end of cell i in text_
  std::vector<Row> rows_;
};

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_CELL_TABLE_H_
