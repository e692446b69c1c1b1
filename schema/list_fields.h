// schema/list_fields.h — the fields of a partner's list, and which of a file's
// columns holds which field (the column mapping).
//
// Each field has a stable machine name (the canonical Dutch column name that
// WriteListCsv writes: bsn, categorie, sinds, brin, plan, referentie,
// voornamen, roepnaam, voorletters, tussenvoegsel, achternaam, naam,
// geboortedatum, geslacht) and a Dutch label for people. A ColumnMapping sends
// a file's header text to a field, or to nothing (the column is ignored); the
// parser (schema/csv_import.h) guesses from the header's names (the aliases
// listed there) for every column the mapping does not name.
//
// Thread safety: pure functions over constant tables; safe from any thread.
#ifndef INBEELD_SCHEMA_LIST_FIELDS_H_
#define INBEELD_SCHEMA_LIST_FIELDS_H_

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace inbeeld::schema {

// In the order WriteListCsv writes the columns.
enum class ListField : size_t {
  kIdentifier,    // bsn: BSN or onderwijsnummer (PGN)
  kCategory,      // categorie
  kSince,         // sinds
  kSchool,        // brin
  kPlan,          // plan
  kOwnReference,  // referentie
  kFirstNames,    // voornamen
  kRoepnaam,      // roepnaam
  kInitials,      // voorletters
  kPrefix,        // tussenvoegsel
  kSurname,       // achternaam
  kFullName,      // naam
  kBirthDate,     // geboortedatum
  kSex,           // geslacht
};
inline constexpr size_t kListFieldCount = 14;

struct ListFieldInfo {
  ListField field;
  std::string_view name;   // stable machine name, e.g. "geboortedatum"
  std::string_view label;  // Dutch, for people, e.g. "Geboortedatum"
  // Every file needs this column. The identifier, surname, full name and
  // birth date are needed in a combination (an identifier, or a name with a
  // birth date) and are not marked required.
  bool required;
};

// All fields, in ListField order.
std::span<const ListFieldInfo> ListFields();
const ListFieldInfo& FieldInfo(ListField field);

// The field with this machine name (exact, lower case). Fails with
// kInvalidArgument naming the accepted names.
[[nodiscard]] Result<ListField> ParseListField(std::string_view name);

// The field a header text names by the alias rules (case, spaces, dots,
// dashes and underscores ignored), or nullopt.
std::optional<ListField> GuessListField(std::string_view header);

// A header text as the alias rules compare it: ASCII letters in lower case,
// spaces, tabs, dots, dashes and underscores left out ("Geb. datum" and
// "GEB-DATUM" both give "gebdatum").
std::string NormaliseHeader(std::string_view header);

// Header text as in the file (trimmed) → field, or nullopt for "ignore this
// column".
using ColumnMapping = std::map<std::string, std::optional<ListField>, std::less<>>;

// What the parser would do without a mapping: each header text → its guessed
// field or nullopt. Two columns guessed as one field both keep the guess (the
// parser reports them). An empty header text is left out.
ColumnMapping ProposeMapping(std::span<const std::string> header);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_LIST_FIELDS_H_
