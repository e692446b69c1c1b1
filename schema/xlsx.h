// schema/xlsx.h — reads the first worksheet of an .xlsx file into a cell table,
// and writes simple .xlsx workbooks. Bytes in, bytes out: no I/O, no temporary
// files (a sheet holds children's names).
//
// Reading (ReadXlsx) takes the first sheet in workbook.xml's order, found
// through the package and workbook relationships, and gives every cell as the
// text a person sees:
//  - shared strings (with rich-text runs, without phonetic runs), inline
//    strings, formula results (t="str"), booleans (WAAR/ONWAAR), errors (#N/A);
//  - numbers: a whole number as its digits (a BSN typed as a number,
//    123456782, not 1.23456782E8; an onderwijsnummer that lost its leading
//    zero stays without it, and the identifier check reports it); others in
//    the shortest form that reads back the same ("3.5");
//  - a number whose style is a date format (built-in 14–22, 45–47, or a
//    custom code with d or y, or m without h or s, outside quotes and
//    brackets) as dd-mm-jjjj, in the 1900 date system with Excel's leap-year
//    bug (serial 60 is 29-02-1900, which the date check refuses) or the 1904
//    system when the workbook says so; a time of day is dropped;
//  - cells without an `r` attribute follow the one before; gaps are empty.
// The header is the first row with a non-empty cell; a data row's line is
// its row number as Excel shows it. Text is trimmed of spaces and tabs, as a
// CSV field is.
//
// Hostile input gives one problem and no header, never a crash: not a zip;
// an encrypted workbook or an old .xls (an OLE compound file); no workbook or
// no sheet; an entry larger than its cap (kMaxSheetBytes, kMaxSharedStringsBytes,
// kMaxPartBytes) or compressed more than kMaxCompressionRatio to one; XML that
// is malformed, has a DOCTYPE (no entities, so no billion laughs), or nests
// deeper than kMaxXmlDepth; a cell reference beyond XFD1048576 or out of
// order; a shared string index out of range; a non-empty cell beyond column
// kMaxColumns; more than kMaxCellTextBytes of cell text in all. More than
// kMaxDataRows data rows sets too_many_rows. No problem ever holds a cell's
// value.
//
// Writing (WriteXlsx) makes a minimal SpreadsheetML package that Excel and
// LibreOffice open: per sheet a bold header row, frozen, with an autofilter,
// column widths, and cells that are text (inline strings, never formulas) or
// numbers. Characters XML 1.0 forbids are dropped; invalid UTF-8 becomes
// U+FFFD.
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_XLSX_H_
#define INBEELD_SCHEMA_XLSX_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"
#include "schema/cell_table.h"

namespace inbeeld::schema {

inline constexpr size_t kMaxSheetBytes = 64 << 20;          // uncompressed sheetN.xml
inline constexpr size_t kMaxSharedStringsBytes = 16 << 20;  // uncompressed sharedStrings.xml
inline constexpr size_t kMaxPartBytes = 4 << 20;            // workbook, styles, relationships
inline constexpr size_t kMaxCompressionRatio = 250;         // for entries above 1 MiB
inline constexpr size_t kMaxXmlDepth = 64;
inline constexpr size_t kMaxColumns = 1024;
inline constexpr size_t kMaxCellTextBytes = 256 << 20;

// The file starts like a zip archive ("PK\x03\x04"), as an .xlsx does.
bool LooksLikeZip(std::string_view bytes);
// The file is an OLE compound file (D0 CF 11 E0): an old .xls, or an .xlsx
// saved with a password.
bool LooksLikeOleFile(std::string_view bytes);

// Reads the first worksheet. Never fails as a whole: what is wrong is in the
// table's problems (format "xlsx").
CellTable ReadXlsx(std::string_view bytes);

// One cell to write: text or a number.
using SheetCell = std::variant<std::string, double>;

struct Sheet {
  std::string name;                 // 1–31 characters, none of []:*?/\ ; unique
  std::vector<std::string> header;  // written bold, frozen, with an autofilter
  std::vector<std::vector<SheetCell>> rows;
  // Width of each column in characters; columns not given are sized from
  // their contents (at most 60).
  std::vector<double> column_widths;
};

struct Workbook {
  std::vector<Sheet> sheets;  // at least one
};

// The .xlsx file's bytes. Fails with kInvalidArgument for no sheets, a bad or
// repeated sheet name, a row wider than 16384 columns, more than 1048575 rows
// or a number that is not finite; kInternal if libzip fails.
[[nodiscard]] Result<std::string> WriteXlsx(const Workbook& workbook);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_XLSX_H_
