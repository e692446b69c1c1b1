#include "schema/list_file.h"

#include "schema/xlsx.h"

namespace inbeeld::schema {
namespace {

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s = s.substr(s.size() - suffix.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

}  // namespace

CellTable ReadListTable(std::string_view bytes, std::string_view file_name) {
  if (LooksLikeZip(bytes) || LooksLikeOleFile(bytes)) return ReadXlsx(bytes);
  if (EndsWithNoCase(file_name, ".xlsx") || EndsWithNoCase(file_name, ".xls")) {
    // Named as a workbook but not one: reading it as CSV would list a
    // problem for every line of binary noise.
    CellTable table;
    table.format = "xlsx";
    table.problems.push_back(ImportProblem{
        1, "", "the file is named as an Excel workbook but is not one (damaged, or renamed)",
        "Dit bestand heet een Excel-werkmap, maar is het niet: het is beschadigd of hernoemd. Sla "
        "de lijst in Excel op als Excel-werkmap (.xlsx) of als CSV UTF-8."});
    return table;
  }
  return ReadCsvTable(bytes);
}

ParsedList ParseListFile(std::string_view bytes, std::string_view file_name,
                         const ParseOptions& options) {
  return ParseListTable(ReadListTable(bytes, file_name), options);
}

}  // namespace inbeeld::schema
