// /api/lijst/voorbeeld and /api/lijst/import: a list file from the browser,
// its columns mapped to inbeeld's fields (remembered per set of columns),
// stored all or nothing.
#include <sodium.h>

#include <charconv>
#include <filesystem>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/clock/timestamp.h"
#include "node/console/handlers.h"
#include "schema/date.h"
#include "schema/list_fields.h"
#include "schema/list_file.h"
#include "schema/utf8.h"

namespace inbeeld::node::console {
namespace {

// %XX sequences decoded; anything malformed is kInvalidArgument.
Result<std::string> PercentDecoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return Fail(ErrorCode::kInvalidArgument, "bad percent encoding");
    }
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

// The file's base name from X-Bestandsnaam, for the version list and the
// log: "lijst.xlsx" when absent or unusable.
std::string FileName(const ApiRequest& request) {
  auto it = request.headers.find("x-bestandsnaam");
  if (it == request.headers.end()) return "lijst";
  auto decoded = PercentDecoded(it->second);
  if (!decoded || !schema::IsValidUtf8(*decoded) || decoded->size() > 255) return "lijst";
  std::string name = std::filesystem::path(*decoded).filename().string();
  for (char& c : name) {
    if (static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  return name.empty() ? "lijst" : name;
}

// A header's columns, in order, hashed: the key its mapping is remembered
// under. Hashed because a file without a header row would put a child's
// data in the "header".
std::string HeaderSignature(const std::vector<std::string>& header) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (const auto& column : header) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const uint8_t*>(column.data()),
                              column.size());
    const uint8_t separator = 0x1F;
    crypto_hash_sha256_update(&state, &separator, 1);
  }
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// The mapping as remembered: by column position, {"0": "achternaam", "3":
// null}, so no header text is kept (a file without a header row would put
// the first child's data there).
nlohmann::json MappingByPosition(const std::vector<std::string>& header,
                                 const schema::ColumnMapping& mapping) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < header.size(); ++i) {
    auto it = mapping.find(header[i]);
    if (it == mapping.end()) continue;
    out[std::to_string(i)] = it->second
                                 ? nlohmann::json(std::string(schema::FieldInfo(*it->second).name))
                                 : nlohmann::json(nullptr);
  }
  return out;
}

// The page's choice, by column position ({"0": "achternaam", "4": null}):
// short enough for a header line even for a file of hundreds of columns, and
// free of header text. Positions are those of `header`.
Result<schema::ColumnMapping> MappingFromJson(const nlohmann::json& json,
                                              const std::vector<std::string>& header) {
  if (!json.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "De koppeling van kolommen is onleesbaar.");
  }
  schema::ColumnMapping mapping;
  for (const auto& [position, field] : json.items()) {
    size_t index = 0;
    auto [end, ec] = std::from_chars(position.data(), position.data() + position.size(), index);
    if (ec != std::errc() || end != position.data() + position.size() || index >= header.size()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "De koppeling past niet bij de kolommen van dit bestand; kies het bestand "
                  "opnieuw.");
    }
    const std::string& column = header[index];
    if (field.is_null() || (field.is_string() && field.get<std::string>().empty())) {
      mapping[column] = std::nullopt;
      continue;
    }
    if (!field.is_string()) {
      return Fail(ErrorCode::kInvalidArgument, "De koppeling van kolommen is onleesbaar.");
    }
    auto parsed = schema::ParseListField(field.get<std::string>());
    if (!parsed) {
      return Fail(ErrorCode::kInvalidArgument,
                  "Een kolom is gekoppeld aan een gegeven dat inbeeld niet kent.");
    }
    mapping[column] = *parsed;
  }
  return mapping;
}

nlohmann::json ProblemsJson(const std::vector<schema::ImportProblem>& problems) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : problems) {
    out.push_back({{"regel", p.line},
                   {"kolom", p.column},
                   {"melding", p.melding.empty() ? p.message : p.melding}});
  }
  return out;
}

ApiReply Unprocessable(std::string message, const std::vector<schema::ImportProblem>& problems) {
  return JsonReply({{"fout", std::move(message)},
                    {"code", "ongeldig_bestand"},
                    {"problemen", ProblemsJson(problems)}},
                   422);
}

std::string PgnRefusalNl(const config::NodeConfig& config) {
  return config.role == config::Role::kSwv
             ? "Een samenwerkingsverband mag geen BSN of onderwijsnummer gebruiken (UAVG art. 46). "
               "Haal de kolom uit het bestand, of kies bij die kolom 'niet gebruiken', en probeer "
               "het opnieuw."
             : "Deze node mag geen BSN of onderwijsnummer bewaren (holds_pgn = false). Haal de "
               "kolom uit het bestand, of kies bij die kolom 'niet gebruiken'.";
}

Result<ApiReply> Preview(Call& call) {
  const std::string name = FileName(call.request);
  schema::CellTable table = schema::ReadListTable(call.request.body, name);
  if (table.header.empty()) {
    return Unprocessable("Dit bestand kan niet worden gelezen.", table.problems);
  }
  const std::string signature = HeaderSignature(table.header);
  schema::ColumnMapping proposed = schema::ProposeMapping(table.header);
  bool remembered = false;
  auto saved = call.people.RememberedMapping(signature);
  if (!saved) return std::unexpected(saved.error());
  if (*saved) {
    auto json = nlohmann::json::parse(**saved, nullptr, /*allow_exceptions=*/false);
    if (json.is_object()) {
      for (size_t i = 0; i < table.header.size(); ++i) {
        auto it = json.find(std::to_string(i));
        if (it == json.end()) continue;
        if (it->is_string()) {
          if (auto field = schema::ParseListField(it->get<std::string>()); field) {
            proposed[table.header[i]] = *field;
          }
        } else {
          proposed[table.header[i]] = std::nullopt;
        }
      }
      remembered = true;
    }
  }
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : schema::ListFields()) {
    if (f.field == schema::ListField::kIdentifier && !call.node.config.holds_pgn) continue;
    fields.push_back({{"veld", std::string(f.name)},
                      {"label", std::string(f.label)},
                      {"verplicht", f.required}});
  }
  nlohmann::json mapping = nlohmann::json::object();
  for (const auto& column : table.header) {
    auto it = proposed.find(column);
    mapping[column] = it != proposed.end() && it->second
                          ? nlohmann::json(std::string(schema::FieldInfo(*it->second).name))
                          : nlohmann::json(nullptr);
  }
  return JsonReply({{"bestand", name},
                    {"soort", table.format},
                    {"kolommen", table.header},
                    {"koppeling", mapping},
                    {"onthouden", remembered},
                    {"rijen", table.row_count()},
                    {"velden", fields}});
}

Result<ApiReply> Import(Call& call) {
  const std::string name = FileName(call.request);
  auto list_date = DateParam(call.request, "lijstdatum", TodayUtc(call.node.clock()));
  if (!list_date) return std::unexpected(list_date.error());
  schema::ParseOptions options{.allow_identifier = call.node.config.holds_pgn};
  nlohmann::json mapping_json = nullptr;
  if (auto it = call.request.headers.find("x-koppeling"); it != call.request.headers.end()) {
    auto decoded = PercentDecoded(it->second);
    if (!decoded)
      return Fail(ErrorCode::kInvalidArgument, "De koppeling van kolommen is onleesbaar.");
    mapping_json = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
    auto mapping =
        MappingFromJson(mapping_json, schema::ReadListTable(call.request.body, name).header);
    if (!mapping) return std::unexpected(mapping.error());
    options.mapping = std::move(*mapping);
  }
  schema::ParsedList parsed = schema::ParseListFile(call.request.body, name, options);
  // A refused import is logged too (who tried, which file, why — never a
  // value): on a node that may not hold a BSN, an attempt to bring one in.
  auto refused = [&](const std::string& why) {
    return AuditAction(call.node, "inbeeld.list.import", false,
                       {{"inbeeld.source", name},
                        {"inbeeld.reason", why},
                        {"inbeeld.count.problems", std::to_string(parsed.problems.size())}});
  };
  if (parsed.identifier_refused) {
    INBEELD_RETURN_IF_ERROR(refused("identifier column on a node that may not hold one"));
    std::vector<schema::ImportProblem> problems = parsed.problems;
    // The parser's own words say which column and why (a BSN column, or
    // numbers that look like BSNs in another column); ours add the rule.
    for (auto& p : problems) {
      p.melding = p.melding.empty() ? PgnRefusalNl(call.node.config)
                                    : p.melding + " " + PgnRefusalNl(call.node.config);
    }
    return Unprocessable(
        "Er is niets opgeslagen: dit bestand heeft een kolom met BSN of "
        "onderwijsnummer.",
        problems);
  }
  if (!parsed.problems.empty()) {
    INBEELD_RETURN_IF_ERROR(refused("problems in the file"));
    return Unprocessable(std::to_string(parsed.problems.size()) +
                             (parsed.problems.size() == 1 ? " probleem" : " problemen") +
                             " in het bestand. Er is niets opgeslagen; de lijst is zoals hij was.",
                         parsed.problems);
  }
  if (parsed.rows.empty()) {
    return Unprocessable("Het bestand bevat geen kinderen. Er is niets opgeslagen.", {});
  }
  size_t without_pgn = 0;
  for (const auto& row : parsed.rows) without_pgn += !row.identifier.has_value();
  audit::AuditLog log(*call.node.store, call.node.identity);
  auto version = call.node.store->ImportList(
      parsed.rows, *list_date, name, call.node.subject_key, call.node.field_key,
      [&](const ListVersion& v) -> Status {
        return log.AppendInTransaction(
            {audit::EventRecord(call.node.clock(), "inbeeld.list.import", true,
                                {{"inbeeld.list_version", std::to_string(v.id)},
                                 {"inbeeld.list_date", schema::FormatIso(v.list_date)},
                                 {"inbeeld.count.rows", std::to_string(v.row_count)},
                                 {"inbeeld.count.rows_without_pgn", std::to_string(without_pgn)},
                                 {"inbeeld.source", v.source},
                                 {"inbeeld.format", parsed.format}})});
      });
  if (!version) return std::unexpected(version.error());
  // Only a mapping that worked is remembered.
  if (!mapping_json.is_null()) {
    schema::CellTable table = schema::ReadListTable(call.request.body, name);
    INBEELD_RETURN_IF_ERROR(call.people.RememberMapping(
        HeaderSignature(table.header), MappingByPosition(table.header, options.mapping).dump()));
  }
  return JsonReply({{"versie", version->id},
                    {"rijen", version->row_count},
                    {"zonder_pgn", without_pgn},
                    {"lijstdatum", schema::FormatDutch(version->list_date)}});
}

}  // namespace

std::vector<Route> ImportRoutes() {
  return {
      {"POST", "/api/lijst/voorbeeld", kOperatorOnly, Preview},
      {"POST", "/api/lijst/import", kOperatorOnly, Import},
  };
}

}  // namespace inbeeld::node::console
