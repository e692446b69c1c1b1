#include "schema/person.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace inbeeld::schema {
namespace {

// Fixed texts only: a birth date and a sex are personal data, so no message
// may carry any part of the input.
constexpr std::string_view kDateShapeMessage =
    "expected a birth date like 31-01-2014, 00-01-2014, 01-2014, 2014 or 2014-01-31";
constexpr std::string_view kDayWithoutMonthMessage = "a day is given but the month is unknown";
constexpr std::string_view kYearMessage = "year is outside 1900..2100";
constexpr std::string_view kMonthMessage = "month is not between 1 and 12";
constexpr std::string_view kSexMessage =
    "expected a sex like M, V or X (man, vrouw, overig; male, female, other)";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Space, tab, CR, LF and the UTF-8 non-breaking space, as spreadsheets leave them.
std::string_view Trim(std::string_view s) {
  constexpr std::string_view kNbsp = "\xC2\xA0";
  for (;;) {
    if (!s.empty() &&
        (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
      s.remove_prefix(1);
    } else if (s.starts_with(kNbsp)) {
      s.remove_prefix(kNbsp.size());
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() &&
        (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
      s.remove_suffix(1);
    } else if (s.ends_with(kNbsp)) {
      s.remove_suffix(kNbsp.size());
    } else {
      break;
    }
  }
  return s;
}

// A day or month field: "0", "00", "xx" or "XX" is unknown (0); otherwise 1 or
// 2 digits. Returns -1 for anything else. A known value of 0 cannot occur, so 0
// always means unknown.
int ParseDayOrMonth(std::string_view field) {
  if (field == "xx" || field == "XX") return 0;
  if (field.empty() || field.size() > 2) return -1;
  int value = 0;
  for (char c : field) {
    if (!IsDigit(c)) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Exactly four digits, or -1.
int ParseYear(std::string_view field) {
  if (field.size() != 4) return -1;
  int value = 0;
  for (char c : field) {
    if (!IsDigit(c)) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Splits `s` on `sep` into at most 3 fields; returns the count, or 0 if there
// are more than 3.
size_t Split(std::string_view s, char sep, std::array<std::string_view, 3>* fields) {
  size_t n = 0;
  for (;;) {
    if (n == fields->size()) return 0;
    size_t at = s.find(sep);
    (*fields)[n++] = s.substr(0, at);
    if (at == std::string_view::npos) return n;
    s.remove_prefix(at + 1);
  }
}

void AppendTwo(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10 % 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

void AppendFour(std::string& out, int v) {
  AppendTwo(out, v / 100);
  AppendTwo(out, v % 100);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool IsValidPartialDate(const PartialDate& date) {
  if (date.year < kMinYear || date.year > kMaxYear) return false;
  if (date.month == 0) return date.day == 0;
  if (date.month < 1 || date.month > 12) return false;
  return date.day == 0 || (date.day >= 1 && date.day <= DaysInMonth(date.year, date.month));
}

Result<PartialDate> ParsePartialDate(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.empty()) return Fail(ErrorCode::kInvalidArgument, "is empty");

  // The separator is the first non-digit, non-x character; one kind per date.
  char sep = 0;
  for (char c : s) {
    if (c == '-' || c == '/' || c == '.') {
      sep = c;
      break;
    }
  }

  int year = -1;
  int month = -1;
  int day = -1;
  if (sep == 0) {
    year = ParseYear(s);  // jjjj
    month = 0;
    day = 0;
  } else {
    std::array<std::string_view, 3> f;
    size_t n = Split(s, sep, &f);
    bool year_first = f[0].size() == 4;
    if (year_first && sep != '-') {
      // ISO order only with '-', as ParseDate.
    } else if (n == 2 && year_first) {  // jjjj-mm
      year = ParseYear(f[0]);
      month = ParseDayOrMonth(f[1]);
      day = 0;
    } else if (n == 2) {  // mm-jjjj
      month = ParseDayOrMonth(f[0]);
      year = ParseYear(f[1]);
      day = 0;
    } else if (n == 3 && year_first) {  // jjjj-mm-dd
      year = ParseYear(f[0]);
      month = ParseDayOrMonth(f[1]);
      day = ParseDayOrMonth(f[2]);
    } else if (n == 3) {  // dd-mm-jjjj
      day = ParseDayOrMonth(f[0]);
      month = ParseDayOrMonth(f[1]);
      year = ParseYear(f[2]);
    }
  }
  if (year < 0 || month < 0 || day < 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kDateShapeMessage));
  }
  if (year < kMinYear || year > kMaxYear) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kYearMessage));
  }
  if (month > 12) return Fail(ErrorCode::kInvalidArgument, std::string(kMonthMessage));
  if (month == 0 && day != 0) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kDayWithoutMonthMessage));
  }
  if (month != 0 && day != 0) {
    // A full date: ParseDate is the one judge of those (its messages are fixed
    // texts too).
    Result<Date> full = ParseDate(s);
    if (!full) return std::unexpected(std::move(full).error());
    return PartialDate::FromDate(*full);
  }
  return PartialDate{year, month, 0};
}

std::string FormatPartialIso(const PartialDate& date) {
  std::string out;
  out.reserve(10);
  AppendFour(out, date.year);
  if (date.month != 0) {
    out.push_back('-');
    AppendTwo(out, date.month);
    if (date.day != 0) {
      out.push_back('-');
      AppendTwo(out, date.day);
    }
  }
  return out;
}

std::string FormatPartialDutch(const PartialDate& date) {
  std::string out;
  out.reserve(10);
  if (date.month != 0) {
    if (date.day != 0) {
      AppendTwo(out, date.day);
      out.push_back('-');
    }
    AppendTwo(out, date.month);
    out.push_back('-');
  }
  AppendFour(out, date.year);
  return out;
}

Result<Sex> ParseSex(std::string_view text) {
  std::string s = AsciiLower(Trim(text));
  static constexpr std::array<std::string_view, 6> kMale = {"m",      "man",  "mannelijk",
                                                            "jongen", "male", "boy"};
  static constexpr std::array<std::string_view, 7> kFemale = {"v", "vrouw",  "vrouwelijk", "meisje",
                                                              "f", "female", "girl"};
  static constexpr std::array<std::string_view, 5> kOther = {"x", "o", "overig", "anders", "other"};
  for (std::string_view w : kMale) {
    if (s == w) return Sex::kMale;
  }
  for (std::string_view w : kFemale) {
    if (s == w) return Sex::kFemale;
  }
  for (std::string_view w : kOther) {
    if (s == w) return Sex::kOther;
  }
  if (s.empty()) return Fail(ErrorCode::kInvalidArgument, "is empty");
  return Fail(ErrorCode::kInvalidArgument, std::string(kSexMessage));
}

std::string_view SexCode(Sex sex) {
  switch (sex) {
    case Sex::kMale:
      return "M";
    case Sex::kFemale:
      return "V";
    case Sex::kOther:
      return "X";
  }
  return "X";
}

}  // namespace inbeeld::schema
