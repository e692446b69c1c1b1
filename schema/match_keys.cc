#include "schema/match_keys.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Every rule below is specified, with its reasons, in docs/NORMALISATION.md;
// the section names in the comments are that document's. Change both together,
// and the vectors in tests/testdata/normalisation/vectors.json with them.

namespace inbeeld::schema {
namespace {

// §2.1: a field longer than this is treated as absent. No real name comes near
// it (the BRP allows 200 characters per name part); it bounds the work done on
// hostile input.
constexpr size_t kMaxFieldBytes = 4096;

// §2.2 step 1: NFKD with full case folding, marks and default-ignorable code
// points removed. Marks must be stripped inside utf8proc (STRIPMARK) and not
// after it: utf8proc's canonical reordering is quadratic in a run of combining
// marks, and STRIPMARK drops them before the reordering sees them.
constexpr utf8proc_option_t kFoldOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
                                   UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);

// §2.2 step 2: letters that have no decomposition to a base letter, as they
// are after case folding (so only lower case appears).
struct ExtraLetter {
  char32_t from;
  std::u32string_view to;
};
constexpr std::array<ExtraLetter, 12> kExtraLetters = {{
    {U'\u00DF', U"ss"},  // ß (case folding already gives ss; kept for clarity)
    {U'\u00E6', U"ae"},  // æ
    {U'\u00F0', U"d"},   // ð
    {U'\u00F8', U"o"},   // ø
    {U'\u00FE', U"th"},  // þ
    {U'\u0111', U"d"},   // đ
    {U'\u0127', U"h"},   // ħ
    {U'\u0131', U"i"},   // ı
    {U'\u0133', U"ij"},  // ĳ (NFKD already gives ij)
    {U'\u0142', U"l"},   // ł
    {U'\u0153', U"oe"},  // œ
    {U'\u0167', U"t"},   // ŧ
}};

// §4: particles (voorvoegsels and their foreign counterparts), as normalised
// words. Sorted, for binary search.
constexpr std::array<std::string_view, 47> kParticles = {
    "aan",  "bij", "d",     "da",   "das",  "de",  "dei", "del",   "della",  "den",
    "der",  "des", "di",    "do",   "dos",  "du",  "het", "in",    "l",      "la",
    "le",   "les", "onder", "op",   "over", "s",   "t",   "te",    "ten",    "ter",
    "thoe", "tot", "uijt",  "uit",  "uyt",  "v",   "van", "vande", "vanden", "vander",
    "vd",   "vom", "von",   "voor", "zu",   "zum", "zur"};
static_assert(std::ranges::is_sorted(kParticles));

// §6: values that stand for "unknown", as normalised words.
constexpr std::array<std::string_view, 11> kPlaceholders = {
    "fnu", "lnu", "nn", "nnb", "nvt", "onb", "onbekend", "unknown", "x", "xx", "xxx"};

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

// §2.2: the folded code points of `text`; nullopt if it is not valid UTF-8 or
// longer than kMaxFieldBytes.
std::optional<std::u32string> Fold(std::string_view text) {
  if (text.size() > kMaxFieldBytes) return std::nullopt;
  if (text.empty()) return std::u32string();
  utf8proc_uint8_t* raw = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &raw, kFoldOptions);
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> mapped(raw);
  if (n < 0) return std::nullopt;
  std::u32string out;
  out.reserve(static_cast<size_t>(n));
  utf8proc_ssize_t pos = 0;
  while (pos < n) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(mapped.get() + pos, n - pos, &cp);
    if (len <= 0) return std::nullopt;  // cannot happen: utf8proc wrote valid UTF-8
    pos += len;
    char32_t c = static_cast<char32_t>(cp);
    auto extra = std::find_if(kExtraLetters.begin(), kExtraLetters.end(),
                              [c](const ExtraLetter& e) { return e.from == c; });
    if (extra != kExtraLetters.end()) {
      out.append(extra->to);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// §3: a word character is a letter (other than a modifier letter such as the
// apostrophe-like U+02BC) or a number; everything else separates words.
bool IsWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9');
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// §3: white space separates given names and the parts of a full name.
bool IsSpace(char32_t c) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
      return true;
    default:
      return false;
  }
}

// §2.3: only a-z survive.
std::string Letters(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    if (c >= U'a' && c <= U'z') out.push_back(static_cast<char>(c));
  }
  return out;
}

// Splits at code points for which `is_separator` holds; drops empty pieces.
template <typename Pred>
std::vector<std::u32string_view> SplitAt(std::u32string_view s, Pred is_separator) {
  std::vector<std::u32string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || is_separator(s[i])) {
      if (i > start) out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// §3: the words of `s`, normalised, without those that normalise to "".
std::vector<std::string> Words(std::u32string_view s) {
  std::vector<std::string> out;
  for (std::u32string_view w : SplitAt(s, [](char32_t c) { return !IsWordChar(c); })) {
    std::string letters = Letters(w);
    if (!letters.empty()) out.push_back(std::move(letters));
  }
  return out;
}

// §3: the white-space tokens of `s` that hold at least one letter a-z
// (a lone "-" or "." between names is not a token).
std::vector<std::u32string_view> Tokens(std::u32string_view s, bool comma_is_space) {
  std::vector<std::u32string_view> out;
  for (std::u32string_view t : SplitAt(s, [comma_is_space](char32_t c) {
         return IsSpace(c) || (comma_is_space && c == U',');
       })) {
    if (!Letters(t).empty()) out.push_back(t);
  }
  return out;
}

bool IsParticle(std::string_view word) {
  return std::binary_search(kParticles.begin(), kParticles.end(), word);
}

bool IsPlaceholder(std::string_view letters) {
  return letters.empty() ||
         std::find(kPlaceholders.begin(), kPlaceholders.end(), letters) != kPlaceholders.end();
}

// §5.3: a token all of whose words are particles ("van", "v.d.", "'t").
bool IsParticleToken(std::u32string_view token) {
  std::vector<std::string> words = Words(token);
  return !words.empty() && std::all_of(words.begin(), words.end(), IsParticle);
}

// §5.3: a token with a particle among its words ("Jansen-de", "d'Ancona").
bool HasParticleWord(std::u32string_view token) {
  std::vector<std::string> words = Words(token);
  return std::any_of(words.begin(), words.end(), IsParticle);
}

// §6: initials, not a name: a token with a full stop, or of one letter.
bool IsInitials(std::u32string_view token) {
  return token.find(U'.') != std::u32string_view::npos || Letters(token).size() == 1;
}

// §2.1, §6: a field as folded code points; nullopt if absent, invalid UTF-8,
// too long, or a placeholder.
std::optional<std::u32string> ReadField(const std::optional<std::string>& field) {
  if (!field) return std::nullopt;
  std::optional<std::u32string> folded = Fold(*field);
  if (!folded || IsPlaceholder(Letters(*folded))) return std::nullopt;
  return folded;
}

// §6.1: the given name a token list starts with, if it is a name.
std::optional<std::string> FirstGivenName(const std::vector<std::u32string_view>& tokens) {
  if (tokens.empty() || IsInitials(tokens.front())) return std::nullopt;
  std::string letters = Letters(tokens.front());
  if (IsPlaceholder(letters)) return std::nullopt;
  return letters;
}

// §4: the surname core of a surname text: particles removed wherever they
// stand, the remaining words joined in order; all words kept when every word
// is a particle.
std::optional<std::string> SurnameCore(std::u32string_view text) {
  std::vector<std::string> words = Words(text);
  std::string core;
  for (const std::string& w : words) {
    if (!IsParticle(w)) core += w;
  }
  if (core.empty()) {
    for (const std::string& w : words) core += w;
  }
  if (IsPlaceholder(core)) return std::nullopt;
  return core;
}

std::u32string Join(const std::vector<std::u32string_view>& tokens, size_t begin, size_t end) {
  std::u32string out;
  for (size_t i = begin; i < end; ++i) {
    if (!out.empty()) out.push_back(U' ');
    out.append(tokens[i]);
  }
  return out;
}

// §5.2: "S, P" in a surname field is "P S".
std::u32string SurnameFieldText(std::u32string_view surname) {
  size_t comma = surname.find(U',');
  if (comma == std::u32string_view::npos) return std::u32string(surname);
  std::u32string out(surname.substr(comma + 1));
  out.push_back(U' ');
  out.append(surname.substr(0, comma));
  return out;
}

struct SplitFullName {
  std::u32string surname_text;
  std::vector<std::u32string_view> given_tokens;
};

// §5.3: a combined name column split into surname text and given-name tokens.
SplitFullName SplitFull(std::u32string_view full) {
  SplitFullName out;
  size_t comma = full.find(U',');
  if (comma != std::u32string_view::npos) {
    // "Berg, Jan van der", "Berg van der, J.": the surname before the comma;
    // after it the given names, then the particles that belong to the surname.
    std::vector<std::u32string_view> rest = Tokens(full.substr(comma + 1), true);
    size_t given_end = rest.size();
    while (given_end > 0 && IsParticleToken(rest[given_end - 1])) --given_end;
    out.surname_text = Join(rest, given_end, rest.size());
    out.surname_text.push_back(U' ');
    out.surname_text.append(full.substr(0, comma));
    out.given_tokens.assign(rest.begin(), rest.begin() + static_cast<ptrdiff_t>(given_end));
    return out;
  }
  std::vector<std::u32string_view> tokens = Tokens(full, false);
  size_t n = tokens.size();
  if (n == 0) return out;
  if (IsParticleToken(tokens[0])) {
    // "van der Berg", "De Vries Anna": surname first, up to and including the
    // first token after the leading particles.
    size_t end = 0;
    while (end < n && IsParticleToken(tokens[end])) ++end;
    if (end < n) ++end;
    out.surname_text = Join(tokens, 0, end);
    out.given_tokens.assign(tokens.begin() + static_cast<ptrdiff_t>(end), tokens.end());
    return out;
  }
  size_t start = n - 1;  // the first token of the surname; "Anna Jansen": the last
  for (size_t i = 1; i < n; ++i) {
    if (HasParticleWord(tokens[i])) {  // "Jan van der Berg", "Jan Jansen-de Vries"
      start = i;
      break;
    }
  }
  out.surname_text = Join(tokens, start, n);
  out.given_tokens.assign(tokens.begin(), tokens.begin() + static_cast<ptrdiff_t>(start));
  return out;
}

void AppendDate(std::string& out, const PartialDate& d, bool year_only) {
  out += FormatPartialIso(year_only ? PartialDate{d.year, 0, 0} : d);
}

}  // namespace

std::string NormaliseToken(std::string_view text) {
  std::optional<std::u32string> folded = Fold(text);
  return folded ? Letters(*folded) : std::string();
}

NormalisedName NormaliseName(const PersonName& name) {
  NormalisedName out;
  std::optional<std::u32string> full = ReadField(name.full_name);
  std::optional<SplitFullName> split;
  if (full) split = SplitFull(*full);

  // §5.1, §5.2: the surname columns win over the full name.
  if (std::optional<std::u32string> surname = ReadField(name.surname)) {
    std::u32string text = SurnameFieldText(*surname);
    if (std::optional<std::u32string> prefix = ReadField(name.prefix)) {
      text = *prefix + U' ' + text;
    }
    out.surname = SurnameCore(text);
  }
  if (!out.surname && split) out.surname = SurnameCore(split->surname_text);

  // §6.1: the first official given name, else the full name's, else the roepnaam.
  if (std::optional<std::u32string> first = ReadField(name.first_names)) {
    out.given = FirstGivenName(Tokens(*first, false));
  }
  if (!out.given && split) out.given = FirstGivenName(split->given_tokens);

  // §6.2: the roepnaam whole, spaces and hyphens dropped.
  if (std::optional<std::u32string> roepnaam = ReadField(name.roepnaam)) {
    if (!IsInitials(*roepnaam)) out.roepnaam = Letters(*roepnaam);
  }
  if (!out.given) out.given = out.roepnaam;
  return out;
}

MatchKeys DeriveMatchKeys(const std::optional<Identifier>& pgn, const PersonName& name,
                          const std::optional<PartialDate>& birth_date, bool allow_pgn) {
  MatchKeys keys;
  if (pgn && allow_pgn) keys[0] = "pgn|" + pgn->digits();

  NormalisedName n = NormaliseName(name);
  std::optional<PartialDate> date;
  if (birth_date && IsValidPartialDate(*birth_date)) date = birth_date;
  if (!n.surname || !date) return keys;

  std::optional<std::string> given2;
  if (n.roepnaam && n.roepnaam != n.given) given2 = n.roepnaam;
  const std::string& surname = *n.surname;

  auto key = [&](std::string_view kind, const std::optional<std::string>& given,
                 bool year_only) -> std::optional<std::string> {
    std::string k(kind);
    k += '|';
    k += surname;
    k += '|';
    if (given) {
      k += *given;
      k += '|';
    }
    AppendDate(k, *date, year_only);
    return k;
  };
  if (date->full()) {
    if (n.given) keys[1] = key("name-dob", n.given, false);
    if (given2) keys[2] = key("name-dob", given2, false);
    keys[3] = key("surname-dob", std::nullopt, false);
  }
  if (n.given) keys[4] = key("name-year", n.given, true);
  if (given2) keys[5] = key("name-year", given2, true);
  return keys;
}

std::optional<std::string> PersonIdentityKey(const PersonName& name,
                                             const std::optional<PartialDate>& birth_date) {
  MatchKeys keys = DeriveMatchKeys(std::nullopt, name, birth_date, false);
  for (size_t slot : {1, 3, 4}) {
    if (keys[slot]) return keys[slot];
  }
  return std::nullopt;
}

}  // namespace inbeeld::schema
