// schema/list_row.h — one child on a partner's thuiszitterslijst, and the
// parsers for its label fields.
//
// A ListRow holds what DESIGN.md "What a list holds" lists: the identifier (PGN:
// BSN or onderwijsnummer) when the child has one and the node may hold it, the
// category, the date since, the school's BRIN code, whether a plan or offer is in
// place, the partner's own case reference, and the child's name parts, birth
// date (possibly partial) and sex (schema/person.h). Name, birth date and sex
// never leave the node; only blinded match keys derived from them do.
//
// A row identifies a child (IdentifiesChild) by its PGN, or else by a surname
// (or a combined name) with a birth date of which at least the year is known.
//
// The parsers are lenient in what they accept (case, surrounding whitespace,
// Dutch and English spellings) and their error messages never echo the input:
// in a misaligned spreadsheet any cell may hold an identifier.
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_LIST_ROW_H_
#define INBEELD_SCHEMA_LIST_ROW_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "schema/date.h"
#include "schema/identifier.h"
#include "schema/person.h"

namespace inbeeld::schema {

enum class Category {
  kRelatiefVerzuim,  // enrolled, absent without permission (thuiszitter: 4+ weeks)
  kAbsoluutVerzuim,  // of compulsory school age, not enrolled, no exemption
  kVrijstelling5a,   // exempt under article 5 onder a of the Leerplichtwet
  kDreigend,         // at risk of becoming a thuiszitter
};

// Stable machine name: "relatief_verzuim", "absoluut_verzuim", "vrijstelling_5a",
// "dreigend". Safe to store and to put on the wire.
std::string_view CategoryName(Category category);

// Dutch text for people: "relatief verzuim", "absoluut verzuim",
// "vrijstelling 5 onder a", "dreigend thuiszitter".
std::string_view CategoryLabel(Category category);

// Case-insensitive; spaces, underscores, dashes and dots are ignored. Accepts the
// machine names, the labels and common variants:
//   relatief verzuim, langdurig relatief verzuim, relatief, relative absence;
//   absoluut verzuim, absoluut, absolute absence;
//   vrijstelling 5a, vrijstelling 5 onder a, vrijstelling art. 5a,
//   vrijstelling (art./artikel) 5 onder a, 5a, 5 onder a, exemption 5a;
//   dreigend, dreigend thuiszitter, dreigend verzuim, at risk.
// Errors: kInvalidArgument listing the accepted categories (not the input).
Result<Category> ParseCategory(std::string_view text);

// A BRIN code: 2 digits and 2 letters ("12AB"), optionally followed by a 2-digit
// vestiging number ("12AB01"). Surrounding whitespace is trimmed, spaces inside
// removed and letters upper-cased; returns the normalised 4 or 6 characters.
// Errors: kInvalidArgument, without echoing the input.
Result<std::string> ParseBrin(std::string_view text);

// Case-insensitive, whitespace trimmed: ja/j/yes/y/true/waar/1 → true,
// nee/n/no/false/onwaar/0 → false.
// Errors: kInvalidArgument, without echoing the input.
Result<bool> ParseYesNo(std::string_view text);

inline constexpr size_t kMaxOwnReferenceChars = 64;  // Unicode code points
inline constexpr size_t kMaxNameChars = 200;         // Unicode code points, per name part

struct ListRow {
  std::optional<Identifier> identifier = std::nullopt;  // PGN; absent for a child without one
  Category category = Category::kRelatiefVerzuim;
  Date since = {};                                       // the date the category has applied since
  std::string school_brin = {};                          // normalised by ParseBrin
  bool plan_in_place = false;                            // a plan or offer (aanbod) is in place
  std::string own_reference = {};                        // the partner's case reference; non-empty
  PersonName name = {};                                  // stays on this node
  std::optional<PartialDate> birth_date = std::nullopt;  // stays on this node
  std::optional<Sex> sex = std::nullopt;                 // stays on this node

  bool operator==(const ListRow&) const = default;
};

// True iff `row` has a PGN, or a non-empty surname or full name together with a
// valid birth date (at least the year). Only such a row can ever be matched; the
// importer refuses the others.
bool IdentifiesChild(const ListRow& row);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_LIST_ROW_H_
