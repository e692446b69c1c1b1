#include "schema/row_subject.h"

#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "schema/match_keys.h"

namespace inbeeld::schema {
namespace {

// The slot-1 key (surname, given name, full birth date) is the only one that
// tells children with different given names or birth days apart by itself.
bool IsFullPersonKey(const std::string& key) { return key.starts_with("name-dob|"); }

std::string Detail(const ListRow& row, bool with_reference) {
  std::string out = "detail";
  for (const std::optional<std::string>* part :
       {&row.name.first_names, &row.name.roepnaam, &row.name.initials, &row.name.prefix,
        &row.name.surname, &row.name.full_name}) {
    out.push_back('|');
    if (*part) out += NormaliseToken(**part);
  }
  out.push_back('|');
  if (row.birth_date) out += FormatPartialIso(*row.birth_date);
  out.push_back('|');
  if (row.sex) out += SexCode(*row.sex);
  if (with_reference) {
    // The reference is free text: its length keeps it from running into
    // anything that could follow.
    out += "|ref|" + std::to_string(row.own_reference.size()) + ":" + row.own_reference;
  }
  return out;
}

}  // namespace

std::vector<SubjectSource> SubjectSources(std::span<const ListRow> rows) {
  std::vector<SubjectSource> sources(rows.size());
  std::vector<std::optional<std::string>> person_keys(rows.size());
  std::unordered_map<std::string_view, size_t> uses;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].identifier) {
      sources[i] = {SubjectBasis::kPgn, rows[i].identifier->digits()};
      continue;
    }
    person_keys[i] = PersonIdentityKey(rows[i].name, rows[i].birth_date);
  }
  // Counted only once every key is in place: the views point into person_keys.
  for (const std::optional<std::string>& key : person_keys) {
    if (key) ++uses[*key];
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].identifier) continue;
    const std::optional<std::string>& key = person_keys[i];
    if (key && uses[*key] == 1) {
      sources[i] = {SubjectBasis::kPerson, *key};
    } else {
      sources[i] = {SubjectBasis::kPersonDetail,
                    Detail(rows[i], /*with_reference=*/!(key && IsFullPersonKey(*key)))};
    }
  }
  return sources;
}

}  // namespace inbeeld::schema
