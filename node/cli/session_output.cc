#include "node/cli/session_output.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <array>
#include <iterator>

#include "schema/xlsx.h"

namespace inbeeld::node::cli {
namespace {

std::string ModeName(schema::wire::Mode mode) {
  return mode == schema::wire::Mode::kCount ? "count" : "match";
}

std::string Or(const std::optional<std::string>& v) { return v ? *v : "-"; }

std::string PeerCategory(const schema::wire::Labels& l) {
  return l.category ? std::string(schema::CategoryLabel(*l.category)) : "-";
}
std::string PeerSince(const schema::wire::Labels& l) {
  return l.since ? schema::FormatDutch(*l.since) : "-";
}
std::string PeerPlan(const schema::wire::Labels& l) {
  return l.plan ? (*l.plan ? "ja" : "nee") : "-";
}
std::string Flags(const exchange::ResultRow& r) { return exchange::DifferenceText(r); }

// Dutch, for the casusoverleg's spreadsheet: zeker, waarschijnlijk, mogelijk.
std::string_view StrengthDutch(schema::Strength s) {
  switch (s) {
    case schema::Strength::kCertain:
      return "zeker";
    case schema::Strength::kProbable:
      return "waarschijnlijk";
    case schema::Strength::kPossible:
      return "mogelijk";
  }
  return "mogelijk";
}

// "possible, to confirm" etc. for the table.
std::string StrengthText(const exchange::ResultRow& r) {
  std::string text(schema::StrengthName(r.strength));
  if (r.strength != schema::Strength::kPossible) return text;
  if (r.decision == exchange::Decision::kNone) return text + " (to confirm)";
  return text + " (" + std::string(exchange::DecisionName(r.decision)) + ")";
}

std::string_view DecisionDutch(exchange::Decision d) {
  switch (d) {
    case exchange::Decision::kConfirmed:
      return "bevestigd";
    case exchange::Decision::kRejected:
      return "afgewezen";
    case exchange::Decision::kNone:
      break;
  }
  return "te bevestigen";
}

// A CSV cell; one that a spreadsheet would take as a formula gets a leading '.
std::string CsvField(const std::string& text) {
  std::string cell = text;
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r')) {
    cell.insert(cell.begin(), '\'');
  }
  if (cell.find_first_of(";\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void PrintSessionText(std::ostream& out, const exchange::SessionRecord& s,
                      const std::vector<exchange::ResultRow>& rows) {
  out << fmt::format("Session {} — {} with {} as {}, purpose \"{}\"\n",
                     exchange::SessionIdHex(s.id), ModeName(s.mode), s.peer, s.role, s.purpose);
  out << fmt::format("  started {}, finished {}, status {}{}\n", s.started_at,
                     s.finished_at.empty() ? "-" : s.finished_at, s.status,
                     s.error.empty() ? "" : " (" + s.error + ")");
  if (s.status != "completed") return;
  out << fmt::format("  own list {} records (version {}); peer list {} records (list date {})\n",
                     s.own_list_size, s.list_version, s.peer_list_size.value_or(0),
                     s.peer_list_date ? schema::FormatDutch(*s.peer_list_date) : "-");
  if (s.own_counts && s.peer_counts) {
    out << fmt::format(
        "  our children the peer also knows: {} (certain or probable); {} more possibly, to "
        "confirm\n",
        s.own_counts->strong, s.own_counts->possible);
    out << fmt::format("  the peer's children we also know: {}; {} more possibly\n",
                       s.peer_counts->strong, s.peer_counts->possible);
  } else {
    out << fmt::format("  known to both: {}\n", s.overlap.value_or(0));
  }
  if (s.key_mask) out << fmt::format("  matched on: {}\n", exchange::KeyMaskNames(*s.key_mask));
  if (s.mode == schema::wire::Mode::kCount) {
    out << "  (count mode: neither side learned which records)\n";
    return;
  }
  out << fmt::format("  shared labels: {}\n", exchange::LabelMaskNames(s.label_mask.value_or(0)));
  if (rows.empty()) return;
  out << fmt::format(
      "\n  {:<8} {:<24} {:<14} {:<22} {:<10} {:<7} {:<4} | {:<22} {:<10} {:<7} {:<4} {}\n", "pair",
      "strength", "reference", "category", "since", "school", "plan", "peer category", "peer since",
      "school", "plan", "flags");
  for (const auto& r : rows) {
    out << fmt::format(
        "  {:<8} {:<24} {:<14} {:<22} {:<10} {:<7} {:<4} | {:<22} {:<10} {:<7} {:<4} {}\n",
        r.pair_code.empty() ? "-" : r.pair_code, StrengthText(r), r.own_reference,
        schema::CategoryLabel(r.category), schema::FormatDutch(r.since), r.school,
        r.plan_in_place ? "ja" : "nee", PeerCategory(r.peer), PeerSince(r.peer), Or(r.peer.school),
        PeerPlan(r.peer), Flags(r));
  }
  size_t to_confirm = 0;
  for (const auto& r : rows) {
    if (r.strength == schema::Strength::kPossible && r.decision == exchange::Decision::kNone) {
      ++to_confirm;
    }
  }
  if (to_confirm > 0) {
    out << fmt::format(
        "\n  {} possible pair(s) are not counted as the same child until confirmed:\n"
        "  inbeeld results {} --confirm PAIR (or --reject PAIR) after checking with the partner.\n",
        to_confirm, exchange::SessionIdHex(s.id));
  }
}

nlohmann::json SessionJson(const exchange::SessionRecord& s) {
  nlohmann::json j = {{"session", exchange::SessionIdHex(s.id)},
                      {"mode", ModeName(s.mode)},
                      {"role", s.role},
                      {"peer", s.peer},
                      {"purpose", s.purpose},
                      {"status", s.status},
                      {"started_at", s.started_at},
                      {"finished_at", s.finished_at},
                      {"list_version", s.list_version},
                      {"own_list_size", s.own_list_size}};
  if (!s.error.empty()) j["error"] = s.error;
  if (s.peer_list_size) j["peer_list_size"] = *s.peer_list_size;
  if (s.peer_list_date) j["peer_list_date"] = schema::FormatIso(*s.peer_list_date);
  if (s.overlap) j["overlap"] = *s.overlap;
  if (s.own_counts) {
    j["own_matched"] = {{"certain_or_probable", s.own_counts->strong},
                        {"possible_only", s.own_counts->possible}};
  }
  if (s.peer_counts) {
    j["peer_matched"] = {{"certain_or_probable", s.peer_counts->strong},
                         {"possible_only", s.peer_counts->possible}};
  }
  if (s.label_mask) j["shared_labels"] = exchange::LabelMaskNames(*s.label_mask);
  if (s.key_mask) j["match_keys"] = exchange::KeyMaskNames(*s.key_mask);
  return j;
}

void WriteSessionJson(std::ostream& out, const exchange::SessionRecord& s,
                      const std::vector<exchange::ResultRow>& rows) {
  std::string head = SessionJson(s).dump(2);  // ends in "\n}"
  if (s.mode != schema::wire::Mode::kMatch) {
    out << head << "\n";
    return;
  }
  head.resize(head.size() - 2);
  out << head << ",\n  \"matches\": [";
  bool first = true;
  for (const auto& r : rows) {
    nlohmann::json peer = nlohmann::json::object();
    if (r.peer.category) peer["category"] = schema::CategoryName(*r.peer.category);
    if (r.peer.since) peer["since"] = schema::FormatIso(*r.peer.since);
    if (r.peer.school) peer["school"] = *r.peer.school;
    if (r.peer.plan) peer["plan_in_place"] = *r.peer.plan;
    nlohmann::json m = {{"pair_code", r.pair_code},
                        {"strength", schema::StrengthName(r.strength)},
                        {"own_reference", r.own_reference},
                        {"category", schema::CategoryName(r.category)},
                        {"since", schema::FormatIso(r.since)},
                        {"school", r.school},
                        {"plan_in_place", r.plan_in_place},
                        {"peer", peer},
                        {"category_differs", r.category_differs},
                        {"since_differs", r.since_differs},
                        {"plan_differs", r.plan_differs},
                        {"school_differs", r.school_differs}};
    if (r.strength == schema::Strength::kPossible) {
      m["decision"] = r.decision == exchange::Decision::kNone
                          ? nlohmann::json(nullptr)
                          : nlohmann::json(exchange::DecisionName(r.decision));
    }
    out << (first ? "\n    " : ",\n    ") << m.dump();
    first = false;
  }
  out << (first ? "]\n}\n" : "\n  ]\n}\n");
}

namespace {

// The meeting list's columns, for CSV and .xlsx alike.
constexpr std::array<std::string_view, 13> kSessionColumns = {
    "paarcode",       "zekerheid",    "beoordeling", "referentie",        "categorie",
    "sinds",          "school",       "plan",        "categorie partner", "sinds partner",
    "school partner", "plan partner", "signalen"};
constexpr size_t kReferenceColumn = 3;
constexpr size_t kSignalsColumn = 12;

std::array<std::string, 13> SessionCells(const exchange::ResultRow& r) {
  return {r.pair_code.empty() ? std::string("-") : r.pair_code,
          std::string(StrengthDutch(r.strength)),
          r.strength == schema::Strength::kPossible ? std::string(DecisionDutch(r.decision))
                                                    : std::string(),
          r.own_reference,
          std::string(schema::CategoryLabel(r.category)),
          schema::FormatDutch(r.since),
          r.school,
          r.plan_in_place ? "ja" : "nee",
          PeerCategory(r.peer),
          PeerSince(r.peer),
          Or(r.peer.school),
          PeerPlan(r.peer),
          Flags(r)};
}

}  // namespace

std::string SessionCsv(const std::vector<exchange::ResultRow>& rows) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t c = 0; c < kSessionColumns.size(); ++c) {
    out += (c ? ";" : "") + std::string(kSessionColumns[c]);
  }
  out += "\r\n";
  for (const auto& r : rows) {
    std::array<std::string, 13> cells = SessionCells(r);
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c) out += ";";
      // The free-text cells may look like a formula or hold a ';'.
      out += (c == kReferenceColumn || c == kSignalsColumn) ? CsvField(cells[c]) : cells[c];
    }
    out += "\r\n";
  }
  return out;
}

Result<std::string> SessionXlsx(const std::vector<exchange::ResultRow>& rows) {
  schema::Sheet sheet;
  sheet.name = "Afstemming";
  for (std::string_view column : kSessionColumns) sheet.header.emplace_back(column);
  sheet.rows.reserve(rows.size());
  for (const auto& r : rows) {
    std::array<std::string, 13> cells = SessionCells(r);
    // Inline strings are text, never formulas: no quoting needed.
    sheet.rows.emplace_back(std::make_move_iterator(cells.begin()),
                            std::make_move_iterator(cells.end()));
  }
  return schema::WriteXlsx(schema::Workbook{{std::move(sheet)}});
}

}  // namespace inbeeld::node::cli
