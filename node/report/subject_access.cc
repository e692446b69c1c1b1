#include "node/report/subject_access.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "crypto/bytes.h"
#include "node/exchange/results_store.h"
#include "schema/match_keys.h"
#include "schema/person.h"
#include "schema/row_subject.h"

namespace inbeeld::node::report {
namespace {

using Subject = std::array<uint8_t, 32>;
constexpr std::string_view kActivityPrefix = "urn:inbeeld:activity:";

std::string Attr(const schema::AuditRecord& r, std::string_view key) {
  auto it = r.attributes.find(std::string(key));
  return it == r.attributes.end() ? "" : it->second;
}

// Every session a child took part in, exactly: those with a record of the
// child (a match, and every session logged before lists were committed) and
// those whose committed list holds the child without one (no, or not
// revealed, as the session's parent says).
Status FindInLog(audit::AuditLog& log, const std::vector<std::string>& pseudonyms,
                 SubjectAccess& answer) {
  for (const auto& p : pseudonyms) {
    auto on = audit::ListsContaining(log, p);
    if (!on) return std::unexpected(on.error());
    for (const auto& list : *on) {
      const std::string root = crypto::HexEncode(list.root);
      if (answer.lists.contains(root)) continue;
      auto membership = audit::ProveListMembership(log, list, p);
      if (!membership) return std::unexpected(membership.error());
      answer.lists.emplace(root, SubjectListHolding{list, std::move(*membership), p});
    }
  }
  std::set<uint64_t> seen;                // record indexes already answered
  std::set<std::string> with_own_record;  // trace/operation of parents with a child record
  for (const auto& p : pseudonyms) {
    auto records = log.RecordsForSubject(p);
    if (!records) return std::unexpected(records.error());
    for (auto& r : *records) {
      if (!seen.insert(r.index).second) continue;
      if (r.record.name.starts_with("inbeeld.pair.")) {
        SubjectExchange e;
        e.record_index = r.index;
        e.record = std::move(r.record);
        e.decision_record = true;
        answer.exchanges.push_back(std::move(e));
        continue;
      }
      auto parents = log.RecordsForTrace(r.record.trace_id);
      if (!parents) return std::unexpected(parents.error());
      auto parent = std::find_if(parents->begin(), parents->end(), [&](const auto& x) {
        return r.record.parent_operation_id == x.record.operation_id;
      });
      if (parent == parents->end()) {
        return Fail(ErrorCode::kDataLoss,
                    "audit record " + std::to_string(r.index) + " has no parent exchange record");
      }
      with_own_record.insert(parent->record.trace_id + "/" + parent->record.operation_id);
      SubjectExchange e;
      e.record_index = r.index;
      e.record = std::move(parent->record);
      e.matched = Attr(r.record, "inbeeld.matched");
      answer.exchanges.push_back(std::move(e));
    }
  }
  for (const auto& [root, on] : answer.lists) {
    auto parents = log.RecordsNamingList(on.list.id);
    if (!parents) return std::unexpected(parents.error());
    for (auto& p : *parents) {
      if (with_own_record.contains(p.record.trace_id + "/" + p.record.operation_id)) continue;
      if (!seen.insert(p.index).second) continue;
      SubjectExchange e;
      e.record_index = p.index;
      e.matched = Attr(p.record, "inbeeld.members_without_record");
      e.record = std::move(p.record);
      answer.exchanges.push_back(std::move(e));
    }
  }
  std::sort(answer.exchanges.begin(), answer.exchanges.end(),
            [](const auto& a, const auto& b) { return a.record_index < b.record_index; });
  return {};
}

// Fills the fields read from the record, the register and the stored result.
Status Describe(UnlockedNode& node, const std::set<Subject>& subjects, SubjectExchange& e) {
  const schema::AuditRecord& r = e.record;
  e.time_ms = r.start_time_ms;
  e.peer = Attr(r, "inbeeld.peer");
  const std::string activity = Attr(r, schema::kAttrProcessingActivity);
  e.purpose =
      activity.starts_with(kActivityPrefix) ? activity.substr(kActivityPrefix.size()) : activity;
  e.legal_basis = Attr(r, "inbeeld.legal_basis");
  if (const config::ProcessingActivity* a = node.config.FindActivity(e.purpose)) {
    e.activity_name = a->name;
    e.legal_basis = a->legal_basis;
  }
  if (e.decision_record) {
    e.session = Attr(r, "inbeeld.session");
    e.decision = r.name == "inbeeld.pair.confirmed" ? "confirmed" : "rejected";
    e.decided_by = Attr(r, "inbeeld.actor");
    return {};
  }
  e.session = r.trace_id;
  e.role = Attr(r, "inbeeld.role");
  e.mode = Attr(r, "inbeeld.mode");
  e.outcome = Attr(r, "inbeeld.outcome");
  if (e.matched != "yes" && e.matched != "possibly") return {};
  auto id = exchange::ParseSessionId(e.session);
  if (!id) return {};  // not a session of ours to look up
  exchange::ResultsStore results(*node.store);
  auto matches = results.Matches(*id);
  if (!matches) {
    if (matches.error().code == ErrorCode::kNotFound) return {};  // purged by retention
    return std::unexpected(matches.error());
  }
  std::optional<schema::Strength> strongest;
  for (const exchange::StoredMatch& m : *matches) {
    if (!subjects.contains(m.subject)) continue;
    if (!strongest || m.strength < *strongest) strongest = m.strength;
    if (m.decision != exchange::Decision::kNone) {
      e.decision = std::string(exchange::DecisionName(m.decision));
      e.decided_by = m.decided_by;
    }
  }
  if (strongest) e.strength = std::string(schema::StrengthName(*strongest));
  return {};
}

}  // namespace

Result<schema::ListRow> ParsePersonRequest(std::string_view text, std::string_view what) {
  schema::ListRow row;
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    start = end + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{} line {}: expected key=value", what, line_no));
    }
    std::string key = line.substr(0, eq);
    std::string value = line.substr(eq + 1);
    std::fill(line.begin(), line.end(), '\0');
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    if (value.empty()) continue;
    if (key == "achternaam" || key == "geslachtsnaam" || key == "surname") {
      row.name.surname = value;
    } else if (key == "tussenvoegsel" || key == "voorvoegsel" || key == "prefix") {
      row.name.prefix = value;
    } else if (key == "voornamen" || key == "voornaam" || key == "first names") {
      row.name.first_names = value;
    } else if (key == "roepnaam") {
      row.name.roepnaam = value;
    } else if (key == "voorletters" || key == "initials") {
      row.name.initials = value;
    } else if (key == "referentie" || key == "kenmerk" || key == "dossiernummer" ||
               key == "reference") {
      row.own_reference = value;
    } else if (key == "naam" || key == "name") {
      row.name.full_name = value;
    } else if (key == "geboortedatum" || key == "birth date") {
      auto date = schema::ParsePartialDate(value);
      if (!date) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("{} line {}: {}: {}", what, line_no, key, date.error().message));
      }
      row.birth_date = *date;
    } else if (key == "geslacht" || key == "sex") {
      auto sex = schema::ParseSex(value);
      if (!sex) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("{} line {}: {}: {}", what, line_no, key, sex.error().message));
      }
      row.sex = *sex;
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{} line {}: unknown key (expected achternaam, "
                              "tussenvoegsel, voornamen, roepnaam, voorletters, naam, "
                              "geboortedatum, geslacht or referentie)",
                              what, line_no));
    }
    std::fill(value.begin(), value.end(), '\0');
  }
  if (!schema::IdentifiesChild(row)) {
    return Fail(
        ErrorCode::kInvalidArgument,
        std::string(what) + " needs at least a surname (achternaam or naam) and a birth date");
  }
  return row;
}

size_t SubjectAccess::exchange_count() const {
  return static_cast<size_t>(std::count_if(exchanges.begin(), exchanges.end(),
                                           [](const auto& e) { return !e.decision_record; }));
}

Result<SubjectAccess> FindSubjectAccess(UnlockedNode& node, const SubjectQuery& query) {
  if (query.pgn.has_value() == query.person.has_value()) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "an access request names a child by PGN or by name and birth date (one of the two)");
  }
  if (query.person && !schema::IdentifiesChild(*query.person)) {
    return Fail(ErrorCode::kInvalidArgument,
                "an access request by name needs at least a surname and a birth date");
  }
  // The pseudonyms this child may be stored under on this node.
  std::vector<Subject> subjects;
  if (query.pgn) {
    subjects.push_back(SubjectOf(node.subject_key, *query.pgn));
  } else {
    // As the importer names a child without a PGN: by its person key when
    // no other child on the list shares it, else by every name part as
    // written (two copies of the row make the key shared). A child whose
    // row needed the partner's own reference cannot be found this way.
    for (size_t copies : {size_t{1}, size_t{2}}) {
      std::vector<schema::ListRow> rows(copies, *query.person);
      auto sources = schema::SubjectSources(rows);
      subjects.push_back(SubjectOf(node.subject_key, rows[0], sources[0]));
      for (auto& source : sources) std::fill(source.text.begin(), source.text.end(), '\0');
    }
  }
  const std::set<Subject> subject_set(subjects.begin(), subjects.end());

  SubjectAccess answer;
  auto versions = node.store->Versions();
  if (!versions) return std::unexpected(versions.error());
  std::map<int64_t, schema::Date> list_dates;
  for (const ListVersion& v : *versions) list_dates[v.id] = v.list_date;
  for (const Subject& subject : subject_set) {
    auto rows = node.store->RowsOfSubject(subject, Unseal::kEverything, node.field_key);
    if (!rows) return std::unexpected(rows.error());
    for (auto& [version, row] : *rows) {
      HeldRow held;
      held.list_version = version;
      held.list_date = list_dates[version];
      held.own_reference = std::move(row.own_reference);
      held.category = row.category;
      held.since = row.since;
      held.school = std::move(row.school_brin);
      held.plan_in_place = row.plan_in_place;
      held.name = std::move(row.name);
      held.birth_date = row.birth_date;
      answer.held_rows.push_back(std::move(held));
    }
  }
  std::sort(answer.held_rows.begin(), answer.held_rows.end(),
            [](const HeldRow& a, const HeldRow& b) { return a.list_version < b.list_version; });

  audit::AuditLog log(*node.store, node.identity);
  std::vector<std::string> pseudonyms;
  for (const auto& s : subjects) pseudonyms.push_back(audit::SubjectPseudonym(node.audit_key, s));
  INBEELD_RETURN_IF_ERROR(FindInLog(log, pseudonyms, answer));
  for (SubjectExchange& e : answer.exchanges) {
    INBEELD_RETURN_IF_ERROR(Describe(node, subject_set, e));
  }
  return answer;
}

}  // namespace inbeeld::node::report
