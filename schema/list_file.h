// schema/list_file.h — a list file as an operator hands it over: CSV or .xlsx,
// told apart by its content, not its name.
//
// Thread safety: a pure function; safe from any thread.
#ifndef INBEELD_SCHEMA_LIST_FILE_H_
#define INBEELD_SCHEMA_LIST_FILE_H_

#include <string_view>

#include "schema/cell_table.h"
#include "schema/csv_import.h"

namespace inbeeld::schema {

// The file's cells: ReadXlsx for a zip archive ("PK\x03\x04") or an OLE file
// (an old .xls or a password-protected .xlsx, refused with one problem),
// ReadCsvTable for anything else. `file_name` is not trusted for the format;
// it only words the problem for a file named .xlsx/.xls that is neither.
CellTable ReadListTable(std::string_view bytes, std::string_view file_name);

// ParseListTable(ReadListTable(bytes, file_name), options): what callers use.
// Never fails as a whole: everything wrong is a problem.
ParsedList ParseListFile(std::string_view bytes, std::string_view file_name,
                         const ParseOptions& options = {});

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_LIST_FILE_H_
