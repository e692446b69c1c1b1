// tests/support/hostile_json.h — malformed variants of a valid JSON message,
// each with the exact error a decoder built on schema/json_reader.h answers,
// so every wire format's hostile-input test runs the same table: cut at every
// offset, trailing garbage, not an object, too large, and for each member
// dropped, repeated and retyped, plus an unknown member.
//
// Thread safety: pure functions (ExpectAllRefused reports through gtest).
#ifndef INBEELD_TESTS_SUPPORT_HOSTILE_JSON_H_
#define INBEELD_TESTS_SUPPORT_HOSTILE_JSON_H_

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace inbeeld::testing {

// A decoder's result without its value, for tables of decoders.
template <typename T>
Status DropValue(const Result<T>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

// EXPECTs `r` to fail with `code` and exactly `message`.
template <typename T>
void ExpectError(const Result<T>& r, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(r) << "accepted; expected: " << message;
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_EQ(r.error().message, message);
}

// EXPECTs `r` to fail with kInvalidArgument and exactly `message`.
template <typename T>
void ExpectInvalid(const Result<T>& r, const std::string& message) {
  ExpectError(r, ErrorCode::kInvalidArgument, message);
}

enum class JsonType { kString, kUint, kArray, kObject, kBool };

struct JsonMember {
  std::string name;
  JsonType type;
};

struct HostileBody {
  std::string label;  // what was done to the valid body, for failure output
  std::string text;
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;  // the exact error
};

// Variants of `valid`, a body of message `what` (the decoder's name for it in
// errors) holding exactly `members`, listed in the order the decoder passes
// them to JsonObject::OnlyMembers. A body over 1 MiB is kResourceExhausted,
// everything else kInvalidArgument. Unknown members and values are named
// "geheim..." so that a test can check no message echoes them.
std::vector<HostileBody> HostileVariants(std::string_view what, std::string_view valid,
                                         const std::vector<JsonMember>& members);

using Decoder = std::function<Status(std::string_view)>;

// EXPECTs `decode` to accept `valid` and to refuse every variant with its code
// and exact message, none of which holds "geheim".
void ExpectAllRefused(const Decoder& decode, std::string_view what, std::string_view valid,
                      const std::vector<JsonMember>& members);

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_HOSTILE_JSON_H_
