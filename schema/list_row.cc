#include "schema/list_row.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace inbeeld::schema {
namespace {

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A short lower-cased key without spaces, underscores, dashes and dots, kept on
// the stack: these parsers run once a row on files of a million rows.
class Key {
 public:
  // Returns false if the key does not fit (no accepted word is that long).
  bool Build(std::string_view text) {
    size_t n = 0;
    for (char c : text) {
      if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') continue;
      if (n == buffer_.size()) return false;
      buffer_[n++] = ToLower(c);
    }
    size_ = n;
    return true;
  }
  std::string_view view() const { return std::string_view(buffer_.data(), size_); }

 private:
  std::array<char, 48> buffer_{};
  size_t size_ = 0;
};

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct CategoryAlias {
  std::string_view key;  // normalised as by Key
  Category category;
};

constexpr std::array<CategoryAlias, 19> kCategoryAliases = {{
    {"relatiefverzuim", Category::kRelatiefVerzuim},
    {"langdurigrelatiefverzuim", Category::kRelatiefVerzuim},
    {"relatief", Category::kRelatiefVerzuim},
    {"relativeabsence", Category::kRelatiefVerzuim},
    {"absoluutverzuim", Category::kAbsoluutVerzuim},
    {"absoluut", Category::kAbsoluutVerzuim},
    {"absoluteabsence", Category::kAbsoluutVerzuim},
    {"vrijstelling5a", Category::kVrijstelling5a},
    {"vrijstelling5ondera", Category::kVrijstelling5a},
    {"vrijstellingartikel5ondera", Category::kVrijstelling5a},
    {"vrijstellingart5ondera", Category::kVrijstelling5a},
    {"vrijstellingart5a", Category::kVrijstelling5a},
    {"5a", Category::kVrijstelling5a},
    {"5ondera", Category::kVrijstelling5a},
    {"exemption5a", Category::kVrijstelling5a},
    {"dreigend", Category::kDreigend},
    {"dreigendthuiszitter", Category::kDreigend},
    {"dreigendverzuim", Category::kDreigend},
    {"atrisk", Category::kDreigend},
}};

}  // namespace

std::string_view CategoryName(Category category) {
  switch (category) {
    case Category::kRelatiefVerzuim:
      return "relatief_verzuim";
    case Category::kAbsoluutVerzuim:
      return "absoluut_verzuim";
    case Category::kVrijstelling5a:
      return "vrijstelling_5a";
    case Category::kDreigend:
      return "dreigend";
  }
  return "relatief_verzuim";
}

std::string_view CategoryLabel(Category category) {
  switch (category) {
    case Category::kRelatiefVerzuim:
      return "relatief verzuim";
    case Category::kAbsoluutVerzuim:
      return "absoluut verzuim";
    case Category::kVrijstelling5a:
      return "vrijstelling 5 onder a";
    case Category::kDreigend:
      return "dreigend thuiszitter";
  }
  return "relatief verzuim";
}

Result<Category> ParseCategory(std::string_view text) {
  Key key;
  if (key.Build(text)) {
    if (key.view().empty()) return Fail(ErrorCode::kInvalidArgument, "is empty");
    for (const CategoryAlias& alias : kCategoryAliases) {
      if (alias.key == key.view()) return alias.category;
    }
  }
  return Fail(ErrorCode::kInvalidArgument,
              "unknown category; expected relatief verzuim, absoluut verzuim, "
              "vrijstelling 5 onder a or dreigend");
}

Result<std::string> ParseBrin(std::string_view text) {
  std::string_view s = TrimSpace(text);
  if (s.empty()) return Fail(ErrorCode::kInvalidArgument, "is empty");
  std::string brin;
  brin.reserve(6);
  for (char c : s) {
    if (c == ' ') continue;
    if (brin.size() == 6) {
      return Fail(ErrorCode::kInvalidArgument,
                  "expected a BRIN code like 12AB, or 12AB01 with a vestiging number");
    }
    brin.push_back(ToUpper(c));
  }
  bool ok = (brin.size() == 4 || brin.size() == 6) && IsDigit(brin[0]) && IsDigit(brin[1]) &&
            IsAsciiLetter(brin[2]) && IsAsciiLetter(brin[3]) &&
            (brin.size() == 4 || (IsDigit(brin[4]) && IsDigit(brin[5])));
  if (!ok) {
    return Fail(ErrorCode::kInvalidArgument,
                "expected a BRIN code like 12AB, or 12AB01 with a vestiging number");
  }
  return brin;
}

Result<bool> ParseYesNo(std::string_view text) {
  std::string_view s = TrimSpace(text);
  if (s.empty()) return Fail(ErrorCode::kInvalidArgument, "is empty");
  std::array<char, 8> buffer{};
  if (s.size() <= buffer.size()) {
    for (size_t i = 0; i < s.size(); ++i) buffer[i] = ToLower(s[i]);
    std::string_view word(buffer.data(), s.size());
    for (std::string_view yes : {"ja", "j", "yes", "y", "true", "waar", "1"}) {
      if (word == yes) return true;
    }
    for (std::string_view no : {"nee", "n", "no", "false", "onwaar", "0"}) {
      if (word == no) return false;
    }
  }
  return Fail(ErrorCode::kInvalidArgument, "expected ja or nee (or yes/no, 1/0)");
}

bool IdentifiesChild(const ListRow& row) {
  if (row.identifier) return true;
  auto present = [](const std::optional<std::string>& part) { return part && !part->empty(); };
  return (present(row.name.surname) || present(row.name.full_name)) && row.birth_date &&
         IsValidPartialDate(*row.birth_date);
}

}  // namespace inbeeld::schema
