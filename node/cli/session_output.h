// node/cli/session_output.h — how a session and its matches are shown:
// a table for people, JSON for programs, and CSV that Dutch Excel opens
// (`;`, UTF-8 with BOM).
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
nlohmann::json SessionJson(const exchange::SessionRecord& session,
                           const std::vector<exchange::ResultRow>* rows);
std::string SessionCsv(const std::vector<exchange::ResultRow>& rows);

}  // namespace inbeeld::node::cli

#endif  // INBEELD_NODE_CLI_SESSION_OUTPUT_H_
