#include "node/clock/timestamp.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdint>
#include <string_view>

#include "schema/date.h"

namespace inbeeld::node {

std::string IsoUtc(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

std::string NowIso(const Clock& clock) { return IsoUtc(clock.Now()); }

int64_t UnixMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

schema::Date UtcDate(std::chrono::system_clock::time_point t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

schema::Date TodayUtc(const Clock& clock) { return UtcDate(clock.Now()); }

std::optional<std::chrono::system_clock::time_point> ParseIsoUtc(const std::string& text) {
  // Fixed positions, digits only: sscanf's %d took signs, spaces and short
  // fields, and timegm quietly moved 30 February to 2 March.
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != kShape.size()) return std::nullopt;
  for (size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return std::nullopt;
  }
  const auto number = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const int hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  // The years a schema::Date may have: a nanosecond system_clock holds
  // 1678..2261, and no node stores a time outside 1900..2100.
  if (year < schema::kMinYear || year > schema::kMaxYear || month < 1 || month > 12 || day < 1 ||
      day > schema::DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  const int64_t days = schema::DaysSinceEpoch(schema::Date{year, month, day});
  return std::chrono::system_clock::time_point(
      std::chrono::seconds(days * 86'400 + int64_t{hour} * 3'600 + int64_t{minute} * 60 + second));
}

}  // namespace inbeeld::node
