// /api/taken, /api/sessies, /api/overzicht, /api/regio: exchanges and what
// they taught us.
#include <map>

#include "node/console/handlers.h"
#include "node/console/meeting_list.h"
#include "node/exchange/decision.h"
#include "node/exchange/report.h"
#include "node/exchange/results_store.h"
#include "node/region/regional.h"
#include "node/store/list_summary.h"
#include "node/sync/overview.h"
#include "schema/date.h"
#include "schema/person.h"

namespace inbeeld::node::console {
namespace {

std::string ModeWord(schema::wire::Mode mode) {
  return mode == schema::wire::Mode::kCount ? "tellen" : "match";
}

nlohmann::json SessionJson(const exchange::SessionRecord& s) {
  nlohmann::json j = {{"sessie", exchange::SessionIdHex(s.id)},
                      {"partner", s.peer},
                      {"doel", s.purpose},
                      {"soort", ModeWord(s.mode)},
                      {"rol", s.role == "initiator" ? "gestart" : "beantwoord"},
                      {"start", s.started_at},
                      {"einde", s.finished_at},
                      {"status", s.status == "completed" ? "klaar"
                                 : s.status == "running" ? "bezig"
                                                         : "mislukt"},
                      {"fout", s.error},
                      {"eigen_aantal", s.own_list_size}};
  j["partner_aantal"] = s.peer_list_size ? nlohmann::json(*s.peer_list_size) : nlohmann::json();
  j["overlap"] = s.overlap ? nlohmann::json(*s.overlap) : nlohmann::json();
  if (s.own_counts) {
    j["zeker_of_waarschijnlijk"] = s.own_counts->strong;
    j["mogelijk"] = s.own_counts->possible;
  }
  return j;
}

Result<ApiReply> StartJob(Call& call) {
  auto body = JsonBody(call.request);
  if (!body) return std::unexpected(body.error());
  auto kind_name = StringField(*body, "soort");
  if (!kind_name) return std::unexpected(kind_name.error());
  auto kind = ParseJobKind(*kind_name);
  if (!kind) {
    return Fail(ErrorCode::kInvalidArgument, "Kies wat u wilt doen: match, tellen, sync of regio.");
  }
  JobRequest request;
  request.kind = *kind;
  if (auto purpose = body->find("doel"); purpose != body->end() && purpose->is_string()) {
    request.purpose = purpose->get<std::string>();
  }
  if (request.kind != JobKind::kSync && request.purpose.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "Kies het doel (de verwerking uit het register).");
  }
  if (!request.purpose.empty() && call.node.config.FindActivity(request.purpose) == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "Dit doel staat niet in het register.");
  }
  if (request.kind == JobKind::kMatch || request.kind == JobKind::kCount) {
    auto peer = StringField(*body, "partner");
    if (!peer) return Fail(ErrorCode::kInvalidArgument, "Kies een partner.");
    if (call.node.config.FindPeer(*peer) == nullptr) {
      return Fail(ErrorCode::kNotFound, "Deze partner is niet bekend.");
    }
    request.peer = *peer;
  }
  if (request.kind == JobKind::kRegion) {
    auto peers = body->find("partners");
    if (peers == body->end() || !peers->is_array()) {
      return Fail(ErrorCode::kInvalidArgument, "Kies de partners voor de regionale telling.");
    }
    for (const auto& p : *peers) {
      if (!p.is_string()) return Fail(ErrorCode::kInvalidArgument, "Een partner is geen tekst.");
      request.peers.push_back(p.get<std::string>());
    }
  }
  const audit::Actor* actor = audit::CurrentActor();
  if (actor != nullptr) request.actor = *actor;
  std::string peers = request.peer;
  for (const auto& p : request.peers) peers += (peers.empty() ? "" : ", ") + p;
  const std::string kind_word(JobKindName(request.kind));
  const std::string purpose = request.purpose;
  auto id = call.jobs.Start(std::move(request), call.person.name);
  // Who asked for an exchange is logged even if it never starts (queue full,
  // no list yet): the exchange's own records follow when it runs.
  INBEELD_RETURN_IF_ERROR(AuditAction(call.node, "inbeeld.exchange.requested", id.has_value(),
                                      {{"inbeeld.job", id ? *id : ""},
                                       {"inbeeld.job.kind", kind_word},
                                       {"inbeeld.peer", peers},
                                       {"inbeeld.purpose", purpose}}));
  if (!id) return std::unexpected(id.error());
  return JsonReply({{"taak", *id}}, 202);
}

Result<ApiReply> JobState(Call& call) {
  auto status = call.jobs.Get(call.params[0]);
  if (!status) return Fail(ErrorCode::kNotFound, "Deze opdracht is niet (meer) bekend.");
  nlohmann::json j = {{"taak", status->id},
                      {"soort", std::string(JobKindName(status->kind))},
                      {"status", status->state},
                      {"stap", status->step},
                      {"door", status->started_by}};
  if (!status->error.empty()) j["fout"] = status->error;
  if (!status->session.empty()) j["sessie"] = status->session;
  return JsonReply(j);
}

Result<ApiReply> Sessions(Call& call) {
  exchange::ResultsStore results(*call.node.store);
  auto recent = results.Recent(100);
  if (!recent) return std::unexpected(recent.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : *recent) out.push_back(SessionJson(s));
  return JsonReply({{"sessies", out}});
}

Result<exchange::SessionRecord> SessionParam(Call& call) {
  auto id = exchange::ParseSessionId(call.params[0]);
  if (!id) return Fail(ErrorCode::kNotFound, "Deze afstemming is niet bekend.");
  exchange::ResultsStore results(*call.node.store);
  auto session = results.Get(*id);
  if (!session) return Fail(ErrorCode::kNotFound, "Deze afstemming is niet bekend.");
  return session;
}

Result<ApiReply> SessionDetail(Call& call) {
  auto session = SessionParam(call);
  if (!session) return std::unexpected(session.error());
  auto pairs = LoadMeetingList(call.node, *session);
  if (!pairs) return std::unexpected(pairs.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : *pairs) out.push_back(MeetingRowJson(p));
  if (!pairs->empty()) {
    // Names and birth dates on a screen: a disclosure to the person, logged.
    INBEELD_RETURN_IF_ERROR(AuditAction(call.node, "inbeeld.results.viewed", true,
                                        {{"inbeeld.session", exchange::SessionIdHex(session->id)},
                                         {"inbeeld.peer", session->peer},
                                         {"inbeeld.count.rows", std::to_string(pairs->size())}}));
  }
  return JsonReply({{"sessie", SessionJson(*session)}, {"paren", out}});
}

Result<ApiReply> Decide(Call& call) {
  auto session = SessionParam(call);
  if (!session) return std::unexpected(session.error());
  auto body = JsonBody(call.request);
  if (!body) return std::unexpected(body.error());
  auto word = StringField(*body, "besluit");
  if (!word || (*word != "bevestigd" && *word != "afgewezen")) {
    return Fail(ErrorCode::kInvalidArgument, "Kies 'bevestigd' of 'afgewezen'.");
  }
  const auto decision =
      *word == "bevestigd" ? exchange::Decision::kConfirmed : exchange::Decision::kRejected;
  auto decided =
      exchange::DecidePair(call.node, session->id, call.params[1], decision, call.person.name);
  if (!decided) return std::unexpected(decided.error());
  return JsonReply({{"paarcode", call.params[1]}, {"besluit", *word}});
}

Result<ApiReply> Export(Call& call, bool xlsx) {
  auto session = SessionParam(call);
  if (!session) return std::unexpected(session.error());
  auto pairs = LoadMeetingList(call.node, *session);
  if (!pairs) return std::unexpected(pairs.error());
  // Names leave the node in this file: that is a disclosure to record.
  INBEELD_RETURN_IF_ERROR(AuditAction(call.node, "inbeeld.results.exported", true,
                                      {{"inbeeld.session", exchange::SessionIdHex(session->id)},
                                       {"inbeeld.peer", session->peer},
                                       {"inbeeld.format", xlsx ? "xlsx" : "csv"},
                                       {"inbeeld.count.rows", std::to_string(pairs->size())}}));
  const std::string base = "afstemming-" + session->peer + "-" + session->started_at.substr(0, 10);
  if (xlsx) {
    auto bytes = MeetingListXlsx(*session, *pairs);
    if (!bytes) return std::unexpected(bytes.error());
    return FileReply("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     base + ".xlsx", std::move(*bytes));
  }
  return FileReply("text/csv; charset=utf-8", base + ".csv", MeetingListCsv(*pairs));
}

Result<ApiReply> Overview(Call& call) {
  auto overview = sync::BuildOverview(*call.node.store, call.node.field_key);
  if (!overview) {
    if (overview.error().code == ErrorCode::kFailedPrecondition) {
      return Fail(ErrorCode::kNotFound, "Er is nog geen lijst geïmporteerd.");
    }
    return std::unexpected(overview.error());
  }
  nlohmann::json children = nlohmann::json::array();
  for (const auto& c : overview->children) {
    nlohmann::json partners = nlohmann::json::array();
    for (const auto& p : c.partners) {
      partners.push_back({{"partner", p.peer},
                          {"sinds", p.known_since},
                          {"verschil", p.category_differs || p.since_differs || p.plan_differs ||
                                           p.school_differs}});
    }
    children.push_back({{"referentie", c.own_reference},
                        {"categorie", std::string(schema::CategoryLabel(c.category))},
                        {"sinds", schema::FormatDutch(c.since)},
                        {"school", c.school},
                        {"aanbod", c.plan_in_place},
                        {"partners", partners},
                        {"mogelijk", c.possible_partners},
                        {"nieuw_gevonden", c.newly_matched},
                        {"niet_meer_gevonden", c.no_longer_matched},
                        {"nieuw_op_lijst", c.new_on_list},
                        {"bij_niemand_bekend", c.unknown_to_all},
                        {"over_termijn", c.past_three_months},
                        {"verschil", c.disagreement}});
  }
  return JsonReply({{"lijstversie", overview->version.id},
                    {"peildatum", schema::FormatDutch(overview->today)},
                    {"partners", overview->partners},
                    {"kinderen", children}});
}

Result<ApiReply> Region(Call& call) {
  auto history = region::RegionalCountHistory(*call.node.store, 50);
  if (!history) return std::unexpected(history.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : *history) {
    nlohmann::json categories = nlohmann::json::array();
    for (size_t i = 0; i < c.counts.by_category.size() && i < 4; ++i) {
      categories.push_back(
          {{"categorie", std::string(schema::CategoryLabel(static_cast<schema::Category>(i)))},
           {"aantal", region::Suppressed(c.counts.by_category[i])}});
    }
    out.push_back({{"sessie", c.counts.session},
                   {"datum", c.finished_at},
                   {"deelnemers", c.counts.participants},
                   {"totaal", region::Suppressed(c.counts.distinct)},
                   {"op_een_lijst", region::Suppressed(c.counts.single_list)},
                   {"mogelijk", region::Suppressed(c.counts.possible)},
                   {"per_categorie", categories}});
  }
  return JsonReply({{"tellingen", out}});
}

}  // namespace

std::vector<Route> ExchangeRoutes() {
  return {
      {"POST", "/api/taken", kOperatorOnly, StartJob},
      {"GET", "/api/taken/:", kOperatorOnly, JobState},
      {"GET", "/api/sessies", kOperatorOnly, Sessions},
      {"GET", "/api/sessies/:", kOperatorOnly, SessionDetail},
      {"POST", "/api/sessies/:/paren/:", kOperatorOnly, Decide},
      {"GET", "/api/sessies/:/export.csv", kOperatorOnly,
       [](Call& call) { return Export(call, false); }},
      {"GET", "/api/sessies/:/export.xlsx", kOperatorOnly,
       [](Call& call) { return Export(call, true); }},
      {"GET", "/api/overzicht", kOperatorOnly, Overview},
      {"GET", "/api/regio", kOperatorOnly, Region},
  };
}

}  // namespace inbeeld::node::console
