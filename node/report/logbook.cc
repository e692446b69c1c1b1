#include "node/report/logbook.h"

#include <chrono>
#include <set>
#include <utility>

#include "node/clock/timestamp.h"
#include "node/exchange/results_store.h"
#include "node/sync/sync.h"
#include "schema/audit_record.h"

namespace inbeeld::node::report {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr std::string_view kActivityPrefix = "urn:inbeeld:activity:";
// How many sync runs are read to tell a sync's matches from others.
constexpr size_t kSyncRunsRead = 100'000;

std::string Attr(const schema::AuditRecord& r, std::string_view key) {
  auto it = r.attributes.find(std::string(key));
  return it == r.attributes.end() ? "" : it->second;
}

std::string Iso(int64_t ms) {
  return IsoUtc(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

// "category, since" → {"category", "since"}; "none" and "" → {}.
std::vector<std::string> SplitNames(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty() || text == "none") return out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(start, comma - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(std::move(part));
    start = comma + 1;
  }
  return out;
}

// Attribute values the records write as whole numbers.
void AddCount(std::map<std::string, int64_t>& counts, const schema::AuditRecord& r,
              std::string_view attribute, std::string name) {
  const std::string text = Attr(r, attribute);
  if (text.empty()) return;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > (INT64_MAX - 9) / 10) return;  // not a count: left out
    value = value * 10 + (c - '0');
  }
  counts.emplace(std::move(name), value);
}

const std::map<std::string_view, std::string_view>& Descriptions() {
  static const auto* kDescriptions = new std::map<std::string_view, std::string_view>{
      {"inbeeld.list.import", "lijst ge\u00efmporteerd"},
      {"inbeeld.list.imported", "lijst ge\u00efmporteerd"},
      {"inbeeld.list.committed", "lijst vastgelegd in het logboek"},
      {"inbeeld.exchange.match", "afstemming met een partner"},
      {"inbeeld.exchange.count", "telling met een partner"},
      {"inbeeld.exchange.opened", "afstemming geopend"},
      {"inbeeld.region.count", "regionale telling"},
      {"inbeeld.region.opened", "regionale telling geopend"},
      {"inbeeld.sync", "afstemming met alle partners"},
      {"inbeeld.pair.confirmed", "mogelijk paar bevestigd"},
      {"inbeeld.pair.rejected", "mogelijk paar afgewezen"},
      {"inbeeld.config.created", "configuratie aangemaakt"},
      {"inbeeld.config.changed", "configuratie gewijzigd"},
      {"inbeeld.store.migrated", "database bijgewerkt naar een nieuwe versie van inbeeld"},
      {"inbeeld.node.keys.created", "sleutels van het knooppunt aangemaakt"},
      {"inbeeld.purge", "bewaartermijnen toegepast"},
      {"inbeeld.peer.added", "partner toegevoegd"},
      {"inbeeld.witness.cosigned", "logboek door partner medeondertekend"},
      {"inbeeld.witness.refused", "medeondertekening door partner geweigerd"},
      {"inbeeld.request.refused", "verzoek van partner geweigerd"},
      {"inbeeld.audit.export", "logboek ge\u00ebxporteerd"},
      {"inbeeld.audit.verified", "logboek gecontroleerd"},
      {"inbeeld.audit.subject", "inzageverzoek behandeld"},
      {"inbeeld.report.quarterly", "kwartaalrapportage opgevraagd"},
      {"inbeeld.report.logbook", "logboek ingezien"},
      {"inbeeld.report.subject_access", "inzageverzoek behandeld"},
      {"inbeeld.results.export", "afstemmingsresultaat ge\u00ebxporteerd"},
      {"inbeeld.console.login", "ingelogd"},
      {"inbeeld.console.login_failed", "inloggen mislukt"},
      {"inbeeld.console.logout", "uitgelogd"},
      {"inbeeld.console.invited", "uitnodiging gemaakt"},
      {"inbeeld.console.revoked", "toegang ingetrokken"},
      {"inbeeld.console.password_set", "wachtwoord ingesteld"},
      {"inbeeld.console.invitation.accepted", "uitnodiging aanvaard en wachtwoord gekozen"},
      {"inbeeld.list.viewed", "lijst met namen bekeken"},
      {"inbeeld.results.exported", "afstemmingsresultaat met namen gedownload"},
      {"inbeeld.subject.request", "inzageverzoek behandeld"},
      {"inbeeld.results.viewed", "afstemmingsresultaat met namen bekeken"},
      {"inbeeld.exchange.requested", "afstemming aangevraagd"},
      {"inbeeld.console.refused", "verzoek in de console geweigerd"},
      {"inbeeld.console.unlocked", "blokkering opgeheven"},
      {"inbeeld.console.password_changed", "eigen wachtwoord gewijzigd"},
      {"inbeeld.peer.removed", "partner verwijderd"},
      {"inbeeld.peer.key.rotated", "partner gebruikt een nieuwe sleutel (ondertekend met de oude)"},
      {"inbeeld.peer.key.rotation_refused", "nieuwe sleutel van partner geweigerd"},
      {"inbeeld.node.passphrase.changed", "wachtwoordzin van de opslag gewijzigd"},
      {"inbeeld.node.key.rotated",
       "eigen sleutel vervangen (ondertekend met de oude en de nieuwe)"},
      {"inbeeld.node.key.activated", "nieuwe eigen sleutel in gebruik genomen"},
      {"inbeeld.node.key.announced", "nieuwe eigen sleutel aan de partners gemeld"},
      {"inbeeld.backup.made", "reservekopie gemaakt"},
      {"inbeeld.backup.failed", "reservekopie mislukt"},
      {"inbeeld.log.restored", "knooppunt hersteld uit een reservekopie"},
      {"inbeeld.log.rejoined", "partner aanvaardde het herstel uit een reservekopie"},
      {"inbeeld.witness.peer_restore_requested",
       "partner hersteld uit een reservekopie: vraagt om aanvaarding"},
      {"inbeeld.witness.peer_restored", "herstel van partner uit een reservekopie aanvaard"},
  };
  return *kDescriptions;
}

}  // namespace

std::string ActionDescription(std::string_view record_name) {
  auto it = Descriptions().find(record_name);
  return std::string(it == Descriptions().end() ? record_name : it->second);
}

std::vector<std::string> DutchFieldNames(const std::vector<std::string>& labels,
                                         const std::vector<std::string>& match_keys) {
  static const std::map<std::string, std::string> kNames = {
      {"category", "categorie"},
      {"since", "sinds"},
      {"school", "school"},
      {"plan", "aanbod"},
      {"pgn", "BSN/onderwijsnummer (geblindeerd)"},
      {"name", "naam en geboortedatum (geblindeerd)"},
      {"weak", "naamdelen en geboortejaar (geblindeerd)"},
  };
  std::vector<std::string> out;
  for (const auto* names : {&labels, &match_keys}) {
    for (const std::string& name : *names) {
      auto it = kNames.find(name);
      out.push_back(it == kNames.end() ? name : it->second);
    }
  }
  return out;
}

Result<Logbook> BuildLogbook(audit::AuditLog& log, const config::NodeConfig& config,
                             schema::Date from, schema::Date to) {
  if (!schema::IsValidDate(from) || !schema::IsValidDate(to)) {
    return Fail(ErrorCode::kInvalidArgument, "the logboek's dates are not valid dates");
  }
  if (from > to) {
    return Fail(ErrorCode::kInvalidArgument,
                "the logboek's start date " + schema::FormatDutch(from) +
                    " is after its end date " + schema::FormatDutch(to));
  }
  Logbook logbook;
  logbook.from = from;
  logbook.to = to;
  auto records = log.RecordsBetween(schema::DaysSinceEpoch(from) * kDayMs,
                                    (schema::DaysSinceEpoch(to) + 1) * kDayMs);
  if (!records) return std::unexpected(records.error());

  // The sessions this node started in a region sync, as far as the runs are kept.
  std::set<std::string> sync_sessions;
  auto runs = sync::RecentSyncRuns(log.store(), kSyncRunsRead);
  if (!runs) return std::unexpected(runs.error());
  for (const sync::SyncReport& run : *runs) {
    for (const sync::PeerSyncOutcome& peer : run.peers) {
      if (peer.session) sync_sessions.insert(exchange::SessionIdHex(peer.session->id));
    }
  }

  for (const audit::StoredRecord& stored : *records) {
    const schema::AuditRecord& r = stored.record;
    const std::string actor = Attr(r, "inbeeld.actor");
    if (!actor.empty()) {
      logbook.actions.push_back({stored.index, r.start_time_ms, Iso(r.start_time_ms), r.name,
                                 ActionDescription(r.name), actor, Attr(r, "inbeeld.origin"),
                                 r.status != schema::AuditStatus::kError});
    }
    const bool exchange = r.name == "inbeeld.exchange.match" || r.name == "inbeeld.exchange.count";
    const bool regional = r.name == "inbeeld.region.count";
    if (!exchange && !regional) continue;

    LogbookExchange e;
    e.record_index = stored.index;
    e.start_ms = r.start_time_ms;
    e.end_ms = r.end_time_ms;
    e.time = Iso(r.start_time_ms);
    e.partner = Attr(r, "inbeeld.peer");
    std::string activity = Attr(r, schema::kAttrProcessingActivity);
    e.purpose =
        activity.starts_with(kActivityPrefix) ? activity.substr(kActivityPrefix.size()) : activity;
    e.recorded_legal_basis = Attr(r, "inbeeld.legal_basis");
    if (const config::ProcessingActivity* a = config.FindActivity(e.purpose)) {
      e.in_register = true;
      e.activity_name = a->name;
      e.legal_basis = a->legal_basis;
    } else {
      e.legal_basis = e.recorded_legal_basis;
    }
    e.role = Attr(r, "inbeeld.role");
    e.outcome = Attr(r, "inbeeld.outcome");
    e.reason = Attr(r, "inbeeld.reason");
    e.actor = actor;
    e.origin = Attr(r, "inbeeld.origin");
    if (exchange) {
      e.session = r.trace_id;
      e.mode = Attr(r, "inbeeld.mode");
      if (e.role == "initiator" && sync_sessions.contains(r.trace_id)) e.mode = "sync";
      e.shared_labels = SplitNames(Attr(r, "inbeeld.shared_labels"));
      e.match_keys = SplitNames(Attr(r, "inbeeld.match_keys"));
      for (const char* name : {"sent", "received", "matched", "matched_possible"}) {
        AddCount(e.counts, r, std::string("inbeeld.count.") + name, name);
      }
    } else {
      e.session = Attr(r, "inbeeld.region.session");
      e.mode = "regional";
      for (const char* name : {"participants", "distinct", "single_list", "possible"}) {
        AddCount(e.counts, r, std::string("inbeeld.region.") + name, name);
      }
    }
    e.fields = DutchFieldNames(e.shared_labels, e.match_keys);
    logbook.exchanges.push_back(std::move(e));
  }
  return logbook;
}

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string DutchOutcome(const std::string& outcome) {
  if (outcome == "completed") return "voltooid";
  if (outcome == "failed") return "mislukt";
  if (outcome == "refused") return "geweigerd";
  if (outcome == "interrupted") return "onderbroken";
  return outcome;
}

}  // namespace

Sheet ExchangesSheet(const Logbook& logbook) {
  Sheet sheet;
  sheet.name = "Uitwisselingen";
  sheet.header = {"Tijd (UTC)", "Partner", "Organisatie", "Doel",  "Grondslag", "Velden",
                  "Soort",      "Rol",     "Uitkomst",    "Reden", "Aantallen", "Door"};
  for (const LogbookExchange& e : logbook.exchanges) {
    std::string counts;
    for (const auto& [name, value] : e.counts) {
      counts += (counts.empty() ? "" : ", ") + name + " " + std::to_string(value);
    }
    sheet.rows.push_back({Cell(e.time), Cell(e.partner), Cell(e.organisation),
                          Cell(e.activity_name.empty() ? e.purpose : e.activity_name),
                          Cell(e.legal_basis), Cell(Join(e.fields)), Cell(e.mode), Cell(e.role),
                          Cell(DutchOutcome(e.outcome)), Cell(e.reason), Cell(counts),
                          Cell(e.actor)});
  }
  return sheet;
}

Sheet ActionsSheet(const Logbook& logbook) {
  Sheet sheet;
  sheet.name = "Acties";
  sheet.header = {"Tijd (UTC)", "Actie", "Door", "Herkomst"};
  for (const LogbookAction& a : logbook.actions) {
    sheet.rows.push_back({Cell(a.time), Cell(a.description), Cell(a.actor), Cell(a.origin)});
  }
  return sheet;
}

}  // namespace inbeeld::node::report
