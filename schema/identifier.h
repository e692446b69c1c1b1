// schema/identifier.h — a child's identifier: a BSN or a DUO onderwijsnummer.
//
// An Identifier can only be obtained through Parse, which normalises what
// operators type or export ("1234.56.782", " 123-456-782 ", an 8-digit BSN whose
// leading zero a spreadsheet dropped) and checks the 11-proof, so an invalid
// identifier cannot exist. The sum of the check alone tells the type: a BSN's
// weighted sum is 0 mod 11, an onderwijsnummer's is 5 mod 11 (and it starts with
// "10"); the two never both hold.
//
// Error messages never contain the input or any digit of it: they end up in logs
// and on screens, and an identifier is personal data.
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_IDENTIFIER_H_
#define INBEELD_SCHEMA_IDENTIFIER_H_

#include <compare>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.h"

namespace inbeeld::schema {

enum class IdentifierType { kBsn, kOnderwijsnummer };

// Stable lower-case name: "bsn" or "onderwijsnummer".
std::string_view IdentifierTypeName(IdentifierType type);

class Identifier {
 public:
  // Normalises and validates `text`:
  //  - trims leading and trailing whitespace (space, tab, CR, LF and the UTF-8
  //    non-breaking space U+00A0);
  //  - removes spaces (also non-breaking ones), dots and dashes inside;
  //  - left-pads an 8-digit number with one 0 (such a number is a BSN: an
  //    onderwijsnummer starts with "10", so a padded number never is one);
  //  - rejects anything but 9 digits after that, and all zeros;
  //  - accepts the number if 9·d1+8·d2+…+2·d8−d9 ≡ 0 (mod 11): a BSN, or if it
  //    starts with "10" and the sum ≡ 5 (mod 11): an onderwijsnummer.
  // Errors: kInvalidArgument with a message that never echoes the input.
  static Result<Identifier> Parse(std::string_view text);

  IdentifierType type() const { return type_; }
  // Always exactly 9 ASCII digits.
  const std::string& digits() const { return digits_; }

  // Orders by digits; the type follows from the digits.
  auto operator<=>(const Identifier&) const = default;
  bool operator==(const Identifier&) const = default;

 private:
  Identifier(std::string digits, IdentifierType type) : digits_(std::move(digits)), type_(type) {}

  std::string digits_;
  IdentifierType type_;
};

// True iff `nine_digits` is exactly 9 ASCII digits, not all zeros, whose weighted
// sum is ≡ 0 (mod 11). No normalisation. For tests and the synthetic generator.
bool IsValidBsn(std::string_view nine_digits);

// True iff `nine_digits` is exactly 9 ASCII digits starting with "10" whose
// weighted sum is ≡ 5 (mod 11). No normalisation.
bool IsValidOnderwijsnummer(std::string_view nine_digits);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_IDENTIFIER_H_
