// Fuzzes the field parsers a list file and the store feed: identifiers
// (schema/identifier.h), dates and partial birth dates (schema/date.h,
// schema/person.h) and stored timestamps (node/clock/timestamp.h ParseIsoUtc).
//
// Invariants beyond "no crash": whatever parses is valid and reads back from
// its own canonical spelling to the same value; a timestamp parses only in
// the one spelling IsoUtc writes (so string order stays time order); no error
// message holds a run of digits from an identifier.
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "node/clock/timestamp.h"
#include "schema/date.h"
#include "schema/identifier.h"
#include "schema/person.h"

namespace {

using namespace inbeeld::schema;

template <typename T>
bool Reads(const inbeeld::Result<T>& result, const T& value) {
  return result.has_value() && *result == value;
}

bool HasLongDigitRun(std::string_view text) {
  size_t run = 0;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 5) return true;
  }
  return false;
}

void CheckIdentifier(std::string_view text) {
  auto id = Identifier::Parse(text);
  if (!id) {
    INBEELD_FUZZ_CHECK(!HasLongDigitRun(id.error().message));
    return;
  }
  INBEELD_FUZZ_CHECK(id->digits().size() == 9);
  INBEELD_FUZZ_CHECK(id->type() == IdentifierType::kBsn ? IsValidBsn(id->digits())
                                                        : IsValidOnderwijsnummer(id->digits()));
  INBEELD_FUZZ_CHECK(Reads(Identifier::Parse(id->digits()), *id));
}

void CheckDate(std::string_view text) {
  auto date = ParseDate(text);
  if (date) {
    INBEELD_FUZZ_CHECK(IsValidDate(*date));
    INBEELD_FUZZ_CHECK(Reads(ParseDate(FormatIso(*date)), *date));
    INBEELD_FUZZ_CHECK(Reads(ParseDate(FormatDutch(*date)), *date));
    INBEELD_FUZZ_CHECK(FromDaysSinceEpoch(DaysSinceEpoch(*date)) == *date);
  } else {
    INBEELD_FUZZ_CHECK(!HasLongDigitRun(date.error().message));
  }
  auto partial = ParsePartialDate(text);
  if (partial) {
    INBEELD_FUZZ_CHECK(IsValidPartialDate(*partial));
    INBEELD_FUZZ_CHECK(Reads(ParsePartialDate(FormatPartialIso(*partial)), *partial));
    INBEELD_FUZZ_CHECK(Reads(ParsePartialDate(FormatPartialDutch(*partial)), *partial));
    if (date) INBEELD_FUZZ_CHECK(partial->full() && partial->date() == *date);
  }
}

void CheckTimestamp(const std::string& text) {
  auto t = inbeeld::node::ParseIsoUtc(text);
  if (t) INBEELD_FUZZ_CHECK(inbeeld::node::IsoUtc(*t) == text);
}

}  // namespace

INBEELD_FUZZ_TARGET(fields) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  CheckIdentifier(text);
  CheckDate(text);
  CheckTimestamp(text);
}
