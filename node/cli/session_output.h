// node/cli/session_output.h — how a session and its matches are shown:
// a table for people, JSON for programs, and CSV that Dutch Excel opens
// (`;`, UTF-8 with BOM), or the same columns as an .xlsx workbook.
#ifndef INBEELD_NODE_CLI_SESSION_OUTPUT_H_
#define INBEELD_NODE_CLI_SESSION_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "node/exchange/report.h"
#include "node/exchange/results_store.h"

namespace inbeeld::node::cli {

void PrintSessionText(std::ostream& out, const exchange::SessionRecord& session,
                      const std::vector<exchange::ResultRow>& rows);
// The session's fields, without its matches.
nlohmann::json SessionJson(const exchange::SessionRecord& session);
// The session and, in match mode, its matches, written one match at a time
// (a list of 10^5 matches never exists as one JSON tree).
void WriteSessionJson(std::ostream& out, const exchange::SessionRecord& session,
                      const std::vector<exchange::ResultRow>& rows);
std::string SessionCsv(const std::vector<exchange::ResultRow>& rows);
// The same meeting list as SessionCsv (same Dutch headers and cells) as the
// bytes of an .xlsx workbook with one sheet, "Afstemming".
[[nodiscard]] Result<std::string> SessionXlsx(const std::vector<exchange::ResultRow>& rows);

}  // namespace inbeeld::node::cli

#endif  // INBEELD_NODE_CLI_SESSION_OUTPUT_H_
