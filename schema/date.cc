#include "schema/date.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace inbeeld::schema {
namespace {

constexpr std::string_view kShapeMessage = "expected a date like 31-01-2026 or 2026-01-31";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads 1..max_len digits at s[*pos]; advances *pos. Returns -1 if none.
int ReadNumber(std::string_view s, size_t* pos, size_t max_len) {
  int value = 0;
  size_t start = *pos;
  while (*pos < s.size() && IsDigit(s[*pos]) && *pos - start < max_len) {
    value = value * 10 + (s[*pos] - '0');
    ++*pos;
  }
  return *pos == start ? -1 : value;
}

void AppendTwo(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

void AppendFour(std::string& out, int v) {
  AppendTwo(out, v / 100);
  AppendTwo(out, v % 100);
}

}  // namespace

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<size_t>(month - 1)];
}

bool IsValidDate(const Date& date) {
  return date.year >= kMinYear && date.year <= kMaxYear && date.month >= 1 && date.month <= 12 &&
         date.day >= 1 && date.day <= DaysInMonth(date.year, date.month);
}

Result<Date> ParseDate(std::string_view text) {
  std::string_view s = TrimSpace(text);
  if (s.empty()) return Fail(ErrorCode::kInvalidArgument, "is empty");

  // Three numbers separated by one kind of separator. The first number decides
  // the order: four digits is ISO (year first), otherwise Dutch (day first).
  size_t pos = 0;
  size_t first_start = pos;
  int a = ReadNumber(s, &pos, 4);
  size_t first_len = pos - first_start;
  if (a < 0 || pos >= s.size())
    return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
  char sep = s[pos];
  if (sep != '-' && sep != '/' && sep != '.') {
    return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
  }
  ++pos;
  Date date;
  if (first_len == 4) {
    if (sep != '-') return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
    int month = ReadNumber(s, &pos, 2);
    if (month < 0 || pos >= s.size() || s[pos] != '-') {
      return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
    }
    ++pos;
    int day = ReadNumber(s, &pos, 2);
    if (day < 0 || pos != s.size()) {
      return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
    }
    date = Date{a, month, day};
  } else if (first_len <= 2) {
    int month = ReadNumber(s, &pos, 2);
    if (month < 0 || pos >= s.size() || s[pos] != sep) {
      return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
    }
    ++pos;
    size_t year_start = pos;
    int year = ReadNumber(s, &pos, 4);
    if (year < 0 || pos - year_start != 4 || pos != s.size()) {
      return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
    }
    date = Date{year, month, a};
  } else {
    return Fail(ErrorCode::kInvalidArgument, std::string(kShapeMessage));
  }

  if (date.year < kMinYear || date.year > kMaxYear) {
    return Fail(ErrorCode::kInvalidArgument, "year is outside 1900..2100");
  }
  if (date.month < 1 || date.month > 12) {
    return Fail(ErrorCode::kInvalidArgument, "month is not between 1 and 12");
  }
  if (date.day < 1 || date.day > DaysInMonth(date.year, date.month)) {
    return Fail(ErrorCode::kInvalidArgument, "day does not exist in that month");
  }
  return date;
}

std::string FormatIso(const Date& date) {
  std::string out;
  out.reserve(10);
  AppendFour(out, date.year);
  out.push_back('-');
  AppendTwo(out, date.month);
  out.push_back('-');
  AppendTwo(out, date.day);
  return out;
}

std::string FormatDutch(const Date& date) {
  std::string out;
  out.reserve(10);
  AppendTwo(out, date.day);
  out.push_back('-');
  AppendTwo(out, date.month);
  out.push_back('-');
  AppendFour(out, date.year);
  return out;
}

// Howard Hinnant's days_from_civil: shift the year to start in March so the
// leap day is the last day of the (shifted) year, then count 400-year eras.
int64_t DaysSinceEpoch(const Date& date) {
  int64_t y = static_cast<int64_t>(date.year) - (date.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                          // [0, 399]
  int64_t mp = (date.month + 9) % 12;                   // March = 0
  int64_t doy = (153 * mp + 2) / 5 + date.day - 1;      // [0, 365]
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

// Hinnant's civil_from_days, the inverse of the above.
Date FromDaysSinceEpoch(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                                       // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                       // [0, 11]
  int64_t d = doy - (153 * mp + 2) / 5 + 1;               // [1, 31]
  int64_t m = mp < 10 ? mp + 3 : mp - 9;                  // [1, 12]
  if (m <= 2) ++y;
  return Date{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

int DaysBetween(const Date& a, const Date& b) {
  return static_cast<int>(DaysSinceEpoch(b) - DaysSinceEpoch(a));
}

}  // namespace inbeeld::schema
