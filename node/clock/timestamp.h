// node/clock/timestamp.h — the one timestamp format the node stores and compares.
//
// UTC, whole seconds, "2026-11-22T14:03:05Z". Sessions, sync runs, list
// versions and checkpoints are stored in it and compared as strings (the
// daily limit, retention cut-offs), so every writer must use these functions.
// "Now" is always a Clock's (node/clock/clock.h), never the machine's directly.
//
// Thread safety: pure functions.
#ifndef INBEELD_NODE_CLOCK_TIMESTAMP_H_
#define INBEELD_NODE_CLOCK_TIMESTAMP_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "node/clock/clock.h"
#include "schema/date.h"

namespace inbeeld::node {

std::string IsoUtc(std::chrono::system_clock::time_point t);
std::string NowIso(const Clock& clock);
// Milliseconds since the Unix epoch (audit record times).
int64_t UnixMs(std::chrono::system_clock::time_point t);
// The calendar date in UTC: `list`'s weeks, the overview's three-month mark,
// an import's default list date.
schema::Date UtcDate(std::chrono::system_clock::time_point t);
schema::Date TodayUtc(const Clock& clock);
// nullopt unless `text` is exactly in the format above, as IsoUtc writes it:
// a real calendar day in the years 1900..2100 (schema::kMinYear..kMaxYear),
// hours 00..23, minutes and seconds 00..59.
std::optional<std::chrono::system_clock::time_point> ParseIsoUtc(const std::string& text);

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_CLOCK_TIMESTAMP_H_
