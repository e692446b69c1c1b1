// Fuzzes the list importer (schema/csv_import.h) with file bytes.
//
// Invariants beyond "no crash": every problem's column and message is valid
// UTF-8 (`inbeeld import --json` prints them through nlohmann-json, which
// throws on anything else), no message holds a run of 8 or more digits (an
// identifier is never echoed), problems are sorted by line, and the rows read
// back unchanged from what WriteListCsv makes of them.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "schema/csv_import.h"

namespace {

bool HasLongDigitRun(std::string_view text) {
  size_t run = 0;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 8) return true;
  }
  return false;
}

void CheckProblems(const inbeeld::schema::ParsedList& parsed) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : parsed.problems) {
    INBEELD_FUZZ_CHECK(!HasLongDigitRun(p.message));
    problems.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
  }
  // Throws (and so aborts the harness) on invalid UTF-8, as the CLI would.
  (void)problems.dump();
  INBEELD_FUZZ_CHECK(std::is_sorted(parsed.problems.begin(), parsed.problems.end(),
                                    [](const auto& a, const auto& b) { return a.line < b.line; }));
}

}  // namespace

INBEELD_FUZZ_TARGET(csv_import) {
  using namespace inbeeld::schema;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool allow_identifier : {true, false}) {
    const ParsedList parsed =
        ParseListCsv(bytes, ParseOptions{.allow_identifier = allow_identifier});
    CheckProblems(parsed);
    if (parsed.identifier_refused) INBEELD_FUZZ_CHECK(parsed.rows.empty());
    if (!allow_identifier) {
      for (const ListRow& row : parsed.rows) INBEELD_FUZZ_CHECK(!row.identifier.has_value());
    }
    if (!parsed.ok() || parsed.rows.empty()) continue;
    const ParsedList again = ParseListCsv(WriteListCsv(parsed.rows, parsed.delimiter));
    INBEELD_FUZZ_CHECK(again.ok());
    INBEELD_FUZZ_CHECK(again.rows == parsed.rows);
  }
}
