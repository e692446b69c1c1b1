#include "schema/xlsx.h"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "schema/utf8.h"

namespace inbeeld::schema {
namespace {

// What went wrong with the file as a whole, in English and Dutch.
struct Trouble {
  size_t line = 1;
  std::string message;
  std::string melding;
};
template <typename T>
using Read = std::expected<T, Trouble>;

std::unexpected<Trouble> Bad(std::string message, std::string melding, size_t line = 1) {
  return std::unexpected(Trouble{line, std::move(message), std::move(melding)});
}

constexpr std::string_view kDamaged =
    "the file is not a readable .xlsx workbook (damaged, or another kind of file)";
constexpr std::string_view kDamagedNl =
    "Dit bestand is geen leesbare Excel-werkmap (.xlsx): het is beschadigd of een ander soort "
    "bestand. Sla de lijst in Excel op als Excel-werkmap (.xlsx) of als CSV UTF-8.";

// ---------------------------------------------------------------------------
// The zip archive, read from memory with a cap on every entry.

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

class Archive {
 public:
  static Read<Archive> Open(std::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    // libzip reads the caller's buffer in place (freep = 0); it outlives the
    // archive, which lives only inside ReadXlsx.
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) {
      zip_error_fini(&error);
      return Bad(std::string(kDamaged), std::string(kDamagedNl));
    }
    zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
    zip_error_fini(&error);
    if (archive == nullptr) {
      zip_source_free(source);
      return Bad(std::string(kDamaged), std::string(kDamagedNl));
    }
    return Archive(archive);
  }

  bool Has(const std::string& name) const {
    return zip_name_locate(archive_.get(), name.c_str(), ZIP_FL_NOCASE) >= 0;
  }

  // The entry's bytes; a problem if it is missing, larger than `cap`,
  // compressed suspiciously well, or unreadable.
  Read<std::string> ReadEntry(const std::string& name, size_t cap) const {
    zip_int64_t index = zip_name_locate(archive_.get(), name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return Bad(std::string(kDamaged), std::string(kDamagedNl));
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive_.get(), static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
        (st.valid & ZIP_STAT_SIZE) == 0) {
      return Bad(std::string(kDamaged), std::string(kDamagedNl));
    }
    if (st.size > cap) return TooLarge();
    if ((st.valid & ZIP_STAT_COMP_SIZE) != 0 && st.size > (1u << 20) &&
        st.size / std::max<zip_uint64_t>(st.comp_size, 1) > kMaxCompressionRatio) {
      return TooLarge();
    }
    std::unique_ptr<zip_file_t, ZipFileCloser> file(
        zip_fopen_index(archive_.get(), static_cast<zip_uint64_t>(index), 0));
    if (file == nullptr) return Bad(std::string(kDamaged), std::string(kDamagedNl));
    std::string out;
    out.reserve(static_cast<size_t>(st.size));
    char buffer[64 * 1024];
    while (true) {
      zip_int64_t n = zip_fread(file.get(), buffer, sizeof buffer);
      if (n < 0) return Bad(std::string(kDamaged), std::string(kDamagedNl));
      if (n == 0) break;
      // The directory's size is the archive's claim; the cap holds for what
      // actually comes out.
      if (out.size() + static_cast<size_t>(n) > cap) return TooLarge();
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  explicit Archive(zip_t* archive) : archive_(archive) {}

  static std::unexpected<Trouble> TooLarge() {
    return Bad(
        "the workbook unpacks to more than inbeeld reads (a sheet of at most 64 MiB, shared text "
        "of at most 16 MiB); split the list or save it as CSV",
        "De werkmap is uitgepakt te groot (een werkblad mag hoogstens 64 MiB zijn, de gedeelde "
        "tekst 16 MiB). Splits de lijst, of sla haar op als CSV UTF-8.");
  }

  std::unique_ptr<zip_t, ZipCloser> archive_;
};

// ---------------------------------------------------------------------------
// XML through expat: namespaces split off, no DTD, bounded depth.

constexpr char kNsSeparator = '|';

std::string_view LocalName(const XML_Char* name) {
  std::string_view n(name);
  size_t bar = n.rfind(kNsSeparator);
  return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

// The value of an attribute by its local name (any namespace), or null.
const char* Attr(const XML_Char** attrs, std::string_view local) {
  for (size_t i = 0; attrs[i] != nullptr; i += 2) {
    if (LocalName(attrs[i]) == local) return attrs[i + 1];
  }
  return nullptr;
}

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(std::string_view name, const XML_Char** attrs) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(std::string_view) {}
  // A handler that finds the content wrong says so and parsing stops.
  void Stop(Trouble trouble) {
    if (!trouble_) trouble_ = std::move(trouble);
    XML_StopParser(parser_, XML_FALSE);
  }
  bool stopped() const { return trouble_.has_value(); }

 private:
  friend std::optional<Trouble> ParseXml(std::string_view xml, XmlHandler& handler);
  XML_Parser parser_ = nullptr;
  size_t depth_ = 0;
  std::optional<Trouble> trouble_;
};

std::optional<Trouble> ParseXml(std::string_view xml, XmlHandler& handler) {
  if (xml.size() > static_cast<size_t>(INT32_MAX)) {
    return Trouble{1, std::string(kDamaged), std::string(kDamagedNl)};
  }
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, decltype(&XML_ParserFree)> parser(
      XML_ParserCreateNS(nullptr, kNsSeparator), &XML_ParserFree);
  if (parser == nullptr) return Trouble{1, std::string(kDamaged), std::string(kDamagedNl)};
  handler.parser_ = parser.get();
  XML_SetUserData(parser.get(), &handler);
  // A workbook has no use for a DTD; refusing any DOCTYPE rules out entity
  // expansion (billion laughs) and external entities alike.
  XML_SetStartDoctypeDeclHandler(
      parser.get(), [](void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        static_cast<XmlHandler*>(data)->Stop(Trouble{
            1,
            "the workbook holds XML with a document type declaration (DOCTYPE), which Excel "
            "never writes; it is refused",
            "De werkmap bevat XML met een DOCTYPE-verklaring, die Excel nooit schrijft. Het "
            "bestand wordt geweigerd; sla de lijst opnieuw op in Excel."});
      });
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetElementHandler(
      parser.get(),
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        auto* h = static_cast<XmlHandler*>(data);
        if (h->stopped()) return;
        if (++h->depth_ > kMaxXmlDepth) {
          h->Stop(Trouble{1, "the workbook's XML is nested too deeply",
                          "De XML in de werkmap is te diep genest; het bestand is beschadigd of "
                          "niet door Excel gemaakt."});
          return;
        }
        h->Start(LocalName(name), attrs);
      },
      [](void* data, const XML_Char* name) {
        auto* h = static_cast<XmlHandler*>(data);
        if (h->stopped()) return;
        --h->depth_;
        h->End(LocalName(name));
      });
  XML_SetCharacterDataHandler(parser.get(), [](void* data, const XML_Char* s, int len) {
    auto* h = static_cast<XmlHandler*>(data);
    if (!h->stopped()) h->Text(std::string_view(s, static_cast<size_t>(len)));
  });
  XML_Status status = XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  if (handler.trouble_) return handler.trouble_;
  if (status != XML_STATUS_OK) return Trouble{1, std::string(kDamaged), std::string(kDamagedNl)};
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Package parts

// "xl/worksheets/../sharedStrings.xml" → "xl/sharedStrings.xml"; a target
// starting with '/' is from the package root.
std::string ResolvePath(std::string_view base_dir, std::string_view target) {
  std::string joined = target.starts_with("/") ? std::string(target.substr(1))
                                               : std::string(base_dir) + std::string(target);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    std::string part = joined.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string DirOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash + 1));
}

struct Relationship {
  std::string type;
  std::string target;
};

class RelsHandler : public XmlHandler {
 public:
  std::map<std::string, Relationship> by_id;
  void Start(std::string_view name, const XML_Char** attrs) override {
    if (name != "Relationship") return;
    const char* id = Attr(attrs, "Id");
    const char* type = Attr(attrs, "Type");
    const char* target = Attr(attrs, "Target");
    if (id && type && target) by_id.emplace(id, Relationship{type, target});
  }
  void End(std::string_view) override {}
  // The target of the first relationship whose type ends in `suffix`.
  std::optional<std::string> TargetOfType(std::string_view suffix) const {
    for (const auto& [id, rel] : by_id) {
      if (std::string_view(rel.type).ends_with(suffix)) return rel.target;
    }
    return std::nullopt;
  }
};

class WorkbookHandler : public XmlHandler {
 public:
  std::optional<std::string> first_sheet_rel;
  bool date1904 = false;
  void Start(std::string_view name, const XML_Char** attrs) override {
    if (name == "workbookPr") {
      const char* v = Attr(attrs, "date1904");
      date1904 = v != nullptr && (std::string_view(v) == "1" || std::string_view(v) == "true");
    } else if (name == "sheet" && !first_sheet_rel) {
      // r:id, in the relationships namespace.
      if (const char* id = Attr(attrs, "id")) first_sheet_rel = id;
    }
  }
  void End(std::string_view) override {}
};

// Whether a number format code shows a date: d or y, or m without h or s
// (m alone is minutes in h:mm), outside quotes, brackets and escapes.
bool IsDateFormatCode(std::string_view code) {
  bool d = false, y = false, m = false, h = false, s = false;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '"') {
      size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '[') {
      size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;  // the next character is literal or padding
    } else {
      switch (c | 0x20) {
        case 'd':
          d = true;
          break;
        case 'y':
          y = true;
          break;
        case 'm':
          m = true;
          break;
        case 'h':
          h = true;
          break;
        case 's':
          s = true;
          break;
        default:
          break;
      }
    }
  }
  return d || y || (m && !h && !s);
}

bool IsBuiltInDateFormat(long id) { return (id >= 14 && id <= 22) || (id >= 45 && id <= 47); }

std::optional<long> ParseLong(const char* text) {
  if (text == nullptr) return std::nullopt;
  std::string_view s(text);
  long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

class StylesHandler : public XmlHandler {
 public:
  std::vector<bool> xf_is_date;  // per cellXfs index
  void Start(std::string_view name, const XML_Char** attrs) override {
    if (name == "numFmt") {
      std::optional<long> id = ParseLong(Attr(attrs, "numFmtId"));
      const char* code = Attr(attrs, "formatCode");
      if (id && code) custom_date_[*id] = IsDateFormatCode(code);
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      std::optional<long> id = ParseLong(Attr(attrs, "numFmtId"));
      bool date = false;
      if (id) {
        auto it = custom_date_.find(*id);
        date = it != custom_date_.end() ? it->second : IsBuiltInDateFormat(*id);
      }
      xf_is_date.push_back(date);
    }
  }
  void End(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }

 private:
  std::map<long, bool> custom_date_;
  bool in_cell_xfs_ = false;
};

class SharedStringsHandler : public XmlHandler {
 public:
  std::vector<std::string> strings;
  void Start(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      in_si_ = true;
      current_.clear();
    } else if (name == "rPh") {
      ++in_phonetic_;
    } else if (name == "t" && in_si_ && in_phonetic_ == 0) {
      in_t_ = true;
    }
  }
  void End(std::string_view name) override {
    if (name == "si") {
      strings.push_back(std::move(current_));
      current_.clear();
      in_si_ = false;
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "t") {
      in_t_ = false;
    }
  }
  void Text(std::string_view text) override {
    if (in_t_) current_.append(text);
  }

 private:
  std::string current_;
  bool in_si_ = false;
  bool in_t_ = false;
  int in_phonetic_ = 0;
};

// ---------------------------------------------------------------------------
// Cell values

std::string FormatNumber(double x) {
  if (x == 0) return "0";
  if (std::floor(x) == x && std::fabs(x) < 1e15) {
    return std::to_string(static_cast<long long>(x));
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, x);
  if (ec != std::errc()) return "";
  return std::string(buffer, end);
}

// A date serial as dd-mm-jjjj, or nullopt if it is no day Excel shows.
std::optional<std::string> SerialToDate(double serial, bool date1904) {
  using namespace std::chrono;
  if (!(serial >= (date1904 ? 0.0 : 1.0)) || serial >= 2958466.0) return std::nullopt;
  long days = static_cast<long>(std::floor(serial));
  sys_days day;
  if (date1904) {
    day = sys_days{year{1904} / January / 1} + std::chrono::days{days};
  } else if (days == 60) {
    return "29-02-1900";  // Excel's day that never was (Lotus 1-2-3's bug)
  } else if (days < 60) {
    day = sys_days{year{1899} / December / 31} + std::chrono::days{days};
  } else {
    day = sys_days{year{1899} / December / 30} + std::chrono::days{days};
  }
  year_month_day ymd(day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02u-%02u-%04d", static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>(ymd.month()), static_cast<int>(ymd.year()));
  return std::string(buffer);
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr size_t kMaxSheetRow = 1'048'576;
constexpr size_t kMaxSheetColumn = 16'384;  // XFD

// "B17" → column 1 (0-based), row 17. Nullopt if malformed or beyond XFD1048576.
std::optional<std::pair<size_t, size_t>> ParseCellRef(std::string_view ref) {
  size_t i = 0;
  size_t column = 0;
  while (i < ref.size() && i < 4 && ((ref[i] | 0x20) >= 'a' && (ref[i] | 0x20) <= 'z')) {
    column = column * 26 + static_cast<size_t>((ref[i] | 0x20) - 'a' + 1);
    ++i;
  }
  if (i == 0 || column > kMaxSheetColumn) return std::nullopt;
  size_t row = 0;
  size_t digits = 0;
  for (; i < ref.size(); ++i, ++digits) {
    if (ref[i] < '0' || ref[i] > '9' || digits >= 8) return std::nullopt;
    row = row * 10 + static_cast<size_t>(ref[i] - '0');
  }
  if (digits == 0 || row == 0 || row > kMaxSheetRow) return std::nullopt;
  return std::pair{column - 1, row};
}

Trouble BadReference(size_t line) {
  return Trouble{
      line,
      "a cell reference on this row is malformed, out of order, or beyond the sheet's last "
      "column (XFD) or row (1048576)",
      "Een celverwijzing in deze rij is onjuist, staat in de verkeerde volgorde of ligt buiten "
      "het werkblad (voorbij kolom XFD of rij 1048576). Het bestand is beschadigd of niet door "
      "Excel gemaakt."};
}

class SheetHandler : public XmlHandler {
 public:
  SheetHandler(CellTable& table, const std::vector<std::string>& shared,
               const std::vector<bool>& xf_is_date, bool date1904)
      : table_(table), shared_(shared), xf_is_date_(xf_is_date), date1904_(date1904) {}

  size_t data_rows = 0;

  void Start(std::string_view name, const XML_Char** attrs) override {
    if (name == "sheetData") {
      in_sheet_data_ = true;
    } else if (!in_sheet_data_) {
      return;
    } else if (name == "row") {
      size_t row = last_row_ + 1;
      if (const char* r = Attr(attrs, "r")) {
        std::optional<long> parsed = ParseLong(r);
        if (!parsed || *parsed <= 0 || static_cast<size_t>(*parsed) > kMaxSheetRow ||
            static_cast<size_t>(*parsed) <= last_row_) {
          return Stop(BadReference(row));
        }
        row = static_cast<size_t>(*parsed);
      }
      if (row > kMaxSheetRow) return Stop(BadReference(last_row_));
      current_row_ = last_row_ = row;
      in_row_ = true;
      next_column_ = 0;
      cells_.clear();
    } else if (name == "c" && in_row_) {
      size_t column = next_column_;
      if (const char* r = Attr(attrs, "r")) {
        auto ref = ParseCellRef(r);
        if (!ref || ref->second != current_row_ || ref->first < next_column_) {
          return Stop(BadReference(current_row_));
        }
        column = ref->first;
      }
      if (column >= kMaxSheetColumn) return Stop(BadReference(current_row_));
      column_ = column;
      next_column_ = column + 1;
      const char* t = Attr(attrs, "t");
      type_ = t ? t : "n";
      std::optional<long> s = ParseLong(Attr(attrs, "s"));
      style_is_date_ = s && *s >= 0 && static_cast<size_t>(*s) < xf_is_date_.size() &&
                       xf_is_date_[static_cast<size_t>(*s)];
      value_.clear();
      in_cell_ = true;
    } else if (in_cell_ && name == "v") {
      in_v_ = true;
    } else if (in_cell_ && name == "is") {
      in_is_ = true;
    } else if (in_is_ && name == "rPh") {
      ++in_phonetic_;
    } else if (in_is_ && name == "t" && in_phonetic_ == 0) {
      in_t_ = true;
    }
  }

  void End(std::string_view name) override {
    if (!in_sheet_data_) return;
    if (name == "v") {
      in_v_ = false;
    } else if (name == "t") {
      in_t_ = false;
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "is") {
      in_is_ = false;
    } else if (name == "c" && in_cell_) {
      in_cell_ = false;
      EndCell();
    } else if (name == "row" && in_row_) {
      in_row_ = false;
      EndRow();
    } else if (name == "sheetData") {
      in_sheet_data_ = false;
    }
  }

  void Text(std::string_view text) override {
    if (in_v_ || in_t_) {
      if (value_.size() + text.size() > kMaxLineBytes) {
        return Stop(Trouble{current_row_, "a cell on this row holds more than 64 KiB of text",
                            "Een cel in deze rij bevat meer dan 64 KiB tekst."});
      }
      value_.append(text);
    }
  }

 private:
  void EndCell() {
    std::string text;
    if (type_ == "s") {
      std::optional<long> index = ParseLong(std::string(TrimBlanks(value_)).c_str());
      if (!index || *index < 0 || static_cast<size_t>(*index) >= shared_.size()) {
        return Stop(Trouble{current_row_,
                            "a cell on this row refers to shared text that the workbook does not "
                            "have",
                            "Een cel in deze rij verwijst naar tekst die niet in de werkmap staat; "
                            "het bestand is beschadigd."});
      }
      text = shared_[static_cast<size_t>(*index)];
    } else if (type_ == "b") {
      text = TrimBlanks(value_) == "1" ? "WAAR" : TrimBlanks(value_) == "0" ? "ONWAAR" : value_;
    } else if (type_ == "n") {
      std::string_view v = TrimBlanks(value_);
      double x = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x)) {
        text = value_;  // not a number after all: as written
      } else if (std::optional<std::string> date;
                 style_is_date_ && (date = SerialToDate(x, date1904_))) {
        text = *date;
      } else {
        text = FormatNumber(x);
      }
    } else if (type_ == "d") {
      std::string_view v = TrimBlanks(value_);
      text = v.substr(0, v.find('T'));  // ISO 8601: the date part
    } else {  // inlineStr, str (a formula's text), e (an error such as #N/A)
      text = value_;
    }
    std::string_view trimmed = TrimBlanks(text);
    if (trimmed.empty()) return;
    if (column_ >= kMaxColumns) {
      return Stop(Trouble{current_row_,
                          "a cell on this row lies beyond column " + std::to_string(kMaxColumns) +
                              "; a list has fewer columns",
                          "Een cel in deze rij staat voorbij kolom " + std::to_string(kMaxColumns) +
                              "; zo breed is een lijst niet. Haal die cel weg."});
    }
    if (cells_.size() <= column_) cells_.resize(column_ + 1);
    cells_[column_] = std::string(trimmed);
  }

  void EndRow() {
    if (cells_.empty()) return;  // only empty cells
    if (table_.header.empty()) {
      table_.header = std::move(cells_);
      table_.header_line = current_row_;
      cells_.clear();
      return;
    }
    if (++data_rows > kMaxDataRows) {
      table_.ClearRows();
      table_.too_many_rows = true;
      table_.problems.clear();
      table_.problems.push_back(
          ImportProblem{current_row_, "",
                        "the file has more than " + std::to_string(kMaxDataRows) +
                            " data rows; nothing was imported",
                        "Het bestand heeft meer dan " + std::to_string(kMaxDataRows) +
                            " rijen; er is niets geïmporteerd."});
      return Stop(Trouble{0, "", ""});
    }
    if (cells_.size() > table_.header.size()) {
      // A value under no header: the same fault as a CSV row with more fields.
      if (table_.problems.size() < kMaxProblems) {
        table_.problems.push_back(ImportProblem{
            current_row_, "",
            "has a value in column " + std::to_string(cells_.size()) + ", but the header has " +
                std::to_string(table_.header.size()) + " columns",
            "Deze rij heeft een waarde in kolom " + std::to_string(cells_.size()) +
                ", maar de kopregel heeft maar " + std::to_string(table_.header.size()) +
                " kolommen. Geef die kolom een naam, of haal de waarde weg."});
      } else {
        ++table_.dropped_problems;
      }
      return;
    }
    table_.AddRow(current_row_, cells_);
    if (table_.text_bytes() > kMaxCellTextBytes) {
      Stop(Trouble{current_row_, "the sheet holds more text than inbeeld reads (256 MiB)",
                   "Het werkblad bevat meer tekst dan inbeeld inleest (256 MiB). Splits de "
                   "lijst."});
    }
  }

  CellTable& table_;
  const std::vector<std::string>& shared_;
  const std::vector<bool>& xf_is_date_;
  bool date1904_;

  bool in_sheet_data_ = false;
  bool in_row_ = false;
  bool in_cell_ = false;
  bool in_v_ = false;
  bool in_is_ = false;
  bool in_t_ = false;
  int in_phonetic_ = 0;
  size_t last_row_ = 0;
  size_t current_row_ = 0;
  size_t next_column_ = 0;
  size_t column_ = 0;
  std::string type_;
  bool style_is_date_ = false;
  std::string value_;
  std::vector<std::string> cells_;
};

// Reads and parses one optional part (relationships, styles, shared strings).
std::optional<Trouble> ReadPart(const Archive& archive, const std::string& path, size_t cap,
                                XmlHandler& handler) {
  if (path.empty() || !archive.Has(path)) return std::nullopt;
  Read<std::string> xml = archive.ReadEntry(path, cap);
  if (!xml) return xml.error();
  return ParseXml(*xml, handler);
}

Read<std::monostate> ReadInto(std::string_view bytes, CellTable& table) {
  if (LooksLikeOleFile(bytes)) {
    return Bad(
        "the file is an old Excel file (.xls) or a workbook saved with a password; save it as "
        ".xlsx without a password, or as CSV UTF-8",
        "Dit is een oud Excel-bestand (.xls) of een werkmap met een wachtwoord. Sla de lijst in "
        "Excel op als Excel-werkmap (.xlsx) zonder wachtwoord, of als CSV UTF-8.");
  }
  Read<Archive> archive = Archive::Open(bytes);
  if (!archive) return std::unexpected(archive.error());

  RelsHandler package_rels;
  if (auto t = ReadPart(*archive, "_rels/.rels", kMaxPartBytes, package_rels)) {
    return std::unexpected(*t);
  }
  std::string workbook_path =
      ResolvePath("", package_rels.TargetOfType("/officeDocument").value_or("xl/workbook.xml"));
  if (!archive->Has(workbook_path)) {
    return Bad("the file is a zip archive but holds no Excel workbook (xl/workbook.xml)",
               "Dit bestand is een zip-archief, maar er zit geen Excel-werkmap in. Sla de lijst "
               "in Excel op als Excel-werkmap (.xlsx) of als CSV UTF-8.");
  }
  WorkbookHandler workbook;
  if (auto t = ReadPart(*archive, workbook_path, kMaxPartBytes, workbook)) {
    return std::unexpected(*t);
  }
  const std::string dir = DirOf(workbook_path);
  RelsHandler workbook_rels;
  const std::string rels_path = dir + "_rels/" + workbook_path.substr(dir.size()) + ".rels";
  if (auto t = ReadPart(*archive, rels_path, kMaxPartBytes, workbook_rels)) {
    return std::unexpected(*t);
  }
  std::string sheet_path;
  if (workbook.first_sheet_rel) {
    if (auto it = workbook_rels.by_id.find(*workbook.first_sheet_rel);
        it != workbook_rels.by_id.end()) {
      sheet_path = ResolvePath(dir, it->second.target);
    }
  }
  if (sheet_path.empty() || !archive->Has(sheet_path)) {
    return Bad("the workbook has no worksheet", "De werkmap heeft geen werkblad met gegevens.");
  }

  StylesHandler styles;
  if (auto t =
          ReadPart(*archive, ResolvePath(dir, workbook_rels.TargetOfType("/styles").value_or("")),
                   kMaxPartBytes, styles)) {
    return std::unexpected(*t);
  }
  SharedStringsHandler shared;
  if (auto t = ReadPart(*archive,
                        ResolvePath(dir, workbook_rels.TargetOfType("/sharedStrings").value_or("")),
                        kMaxSharedStringsBytes, shared)) {
    return std::unexpected(*t);
  }

  Read<std::string> sheet_xml = archive->ReadEntry(sheet_path, kMaxSheetBytes);
  if (!sheet_xml) return std::unexpected(sheet_xml.error());
  SheetHandler sheet(table, shared.strings, styles.xf_is_date, workbook.date1904);
  if (auto t = ParseXml(*sheet_xml, sheet)) {
    if (table.too_many_rows) return std::monostate{};
    return std::unexpected(*t);
  }
  if (table.header.empty()) {
    return Bad("the first worksheet is empty: there is no header row",
               "Het eerste werkblad is leeg: er is geen kopregel met de namen van de kolommen.");
  }
  return std::monostate{};
}

// ---------------------------------------------------------------------------
// Writing

// Appends text as XML character data: escaped, invalid UTF-8 as U+FFFD, and
// the characters XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE,
// U+FFFF) left out.
void AppendXmlText(std::string& out, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      switch (b) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\r':
          out += "&#13;";
          break;  // kept: a bare CR would read back as LF
        default:
          if (b >= 0x20 || b == '\t' || b == '\n') out.push_back(static_cast<char>(b));
      }
      ++i;
      continue;
    }
    size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    std::string_view seq = text.substr(i, n);
    if (n == 1 || seq.size() != n || !IsValidUtf8(seq)) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (seq == "\xEF\xBF\xBE" || seq == "\xEF\xBF\xBF") {  // U+FFFE, U+FFFF
      i += n;
      continue;
    }
    out.append(seq);
    i += n;
  }
}

// "A", "B", …, "Z", "AA", …
std::string ColumnName(size_t index) {
  std::string name;
  for (size_t n = index + 1; n > 0; n = (n - 1) / 26) {
    name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return name;
}

size_t DisplayLength(const SheetCell& cell) {
  if (const std::string* s = std::get_if<std::string>(&cell)) {
    size_t chars = 0;
    for (char c : *s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return chars;
  }
  return FormatNumber(std::get<double>(cell)).size();
}

void AppendInlineString(std::string& out, const std::string& ref, std::string_view text,
                        bool bold) {
  out += "<c r=\"" + ref + "\" t=\"inlineStr\"" + (bold ? " s=\"1\"" : "") + "><is><t";
  bool edge_space =
      !text.empty() && (text.front() == ' ' || text.back() == ' ' || text.front() == '\t' ||
                        text.back() == '\t' || text.find('\n') != std::string_view::npos);
  if (edge_space) out += " xml:space=\"preserve\"";
  out += ">";
  AppendXmlText(out, text);
  out += "</t></is></c>";
}

std::string SheetXml(const Sheet& sheet) {
  size_t columns = sheet.header.size();
  for (const auto& row : sheet.rows) columns = std::max(columns, row.size());
  std::vector<double> widths(columns, 0);
  for (size_t c = 0; c < columns; ++c) {
    if (c < sheet.column_widths.size() && sheet.column_widths[c] > 0) {
      widths[c] = std::min(sheet.column_widths[c], 255.0);
      continue;
    }
    size_t longest = c < sheet.header.size() ? DisplayLength(SheetCell(sheet.header[c])) : 0;
    for (const auto& row : sheet.rows) {
      if (c < row.size()) longest = std::max(longest, DisplayLength(row[c]));
    }
    widths[c] = static_cast<double>(std::clamp<size_t>(longest + 2, 8, 60));
  }
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">";
  const std::string last_ref =
      ColumnName(columns == 0 ? 0 : columns - 1) + std::to_string(sheet.rows.size() + 1);
  out += "<dimension ref=\"A1:" + last_ref + "\"/>";
  out +=
      "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"><pane ySplit=\"1\" "
      "topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/><selection "
      "pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>";
  out += "<sheetFormatPr defaultRowHeight=\"15\"/>";
  if (columns > 0) {
    out += "<cols>";
    for (size_t c = 0; c < columns; ++c) {
      char width[32];
      std::snprintf(width, sizeof width, "%.2f", widths[c]);
      out += "<col min=\"" + std::to_string(c + 1) + "\" max=\"" + std::to_string(c + 1) +
             "\" width=\"" + width + "\" customWidth=\"1\"/>";
    }
    out += "</cols>";
  }
  out += "<sheetData>";
  out += "<row r=\"1\">";
  for (size_t c = 0; c < sheet.header.size(); ++c) {
    AppendInlineString(out, ColumnName(c) + "1", sheet.header[c], true);
  }
  out += "</row>";
  for (size_t r = 0; r < sheet.rows.size(); ++r) {
    const std::string row_number = std::to_string(r + 2);
    out += "<row r=\"" + row_number + "\">";
    for (size_t c = 0; c < sheet.rows[r].size(); ++c) {
      const std::string ref = ColumnName(c) + row_number;
      if (const std::string* text = std::get_if<std::string>(&sheet.rows[r][c])) {
        if (!text->empty()) AppendInlineString(out, ref, *text, false);
      } else {
        char number[64];
        auto [end, ec] =
            std::to_chars(number, number + sizeof number, std::get<double>(sheet.rows[r][c]));
        out += "<c r=\"" + ref + "\"><v>" + std::string(number, end) + "</v></c>";
        (void)ec;  // 64 bytes hold any double's shortest form
      }
    }
    out += "</row>";
  }
  out += "</sheetData>";
  if (columns > 0) out += "<autoFilter ref=\"A1:" + last_ref + "\"/>";
  out +=
      "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" "
      "footer=\"0.3\"/></worksheet>";
  return out;
}

Status CheckWorkbook(const Workbook& workbook) {
  if (workbook.sheets.empty()) return Fail(ErrorCode::kInvalidArgument, "a workbook needs a sheet");
  std::set<std::string> names;
  for (const Sheet& sheet : workbook.sheets) {
    size_t chars = 0;
    for (char c : sheet.name) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (chars == 0 || chars > 31 || !IsValidUtf8(sheet.name) ||
        sheet.name.find_first_of("[]:*?/\\") != std::string::npos || sheet.name.front() == '\'' ||
        sheet.name.back() == '\'') {
      return Fail(ErrorCode::kInvalidArgument,
                  "a sheet name must be 1 to 31 characters without []:*?/\\ or an edge quote");
    }
    std::string lower;
    for (char c : sheet.name)
      lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
    if (!names.insert(lower).second) {
      return Fail(ErrorCode::kInvalidArgument, "two sheets have the same name");
    }
    if (sheet.rows.size() + 1 > kMaxSheetRow) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a sheet holds at most 1048575 rows below its header");
    }
    if (sheet.header.size() > kMaxSheetColumn) {
      return Fail(ErrorCode::kInvalidArgument, "a sheet holds at most 16384 columns");
    }
    for (const auto& row : sheet.rows) {
      if (row.size() > kMaxSheetColumn) {
        return Fail(ErrorCode::kInvalidArgument, "a sheet holds at most 16384 columns");
      }
      for (const SheetCell& cell : row) {
        if (const double* x = std::get_if<double>(&cell); x && !std::isfinite(*x)) {
          return Fail(ErrorCode::kInvalidArgument, "a number cell is not finite");
        }
      }
    }
  }
  return {};
}

std::string QuotedSheetName(const std::string& name) {
  std::string out = "'";
  for (char c : name) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// Builds the archive in memory: a zip source over an empty buffer, entries
// added from strings that live until zip_close, then the buffer read back.
Result<std::string> ZipInMemory(const std::vector<std::pair<std::string, std::string>>& entries) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) {
    zip_error_fini(&error);
    return Fail(ErrorCode::kInternal, "libzip: cannot create a memory buffer");
  }
  zip_source_keep(buffer);  // we read it back after zip_close
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(buffer, &zip_source_free);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  zip_error_fini(&error);
  if (archive == nullptr) {
    return Fail(ErrorCode::kInternal, "libzip: cannot open an archive in memory");
  }
  for (const auto& [name, data] : entries) {
    zip_source_t* source = zip_source_buffer(archive, data.data(), data.size(), 0);
    if (source == nullptr ||
        zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
      if (source != nullptr) zip_source_free(source);
      zip_discard(archive);
      return Fail(ErrorCode::kInternal, "libzip: cannot add " + name);
    }
  }
  if (zip_close(archive) != 0) {
    zip_discard(archive);
    return Fail(ErrorCode::kInternal, "libzip: cannot finish the archive");
  }
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(buffer, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0 ||
      zip_source_open(buffer) != 0) {
    return Fail(ErrorCode::kInternal, "libzip: cannot read the archive back");
  }
  std::string out(static_cast<size_t>(st.size), '\0');
  zip_int64_t n = zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) {
    return Fail(ErrorCode::kInternal, "libzip: cannot read the archive back");
  }
  return out;
}

constexpr std::string_view kStylesXml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>"
    "</cellStyleXfs>"
    "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>"
    "</cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
    "</styleSheet>";

}  // namespace

bool LooksLikeZip(std::string_view bytes) { return bytes.starts_with("PK\x03\x04"); }

bool LooksLikeOleFile(std::string_view bytes) {
  return bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
}

CellTable ReadXlsx(std::string_view bytes) {
  CellTable table;
  table.format = "xlsx";
  table.encoding = "";
  Read<std::monostate> read = ReadInto(bytes, table);
  if (!read) {
    table.header.clear();
    table.header_line = 0;
    table.ClearRows();
    table.problems.clear();
    table.dropped_problems = 0;
    table.problems.push_back(
        ImportProblem{read.error().line, "", read.error().message, read.error().melding});
  }
  return table;
}

Result<std::string> WriteXlsx(const Workbook& workbook) {
  INBEELD_RETURN_IF_ERROR(CheckWorkbook(workbook));
  std::vector<std::pair<std::string, std::string>> entries;
  std::string types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
      "<Override PartName=\"/xl/workbook.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
      "<Override PartName=\"/xl/styles.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>";
  std::string workbook_xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<bookViews><workbookView/></bookViews><sheets>";
  std::string workbook_rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  std::string defined_names;
  for (size_t i = 0; i < workbook.sheets.size(); ++i) {
    const Sheet& sheet = workbook.sheets[i];
    const std::string n = std::to_string(i + 1);
    types += "<Override PartName=\"/xl/worksheets/sheet" + n +
             ".xml\" ContentType=\"application/"
             "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>";
    workbook_xml += "<sheet name=\"";
    AppendXmlText(workbook_xml, sheet.name);
    workbook_xml += "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
    workbook_rels += "<Relationship Id=\"rId" + n +
                     "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                     "relationships/worksheet\" Target=\"worksheets/sheet" +
                     n + ".xml\"/>";
    size_t columns = sheet.header.size();
    for (const auto& row : sheet.rows) columns = std::max(columns, row.size());
    if (columns > 0) {
      // Excel keeps an autofilter's range in this hidden name as well.
      defined_names += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"" +
                       std::to_string(i) + "\" hidden=\"1\">";
      AppendXmlText(defined_names, QuotedSheetName(sheet.name) + "!$A$1:$" +
                                       ColumnName(columns - 1) + "$" +
                                       std::to_string(sheet.rows.size() + 1));
      defined_names += "</definedName>";
    }
    entries.emplace_back("xl/worksheets/sheet" + n + ".xml", SheetXml(sheet));
  }
  types += "</Types>";
  workbook_xml += "</sheets>";
  if (!defined_names.empty()) workbook_xml += "<definedNames>" + defined_names + "</definedNames>";
  workbook_xml += "</workbook>";
  const std::string styles_id = "rId" + std::to_string(workbook.sheets.size() + 1);
  workbook_rels += "<Relationship Id=\"" + styles_id +
                   "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                   "relationships/styles\" Target=\"styles.xml\"/></Relationships>";
  entries.emplace_back("[Content_Types].xml", std::move(types));
  entries.emplace_back(
      "_rels/.rels",
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
      "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
  entries.emplace_back("xl/workbook.xml", std::move(workbook_xml));
  entries.emplace_back("xl/_rels/workbook.xml.rels", std::move(workbook_rels));
  entries.emplace_back("xl/styles.xml", std::string(kStylesXml));
  // [Content_Types].xml first, as Office writes it (some readers expect it).
  std::rotate(entries.begin(), entries.end() - 5, entries.end());
  return ZipInMemory(entries);
}

}  // namespace inbeeld::schema
