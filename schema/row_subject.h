// schema/row_subject.h — what a list row's subject is made from: the string a
// node turns into its own keyed pseudonym for the child (node/store/store.h,
// SubjectOf), which keys the stored row, ties a child's rows across list
// versions and names the child in the audit log.
//
// For a row with a PGN that string is the PGN itself, exactly as before rows
// without one existed, so every stored subject and audit record stays valid.
// A row without a PGN is named by what else identifies the child, in tiers:
//
//   1. kPerson: PersonIdentityKey (schema/match_keys.h: surname, first given
//      name and full birth date; else surname and birth date; else surname,
//      given name and birth year), when no other row without a PGN in the same
//      list has the same key. Stable across versions while the child's name
//      and birth date are written the same way.
//   2. kPersonDetail: when that key is absent or shared (twins who share their
//      first official name; two children named alike born in the same year),
//      every name part as written, each folded by NormaliseToken, with the
//      birth date and sex. Twins "Maria Anna" and "Maria Johanna" part here.
//      When the record is thin — no key of slot 1 (no given name, or only part
//      of the birth date) — children cannot be told apart by name at all, so
//      the partner's own reference is added too.
//
// Two rows of one list with the same source are one child listed twice: the
// importer reports them (schema/csv_import.h) and the store refuses them.
// Rows with and without a PGN never share a source (different kinds), even if
// they are the same child; matching, not the subject, links those.
//
// Thread safety: pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_ROW_SUBJECT_H_
#define INBEELD_SCHEMA_ROW_SUBJECT_H_

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "schema/list_row.h"

namespace inbeeld::schema {

enum class SubjectBasis : uint8_t {
  kPgn,           // text: the 9 digits
  kPerson,        // text: PersonIdentityKey
  kPersonDetail,  // text: "detail|" and the folded name parts, birth date, sex (and reference)
};

struct SubjectSource {
  SubjectBasis basis = SubjectBasis::kPgn;
  std::string text;  // personal data: hash it, never show or store it

  auto operator<=>(const SubjectSource&) const = default;
};

// One source per row, in the order of `rows`. Which tier a row without a PGN
// takes depends on the other rows of the list, so pass the whole list.
// REQUIRES: every row IdentifiesChild.
std::vector<SubjectSource> SubjectSources(std::span<const ListRow> rows);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_ROW_SUBJECT_H_
