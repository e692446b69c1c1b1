// /api/logboek and /api/inzageverzoek: "with whom did we share what, on
// which legal basis?" and a parent's access request (node/report/).
#include <fmt/format.h>

#include "node/audit/audit_log.h"
#include "node/clock/timestamp.h"
#include "node/console/handlers.h"
#include "node/report/logbook.h"
#include "node/report/subject_access.h"
#include "node/store/list_summary.h"
#include "schema/date.h"
#include "schema/identifier.h"
#include "schema/list_row.h"
#include "schema/person.h"

namespace inbeeld::node::console {
namespace {

std::string OutcomeWord(const std::string& outcome) {
  if (outcome == "completed") return "voltooid";
  if (outcome == "refused") return "geweigerd";
  if (outcome == "failed") return "mislukt";
  if (outcome == "interrupted") return "onderbroken";
  return outcome;
}

std::string ModeWord(const std::string& mode) {
  if (mode == "match") return "vergelijken";
  if (mode == "count") return "tellen";
  if (mode == "sync") return "afstemming";
  if (mode == "regional") return "regionale telling";
  return mode;
}

std::string RoleWord(const std::string& role) {
  if (role == "initiator") return "gestart door ons";
  if (role == "responder") return "gestart door de partner";
  if (role == "coordinator") return "gecoördineerd door ons";
  if (role == "participant") return "deelgenomen";
  return role;
}

std::string CountsText(const std::map<std::string, int64_t>& counts) {
  static const std::map<std::string, std::string> kWords = {
      {"sent", "verstuurd"},           {"received", "ontvangen"},
      {"matched", "gevonden"},         {"matched_possible", "mogelijk"},
      {"participants", "deelnemers"},  {"distinct", "kinderen"},
      {"single_list", "op één lijst"}, {"possible", "mogelijk dubbel"}};
  std::string out;
  for (const auto& [key, value] : counts) {
    auto word = kWords.find(key);
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", value,
                       word == kWords.end() ? key : word->second);
  }
  return out;
}

std::string Who(const std::string& actor) {
  if (actor.starts_with("console:")) return actor.substr(8);
  if (actor.starts_with("os:")) return actor.substr(3) + " (opdrachtregel)";
  if (actor == "scheduler") return "automatisch (planning)";
  return actor;
}

Result<ApiReply> Logbook(Call& call) {
  const schema::Date today = TodayUtc(call.node.clock());
  auto to = DateParam(call.request, "tot", today);
  if (!to) return std::unexpected(to.error());
  const schema::Date month_ago = schema::FromDaysSinceEpoch(schema::DaysSinceEpoch(*to) - 30);
  auto from = DateParam(call.request, "van", month_ago);
  if (!from) return std::unexpected(from.error());
  if (*to < *from) return Fail(ErrorCode::kInvalidArgument, "'van' ligt na 'tot'.");
  audit::AuditLog log(*call.node.store, call.node.identity);
  auto book = report::BuildLogbook(log, call.node.config, *from, *to);
  if (!book) return std::unexpected(book.error());
  nlohmann::json exchanges = nlohmann::json::array();
  for (const auto& e : book->exchanges) {
    std::string fields;
    for (const auto& f : e.fields) fields += (fields.empty() ? "" : ", ") + f;
    exchanges.push_back(
        {{"tijd", e.time},
         {"partner", e.partner},
         {"organisatie", e.organisation},
         {"doel", e.activity_name.empty() ? e.purpose : e.activity_name},
         {"doel_id", e.purpose},
         {"grondslag", e.legal_basis},
         {"velden", fields},
         {"soort", ModeWord(e.mode)},
         {"rol", RoleWord(e.role)},
         {"uitkomst", OutcomeWord(e.outcome) + (e.reason.empty() ? "" : " (" + e.reason + ")")},
         {"aantallen", CountsText(e.counts)},
         {"door", Who(e.actor)}});
  }
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& a : book->actions) {
    actions.push_back({{"tijd", a.time},
                       {"actie", a.description},
                       {"door", Who(a.actor)},
                       {"herkomst", a.origin},
                       {"gelukt", a.ok}});
  }
  // What the FG looked at is itself in the log.
  INBEELD_RETURN_IF_ERROR(AuditAction(call.node, "inbeeld.report.logbook", true,
                                      {{"inbeeld.report.from", schema::FormatIso(*from)},
                                       {"inbeeld.report.to", schema::FormatIso(*to)}}));
  return JsonReply({{"van", schema::FormatDutch(*from)},
                    {"tot", schema::FormatDutch(*to)},
                    {"uitwisselingen", exchanges},
                    {"acties", actions}});
}

// A value from the request for the person text: one line, no '='-tricks.
Result<std::string> Line(const nlohmann::json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
    if (required) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string("Vul '") + key + "' in, of zoek op BSN/onderwijsnummer.");
    }
    return std::string();
  }
  if (!it->is_string())
    return Fail(ErrorCode::kInvalidArgument, std::string("'") + key + "' is geen tekst.");
  std::string value = it->get<std::string>();
  for (unsigned char c : value) {
    if (c < 0x20)
      return Fail(ErrorCode::kInvalidArgument, std::string("'") + key + "' bevat een regeleinde.");
  }
  return value;
}

Result<ApiReply> AccessRequest(Call& call) {
  auto body = JsonBody(call.request);
  if (!body) return std::unexpected(body.error());
  report::SubjectQuery query;
  std::string by;
  if (auto pgn = body->find("pgn");
      pgn != body->end() && pgn->is_string() && !pgn->get<std::string>().empty()) {
    auto id = schema::Identifier::Parse(pgn->get<std::string>());
    if (!id) {
      return Fail(
          ErrorCode::kInvalidArgument,
          "Dit is geen geldig BSN of onderwijsnummer (9 cijfers die de elfproef doorstaan).");
    }
    query.pgn = *id;
    by = "pgn";
  } else {
    auto surname = Line(*body, "achternaam", true);
    auto birth = Line(*body, "geboortedatum", true);
    auto first = Line(*body, "voornamen", false);
    auto prefix = Line(*body, "tussenvoegsel", false);
    for (auto* r : {&surname, &birth, &first, &prefix}) {
      if (!*r) return std::unexpected(r->error());
    }
    std::string text = "achternaam=" + *surname + "\ngeboortedatum=" + *birth + "\n";
    if (!first->empty()) text += "voornamen=" + *first + "\n";
    if (!prefix->empty()) text += "tussenvoegsel=" + *prefix + "\n";
    auto person = report::ParsePersonRequest(text, "verzoek");
    if (!person) {
      return Fail(ErrorCode::kInvalidArgument,
                  "Het verzoek is onvolledig: vul achternaam en geboortedatum (dd-mm-jjjj) in.");
    }
    query.person = std::move(*person);
    by = "naam en geboortedatum";
  }
  auto answer = report::FindSubjectAccess(call.node, query);
  if (!answer) return std::unexpected(answer.error());
  nlohmann::json held = nlohmann::json::array();
  for (const auto& r : answer->held_rows) {
    held.push_back(
        {{"lijstversie", r.list_version},
         {"lijstdatum", schema::FormatDutch(r.list_date)},
         {"referentie", r.own_reference},
         {"naam", DisplayName(r.name)},
         {"geboortedatum", r.birth_date ? schema::FormatPartialDutch(*r.birth_date) : ""},
         {"categorie", std::string(schema::CategoryLabel(r.category))},
         {"sinds", schema::FormatDutch(r.since)},
         {"school", r.school},
         {"aanbod", r.plan_in_place ? "ja" : "nee"}});
  }
  nlohmann::json exchanges = nlohmann::json::array();
  for (const auto& e : answer->exchanges) {
    exchanges.push_back(
        {{"tijd",
          IsoUtc(std::chrono::system_clock::time_point(std::chrono::milliseconds(e.time_ms)))},
         {"partner", e.peer},
         {"doel", e.activity_name.empty() ? e.purpose : e.activity_name},
         {"grondslag", e.legal_basis},
         {"soort", e.decision_record ? "besluit over een mogelijk paar" : ModeWord(e.mode)},
         {"uitkomst", OutcomeWord(e.outcome)},
         {"gevonden", e.matched},
         {"besluit", e.decision}});
  }
  // An access request discloses what the node holds: logged, with how the
  // child was asked for (never the value).
  INBEELD_RETURN_IF_ERROR(
      AuditAction(call.node, "inbeeld.subject.request", true,
                  {{"inbeeld.request.by", by},
                   {"inbeeld.count.held", std::to_string(held.size())},
                   {"inbeeld.count.exchanges", std::to_string(exchanges.size())}}));
  return JsonReply({{"gevonden", answer->found()},
                    {"peildatum", schema::FormatDutch(TodayUtc(call.node.clock()))},
                    {"knooppunt", call.node.config.node_name},
                    {"organisatie", call.node.config.organisation},
                    {"vastgelegd", held},
                    {"uitwisselingen", exchanges}});
}

}  // namespace

std::vector<Route> LogbookRoutes() {
  return {
      {"GET", "/api/logboek", kPrivacyOfficerOnly, Logbook},
      {"POST", "/api/inzageverzoek", kPrivacyOfficerOnly, AccessRequest},
  };
}

}  // namespace inbeeld::node::console
