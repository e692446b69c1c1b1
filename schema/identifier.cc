#include "schema/identifier.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace inbeeld::schema {
namespace {

constexpr std::array<int, 9> kWeights = {9, 8, 7, 6, 5, 4, 3, 2, -1};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// The weighted sum mod 11, in 0..10. C++'s % keeps the sign of the dividend and
// the sum can be negative (e.g. 000000009 → −9), so normalise.
int ElevenProofRemainder(std::string_view nine_digits) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += kWeights[i] * (nine_digits[i] - '0');
  return ((sum % 11) + 11) % 11;
}

// Length of the whitespace sequence starting at s[i], or 0: ASCII space, tab,
// CR, LF and the UTF-8 encoding of U+00A0 (0xC2 0xA0), which Excel and web forms
// put around numbers.
size_t WhitespaceAt(std::string_view s, size_t i) {
  char c = s[i];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
  if (c == '\xC2' && i + 1 < s.size() && s[i + 1] == '\xA0') return 2;
  return 0;
}

std::string_view Trim(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t n = WhitespaceAt(s, begin);
    if (n == 0) break;
    begin += n;
  }
  size_t end = s.size();
  while (end > begin) {
    char c = s[end - 1];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      --end;
    } else if (c == '\xA0' && end >= begin + 2 && s[end - 2] == '\xC2') {
      end -= 2;
    } else {
      break;
    }
  }
  return s.substr(begin, end - begin);
}

}  // namespace

std::string_view IdentifierTypeName(IdentifierType type) {
  switch (type) {
    case IdentifierType::kBsn:
      return "bsn";
    case IdentifierType::kOnderwijsnummer:
      return "onderwijsnummer";
  }
  return "bsn";
}

Result<Identifier> Identifier::Parse(std::string_view text) {
  std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return Fail(ErrorCode::kInvalidArgument, "is empty");

  // Collect the digits; count them even past 9 so the message can say "too
  // long" without ever holding more than we need.
  std::string digits;
  digits.reserve(9);
  size_t count = 0;
  for (size_t i = 0; i < trimmed.size();) {
    char c = trimmed[i];
    if (IsDigit(c)) {
      if (count < 9) digits.push_back(c);
      ++count;
      ++i;
    } else if (c == '.' || c == '-' || c == ' ') {
      ++i;
    } else if (size_t n = WhitespaceAt(trimmed, i); n == 2) {  // inner NBSP
      i += n;
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "contains a character other than digits, spaces, dots or dashes");
    }
  }
  if (count != 8 && count != 9) {
    return Fail(ErrorCode::kInvalidArgument, "not 8 or 9 digits");
  }
  if (count == 8) digits.insert(digits.begin(), '0');
  if (digits == "000000000") return Fail(ErrorCode::kInvalidArgument, "is all zeros");

  int remainder = ElevenProofRemainder(digits);
  if (remainder == 0) return Identifier(std::move(digits), IdentifierType::kBsn);
  if (remainder == 5 && digits[0] == '1' && digits[1] == '0') {
    return Identifier(std::move(digits), IdentifierType::kOnderwijsnummer);
  }
  return Fail(ErrorCode::kInvalidArgument, "fails the BSN and onderwijsnummer check (11-proof)");
}

bool IsValidBsn(std::string_view nine_digits) {
  if (nine_digits.size() != 9 || !AllDigits(nine_digits)) return false;
  if (nine_digits == "000000000") return false;
  return ElevenProofRemainder(nine_digits) == 0;
}

bool IsValidOnderwijsnummer(std::string_view nine_digits) {
  if (nine_digits.size() != 9 || !AllDigits(nine_digits)) return false;
  if (!nine_digits.starts_with("10")) return false;
  return ElevenProofRemainder(nine_digits) == 5;
}

}  // namespace inbeeld::schema
