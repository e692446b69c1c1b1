#include "node/cli/session_output.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

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
std::string Flags(const exchange::ResultRow& r) {
  std::string flags;
  if (r.category_differs) flags += "category differs";
  if (r.since_differs) flags += std::string(flags.empty() ? "" : "; ") + "since >4 weeks apart";
  return flags;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(";\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
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
  out << fmt::format("  known to both: {}\n", s.overlap.value_or(0));
  if (s.mode == schema::wire::Mode::kCount) {
    out << "  (count mode: neither side learned which records)\n";
    return;
  }
  out << fmt::format("  shared labels: {}\n", exchange::LabelMaskNames(s.label_mask.value_or(0)));
  if (rows.empty()) return;
  out << fmt::format("\n  {:<14} {:<22} {:<10} | {:<22} {:<10} {:<7} {:<4} {}\n", "reference",
                     "category", "since", "peer category", "peer since", "school", "plan", "flags");
  for (const auto& r : rows) {
    out << fmt::format("  {:<14} {:<22} {:<10} | {:<22} {:<10} {:<7} {:<4} {}\n", r.own_reference,
                       schema::CategoryLabel(r.category), schema::FormatDutch(r.since),
                       PeerCategory(r.peer), PeerSince(r.peer), Or(r.peer.school), PeerPlan(r.peer),
                       Flags(r));
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
  if (s.label_mask) j["shared_labels"] = exchange::LabelMaskNames(*s.label_mask);
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
    nlohmann::json m = {{"own_reference", r.own_reference},
                        {"category", schema::CategoryName(r.category)},
                        {"since", schema::FormatIso(r.since)},
                        {"school", r.school},
                        {"plan_in_place", r.plan_in_place},
                        {"peer", peer},
                        {"category_differs", r.category_differs},
                        {"since_differs", r.since_differs}};
    out << (first ? "\n    " : ",\n    ") << m.dump();
    first = false;
  }
  out << (first ? "]\n}\n" : "\n  ]\n}\n");
}

std::string SessionCsv(const std::vector<exchange::ResultRow>& rows) {
  std::string out = "\xEF\xBB\xBF";
  out += "referentie;categorie;sinds;school;plan;categorie partner;sinds partner;school partner;"
         "plan partner;signalen\r\n";
  for (const auto& r : rows) {
    out += CsvField(r.own_reference) + ";" + std::string(schema::CategoryLabel(r.category)) + ";" +
           schema::FormatDutch(r.since) + ";" + r.school + ";" + (r.plan_in_place ? "ja" : "nee") +
           ";" + PeerCategory(r.peer) + ";" + PeerSince(r.peer) + ";" + Or(r.peer.school) + ";" +
           PeerPlan(r.peer) + ";" + CsvField(Flags(r)) + "\r\n";
  }
  return out;
}

}  // namespace inbeeld::node::cli
