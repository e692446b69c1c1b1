// `inbeeld import FILE`: a new list version from a CSV or .xlsx export, all or
// nothing.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/cli/commands.h"
#include "node/clock/timestamp.h"
#include "schema/csv_import.h"
#include "schema/list_fields.h"
#include "schema/list_file.h"
#include "schema/utf8.h"

namespace inbeeld::node::cli {
namespace {

constexpr uintmax_t kMaxFileBytes = 512ull << 20;

Result<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Fail(ErrorCode::kNotFound, path + ": no such file");
  }
  if (std::filesystem::file_size(path, ec) > kMaxFileBytes) {
    return Fail(ErrorCode::kResourceExhausted, path + ": larger than 512 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, path + ": cannot be read");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

// Why this node refuses a file with a PGN column, for the operator.
std::string PgnRefusal(const config::NodeConfig& cfg) {
  if (cfg.role == config::Role::kSwv) {
    return "this node (role swv) may not hold a BSN or onderwijsnummer (UAVG art. 46; OSO) — "
           "remove the column and import again";
  }
  return "this node (holds_pgn = false in its configuration) may not hold a BSN or "
         "onderwijsnummer — remove the column and import again";
}

// `--kolom "Geb. datum=geboortedatum"` (or "Klas=" to ignore a column), each
// into the mapping.
Result<schema::ColumnMapping> ParseKolomOptions(const std::vector<std::string>& kolom) {
  schema::ColumnMapping mapping;
  for (const std::string& option : kolom) {
    size_t eq = option.rfind('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--kolom expects COLUMN=FIELD, e.g. --kolom \"Geb. datum=geboortedatum\" "
                  "(an empty FIELD ignores the column)");
    }
    std::string column = option.substr(0, eq);
    std::string field = option.substr(eq + 1);
    std::optional<schema::ListField> target;
    if (!field.empty()) {
      auto parsed = schema::ParseListField(field);
      if (!parsed) return std::unexpected(WithContext(parsed.error(), "--kolom " + column));
      target = *parsed;
    }
    if (!mapping.emplace(column, target).second) {
      return Fail(ErrorCode::kInvalidArgument, "--kolom " + column + " is given twice");
    }
  }
  return mapping;
}

}  // namespace

void AddImportCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    std::string file;
    std::string list_date;
    std::vector<std::string> kolom;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Import a list as a new list version: CSV with ; or , (UTF-8 with or without BOM, or "
      "Windows-1252) or an Excel workbook (.xlsx, its first sheet), told apart by the content. "
      "Columns are found by their names; --kolom says which column holds which field where the "
      "names do not. All or nothing: if any row is invalid, every problem is listed with its line "
      "(a sheet's row number) and column and nothing is stored. A node that may not hold a BSN "
      "or onderwijsnummer (role swv, or holds_pgn = false) refuses a file with such a column.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("FILE", options->file, "The CSV or .xlsx file")->required();
  cmd->add_option("--kolom", options->kolom,
                  "COLUMN=FIELD: the file's column COLUMN holds FIELD (bsn, categorie, sinds, "
                  "brin, plan, referentie, voornamen, roepnaam, voorletters, tussenvoegsel, "
                  "achternaam, naam, geboortedatum, geslacht); COLUMN= ignores the column. "
                  "Repeatable, e.g. --kolom \"Geb. datum=geboortedatum\" --kolom \"Klas=\"")
      ->allow_extra_args(false);
  cmd->add_option("--list-date", options->list_date,
                  "Date the list was fixed, dd-mm-jjjj or jjjj-mm-dd (default: today)");
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      schema::Date list_date = TodayUtc(context.clock);
      if (!options->list_date.empty()) {
        auto date = schema::ParseDate(options->list_date);
        if (!date) return std::unexpected(WithContext(date.error(), "--list-date"));
        list_date = *date;
      }
      auto mapping = ParseKolomOptions(options->kolom);
      if (!mapping) return std::unexpected(mapping.error());
      // Open the node first: a wrong passphrase should not cost a parse of a
      // million rows, and a missing node should be said before file problems.
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      std::string name = std::filesystem::path(options->file).filename().string();
      // The name goes into the audit record and the JSON output, and both
      // must be UTF-8 (nlohmann-json throws on anything else). Not echoed.
      if (!schema::IsValidUtf8(name)) {
        return Fail(ErrorCode::kInvalidArgument,
                    "the file name is not valid UTF-8; rename the file (e.g. lijst.csv) and "
                    "import again; nothing was imported");
      }
      auto bytes = ReadWholeFile(options->file);
      if (!bytes) return std::unexpected(bytes.error());
      // A node that may not hold a PGN refuses the column itself, before a
      // single row is parsed, even when every cell in it is empty.
      schema::ParsedList parsed =
          schema::ParseListFile(*bytes, name,
                                schema::ParseOptions{.allow_identifier = node->config.holds_pgn,
                                                     .mapping = std::move(*mapping)});
      std::fill(bytes->begin(), bytes->end(), '\0');
      if (parsed.identifier_refused) {
        const schema::ImportProblem& p = parsed.problems.front();
        const std::string why = PgnRefusal(node->config);
        if (global.json) {
          nlohmann::json problems = nlohmann::json::array();
          problems.push_back(
              {{"file", name}, {"line", p.line}, {"column", p.column}, {"message", why}});
          *context.out << nlohmann::json{{"imported", false}, {"problems", problems}}.dump(2)
                       << "\n";
        } else {
          *context.err << name << ":" << p.line << ": kolom '" << p.column << "': " << why << "\n";
        }
        return Fail(ErrorCode::kInvalidArgument,
                    name +
                        " has a BSN/onderwijsnummer column, which this node may not hold; "
                        "nothing was imported and the stored list is unchanged");
      }
      if (!parsed.problems.empty()) {
        if (global.json) {
          nlohmann::json problems = nlohmann::json::array();
          for (const auto& p : parsed.problems) {
            problems.push_back(
                {{"file", name}, {"line", p.line}, {"column", p.column}, {"message", p.message}});
          }
          *context.out << nlohmann::json{{"imported", false}, {"problems", problems}}.dump(2)
                       << "\n";
        } else {
          for (const auto& p : parsed.problems) {
            *context.err << name << ":" << p.line << ": " << (p.column.empty() ? "" : p.column)
                         << (p.column.empty() ? "" : ": ") << p.message << "\n";
          }
        }
        return Fail(ErrorCode::kInvalidArgument,
                    std::to_string(parsed.problems.size()) + " problem" +
                        (parsed.problems.size() == 1 ? "" : "s") + " in " + name +
                        "; nothing was imported and the stored list is unchanged");
      }
      if (parsed.rows.empty()) {
        return Fail(ErrorCode::kInvalidArgument,
                    name + " holds no rows; nothing was imported and the stored list is unchanged");
      }
      size_t without_pgn = 0;
      for (const auto& row : parsed.rows) without_pgn += !row.identifier.has_value();
      audit::AuditLog log(*node->store, node->identity);
      auto version = node->store->ImportList(
          parsed.rows, list_date, name, node->subject_key, node->field_key,
          [&](const ListVersion& v) -> Status {
            return log.AppendInTransaction({audit::EventRecord(
                node->clock(), "inbeeld.list.import", true,
                {{"inbeeld.list_version", std::to_string(v.id)},
                 {"inbeeld.list_date", schema::FormatIso(v.list_date)},
                 {"inbeeld.count.rows", std::to_string(v.row_count)},
                 {"inbeeld.count.rows_without_pgn", std::to_string(without_pgn)},
                 {"inbeeld.source", v.source}})});
          });
      if (!version) return std::unexpected(WithContext(version.error(), "import " + name));
      const bool csv = parsed.format == "csv";
      if (global.json) {
        nlohmann::json out{{"imported", true},
                           {"version", version->id},
                           {"rows", version->row_count},
                           {"rows_without_pgn", without_pgn},
                           {"list_date", schema::FormatIso(version->list_date)},
                           {"format", parsed.format}};
        if (csv) {
          out["delimiter"] = std::string(1, parsed.delimiter);
          out["encoding"] = parsed.encoding;
        }
        *context.out << out.dump(2) << "\n";
      } else {
        *context.out << "Imported " << version->row_count << " rows from " << name
                     << (without_pgn > 0 ? " (" + std::to_string(without_pgn) +
                                               " without a BSN/onderwijsnummer)"
                                         : std::string())
                     << " as list version " << version->id << " (list date "
                     << schema::FormatDutch(version->list_date) << "; read as "
                     << (csv ? parsed.encoding + ", delimiter '" + parsed.delimiter + "'"
                             : std::string(".xlsx, first sheet"))
                     << ").\n";
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
