// node/report/sheet.h — a report as a plain table: a name, header strings and
// rows of text or whole-number cells. The console turns a Sheet into an .xlsx
// (its own writer) or JSON; SheetCsv renders it for Dutch Excel.
//
// Thread safety: plain values and pure functions.
#ifndef INBEELD_NODE_REPORT_SHEET_H_
#define INBEELD_NODE_REPORT_SHEET_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace inbeeld::node::report {

// Text, or a whole number a spreadsheet should treat as a number.
using Cell = std::variant<std::string, int64_t>;

struct Sheet {
  std::string name;                     // the worksheet's name, e.g. "Registratie"
  std::vector<std::string> header;      // one per column
  std::vector<std::vector<Cell>> rows;  // each as long as `header`
};

// One CSV cell as Dutch Excel reads it: a cell that starts with = + - or @ gets
// a leading ' (so it is never evaluated as a formula), and a cell holding ';',
// '"', CR or LF is quoted with '"' doubled. Numbers as decimal digits.
std::string CsvCell(const Cell& cell);

// UTF-8 with a byte-order mark, ';' between cells, CRLF after every line:
// the header line, then the rows.
std::string SheetCsv(const Sheet& sheet);

}  // namespace inbeeld::node::report

#endif  // INBEELD_NODE_REPORT_SHEET_H_
