// schema/date.h — calendar dates as they appear in partner lists.
//
// A Date is a proleptic Gregorian calendar day without a time zone. ParseDate
// accepts the spellings Dutch spreadsheets produce (31-01-2026, 31-1-2026,
// 31/01/2026, 31.01.2026) and ISO 8601 (2026-01-31), and only real calendar days
// in the years 1900..2100. Error messages never echo the input (a birth date is
// personal data).
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_DATE_H_
#define INBEELD_SCHEMA_DATE_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace inbeeld::schema {

inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2100;

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  // Chronological order (year, then month, then day).
  auto operator<=>(const Date&) const = default;
  bool operator==(const Date&) const = default;
};

// True iff `year` is a Gregorian leap year.
bool IsLeapYear(int year);

// Days in `month` (1..12) of `year`; 0 for a month out of range.
int DaysInMonth(int year, int month);

// True iff `date` is a real calendar day with kMinYear <= year <= kMaxYear.
bool IsValidDate(const Date& date);

// Parses, after trimming surrounding whitespace:
//   d-m-jjjj, d/m/jjjj, d.m.jjjj  (day and month 1 or 2 digits, one separator kind)
//   jjjj-mm-dd                    (ISO 8601; month and day 1 or 2 digits)
// Errors: kInvalidArgument if the shape is none of these, the day does not exist
// in that month, or the year is outside 1900..2100. The message never echoes the
// input.
Result<Date> ParseDate(std::string_view text);

// "2026-01-31". REQUIRES: IsValidDate(date).
std::string FormatIso(const Date& date);

// "31-01-2026". REQUIRES: IsValidDate(date).
std::string FormatDutch(const Date& date);

// Days since 1970-01-01 (negative before). Exact for any year in int range.
int64_t DaysSinceEpoch(const Date& date);

// Inverse of DaysSinceEpoch.
Date FromDaysSinceEpoch(int64_t days);

// Number of days from `a` to `b`: positive when b is later.
// REQUIRES: both dates valid (so the difference fits in an int).
int DaysBetween(const Date& a, const Date& b);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_DATE_H_
