// node/console/spreadsheet.h — the console's downloads as .xlsx: report
// sheets (node/report/sheet.h) written with schema/xlsx.h, in memory (the
// sheets may hold children's names; no temporary file is made).
//
// Thread safety: pure functions.
#ifndef INBEELD_NODE_CONSOLE_SPREADSHEET_H_
#define INBEELD_NODE_CONSOLE_SPREADSHEET_H_

#include <string>
#include <vector>

#include "base/error.h"
#include "node/report/sheet.h"

namespace inbeeld::node::console {

// One worksheet per sheet, in order; a text cell is never a formula.
Result<std::string> SheetsXlsx(const std::vector<report::Sheet>& sheets);

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_SPREADSHEET_H_
