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

struct HeaderAlias {
  std::string_view key;  // normalised by HeaderKey
  Column column;
};

constexpr HeaderAlias kHeaderAliases[] = {
    {"bsn", kIdentifier},
    {"burgerservicenummer", kIdentifier},
    {"onderwijsnummer", kIdentifier},
    {"pgn", kIdentifier},
    {"persoonsgebondennummer", kIdentifier},
    {"identifier", kIdentifier},
    {"id", kIdentifier},
    {"bsn/onderwijsnummer", kIdentifier},
    {"categorie", kCategory},
    {"category", kCategory},
    {"typeverzuim", kCategory},
    {"soortverzuim", kCategory},
    {"verzuimsoort", kCategory},
    {"verzuimcategorie", kCategory},
    {"soort", kCategory},
    {"sinds", kSince},
    {"verzuimsinds", kSince},
    {"datum", kSince},
    {"startdatum", kSince},
    {"ingangsdatum", kSince},
    {"since", kSince},
    {"date", kSince},
    {"startdate", kSince},
    {"brin", kSchool},
    {"school", kSchool},
    {"schoolbrin", kSchool},
    {"brinschool", kSchool},
    {"brincode", kSchool},
    {"brinnummer", kSchool},
    {"plan", kPlan},
    {"aanbod", kPlan},
    {"planaanwezig", kPlan},
    {"aanbodaanwezig", kPlan},
    {"plan/aanbod", kPlan},
    {"planinplace", kPlan},
    {"offer", kPlan},
    {"referentie", kOwnReference},
    {"eigenreferentie", kOwnReference},
    {"kenmerk", kOwnReference},
    {"eigenkenmerk", kOwnReference},
    {"dossiernummer", kOwnReference},
    {"casenummer", kOwnReference},
    {"reference", kOwnReference},
    {"ownreference", kOwnReference},
    {"casereference", kOwnReference},
    {"voornamen", kFirstNames},
    {"voornaam", kFirstNames},
    {"voornamenleerling", kFirstNames},
    {"firstnames", kFirstNames},
    {"firstname", kFirstNames},
    {"givennames", kFirstNames},
    {"givenname", kFirstNames},
    {"roepnaam", kRoepnaam},
    {"roepnaamleerling", kRoepnaam},
    {"preferredname", kRoepnaam},
    {"callname", kRoepnaam},
    {"voorletters", kInitials},
    {"initialen", kInitials},
    {"initials", kInitials},
    {"tussenvoegsel", kPrefix},
    {"tussenvoegsels", kPrefix},
    {"voorvoegsel", kPrefix},
    {"voorvoegsels", kPrefix},
    {"prefix", kPrefix},
    {"surnameprefix", kPrefix},
    {"achternaam", kSurname},
    {"achternaamleerling", kSurname},
    {"geslachtsnaam", kSurname},
    {"familienaam", kSurname},
    {"surname", kSurname},
    {"lastname", kSurname},
    {"familyname", kSurname},
    {"naam", kFullName},
    {"naamleerling", kFullName},
    {"volledigenaam", kFullName},
    {"name", kFullName},
    {"fullname", kFullName},
    {"geboortedatum", kBirthDate},
    {"geboortedatumleerling", kBirthDate},
    {"gebdatum", kBirthDate},
    {"birthdate", kBirthDate},
    {"dateofbirth", kBirthDate},
    {"dob", kBirthDate},
    {"geslacht", kSex},
    {"sex", kSex},
    {"gender", kSex},
};

std::string HeaderKey(std::string_view header) {
  std::string key;
  key.reserve(header.size());
  for (char c : header) {
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t') continue;
    key.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return key;
}

std::optional<Column> LookUpHeader(std::string_view header) {
  std::string key = HeaderKey(header);
  for (const HeaderAlias& alias : kHeaderAliases) {
    if (alias.key == key) return alias.column;
  }
  return std::nullopt;
}

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
  void Add(size_t line, std::string_view column, std::string message) {
    if (out_->size() < kMaxProblems) {
      out_->push_back(ImportProblem{line, std::string(column), std::move(message)});
    } else {
      ++dropped_;
    }
  }
  void Finish() {
    if (dropped_ > 0) {
      size_t last = out_->empty() ? 1 : out_->back().line;
      out_->push_back(ImportProblem{
          last, "", std::to_string(dropped_) + " more problems were found and are not listed"});
    }
  }

 private:
  std::vector<ImportProblem>* out_;
  size_t dropped_ = 0;
};

// About how many lines `text` has, from the line length in its first 64 KiB:
// enough to reserve the row vector once instead of growing it twenty times.
size_t EstimateLines(std::string_view text) {
  std::string_view sample = text.substr(0, 64 * 1024);
  size_t breaks = 0;
  for (char c : sample) breaks += c == '\n';
  if (breaks == 0) {
    for (char c : sample) breaks += c == '\r';  // old Mac line ends
  }
  if (breaks == 0) return 1;
  return text.size() / (sample.size() / breaks) + 1;
}

// Where each field is: the header texts and, per field, its column index.
struct Columns {
  std::vector<std::string> headers;
  std::array<std::optional<size_t>, kColumnCount> index_of{};

  std::string_view Name(Column c) const { return headers[*index_of[c]]; }
  std::string_view Field(const std::vector<std::string_view>& fields, Column c) const {
    return index_of[c] ? fields[*index_of[c]] : std::string_view();
  }
};

// Maps header texts to columns. Returns false (after adding the problems) if a
// required column is missing, the file has no way to identify a child, or a
// field is named twice.
bool MapHeader(Columns& columns, size_t header_line, Problems& problems) {
  bool ok = true;
  for (size_t i = 0; i < columns.headers.size(); ++i) {
    std::optional<Column> column = LookUpHeader(columns.headers[i]);
    if (!column) continue;
    if (columns.index_of[*column]) {
      problems.Add(header_line, columns.headers[i],
                   "names the same field as column " +
                       std::to_string(*columns.index_of[*column] + 1) + "; keep one of them");
      ok = false;
      continue;
    }
    columns.index_of[*column] = i;
  }
  std::vector<std::string> missing;
  // A child is found by its PGN, or by its name with its birth date.
  const bool has_name = columns.index_of[kSurname] || columns.index_of[kFullName];
  const bool has_birth_date = columns.index_of[kBirthDate].has_value();
  if (!columns.index_of[kIdentifier] && !(has_name && has_birth_date)) {
    if (!has_name && !has_birth_date) {
      missing.emplace_back(
          "bsn (or, for children without one, achternaam or naam with "
          "geboortedatum)");
    } else if (!has_birth_date) {
      missing.emplace_back("geboortedatum (with the name, or else bsn)");
    } else {
      missing.emplace_back("achternaam or naam (with geboortedatum, or else bsn)");
    }
  }
  for (Column c : kRequiredColumns) {
    if (!columns.index_of[c]) missing.emplace_back(kCanonicalNames[c]);
  }
  if (!missing.empty()) {
    std::string message = "missing required column(s): ";
    for (size_t i = 0; i < missing.size(); ++i) message += (i ? ", " : "") + missing[i];
    problems.Add(header_line, "", std::move(message));
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
    problems.Add(line, columns.Name(c), std::move(message));
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
        fail(kIdentifier, "duplicate identifier, also on line " + std::to_string(first));
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
    fail(kOwnReference, "is empty; every row needs the partner's own reference");
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
                      [&, column = column](std::string m) { fail(column, std::move(m)); });
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
                   "matched");
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
                     std::to_string(at->second));
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
// empty (Excel pads rows to the widest one). Returns the problem, if any.
std::optional<std::string> CheckFieldCount(const std::vector<std::string_view>& fields,
                                           size_t header_size, size_t line, size_t end_line) {
  bool ok = fields.size() >= header_size;
  for (size_t i = header_size; ok && i < fields.size(); ++i) ok = fields[i].empty();
  if (ok) return std::nullopt;
  std::string message = "has " + std::to_string(fields.size()) + " fields but the header has " +
                        std::to_string(header_size);
  if (end_line != line) {
    message +=
        "; the row runs on to line " + std::to_string(end_line) + ", so a quote may be unbalanced";
  }
  return message;
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

ParsedList ParseListCsv(std::string_view bytes, const ParseOptions& options) {
  ParsedList result;
  Problems problems(&result.problems);

  // Encoding. `owned` holds the text only when it had to be converted.
  std::string owned;
  std::string_view text = bytes;
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF")) {
    result.encoding = "utf-16";
    problems.Add(1, "",
                 "the file is UTF-16 (Excel's \"Unicode text\"); save it as CSV UTF-8 or CSV");
    return result;
  }
  bool bom = text.starts_with("\xEF\xBB\xBF");
  if (bom) text.remove_prefix(3);
  if (IsValidUtf8(text)) {
    result.encoding = bom ? "utf-8-bom" : "utf-8";
  } else {
    owned = Windows1252ToUtf8(text);
    text = owned;
    result.encoding = "windows-1252";
  }

  // Header: the first record with a non-empty field.
  auto [pos, line] = SkipBlankLines(text);
  result.delimiter = DetectDelimiter(text, pos);
  RecordReader reader(text, pos, line, result.delimiter);
  Columns columns;
  size_t header_line = 1;
  while (columns.headers.empty()) {
    switch (reader.Next()) {
      case ReadOutcome::kEnd:
        problems.Add(1, "", "the file is empty: there is no header line");
        return result;
      case ReadOutcome::kUnterminatedQuote:
        problems.Add(reader.start_line(), "",
                     "the header line has a quoted field that is never closed");
        return result;
      case ReadOutcome::kTooLong:
        problems.Add(reader.start_line(), "",
                     "the header line is longer than " + std::to_string(kMaxLineBytes) + " bytes");
        return result;
      case ReadOutcome::kRecord:
        if (AllEmpty(reader.fields())) continue;
        header_line = reader.start_line();
        for (std::string_view f : reader.fields()) columns.headers.emplace_back(f);
        break;
    }
  }
  // Refused before the header's other faults and before any row is read: on a
  // node that may not hold a PGN, not even a parsed one should exist.
  if (!options.allow_identifier) {
    for (const std::string& header : columns.headers) {
      if (LookUpHeader(header) != kIdentifier) continue;
      result.identifier_refused = true;
      problems.Add(header_line, header,
                   "this node may not hold a BSN or onderwijsnummer (UAVG art. 46; OSO); "
                   "remove the column and import again");
      return result;
    }
  }
  if (!MapHeader(columns, header_line, problems)) return result;

  // A valid row takes at least 30 bytes (9 digits, a category, a date, a BRIN
  // code, a plan, a reference and 5 delimiters): never reserve beyond that.
  result.rows.reserve(std::min({EstimateLines(text), text.size() / 30 + 1, kMaxDataRows + 1}));
  FirstLineIndex first_line_of;
  std::vector<size_t> row_lines;  // row_lines[i]: the line of result.rows[i]
  row_lines.reserve(result.rows.capacity());
  size_t data_rows = 0;
  while (true) {
    ReadOutcome outcome = reader.Next();
    if (outcome == ReadOutcome::kEnd) break;
    const size_t row_line = reader.start_line();
    if (outcome == ReadOutcome::kUnterminatedQuote) {
      problems.Add(row_line, "",
                   "a quoted field starting on this line is never closed; the line was skipped");
      continue;
    }
    if (outcome == ReadOutcome::kTooLong) {
      problems.Add(
          row_line, "",
          "the line is longer than " + std::to_string(kMaxLineBytes) + " bytes; it was skipped");
      continue;
    }
    const std::vector<std::string_view>& fields = reader.fields();
    if (AllEmpty(fields)) continue;
    if (++data_rows > kMaxDataRows) {
      result.rows.clear();
      result.rows.shrink_to_fit();
      result.problems.clear();
      result.problems.push_back(ImportProblem{row_line, "",
                                              "the file has more than " +
                                                  std::to_string(kMaxDataRows) +
                                                  " data rows; nothing was imported"});
      return result;
    }
    if (std::optional<std::string> problem =
            CheckFieldCount(fields, columns.headers.size(), row_line, reader.end_line())) {
      problems.Add(row_line, "", std::move(*problem));
      continue;
    }
    if (std::optional<ListRow> row = ParseRow(columns, fields, row_line, first_line_of, problems)) {
      result.rows.push_back(std::move(*row));
      row_lines.push_back(row_line);
    }
  }
  if (RemoveDuplicatePersons(result.rows, row_lines, problems)) {
    // Those problems came after the rows' own: keep the promised line order.
    std::stable_sort(
        result.problems.begin(), result.problems.end(),
        [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  }
  problems.Finish();
  return result;
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
