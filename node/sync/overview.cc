#include "node/sync/overview.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "node/clock/timestamp.h"
#include "node/exchange/report.h"
#include "node/exchange/results_store.h"
#include "node/sync/sync.h"
#include "node/sync/sync_store.h"
#include "schema/csv_cell.h"

namespace inbeeld::node::sync {
namespace {

using Subject = std::array<uint8_t, 32>;
using SubjectSet = std::set<Subject>;

Result<SubjectSet> MatchedSubjects(Store& store, const schema::wire::SessionId& id) {
  exchange::ResultsStore results(store);
  auto matches = results.Matches(id);
  if (!matches) return std::unexpected(matches.error());
  SubjectSet out;
  for (const auto& m : *matches) {
    if (m.SameChild()) out.insert(m.subject);
  }
  return out;
}

// For one sync run: peer -> matched subjects, for peers whose match session
// completed (and is still stored).
Result<std::map<std::string, SubjectSet>> RunMatches(Store& store, const SyncReport& run) {
  std::map<std::string, SubjectSet> out;
  for (const auto& p : run.peers) {
    if (p.status != "completed" || !p.session || p.session->mode != schema::wire::Mode::kMatch ||
        p.session->status != "completed") {
      continue;
    }
    auto subjects = MatchedSubjects(store, p.session->id);
    if (!subjects) return std::unexpected(subjects.error());
    out[p.peer] = std::move(*subjects);
  }
  return out;
}

std::string CsvCell(const std::string& text) { return schema::ExcelCsvCell(text); }

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

}  // namespace

schema::Date ThreeMonthMark(schema::Date since) {
  int month = since.month + 3;
  int year = since.year + (month - 1) / 12;
  month = (month - 1) % 12 + 1;
  int day = std::min(since.day, schema::DaysInMonth(year, month));
  return {year, month, day};
}

Result<Overview> BuildOverview(Store& store, const crypto::SecretBytes& field_key) {
  Overview overview;
  const schema::Date today = TodayUtc(store.clock());
  overview.today = today;
  auto current = store.CurrentVersion();
  if (!current) return std::unexpected(current.error());
  if (!*current) return Fail(ErrorCode::kFailedPrecondition, "no list imported yet");
  overview.version = **current;

  // Latest completed match session per peer (either role), and first-match dates.
  std::map<std::string, std::map<Subject, PartnerKnowledge>> known;  // peer -> subject -> what
  std::map<Subject, std::set<std::string>> possible;  // subject -> peers with an open possible pair
  {
    SyncStore sync_store(store);
    auto pairs = sync_store.LatestMatchPairs();
    if (!pairs) return std::unexpected(pairs.error());
    for (LatestPair& pair : *pairs) {
      // A possible pair nobody confirmed is not the same child yet: it is
      // shown as a partner to check with, not counted as knowing the child.
      if (!pair.same_child) {
        if (!pair.rejected) possible[pair.subject].insert(pair.peer);
        continue;
      }
      PartnerKnowledge k;
      k.peer = std::move(pair.peer);
      k.labels = std::move(pair.labels);
      known[k.peer][pair.subject] = std::move(k);
    }
    auto first = sync_store.FirstMatches();
    if (!first) return std::unexpected(first.error());
    for (const FirstMatch& f : *first) {
      auto peer = known.find(f.peer);
      if (peer == known.end()) continue;
      auto k = peer->second.find(f.subject);
      if (k != peer->second.end()) k->second.known_since = f.started_at;
    }
    auto partners = sync_store.MatchPartners();
    if (!partners) return std::unexpected(partners.error());
    overview.partners = std::move(*partners);
  }

  // The two latest sync runs, for the changes.
  auto runs = RecentSyncRuns(store, 2);
  if (!runs) return std::unexpected(runs.error());
  std::map<std::string, SubjectSet> now, before;
  std::optional<SubjectSet> previous_list;
  if (!runs->empty()) {
    overview.sync_run = (*runs)[0].run_id;
    auto m = RunMatches(store, (*runs)[0]);
    if (!m) return std::unexpected(m.error());
    now = std::move(*m);
  }
  if (runs->size() > 1) {
    overview.previous_sync_run = (*runs)[1].run_id;
    auto m = RunMatches(store, (*runs)[1]);
    if (!m) return std::unexpected(m.error());
    before = std::move(*m);
    SubjectSet subjects;
    auto loaded = store.ForEachRow((*runs)[1].list_version, Unseal::kLabelsOnly, field_key,
                                   [&](StoredRow& r) { subjects.insert(r.subject); });
    // A list version purged by retention: "new on the list" cannot be told.
    if (loaded) previous_list = std::move(subjects);
  }

  auto rows = store.LoadRows(overview.version.id, Unseal::kLabelsOnly, field_key);
  if (!rows) return std::unexpected(rows.error());
  for (const StoredRow& r : *rows) {
    ChildOverview c;
    c.own_reference = r.own_reference;
    c.category = r.category;
    c.since = r.since;
    c.school = r.school_brin;
    c.plan_in_place = r.plan_in_place;
    for (auto& [peer, subjects] : known) {
      auto k = subjects.find(r.subject);
      if (k == subjects.end()) continue;
      PartnerKnowledge pk = k->second;
      const exchange::Differences d =
          exchange::CompareLabels(r.category, r.since, r.school_brin, r.plan_in_place, pk.labels);
      pk.category_differs = d.category;
      pk.since_differs = d.since;
      pk.plan_differs = d.plan;
      pk.school_differs = d.school;
      c.disagreement = c.disagreement || d.any();
      c.partners.push_back(std::move(pk));
    }
    if (auto p = possible.find(r.subject); p != possible.end()) {
      for (const std::string& peer : p->second) {
        const bool known_anyway = std::any_of(c.partners.begin(), c.partners.end(),
                                              [&](const auto& k) { return k.peer == peer; });
        if (!known_anyway) c.possible_partners.push_back(peer);
      }
    }
    c.unknown_to_all = c.partners.empty();
    if (overview.previous_sync_run) {
      for (const auto& [peer, subjects] : now) {
        auto was = before.find(peer);
        if (was == before.end()) continue;  // no comparable result for this peer
        bool is = subjects.contains(r.subject), had = was->second.contains(r.subject);
        if (is && !had) c.newly_matched.push_back(peer);
        if (!is && had) c.no_longer_matched.push_back(peer);
      }
      c.new_on_list = previous_list && !previous_list->contains(r.subject);
    }
    c.past_three_months = !r.plan_in_place && ThreeMonthMark(r.since) <= today;
    overview.children.push_back(std::move(c));
  }
  std::sort(overview.children.begin(), overview.children.end(),
            [](const auto& a, const auto& b) { return a.own_reference < b.own_reference; });
  return overview;
}

std::string OverviewCsv(const Overview& o) {
  std::string out = "\xEF\xBB\xBF";
  out +=
      "referentie;categorie;sinds;school;plan;bekend bij;bekend sinds;nieuw gematcht met;"
      "niet meer gematcht met;nieuw op de lijst en bij niemand bekend;drie maanden zonder plan;"
      "labels verschillen;mogelijk bekend bij (te bevestigen)\r\n";
  for (const auto& c : o.children) {
    std::vector<std::string> peers, since;
    for (const auto& p : c.partners) {
      peers.push_back(p.peer);
      since.push_back(p.peer + " " + p.known_since.substr(0, 10));
    }
    out += CsvCell(c.own_reference) + ";" + std::string(schema::CategoryLabel(c.category)) + ";" +
           schema::FormatDutch(c.since) + ";" + CsvCell(c.school) + ";" +
           (c.plan_in_place ? "ja" : "nee") + ";" + CsvCell(Join(peers, ", ")) + ";" +
           CsvCell(Join(since, ", ")) + ";" + CsvCell(Join(c.newly_matched, ", ")) + ";" +
           CsvCell(Join(c.no_longer_matched, ", ")) + ";" +
           (c.new_on_list && c.unknown_to_all ? "ja" : "nee") + ";" +
           (c.past_three_months ? "ja" : "nee") + ";" + (c.disagreement ? "ja" : "nee") + ";" +
           CsvCell(Join(c.possible_partners, ", ")) + "\r\n";
  }
  return out;
}

nlohmann::json OverviewJson(const Overview& o) {
  nlohmann::json children = nlohmann::json::array();
  size_t unknown = 0, new_unknown = 0, overdue = 0, disagreements = 0, newly = 0, lost = 0;
  for (const auto& c : o.children) {
    nlohmann::json partners = nlohmann::json::array();
    for (const auto& p : c.partners) {
      nlohmann::json labels = nlohmann::json::object();
      if (p.labels.category) labels["category"] = schema::CategoryName(*p.labels.category);
      if (p.labels.since) labels["since"] = schema::FormatIso(*p.labels.since);
      if (p.labels.school) labels["school"] = *p.labels.school;
      if (p.labels.plan) labels["plan_in_place"] = *p.labels.plan;
      partners.push_back({{"peer", p.peer},
                          {"known_since", p.known_since},
                          {"labels", labels},
                          {"category_differs", p.category_differs},
                          {"since_differs", p.since_differs},
                          {"plan_differs", p.plan_differs},
                          {"school_differs", p.school_differs}});
    }
    unknown += c.unknown_to_all;
    new_unknown += c.new_on_list && c.unknown_to_all;
    overdue += c.past_three_months;
    disagreements += c.disagreement;
    newly += !c.newly_matched.empty();
    lost += !c.no_longer_matched.empty();
    children.push_back({{"own_reference", c.own_reference},
                        {"category", schema::CategoryName(c.category)},
                        {"since", schema::FormatIso(c.since)},
                        {"school", c.school},
                        {"plan_in_place", c.plan_in_place},
                        {"partners", partners},
                        {"possible_partners", c.possible_partners},
                        {"newly_matched", c.newly_matched},
                        {"no_longer_matched", c.no_longer_matched},
                        {"new_on_list", c.new_on_list},
                        {"unknown_to_all", c.unknown_to_all},
                        {"past_three_months_without_plan", c.past_three_months},
                        {"label_disagreement", c.disagreement}});
  }
  nlohmann::json j = {{"list_version", o.version.id},
                      {"list_date", schema::FormatIso(o.version.list_date)},
                      {"today", schema::FormatIso(o.today)},
                      {"partners", o.partners},
                      {"children", children},
                      {"totals",
                       {{"children", o.children.size()},
                        {"unknown_to_all", unknown},
                        {"new_and_unknown_to_all", new_unknown},
                        {"newly_matched", newly},
                        {"no_longer_matched", lost},
                        {"past_three_months_without_plan", overdue},
                        {"label_disagreement", disagreements}}}};
  j["sync_run"] = o.sync_run ? nlohmann::json(*o.sync_run) : nlohmann::json(nullptr);
  j["previous_sync_run"] =
      o.previous_sync_run ? nlohmann::json(*o.previous_sync_run) : nlohmann::json(nullptr);
  return j;
}

}  // namespace inbeeld::node::sync
