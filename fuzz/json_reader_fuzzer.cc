// Fuzzes the one strict JSON reader (schema/json_reader.h) that reads what a
// peer sends, an export or backup holds, and the console's request bodies.
//
// Invariants beyond "no crash":
//   - a refusal to parse is one of the reader's fixed texts after the name
//     of the message: no byte of the payload is ever in it;
//   - what parses is what nlohmann-json (strict) also parses, of the right
//     top type, and its dump parses again to the same value: the first pass
//     (repeated members, depth) and the tree never disagree;
//   - every typed read of every member either succeeds or fails with
//     kInvalidArgument and a message naming the message and member.
// The input's first byte picks the depth limit (1..8) and whether the top
// value is an object or an array of objects; the rest is the body.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "schema/json_reader.h"

namespace {

using inbeeld::ErrorCode;
using inbeeld::schema::JsonDocument;
using inbeeld::schema::JsonLimits;
using inbeeld::schema::JsonObject;
using inbeeld::schema::JsonString;

constexpr std::string_view kWhat = "fuzz body";

bool IsFixedParseProblem(const inbeeld::Error& error, size_t max_depth) {
  const std::string prefix = std::string(kWhat) + ": ";
  if (error.message.rfind(prefix, 0) != 0) return false;
  const std::string problem = error.message.substr(prefix.size());
  if (error.code == ErrorCode::kResourceExhausted) return problem == "too large";
  if (error.code != ErrorCode::kInvalidArgument) return false;
  if (problem == "empty body" || problem == "not valid JSON" || problem == "not a JSON object" ||
      problem == "not a JSON array" || problem == "a member appears twice" ||
      problem == "nested deeper than " + std::to_string(max_depth) + " levels") {
    return true;
  }
  // ParseObjectArray: "entry N: not an object", "more than N entries".
  return problem.starts_with("entry ") || problem.starts_with("more than ");
}

// A typed read fails only as kInvalidArgument "fuzz body: member "...
// ("fuzz body: holds a member other than ..." for OnlyMembers on the top).
template <typename T>
void CheckRead(const inbeeld::Result<T>& read) {
  if (read) return;
  INBEELD_FUZZ_CHECK(read.error().code == ErrorCode::kInvalidArgument);
  INBEELD_FUZZ_CHECK(read.error().message.rfind("fuzz body: member \"", 0) == 0 ||
                     read.error().message == "fuzz body: holds a member other than a, b");
}

// Every reader on every member of `object`, and into nested objects.
void ReadAll(const JsonObject& object, const nlohmann::json& value, int depth) {
  if (depth > 8) return;
  CheckRead(object.OnlyMembers({"a", "b"}));
  for (const auto& [name, member] : value.items()) {
    CheckRead(object.String(name, JsonString::Text(64)));
    CheckRead(object.String(name, JsonString::LowerHex(8)));
    CheckRead(object.Uint(name, 1, 1000));
    CheckRead(object.Bool(name));
    CheckRead(object.StringArray(name, 4, JsonString::MaybeEmpty(16)));
    CheckRead(object.UintArray(name, 4));
    CheckRead(object.StringMap(name, 4, JsonString::Text(16), JsonString::Text(16)));
    auto nested = object.Object(name);
    CheckRead(nested);
    if (nested) ReadAll(*nested, member, depth + 1);
    auto entries = object.ObjectArray(name, 4);
    CheckRead(entries);
    if (entries) {
      for (size_t i = 0; i < entries->size(); ++i) ReadAll((*entries)[i], member[i], depth + 1);
    }
  }
}

}  // namespace

INBEELD_FUZZ_TARGET(json_reader) {
  if (size == 0) return;
  JsonLimits limits;
  limits.max_depth = 1 + (data[0] & 7);
  limits.max_bytes = 64 * 1024;
  const bool top_array = (data[0] & 8) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  auto doc = top_array ? JsonDocument::ParseObjectArray(body, kWhat, 16, limits)
                       : JsonDocument::Parse(body, kWhat, limits);
  if (!doc) {
    INBEELD_FUZZ_CHECK(IsFixedParseProblem(doc.error(), limits.max_depth));
    return;
  }
  const nlohmann::json& value = doc->Value();
  INBEELD_FUZZ_CHECK(top_array ? value.is_array() : value.is_object());
  const auto strict = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  INBEELD_FUZZ_CHECK(!strict.is_discarded() && strict == value);
  // What nlohmann-json writes, the reader reads back (a dump may be longer
  // than the body, so a size refusal is allowed; a number too large for a
  // double is written as null, hence the comparison with the re-read dump).
  const std::string dumped = value.dump();
  auto again = top_array ? JsonDocument::ParseObjectArray(dumped, kWhat, 16, limits)
                         : JsonDocument::Parse(dumped, kWhat, limits);
  INBEELD_FUZZ_CHECK(again ? again->Value() == nlohmann::json::parse(dumped)
                           : again.error().code == ErrorCode::kResourceExhausted);
  if (top_array) {
    for (size_t i = 0; i < doc->Entries().size(); ++i) ReadAll(doc->Entries()[i], value[i], 1);
  } else {
    ReadAll(doc->Root(), value, 1);
  }
}
