// schema/person.h — who a child is when there is no number: name parts, a
// birth date that may be partial, and sex, as partner systems hold them.
//
// An SWV may not use a BSN or onderwijsnummer (PGN) in an exchange, and some
// children have none (not enrolled, newcomers, asylum children), so a list row
// may carry these instead of, or next to, a PGN. They stay on the node (sealed
// at rest); only blinded match keys derived from them (schema/match_keys.h)
// leave it.
//
// The fields keep what the file said, trimmed; normalisation for matching is
// schema/match_keys.h's job, so the operator's screen shows the spelling of the
// partner's own system.
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_PERSON_H_
#define INBEELD_SCHEMA_PERSON_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "schema/date.h"

namespace inbeeld::schema {

// The name parts a Dutch student or municipal system exports. Any may be
// absent; a file uses either the parts or one combined `full_name` column (or
// both, in which case the parts win for matching).
struct PersonName {
  std::optional<std::string> first_names;  // voornamen: official given names, space separated
  std::optional<std::string> roepnaam;     // the name the child goes by
  std::optional<std::string> initials;     // voorletters, e.g. "J.P."
  std::optional<std::string> prefix;       // tussenvoegsel / voorvoegsel, e.g. "van der"
  std::optional<std::string> surname;      // achternaam / geslachtsnaam; may hold "Berg, van der"
  std::optional<std::string> full_name;    // naam: "Jan van der Berg" or "Berg, Jan van der"

  // True iff no part is present.
  bool empty() const {
    return !first_names && !roepnaam && !initials && !prefix && !surname && !full_name;
  }
  bool operator==(const PersonName&) const = default;
};

// A birth date of which the day, or the day and month, may be unknown
// (newcomers' documents often give only a year). month == 0 means the month
// is unknown (and then day == 0); day == 0 means the day is unknown.
struct PartialDate {
  int year = 1970;  // kMinYear..kMaxYear
  int month = 0;    // 0 (unknown) or 1..12
  int day = 0;      // 0 (unknown) or 1..DaysInMonth(year, month)

  bool full() const { return month != 0 && day != 0; }
  // REQUIRES: full().
  Date date() const { return Date{year, month, day}; }
  static PartialDate FromDate(const Date& d) { return PartialDate{d.year, d.month, d.day}; }

  bool operator==(const PartialDate&) const = default;
};

// True iff the fields are in range as described above.
bool IsValidPartialDate(const PartialDate& date);

// Parses, after trimming surrounding whitespace, everything ParseDate accepts
// (a full date) and these partial forms, where 00, 0, xx and XX stand for an
// unknown day or month:
//   jjjj                       (year only)
//   mm-jjjj, m-jjjj            ('-', '/' or '.' as separator)
//   00-00-jjjj, 00-mm-jjjj, xx-xx-jjjj, xx-mm-jjjj (and with '/' or '.')
//   jjjj-mm, jjjj-00-00, jjjj-mm-00
// (so also 00-jjjj, 0-0-jjjj, jjjj-00 and jjjj-xx-xx). ISO order takes '-'
// only, as ParseDate. A known day with an unknown month is refused.
// Errors: kInvalidArgument without echoing the input (a birth date is personal data).
Result<PartialDate> ParsePartialDate(std::string_view text);

// "2014-03-05", "2014-03" or "2014".
std::string FormatPartialIso(const PartialDate& date);
// "05-03-2014", "03-2014" or "2014".
std::string FormatPartialDutch(const PartialDate& date);

enum class Sex { kMale, kFemale, kOther };

// Case-insensitive, trimmed: m, man, mannelijk, jongen, male, boy → kMale;
// v, vrouw, vrouwelijk, meisje, f, female, girl → kFemale; x, o, overig,
// anders, other → kOther. Errors: kInvalidArgument, without echoing the input.
// (An empty cell is no sex at all; the caller does not call this for it.)
Result<Sex> ParseSex(std::string_view text);

// "M", "V", "X": the Dutch one-letter codes, for files and screens.
std::string_view SexCode(Sex sex);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_PERSON_H_
