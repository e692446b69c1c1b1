// node/report/quarterly.h — the quarterly registration of thuiszitters that a
// samenwerkingsverband sends the Inspectie, continuing last quarter's rows.
//
// Each child keeps one anonymous row number across quarters: 1, 2, 3, … in
// order of first appearance on the list (list date, then list version, then
// the child's subject), never reused. A row is a spell on the list: start
// (the child's since), end (empty while the child is on the list; else the
// list date of the first later list version without the child), category and
// onderwijstype (PO/VO). No name, no PGN, no own reference.
//
// How the spells are kept (table report_registrations, schema 9): every run
// takes in, in list-date order, the list versions dated on or before the
// reference date that no earlier run took in; a child new to the
// registration gets the next number, a child gone from a version has its
// spell closed with that version's list date. So numbers survive retention
// purging old list versions, running twice changes nothing, and the next
// quarter continues the numbering. Choices:
//   - A child that leaves and comes back keeps its number and gets a new
//     spell (a second row with that number and a new start), unless it comes
//     back with the same since date: then it never really left (a list that
//     missed it once) and the old spell is opened again.
//   - Start, category and onderwijstype follow the newest list version taken
//     in; a report for an earlier quarter made after a later one shows them
//     as they are now. An end date after the reference date is not shown, and
//     a spell opened by a version dated after it is left out.
//   - A list version dated before one already taken in (imported late) is
//     not taken in: it would rewrite spells already reported. It is listed in
//     QuarterlyReport::skipped_versions.
//
// The report for the quarter holding the reference date lists every spell
// open at any time in that quarter: started on or before the quarter's last
// day and not ended before its first day (a spell that ended on the day
// before the quarter began is not listed), by row number. The counts are of
// the children on the list on the reference date (the newest version dated on
// or before it), by category and by duration band (durations.h).
//
// Onderwijstype: config [report] onderwijstype "po" or "vo" gives every child
// that sector; "po-vo" (the default) derives it from the child's age on the
// reference date: 12 or older is VO, younger PO. A partly known birth date
// decides when every day it could stand for gives the same answer; otherwise,
// and without a birth date, "onbekend". Someone born on 29 February turns a
// year older on 1 March in a common year.
//
// Thread safety: uses the Store; one thread at a time.
#ifndef INBEELD_NODE_REPORT_QUARTERLY_H_
#define INBEELD_NODE_REPORT_QUARTERLY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "config/node_config.h"
#include "crypto/secret_bytes.h"
#include "node/report/durations.h"
#include "node/report/sheet.h"
#include "node/store/store.h"
#include "schema/date.h"
#include "schema/list_row.h"
#include "schema/person.h"

namespace inbeeld::node::report {

struct Quarter {
  int year = 1970;
  int number = 1;  // 1..4

  schema::Date First() const;  // 1 January, 1 April, 1 July, 1 October
  schema::Date Last() const;   // 31 March, 30 June, 30 September, 31 December
  auto operator<=>(const Quarter&) const = default;
  bool operator==(const Quarter&) const = default;
};

Quarter QuarterOf(schema::Date date);
// "2026-K3".
std::string QuarterLabel(const Quarter& quarter);

enum class Sector { kPo, kVo, kUnknown };
inline constexpr int kVoFromAge = 12;

// "po", "vo", "onbekend": as stored.
std::string_view SectorName(Sector sector);
// "PO", "VO", "onbekend": as the registration shows it.
std::string_view SectorLabel(Sector sector);

// The sector a child is registered under on `reference` (the rules above).
Sector SectorOn(config::Onderwijstype setting, const std::optional<schema::PartialDate>& birth_date,
                schema::Date reference);

struct RegistrationRow {
  int64_t row_number = 0;
  std::string first_quarter;  // "2026-K1": when the number was first given
  schema::Date start{};
  std::optional<schema::Date> end;  // empty: on the list on the reference date
  schema::Category category = schema::Category::kRelatiefVerzuim;
  Sector sector = Sector::kUnknown;
};

struct QuarterlyReport {
  Quarter quarter;
  schema::Date reference{};
  // The newest list version dated on or before the reference date; nullopt
  // when there is none (then there are no rows).
  std::optional<ListVersion> list_version;
  std::vector<RegistrationRow> rows;  // by row number, then start
  // On the reference date: the children on list_version.
  size_t on_list = 0;
  std::array<size_t, kCategoryCount> by_category{};  // indexed by schema::Category
  std::array<size_t, kDurationBandCount> by_band{};  // indexed by DurationBand
  size_t new_numbers = 0;                            // numbers this run gave out
  std::vector<int64_t> skipped_versions;             // list versions this run would not take in
};

// Takes in the list versions dated on or before `reference` (persisting new
// numbers and closed spells in one transaction) and returns the report of
// the quarter holding `reference`. `field_key` unseals birth dates (for
// "po-vo"); they are not stored. The store's clock says what today is.
// Errors: kInvalidArgument when `reference` is after today or not a valid
// date; kDataLoss when a stored row does not read back; store errors.
// Nothing is persisted on error.
Result<QuarterlyReport> BuildQuarterlyReport(Store& store, const crypto::SecretBytes& field_key,
                                             config::Onderwijstype onderwijstype,
                                             schema::Date reference);

// The registration as a sheet "Registratie": Nr.;Startdatum;Einddatum;
// Categorie;Onderwijstype (dates dd-mm-jjjj, end empty while on the list).
Sheet RegistrationSheet(const QuarterlyReport& report);
// The counts on the reference date as a sheet "Telling": Peildatum /
// Kwartaal lines, then Indeling;Waarde;Aantal per category and per band.
Sheet CountsSheet(const QuarterlyReport& report);
// The registration sheet as CSV for Dutch Excel (SheetCsv).
std::string QuarterlyCsv(const QuarterlyReport& report);

}  // namespace inbeeld::node::report

#endif  // INBEELD_NODE_REPORT_QUARTERLY_H_
