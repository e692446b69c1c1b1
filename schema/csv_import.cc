#include "schema/csv_import.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/identifier.h"
#include "schema/import_messages.h"
#include "schema/row_subject.h"
#include "schema/utf8.h"

namespace inbeeld::schema {
namespace {

// ---------------------------------------------------------------------------
// Encoding

// Windows-1252 bytes 0x80..0x9F as WHATWG's encoding standard maps them; the
// five bytes Microsoft left undefined map to the C1 control of the same value.
constexpr std::array<char16_t, 32> kWindows1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string Windows1252ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out.push_back(ch);
    } else if (b < 0xA0) {
      AppendUtf8(out, kWindows1252High[b - 0x80]);
    } else {
      AppendUtf8(out, b);  // Latin-1 above 0xA0
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Records

enum class ReadOutcome { kRecord, kEnd, kUnterminatedQuote, kTooLong };

// Splits text into RFC 4180 records, one call a record, tracking physical lines.
// Unquoted fields are views into the text; only quoted fields are copied (into
// a scratch buffer reused across records), so a plain file allocates nothing
// per record once the buffers have grown.
class RecordReader {
 public:
  RecordReader(std::string_view text, size_t pos, size_t line, char delimiter)
      : text_(text), pos_(pos), line_(line), delimiter_(delimiter) {}

  // On kUnterminatedQuote and kTooLong the record is dropped and reading
  // resumes at the physical line after the one the record started on.
  ReadOutcome Next();

  size_t start_line() const { return start_line_; }
  size_t end_line() const { return end_line_; }
  const std::vector<std::string_view>& fields() const { return fields_; }

 private:
  struct FieldRef {
    bool in_scratch;
    size_t offset;
    size_t size;
  };

  bool IsBlank(char c) const { return c == ' ' || (c == '\t' && delimiter_ != '\t'); }
  bool IsFieldEnd(char c) const { return c == delimiter_ || c == '\n' || c == '\r'; }
  ReadOutcome Recover(size_t record_start, ReadOutcome outcome);

  std::string_view text_;
  size_t pos_;
  size_t line_;
  char delimiter_;
  size_t start_line_ = 0;
  size_t end_line_ = 0;
  std::string scratch_;
  std::vector<FieldRef> refs_;
  std::vector<std::string_view> fields_;
};

ReadOutcome RecordReader::Recover(size_t record_start, ReadOutcome outcome) {
  size_t n = text_.size();
  size_t p = record_start;
  while (p < n && text_[p] != '\n' && text_[p] != '\r') ++p;
  if (p < n) p += (text_[p] == '\r' && p + 1 < n && text_[p + 1] == '\n') ? 2 : 1;
  pos_ = p;
  line_ = start_line_ + 1;
  end_line_ = start_line_;
  fields_.clear();
  return outcome;
}

ReadOutcome RecordReader::Next() {
  const size_t n = text_.size();
  if (pos_ >= n) return ReadOutcome::kEnd;
  const size_t start = pos_;
  start_line_ = line_;
  scratch_.clear();
  refs_.clear();
  fields_.clear();
  while (true) {
    while (pos_ < n && IsBlank(text_[pos_])) ++pos_;
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      size_t offset = scratch_.size();
      bool closed = false;
      while (pos_ < n) {
        size_t chunk = pos_;
        while (pos_ < n && text_[pos_] != '"' && text_[pos_] != '\n' && text_[pos_] != '\r') {
          ++pos_;
        }
        scratch_.append(text_.data() + chunk, pos_ - chunk);
        if (pos_ - start > kMaxLineBytes) return Recover(start, ReadOutcome::kTooLong);
        if (pos_ >= n) break;
        char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
            scratch_.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        // A line break inside quotes is part of the field, normalised to LF.
        scratch_.push_back('\n');
        pos_ += (c == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ? 2 : 1;
        ++line_;
      }
      if (!closed) return Recover(start, ReadOutcome::kUnterminatedQuote);
      // Be lenient about text between the closing quote and the delimiter
      // (`"abc" x;`): keep it, minus surrounding blanks, rather than fail.
      size_t after = pos_;
      while (pos_ < n && !IsFieldEnd(text_[pos_])) ++pos_;
      size_t b = after;
      size_t e = pos_;
      while (b < e && IsBlank(text_[b])) ++b;
      while (e > b && IsBlank(text_[e - 1])) --e;
      scratch_.append(text_.data() + b, e - b);
      refs_.push_back({true, offset, scratch_.size() - offset});
    } else {
      size_t begin = pos_;
      while (pos_ < n && !IsFieldEnd(text_[pos_])) ++pos_;
      size_t end = pos_;
      while (end > begin && IsBlank(text_[end - 1])) --end;
      refs_.push_back({false, begin, end - begin});
    }
    if (pos_ - start > kMaxLineBytes) return Recover(start, ReadOutcome::kTooLong);
    if (pos_ < n && text_[pos_] == delimiter_) {
      ++pos_;
      continue;
    }
    end_line_ = line_;
    if (pos_ < n) {
      pos_ += (text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') ? 2 : 1;
      ++line_;
    }
    break;
  }
  fields_.reserve(refs_.size());
  for (const FieldRef& ref : refs_) {
    fields_.push_back(ref.in_scratch ? std::string_view(scratch_).substr(ref.offset, ref.size)
                                     : text_.substr(ref.offset, ref.size));
  }
  return ReadOutcome::kRecord;
}

bool AllEmpty(const std::vector<std::string_view>& fields) {
  for (std::string_view f : fields) {
    if (!f.empty()) return false;
  }
  return true;
}

// Counts ';', ',' and tab outside quotes on the line starting at `pos`.
char DetectDelimiter(std::string_view text, size_t pos) {
  size_t semicolons = 0, commas = 0, tabs = 0;
  bool in_quotes = false;
  for (size_t i = pos; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if (!in_quotes) {
      if (c == '\n' || c == '\r') break;
      if (c == ';') ++semicolons;
      if (c == ',') ++commas;
      if (c == '\t') ++tabs;
    }
  }
  if (semicolons >= tabs && semicolons >= commas) return ';';
  if (tabs >= commas) return '\t';
  return ',';
}

// ---------------------------------------------------------------------------
// Columns

enum Column : size_t {
  kIdentifier,
  kCategory,
  kSince,
  kSchool,
  kPlan,
  kOwnReference,
  kFirstNames,
  kRoepnaam,
  kInitials,
  kPrefix,
  kSurname,
  kFullName,
  kBirthDate,
  kSex,
  kColumnCount,
};

// Canonical Dutch names, as WriteListCsv writes them.
constexpr std::array<std::string_view, kColumnCount> kCanonicalNames = {
    "bsn",      "categorie",   "sinds",         "brin",       "plan", "referentie",    "voornamen",
    "roepnaam", "voorletters", "tussenvoegsel", "achternaam", "naam", "geboortedatum", "geslacht"};
// Every file needs these; it also needs a way to identify a child (MapHeader).
constexpr std::array<Column, 5> kRequiredColumns = {kCategory, kSince, kSchool, kPlan,
                                                    kOwnReference};

// ---------------------------------------------------------------------------
// Fields

size_t CountCodePoints(std::string_view s) {
  size_t count = 0;
  for (char c : s) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

bool HasControlCharacter(std::string_view s) {
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return true;
  }
  return false;
}

// Checks a free-text field; returns the problem message or an empty view.
std::string_view CheckText(std::string_view s, size_t max_chars, std::string_view too_long) {
  if (HasControlCharacter(s)) return "contains a control character (such as a line break)";
  if (CountCodePoints(s) > max_chars) return too_long;
  return {};
}

// The line on which each identifier was first seen, keyed by its 9 digits as a
// number. Open addressing with linear probing in one flat array: a node-based
// std::unordered_map spent a third of the parse time of a million-row file in
// cache misses and allocator calls. Key 0 (000000000) is never a valid
// identifier, so it marks an empty slot.
class FirstLineIndex {
 public:
  FirstLineIndex() : slots_(size_t{1} << 12), shift_(64 - 12) {}

  // Records `line` for `key` and returns 0, or returns the line recorded first.
  size_t InsertOrGet(uint32_t key, size_t line) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash(key);; i = (i + 1) & mask) {
      if (slots_[i].key == key) return slots_[i].line;
      if (slots_[i].key == 0) {
        slots_[i] = Slot{key, line};
        ++size_;
        return 0;
      }
    }
  }

 private:
  struct Slot {
    uint32_t key = 0;
    size_t line = 0;
  };

  // Fibonacci hashing: the top bits of the product index the table.
  size_t Hash(uint32_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    --shift_;
    size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.key == 0) continue;
      size_t i = Hash(slot.key);
      while (slots_[i].key != 0) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  int shift_;  // 64 − log2(slots_.size())
  size_t size_ = 0;
};

uint32_t DigitsValue(const std::string& nine_digits) {
  uint32_t v = 0;
  for (char c : nine_digits) v = v * 10 + static_cast<uint32_t>(c - '0');
  return v;
}

// Collects problems, keeping at most kMaxProblems and counting the rest.
class Problems {
 public:
  explicit Problems(std::vector<ImportProblem>* out) : out_(out) {}
  void Add(size_t line, std::string_view column, std::string message, std::string melding) {
    if (out_->size() < kMaxProblems) {
      out_->push_back(
          ImportProblem{line, std::string(column), std::move(message), std::move(melding)});
    } else {
      ++dropped_;
    }
  }
  // A validator's English text about one cell, with its Dutch translation.
  void AddField(size_t line, std::string_view column, std::string message) {
    std::string melding = DutchFieldMessage(message);
    Add(line, column, std::move(message), std::move(melding));
  }
  void AddDropped(size_t n) { dropped_ += n; }
  size_t dropped() const { return dropped_; }
  void Finish() {
    if (dropped_ > 0) {
      size_t last = out_->empty() ? 1 : out_->back().line;
      out_->push_back(ImportProblem{
          last, "", std::to_string(dropped_) + " more problems were found and are not listed",
          "Er zijn nog " + std::to_string(dropped_) +
              " problemen gevonden; die staan niet in deze lijst. Los eerst de problemen "
              "hierboven op."});
    }
  }

 private:
  std::vector<ImportProblem>* out_;
  size_t dropped_ = 0;
};

// Where each field is: the header texts and, per field, its column index.
struct Columns {
  std::vector<std::string> headers;
  std::array<std::optional<size_t>, kColumnCount> index_of{};

  std::string_view Name(Column c) const { return headers[*index_of[c]]; }
  std::string_view Field(const std::vector<std::string_view>& fields, Column c) const {
    return index_of[c] ? fields[*index_of[c]] : std::string_view();
  }
};

// The mapping entry for a header text: the exact text, else the first entry
// with the same normalised name. Null if the mapping does not name it.
const ColumnMapping::value_type* FindInMapping(const ColumnMapping& mapping,
                                               std::string_view header) {
  if (auto it = mapping.find(header); it != mapping.end()) return &*it;
  const std::string key = NormaliseHeader(header);
  if (key.empty()) return nullptr;
  for (const auto& entry : mapping) {
    if (NormaliseHeader(entry.first) == key) return &entry;
  }
  return nullptr;
}

// Per header: the field it holds (the mapping's choice, else the guess), and
// whether the mapping chose.
struct Resolved {
  std::vector<std::optional<Column>> field;
  std::vector<bool> explicit_choice;
  std::vector<const ColumnMapping::value_type*> entry;
};

Resolved ResolveColumns(const std::vector<std::string>& headers, const ColumnMapping& mapping) {
  Resolved r;
  for (const std::string& header : headers) {
    const ColumnMapping::value_type* entry = FindInMapping(mapping, header);
    std::optional<ListField> field = entry ? entry->second : GuessListField(header);
    r.field.push_back(field ? std::optional<Column>(static_cast<Column>(*field)) : std::nullopt);
    r.explicit_choice.push_back(entry != nullptr);
    r.entry.push_back(entry);
  }
  return r;
}

// On a node that may not hold a PGN: the first column that would bring one
// in — mapped or guessed as bsn, or named as an identifier but mapped to
// another field — or nullopt.
std::optional<size_t> IdentifierColumn(const std::vector<std::string>& headers,
                                       const Resolved& resolved) {
  for (size_t i = 0; i < headers.size(); ++i) {
    if (resolved.field[i] == kIdentifier) return i;
    if (resolved.explicit_choice[i] && resolved.field[i] &&
        GuessListField(headers[i]) == ListField::kIdentifier) {
      return i;
    }
  }
  return std::nullopt;
}

// Whether a free-text cell holds what Identifier::Parse would accept: after
// removing spaces, dots and dashes, 9 digits passing the BSN 11-proof or
// forming a valid onderwijsnummer, or 8 digits that do so padded with a 0.
// A cheap scan first, so that names and lettered references (nearly every
// cell) cost no parse.
bool LooksLikePgn(std::string_view cell) {
  if (cell.size() < 8 || cell.size() > 64) return false;
  size_t digits = 0;
  for (char c : cell) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != ' ' && c != '.' && c != '-' && c != '\t' && c != '\r' && c != '\n' &&
               c != '\xC2' && c != '\xA0') {
      return false;
    }
  }
  if (digits != 8 && digits != 9) return false;
  return Identifier::Parse(cell).has_value();
}

// Where a PGN first shows up in a free-text column.
struct PgnCell {
  size_t row;
  size_t column;
};

// On a node that may not hold a PGN: the first cell, in file order, of the
// own-reference column or a name column that looks like a PGN (LooksLikePgn),
// or nullopt. Such a column was most likely a BSN column under another name,
// mapped or guessed as a free-text field.
std::optional<PgnCell> PgnInTextColumn(const CellTable& table, const Resolved& resolved) {
  std::vector<size_t> text_columns;
  for (size_t i = 0; i < resolved.field.size(); ++i) {
    const std::optional<Column> field = resolved.field[i];
    if (field && (*field == kOwnReference || (*field >= kFirstNames && *field <= kFullName))) {
      text_columns.push_back(i);
    }
  }
  if (text_columns.empty()) return std::nullopt;
  for (size_t r = 0; r < table.row_count(); ++r) {
    for (size_t c : text_columns) {
      if (LooksLikePgn(table.cell(r, c))) return PgnCell{r, c};
    }
  }
  return std::nullopt;
}

// Maps header texts to columns. Returns false (after adding the problems) if a
// mapping entry names no column of the file, a required column is missing,
// the file has no way to identify a child, or a field is named twice.
bool MapHeader(Columns& columns, const Resolved& resolved, const ColumnMapping& mapping,
               size_t header_line, Problems& problems) {
  bool ok = true;
  for (const auto& entry : mapping) {
    if (std::find(resolved.entry.begin(), resolved.entry.end(), &entry) != resolved.entry.end()) {
      continue;
    }
    problems.Add(header_line, entry.first,
                 "the column mapping names this column, but the file has no such column",
                 "De koppeling noemt deze kolom, maar het bestand heeft geen kolom met deze "
                 "naam.");
    ok = false;
  }
  for (size_t i = 0; i < columns.headers.size(); ++i) {
    std::optional<Column> column = resolved.field[i];
    if (!column) continue;
    if (columns.index_of[*column]) {
      const std::string first = std::to_string(*columns.index_of[*column] + 1);
      const std::string_view name = kCanonicalNames[*column];
      problems.Add(header_line, columns.headers[i],
                   "names the same field (" + std::string(name) + ") as column " + first +
                       "; keep one of them",
                   "Deze kolom en kolom " + first + " bevatten allebei hetzelfde gegeven (" +
                       std::string(FieldInfo(static_cast<ListField>(*column)).label) +
                       "). Koppel er één aan dit gegeven en de andere aan niets.");
      ok = false;
      continue;
    }
    columns.index_of[*column] = i;
  }
  std::vector<std::string> missing;
  std::vector<std::string> ontbreekt;
  // A child is found by its PGN, or by its name with its birth date.
  const bool has_name = columns.index_of[kSurname] || columns.index_of[kFullName];
  const bool has_birth_date = columns.index_of[kBirthDate].has_value();
  if (!columns.index_of[kIdentifier] && !(has_name && has_birth_date)) {
    if (!has_name && !has_birth_date) {
      missing.emplace_back(
          "bsn (or, for children without one, achternaam or naam with "
          "geboortedatum)");
      ontbreekt.emplace_back(
          "BSN of onderwijsnummer (of, voor kinderen zonder, achternaam of naam met "
          "geboortedatum)");
    } else if (!has_birth_date) {
      missing.emplace_back("geboortedatum (with the name, or else bsn)");
      ontbreekt.emplace_back("geboortedatum (bij de naam, of anders BSN)");
    } else {
      missing.emplace_back("achternaam or naam (with geboortedatum, or else bsn)");
      ontbreekt.emplace_back("achternaam of naam (bij de geboortedatum, of anders BSN)");
    }
  }
  for (Column c : kRequiredColumns) {
    if (!columns.index_of[c]) {
      missing.emplace_back(kCanonicalNames[c]);
      ontbreekt.emplace_back(FieldInfo(static_cast<ListField>(c)).label);
    }
  }
  if (!missing.empty()) {
    std::string message = "missing required column(s): ";
    for (size_t i = 0; i < missing.size(); ++i) message += (i ? ", " : "") + missing[i];
    std::string melding =
        ontbreekt.size() == 1 ? "Deze kolom ontbreekt: " : "Deze kolommen ontbreken: ";
    for (size_t i = 0; i < ontbreekt.size(); ++i) melding += (i ? "; " : "") + ontbreekt[i];
    melding += ". Koppel ze aan een kolom van het bestand, of voeg ze toe.";
    problems.Add(header_line, "", std::move(message), std::move(melding));
    ok = false;
  }
  return ok;
}

// Checks one free-text cell (a reference or a name part) and returns it, or
// nullopt for an empty cell or (after adding the problem) a faulty one.
template <typename Fail>
std::optional<std::string> TextField(std::string_view value, size_t max_chars,
                                     std::string_view too_long, Fail&& fail) {
  if (value.empty()) return std::nullopt;
  if (std::string_view m = CheckText(value, max_chars, too_long); !m.empty()) {
    fail(std::string(m));
    return std::nullopt;
  }
  return std::string(value);
}

// Validates every field of one data row, adding a problem for each fault.
// Returns the row only if it has none.
std::optional<ListRow> ParseRow(const Columns& columns, const std::vector<std::string_view>& fields,
                                size_t line, FirstLineIndex& first_line_of, Problems& problems) {
  bool ok = true;
  auto fail = [&](Column c, std::string message) {
    problems.AddField(line, columns.Name(c), std::move(message));
    ok = false;
  };
  auto field = [&](Column c) { return columns.Field(fields, c); };

  ListRow row;
  // An empty PGN cell is a child without a PGN; the name and birth date must
  // then identify it (checked below).
  if (std::string_view value = field(kIdentifier); !value.empty()) {
    if (Result<Identifier> parsed = Identifier::Parse(value); parsed) {
      // Registered even if another field of this row is bad: two rows for one
      // child is a fault of its own.
      if (size_t first = first_line_of.InsertOrGet(DigitsValue(parsed->digits()), line);
          first != 0) {
        problems.Add(line, columns.Name(kIdentifier),
                     "duplicate identifier, also on line " + std::to_string(first),
                     "Dit BSN/onderwijsnummer staat ook op regel " + std::to_string(first) +
                         ": hetzelfde kind staat twee keer in de lijst.");
        ok = false;
      }
      row.identifier = std::move(*parsed);
    } else {
      fail(kIdentifier, std::move(parsed.error().message));
    }
  }

  Result<Category> category = ParseCategory(field(kCategory));
  if (category) {
    row.category = *category;
  } else {
    fail(kCategory, std::move(category.error().message));
  }

  Result<Date> since = ParseDate(field(kSince));
  if (since) {
    row.since = *since;
  } else {
    fail(kSince, std::move(since.error().message));
  }

  Result<std::string> school = ParseBrin(field(kSchool));
  if (school) {
    row.school_brin = std::move(*school);
  } else {
    fail(kSchool, std::move(school.error().message));
  }

  Result<bool> plan = ParseYesNo(field(kPlan));
  if (plan) {
    row.plan_in_place = *plan;
  } else {
    fail(kPlan, std::move(plan.error().message));
  }

  if (field(kOwnReference).empty()) {
    problems.Add(line, columns.Name(kOwnReference),
                 "is empty; every row needs the partner's own reference",
                 "De eigen referentie is leeg; elke rij heeft een eigen referentie (kenmerk) "
                 "nodig.");
    ok = false;
  } else if (auto reference = TextField(
                 field(kOwnReference), kMaxOwnReferenceChars, "is longer than 64 characters",
                 [&](std::string m) { fail(kOwnReference, std::move(m)); })) {
    row.own_reference = std::move(*reference);
  }

  for (auto [column, part] :
       {std::pair{kFirstNames, &row.name.first_names}, std::pair{kRoepnaam, &row.name.roepnaam},
        std::pair{kInitials, &row.name.initials}, std::pair{kPrefix, &row.name.prefix},
        std::pair{kSurname, &row.name.surname}, std::pair{kFullName, &row.name.full_name}}) {
    *part = TextField(field(column), kMaxNameChars, "is longer than 200 characters",
                      [&, at = column](std::string m) { fail(at, std::move(m)); });
  }

  if (std::string_view value = field(kBirthDate); !value.empty()) {
    if (Result<PartialDate> parsed = ParsePartialDate(value); parsed) {
      row.birth_date = *parsed;
    } else {
      fail(kBirthDate, std::move(parsed.error().message));
    }
  }

  if (std::string_view value = field(kSex); !value.empty()) {
    if (Result<Sex> parsed = ParseSex(value); parsed) {
      row.sex = *parsed;
    } else {
      fail(kSex, std::move(parsed.error().message));
    }
  }

  // Without a PGN, the name and birth date are all that can find the child. A
  // cell that was there but faulty has had its problem already.
  if (field(kIdentifier).empty()) {
    const bool has_name = !field(kSurname).empty() || !field(kFullName).empty();
    if (!has_name || field(kBirthDate).empty()) {
      problems.Add(line, "",
                   "no BSN/onderwijsnummer and no name with birth date: this child cannot be "
                   "matched",
                   "Deze rij heeft geen BSN of onderwijsnummer en geen naam met geboortedatum: "
                   "dit kind kan niet worden afgestemd.");
      ok = false;
    }
  }

  if (!ok) return std::nullopt;
  return row;
}

// Two rows without a PGN that name the same child (the same SubjectSource) are
// one child listed twice, as two rows with one PGN are: the later row gets a
// problem naming the first one's line and is left out. Returns whether any
// problem was added.
bool RemoveDuplicatePersons(std::vector<ListRow>& rows, std::vector<size_t>& lines,
                            Problems& problems) {
  bool any_without_pgn = false;
  for (const ListRow& row : rows) any_without_pgn = any_without_pgn || !row.identifier;
  if (!any_without_pgn) return false;  // PGN duplicates were found while parsing
  std::vector<SubjectSource> sources = SubjectSources(rows);
  std::map<std::string_view, size_t> first_line;
  std::vector<bool> drop(rows.size(), false);
  bool found = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].identifier) continue;
    auto [at, inserted] = first_line.emplace(sources[i].text, lines[i]);
    if (inserted) continue;
    problems.Add(lines[i], "",
                 "duplicate child without BSN/onderwijsnummer: same name and birth date as line " +
                     std::to_string(at->second),
                 "Dit kind staat ook op regel " + std::to_string(at->second) +
                     " (dezelfde naam en geboortedatum, zonder BSN of onderwijsnummer).");
    drop[i] = true;
    found = true;
  }
  if (!found) return false;
  size_t kept = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) {
      rows[kept] = std::move(rows[i]);
      lines[kept] = lines[i];
    }
    ++kept;
  }
  rows.resize(kept);
  lines.resize(kept);
  return true;
}

// Fewer fields than the header is a fault; more is fine if the extra ones are
// empty (Excel pads rows to the widest one). Adds the problem, if any.
bool FieldCountOk(const std::vector<std::string_view>& fields, size_t header_size, size_t line,
                  size_t end_line, Problems& problems) {
  bool ok = fields.size() >= header_size;
  for (size_t i = header_size; ok && i < fields.size(); ++i) ok = fields[i].empty();
  if (ok) return true;
  std::string message = "has " + std::to_string(fields.size()) + " fields but the header has " +
                        std::to_string(header_size);
  std::string melding = "Deze regel heeft " + std::to_string(fields.size()) +
                        " velden, maar de kopregel " + std::to_string(header_size) + ".";
  if (end_line != line) {
    message +=
        "; the row runs on to line " + std::to_string(end_line) + ", so a quote may be unbalanced";
    melding += " De regel loopt door tot regel " + std::to_string(end_line) +
               "; waarschijnlijk ontbreekt er een aanhalingsteken.";
  }
  problems.Add(line, "", std::move(message), std::move(melding));
  return false;
}

// Position and line of the first line that is not blank.
std::pair<size_t, size_t> SkipBlankLines(std::string_view text) {
  size_t pos = 0;
  size_t line = 1;
  size_t line_start = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == ' ' || c == '\t') {
      ++pos;
    } else if (c == '\n' || c == '\r') {
      pos += (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ? 2 : 1;
      ++line;
      line_start = pos;
    } else {
      break;
    }
  }
  return {line_start, line};
}

}  // namespace

CellTable ReadCsvTable(std::string_view bytes) {
  CellTable table;
  table.format = "csv";
  Problems problems(&table.problems);

  // Encoding. `owned` holds the text only when it had to be converted.
  std::string owned;
  std::string_view text = bytes;
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    table.encoding = "utf-16";
    problems.Add(1, "",
                 "the file is UTF-16 (Excel's \"Unicode text\"); save it as CSV UTF-8 or CSV",
                 "Het bestand is opgeslagen als Unicode-tekst (UTF-16). Sla het in Excel op als "
                 "CSV UTF-8, CSV of Excel-werkmap (.xlsx).");
    return table;
  }
  bool bom = text.starts_with("\xEF\xBB\xBF");
  if (bom) text.remove_prefix(3);
  if (IsValidUtf8(text)) {
    table.encoding = bom ? "utf-8-bom" : "utf-8";
  } else {
    owned = Windows1252ToUtf8(text);
    text = owned;
    table.encoding = "windows-1252";
  }

  // Header: the first record with a non-empty field.
  auto [pos, line] = SkipBlankLines(text);
  table.delimiter = DetectDelimiter(text, pos);
  RecordReader reader(text, pos, line, table.delimiter);
  while (table.header.empty()) {
    switch (reader.Next()) {
      case ReadOutcome::kEnd:
        problems.Add(1, "", "the file is empty: there is no header line",
                     "Het bestand is leeg: er is geen kopregel met de namen van de kolommen.");
        return table;
      case ReadOutcome::kUnterminatedQuote:
        problems.Add(reader.start_line(), "",
                     "the header line has a quoted field that is never closed",
                     "In de kopregel opent een aanhalingsteken (\") dat nergens wordt gesloten.");
        return table;
      case ReadOutcome::kTooLong:
        problems.Add(
            reader.start_line(), "",
            "the header line is longer than " + std::to_string(kMaxLineBytes) + " bytes",
            "De kopregel is te lang (meer dan " + std::to_string(kMaxLineBytes) + " bytes).");
        return table;
      case ReadOutcome::kRecord:
        if (AllEmpty(reader.fields())) continue;
        table.header_line = reader.start_line();
        for (std::string_view f : reader.fields()) table.header.emplace_back(f);
        break;
    }
  }

  size_t data_rows = 0;
  while (true) {
    ReadOutcome outcome = reader.Next();
    if (outcome == ReadOutcome::kEnd) break;
    const size_t row_line = reader.start_line();
    if (outcome == ReadOutcome::kUnterminatedQuote) {
      problems.Add(row_line, "",
                   "a quoted field starting on this line is never closed; the line was skipped",
                   "Op deze regel opent een aanhalingsteken (\") dat nergens wordt gesloten; de "
                   "regel is overgeslagen.");
      continue;
    }
    if (outcome == ReadOutcome::kTooLong) {
      problems.Add(
          row_line, "",
          "the line is longer than " + std::to_string(kMaxLineBytes) + " bytes; it was skipped",
          "De regel is langer dan " + std::to_string(kMaxLineBytes) + " bytes en is overgeslagen.");
      continue;
    }
    const std::vector<std::string_view>& fields = reader.fields();
    if (AllEmpty(fields)) continue;
    if (++data_rows > kMaxDataRows) {
      table.ClearRows();
      table.problems.clear();
      table.dropped_problems = 0;
      table.too_many_rows = true;
      table.problems.push_back(
          ImportProblem{row_line, "",
                        "the file has more than " + std::to_string(kMaxDataRows) +
                            " data rows; nothing was imported",
                        "Het bestand heeft meer dan " + std::to_string(kMaxDataRows) +
                            " rijen; er is niets geïmporteerd."});
      return table;
    }
    if (!FieldCountOk(fields, table.header.size(), row_line, reader.end_line(), problems)) {
      continue;
    }
    table.AddRow(row_line, reader.end_line(), fields);
  }
  table.dropped_problems = problems.dropped();
  return table;
}

ParsedList ParseListTable(const CellTable& table, const ParseOptions& options) {
  ParsedList result;
  result.format = table.format;
  result.delimiter = table.delimiter;
  result.encoding = table.encoding;
  if (table.header.empty()) {
    result.problems = table.problems;
    if (result.problems.empty()) {
      result.problems.push_back(
          ImportProblem{1, "", "the file is empty: there is no header line",
                        "Het bestand is leeg: er is geen kopregel met de namen van de kolommen."});
    }
    return result;
  }
  Problems problems(&result.problems);
  Columns columns;
  columns.headers = table.header;
  const size_t header_line = table.header_line;
  const Resolved resolved = ResolveColumns(columns.headers, options.mapping);

  // Refused before the header's other faults and before any row is read: on a
  // node that may not hold a PGN, not even a parsed one should exist.
  if (!options.allow_identifier) {
    if (std::optional<size_t> i = IdentifierColumn(columns.headers, resolved)) {
      result.identifier_refused = true;
      problems.Add(header_line, columns.headers[*i],
                   "this node may not hold a BSN or onderwijsnummer (UAVG art. 46; OSO); "
                   "remove the column and import again",
                   "Dit knooppunt mag geen BSN of onderwijsnummer bewaren (UAVG art. 46; OSO). "
                   "Haal de kolom uit het bestand, of koppel hem aan niets, en importeer "
                   "opnieuw.");
      return result;
    }
  }
  // Likewise a BSN column under another name ("Nummer", "Kenmerk") that the
  // mapping or the guess sends to the own reference or a name part: its
  // values would be stored and shown as references or names. One such cell
  // refuses the whole file, before any row is parsed.
  if (!options.allow_identifier) {
    if (std::optional<PgnCell> hit = PgnInTextColumn(table, resolved)) {
      result.identifier_refused = true;
      const bool reference = resolved.field[hit->column] == kOwnReference;
      problems.Add(
          table.line(hit->row), columns.headers[hit->column],
          std::string("this column seems to hold a BSN or onderwijsnummer, which this node may "
                      "not hold (UAVG art. 46; OSO); remove the column or map it to nothing, "
                      "and import again") +
              (reference ? " (if these are your own references, put a letter in front of such "
                           "a reference)"
                         : ""),
          std::string("Deze kolom lijkt een BSN of onderwijsnummer te bevatten, en dit "
                      "knooppunt mag geen BSN of onderwijsnummer bewaren (UAVG art. 46; OSO). "
                      "Haal de kolom uit het bestand, of koppel hem aan niets, en importeer "
                      "opnieuw.") +
              (reference ? " Is het echt uw eigen referentie? Zet dan een letter voor zo'n "
                           "nummer (bijvoorbeeld D-)."
                         : ""));
      return result;
    }
  }
  if (!MapHeader(columns, resolved, options.mapping, header_line, problems)) return result;
  if (table.too_many_rows) {
    result.problems = table.problems;
    return result;
  }

  // The table's own problems (rows it could not read) take their place in
  // line order among the rows'.
  size_t next_table_problem = 0;
  auto table_problems_before = [&](size_t line) {
    while (next_table_problem < table.problems.size() &&
           table.problems[next_table_problem].line < line) {
      const ImportProblem& p = table.problems[next_table_problem++];
      problems.Add(p.line, p.column, p.message, p.melding);
    }
  };

  result.rows.reserve(table.row_count());
  FirstLineIndex first_line_of;
  std::vector<size_t> row_lines;  // row_lines[i]: the line of result.rows[i]
  row_lines.reserve(table.row_count());
  std::vector<std::string_view> fields(columns.headers.size());
  for (size_t r = 0; r < table.row_count(); ++r) {
    const size_t row_line = table.line(r);
    table_problems_before(row_line);
    for (size_t c = 0; c < fields.size(); ++c) fields[c] = table.cell(r, c);
    if (std::optional<ListRow> row = ParseRow(columns, fields, row_line, first_line_of, problems)) {
      result.rows.push_back(std::move(*row));
      row_lines.push_back(row_line);
    }
  }
  table_problems_before(SIZE_MAX);
  problems.AddDropped(table.dropped_problems);
  if (RemoveDuplicatePersons(result.rows, row_lines, problems)) {
    // Those problems came after the rows' own: keep the promised line order.
    std::stable_sort(
        result.problems.begin(), result.problems.end(),
        [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  }
  problems.Finish();
  return result;
}

ParsedList ParseListCsv(std::string_view bytes, const ParseOptions& options) {
  return ParseListTable(ReadCsvTable(bytes), options);
}

// ---------------------------------------------------------------------------
// Writing

namespace {

void AppendField(std::string& out, std::string_view value, char delimiter) {
  bool quote = !value.empty() && (value.front() == ' ' || value.front() == '\t' ||
                                  value.back() == ' ' || value.back() == '\t');
  for (char c : value) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::string WriteListCsv(const std::vector<ListRow>& rows, char delimiter, bool bom) {
  // A list without any PGN is written without the column, as a node that may
  // not hold one needs it (ParseOptions::allow_identifier).
  bool with_identifier = false;
  for (const ListRow& row : rows) with_identifier = with_identifier || row.identifier.has_value();
  std::string out;
  out.reserve(64 + rows.size() * 128);
  if (bom) out.append("\xEF\xBB\xBF");
  for (size_t c = with_identifier ? 0 : 1; c < kColumnCount; ++c) {
    if (c > 1 || (c == 1 && with_identifier)) out.push_back(delimiter);
    out.append(kCanonicalNames[c]);
  }
  out.append("\r\n");
  auto optional_field = [&](const std::optional<std::string>& value) {
    out.push_back(delimiter);
    if (value) AppendField(out, *value, delimiter);
  };
  for (const ListRow& row : rows) {
    if (with_identifier) {
      if (row.identifier) out.append(row.identifier->digits());
      out.push_back(delimiter);
    }
    AppendField(out, CategoryLabel(row.category), delimiter);
    out.push_back(delimiter);
    out.append(FormatDutch(row.since));
    out.push_back(delimiter);
    AppendField(out, row.school_brin, delimiter);
    out.push_back(delimiter);
    out.append(row.plan_in_place ? "ja" : "nee");
    out.push_back(delimiter);
    AppendField(out, row.own_reference, delimiter);
    optional_field(row.name.first_names);
    optional_field(row.name.roepnaam);
    optional_field(row.name.initials);
    optional_field(row.name.prefix);
    optional_field(row.name.surname);
    optional_field(row.name.full_name);
    out.push_back(delimiter);
    if (row.birth_date) out.append(FormatPartialDutch(*row.birth_date));
    out.push_back(delimiter);
    if (row.sex) out.append(SexCode(*row.sex));
    out.append("\r\n");
  }
  return out;
}

}  // namespace inbeeld::schema
