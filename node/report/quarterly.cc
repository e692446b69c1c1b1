#include "node/report/quarterly.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "node/clock/timestamp.h"
#include "node/report/registration_store.h"

namespace inbeeld::node::report {
namespace {

using Subject = std::array<uint8_t, 32>;

// Age in whole years on `on` of someone born on `birth`; a 29 February
// birthday falls on 1 March in a common year.
int AgeOn(schema::Date birth, schema::Date on) {
  int age = on.year - birth.year;
  if (std::pair(on.month, on.day) < std::pair(birth.month, birth.day)) --age;
  return age;
}

Result<Sector> ParseSector(std::string_view name) {
  for (const Sector s : {Sector::kPo, Sector::kVo, Sector::kUnknown}) {
    if (SectorName(s) == name) return s;
  }
  return Fail(ErrorCode::kDataLoss, "a stored registration has an unknown onderwijstype");
}

}  // namespace

schema::Date Quarter::First() const { return {year, 3 * (number - 1) + 1, 1}; }

schema::Date Quarter::Last() const {
  const int month = 3 * number;
  return {year, month, schema::DaysInMonth(year, month)};
}

Quarter QuarterOf(schema::Date date) { return {date.year, (date.month - 1) / 3 + 1}; }

std::string QuarterLabel(const Quarter& quarter) {
  return fmt::format("{}-K{}", quarter.year, quarter.number);
}

std::string_view SectorName(Sector sector) {
  switch (sector) {
    case Sector::kPo:
      return "po";
    case Sector::kVo:
      return "vo";
    case Sector::kUnknown:
      break;
  }
  return "onbekend";
}

std::string_view SectorLabel(Sector sector) {
  switch (sector) {
    case Sector::kPo:
      return "PO";
    case Sector::kVo:
      return "VO";
    case Sector::kUnknown:
      break;
  }
  return "onbekend";
}

Sector SectorOn(config::Onderwijstype setting, const std::optional<schema::PartialDate>& birth_date,
                schema::Date reference) {
  if (setting == config::Onderwijstype::kPo) return Sector::kPo;
  if (setting == config::Onderwijstype::kVo) return Sector::kVo;
  if (!birth_date) return Sector::kUnknown;
  // The earliest and the latest day the (possibly partial) date stands for.
  const schema::PartialDate& b = *birth_date;
  const int first_month = b.month != 0 ? b.month : 1;
  const int last_month = b.month != 0 ? b.month : 12;
  const schema::Date earliest{b.year, first_month, b.day != 0 ? b.day : 1};
  const schema::Date latest{b.year, last_month,
                            b.day != 0 ? b.day : schema::DaysInMonth(b.year, last_month)};
  if (AgeOn(latest, reference) >= kVoFromAge) return Sector::kVo;   // the youngest it could be
  if (AgeOn(earliest, reference) < kVoFromAge) return Sector::kPo;  // the oldest it could be
  return Sector::kUnknown;
}

Result<QuarterlyReport> BuildQuarterlyReport(Store& store, const crypto::SecretBytes& field_key,
                                             config::Onderwijstype onderwijstype,
                                             schema::Date reference) {
  if (!schema::IsValidDate(reference)) {
    return Fail(ErrorCode::kInvalidArgument, "the reference date is not a valid date");
  }
  if (reference > TodayUtc(store.clock())) {
    return Fail(ErrorCode::kInvalidArgument,
                "the reference date " + schema::FormatDutch(reference) + " is after today");
  }
  QuarterlyReport report;
  report.reference = reference;
  report.quarter = QuarterOf(reference);

  auto versions = store.Versions();
  if (!versions) return std::unexpected(versions.error());
  std::vector<ListVersion> eligible;
  for (const ListVersion& v : *versions) {
    if (v.list_date <= reference) eligible.push_back(v);
  }
  std::sort(eligible.begin(), eligible.end(), [](const ListVersion& a, const ListVersion& b) {
    return std::pair(a.list_date, a.id) < std::pair(b.list_date, b.id);
  });
  if (!eligible.empty()) report.list_version = eligible.back();

  RegistrationStore registrations(store);
  std::vector<Registration> spells;
  const Status taken_in = registrations.InTransaction([&]() -> Status {
    auto processed = registrations.Processed();
    if (!processed) return std::unexpected(processed.error());
    std::set<int64_t> done;
    std::optional<schema::Date> newest_done;
    for (const ProcessedVersion& p : *processed) {
      done.insert(p.version_id);
      if (!newest_done || p.list_date > *newest_done) newest_done = p.list_date;
    }
    auto all = registrations.All();
    if (!all) return std::unexpected(all.error());
    spells = std::move(*all);
    // Per child: its open spell, and its latest spell (which holds its number).
    std::map<Subject, size_t> open, latest;
    int64_t max_number = 0;
    for (size_t i = 0; i < spells.size(); ++i) {
      if (!spells[i].end) open[spells[i].subject] = i;
      auto [it, added] = latest.emplace(spells[i].subject, i);
      if (!added && spells[it->second].listed_from <= spells[i].listed_from) it->second = i;
      max_number = std::max(max_number, spells[i].row_number);
    }
    const std::string now = NowIso(store.clock());

    for (const ListVersion& v : eligible) {
      if (done.contains(v.id)) continue;
      const ProcessedVersion taken{v.id, v.list_date};
      if (newest_done && v.list_date < *newest_done) {
        report.skipped_versions.push_back(v.id);
        INBEELD_RETURN_IF_ERROR(registrations.MarkProcessed(taken, now));
        continue;
      }
      auto rows = store.LoadRows(v.id, Unseal::kEverything, field_key);
      if (!rows) return std::unexpected(rows.error());
      std::set<Subject> present;
      for (const StoredRow& row : *rows) {  // in subject order
        present.insert(row.subject);
        const std::string sector(SectorName(SectorOn(onderwijstype, row.birth_date, reference)));
        if (auto it = open.find(row.subject); it != open.end()) {
          Registration& spell = spells[it->second];
          spell.start = row.since;
          spell.category = row.category;
          spell.sector = sector;
          INBEELD_RETURN_IF_ERROR(registrations.Update(spell));
          continue;
        }
        if (auto it = latest.find(row.subject);
            it != latest.end() && spells[it->second].start == row.since) {
          // Back with the same since date: the same spell, open again.
          Registration& spell = spells[it->second];
          spell.end.reset();
          spell.category = row.category;
          spell.sector = sector;
          INBEELD_RETURN_IF_ERROR(registrations.Update(spell));
          open[row.subject] = it->second;
          continue;
        }
        Registration spell;
        spell.subject = row.subject;
        if (auto it = latest.find(row.subject); it != latest.end()) {
          spell.row_number = spells[it->second].row_number;
          spell.first_quarter = spells[it->second].first_quarter;
        } else {
          spell.row_number = ++max_number;
          spell.first_quarter = QuarterLabel(QuarterOf(v.list_date));
          report.new_numbers++;
        }
        spell.listed_from = v.list_date;
        spell.start = row.since;
        spell.category = row.category;
        spell.sector = sector;
        INBEELD_RETURN_IF_ERROR(registrations.Insert(spell));
        spells.push_back(std::move(spell));
        open[row.subject] = spells.size() - 1;
        latest[row.subject] = spells.size() - 1;
      }
      for (auto it = open.begin(); it != open.end();) {
        if (present.contains(it->first)) {
          ++it;
          continue;
        }
        Registration& spell = spells[it->second];
        spell.end = v.list_date;
        INBEELD_RETURN_IF_ERROR(registrations.Update(spell));
        it = open.erase(it);
      }
      INBEELD_RETURN_IF_ERROR(registrations.MarkProcessed(taken, now));
      newest_done = v.list_date;
    }
    // A child's sector moves with the reference date (a birthday, or a new
    // [report] onderwijstype): when this run is at the front, the children on
    // the newest list get theirs on this reference date.
    if (report.list_version && newest_done && report.list_version->list_date >= *newest_done) {
      auto rows = store.LoadRows(report.list_version->id, Unseal::kEverything, field_key);
      if (!rows) return std::unexpected(rows.error());
      for (const StoredRow& row : *rows) {
        auto it = open.find(row.subject);
        if (it == open.end()) continue;
        Registration& spell = spells[it->second];
        std::string sector(SectorName(SectorOn(onderwijstype, row.birth_date, reference)));
        if (sector == spell.sector) continue;
        spell.sector = std::move(sector);
        INBEELD_RETURN_IF_ERROR(registrations.Update(spell));
      }
    }
    return {};
  });
  if (!taken_in) return std::unexpected(taken_in.error());

  const schema::Date first = report.quarter.First();
  const schema::Date last = report.quarter.Last();
  for (const Registration& spell : spells) {
    if (spell.listed_from > reference) continue;  // not known on the reference date
    std::optional<schema::Date> end = spell.end;
    if (end && *end > reference) end.reset();  // ended after the reference date
    auto sector = ParseSector(spell.sector);
    if (!sector) return std::unexpected(sector.error());
    if (!end) {
      report.on_list++;
      report.by_category[static_cast<size_t>(spell.category)]++;
      report.by_band[static_cast<size_t>(BandOn(spell.start, reference))]++;
    }
    if (spell.start > last || (end && *end < first)) continue;
    report.rows.push_back(
        {spell.row_number, spell.first_quarter, spell.start, end, spell.category, *sector});
  }
  std::sort(report.rows.begin(), report.rows.end(),
            [](const RegistrationRow& a, const RegistrationRow& b) {
              return std::pair(a.row_number, a.start) < std::pair(b.row_number, b.start);
            });
  return report;
}

Sheet RegistrationSheet(const QuarterlyReport& report) {
  Sheet sheet;
  sheet.name = "Registratie";
  sheet.header = {"Nr.", "Startdatum", "Einddatum", "Categorie", "Onderwijstype"};
  for (const RegistrationRow& row : report.rows) {
    sheet.rows.push_back({Cell(row.row_number), Cell(schema::FormatDutch(row.start)),
                          Cell(row.end ? schema::FormatDutch(*row.end) : std::string()),
                          Cell(std::string(schema::CategoryLabel(row.category))),
                          Cell(std::string(SectorLabel(row.sector)))});
  }
  return sheet;
}

Sheet CountsSheet(const QuarterlyReport& report) {
  Sheet sheet;
  sheet.name = "Telling";
  sheet.header = {"Indeling", "Waarde", "Aantal"};
  sheet.rows.push_back(
      {Cell(std::string("Kwartaal")), Cell(QuarterLabel(report.quarter)), Cell(std::string())});
  sheet.rows.push_back({Cell(std::string("Peildatum")), Cell(schema::FormatDutch(report.reference)),
                        Cell(std::string())});
  sheet.rows.push_back({Cell(std::string("Totaal")), Cell(std::string("op de lijst")),
                        Cell(static_cast<int64_t>(report.on_list))});
  for (size_t c = 0; c < kCategoryCount; ++c) {
    sheet.rows.push_back(
        {Cell(std::string("Categorie")),
         Cell(std::string(schema::CategoryLabel(static_cast<schema::Category>(c)))),
         Cell(static_cast<int64_t>(report.by_category[c]))});
  }
  for (size_t b = 0; b < kDurationBandCount; ++b) {
    sheet.rows.push_back({Cell(std::string("Duur")),
                          Cell(std::string(DurationBandLabel(static_cast<DurationBand>(b)))),
                          Cell(static_cast<int64_t>(report.by_band[b]))});
  }
  return sheet;
}

std::string QuarterlyCsv(const QuarterlyReport& report) {
  return SheetCsv(RegistrationSheet(report));
}

}  // namespace inbeeld::node::report
