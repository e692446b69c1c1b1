// schema/json_reader.h — the one strict reader for JSON another node sends
// (and for JSON files a node reads back): parse a body within limits, then
// read typed members, every error naming the message and the member path the
// same way. The JSON twin of config/toml_reader.h.
//
//   auto doc = JsonDocument::Parse(body, "cosign request");
//   if (!doc) return std::unexpected(doc.error());
//   const JsonObject& root = doc->Root();
//   INBEELD_RETURN_IF_ERROR(root.OnlyMembers({"size", "cosignature"}));
//   auto size = root.Uint("size");                                   // 0..2^64-1
//   auto line = root.String("cosignature", JsonString::Text(1024));  // 1..1024 bytes
//
// A file whose top value is an array of objects (an export's proofs.json) is
// read with JsonDocument::ParseObjectArray and its Entries(), each a
// JsonObject whose members are named "[3].from".
//
// Parsing (JsonDocument::Parse) refuses, with kInvalidArgument unless said
// otherwise and the message "<what>: <problem>":
//   - a body over limits.max_bytes: kResourceExhausted "too large";
//   - a body that is empty or only white space: "empty body";
//   - anything but exactly one JSON text (RFC 8259) and white space: "not
//     valid JSON" — trailing garbage, a raw NUL, a byte order mark, invalid
//     UTF-8 (also in \u escapes: a lone surrogate), comments;
//   - a body whose top value is not an object (whatever follows it): "not a
//     JSON object" (ParseObjectArray: not an array, "not a JSON array"; an
//     entry that is not an object, "entry N: not an object"; more than
//     max_count entries, "more than N entries");
//   - objects and arrays nested deeper than limits.max_depth (the top object
//     is depth 1): "nested deeper than N levels"; nothing that deep is built;
//   - a member name that appears twice in one object, at any depth: "a member
//     appears twice" (nlohmann-json alone keeps the last one silently, so two
//     readers could see different values).
//
// Reading (JsonObject) fails with kInvalidArgument and
// "<what>: member \"<path>\": <problem>", the path naming nested members with
// dots and array entries with their index:
//   witness response: member "retry.proof_from": not an unsigned integer
//   rejoin request: member "proof"[3]: not a string
// A value of the wrong type is an error even for an optional member; JSON
// null is a wrong type, not an absent member. Numbers are unsigned integers
// written without sign, fraction or exponent ("-0", "5.0", "1e3" and
// 2^64 are "not an unsigned integer").
//
// No message holds a byte of the payload: not a value, not the name of an
// unknown member (OnlyMembers lists the allowed names instead).
//
// Thread safety: a JsonDocument is an immutable value once parsed; its
// JsonObjects refer into it and must not outlive it. Safe to read from
// several threads.
#ifndef INBEELD_SCHEMA_JSON_READER_H_
#define INBEELD_SCHEMA_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace inbeeld::schema {

struct JsonLimits {
  size_t max_bytes = size_t{1} << 20;  // 1 MiB
  size_t max_depth = 8;                // the top object is 1
};

// What a string member must look like. Lengths are in bytes; the parser has
// already checked the bytes are UTF-8.
struct JsonString {
  enum class Charset {
    kAny,       // any UTF-8, control characters included (a note has newlines)
    kLowerHex,  // 0-9 a-f only
  };
  size_t min_bytes = 1;
  size_t max_bytes = 0;
  Charset charset = Charset::kAny;

  // 1..max_bytes bytes of any text.
  static JsonString Text(size_t max_bytes);
  // 0..max_bytes bytes of any text.
  static JsonString MaybeEmpty(size_t max_bytes);
  // Exactly `size` characters of lowercase hex (a fingerprint, a hash).
  static JsonString LowerHex(size_t size);
};

class JsonObject {
 public:
  // REQUIRES: `value` is an object that outlives this reader.
  JsonObject(const nlohmann::json& value, std::string what, std::string path);

  // Fails, at the first member (in document order) not in `allowed`, with
  // "<what>: holds a member other than a, b, c" ("<what>: member \"p\": holds
  // a member other than ..." for a nested object, "...: is not an empty
  // object" when `allowed` is empty).
  Status OnlyMembers(std::initializer_list<std::string_view> allowed) const;

  // True iff `member` is present, of any type (null included).
  bool Has(std::string_view member) const;

  // Required members: "missing" when absent.
  Result<std::string> String(std::string_view member, const JsonString& rule) const;
  Result<uint64_t> Uint(std::string_view member, uint64_t min = 0, uint64_t max = UINT64_MAX) const;
  Result<bool> Bool(std::string_view member) const;
  // An array of at most `max_count` entries, each checked as the scalar
  // readers check a member (errors name the entry: "member \"a\"[2]: ...").
  Result<std::vector<std::string>> StringArray(std::string_view member, size_t max_count,
                                               const JsonString& rule) const;
  Result<std::vector<uint64_t>> UintArray(std::string_view member, size_t max_count,
                                          uint64_t min = 0, uint64_t max = UINT64_MAX) const;
  // A nested object, read with the path "<path>.<member>".
  Result<JsonObject> Object(std::string_view member) const;
  // An array of at most `max_count` objects, entry i read with the path
  // "<path>.<member>[i]" (errors: member "witnesses[2].key": not a string).
  Result<std::vector<JsonObject>> ObjectArray(std::string_view member, size_t max_count) const;
  // An object used as a map from names to strings (an audit record's
  // attributes): at most `max_count` members, each name of `name_rule`, each
  // value a string of `value_rule`. The names are payload, so an error names
  // the member by its position in name order instead (member "attributes"[2]:
  // not a string;
  // member "attributes"[0]: name longer than 128 bytes).
  Result<std::map<std::string, std::string>> StringMap(std::string_view member, size_t max_count,
                                                       const JsonString& name_rule,
                                                       const JsonString& value_rule) const;

  // Optional members: nullopt when absent; present and wrong is an error.
  Result<std::optional<std::string>> OptionalString(std::string_view member,
                                                    const JsonString& rule) const;
  Result<std::optional<uint64_t>> OptionalUint(std::string_view member, uint64_t min = 0,
                                               uint64_t max = UINT64_MAX) const;
  Result<std::optional<bool>> OptionalBool(std::string_view member) const;

  // kInvalidArgument "<what>: member \"<path>\": <problem>", for checks the
  // caller makes on a value it read (an unknown enum name, a bad hash).
  Error ErrorAt(std::string_view member, std::string_view problem) const;
  // The same for entry `index` of array `member`.
  Error ErrorAtEntry(std::string_view member, size_t index, std::string_view problem) const;

 private:
  const nlohmann::json* Find(std::string_view member) const;
  std::string PathOf(std::string_view member) const;

  const nlohmann::json* value_;
  std::string what_;
  std::string path_;  // "" for the top object, "retry" for a member object
};

// Reads several members in a row and keeps the first error, for a caller
// that answers one refusal naming the first bad member:
//   JsonReadAll all;
//   all.Into(root.String("name", JsonString::Text(64)), name);
//   all.Into(root.Uint("size"), size);
//   INBEELD_RETURN_IF_ERROR(all.Done());
class JsonReadAll {
 public:
  // Moves the value read into `out`, or keeps the error if it is the first.
  template <typename T, typename Out>
  void Into(Result<T> read, Out& out) {
    if (read) {
      out = std::move(*read);
    } else if (!first_) {
      first_ = read.error();
    }
  }
  // OK, or the first error kept.
  Status Done() const {
    if (first_) return std::unexpected(*first_);
    return {};
  }

 private:
  std::optional<Error> first_;
};

class JsonDocument {
 public:
  // Parses `text` (see the top of this file). `what` names the message in
  // every error, of parsing and of reading ("rejoin request").
  static Result<JsonDocument> Parse(std::string_view text, std::string_view what,
                                    JsonLimits limits = {});
  // Parses `text` whose top value is an array of at most `max_count` objects
  // (the top array is depth 1, its objects depth 2).
  static Result<JsonDocument> ParseObjectArray(std::string_view text, std::string_view what,
                                               size_t max_count, JsonLimits limits = {});

  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  ~JsonDocument();

  // The top object. REQUIRES: parsed by Parse.
  const JsonObject& Root() const { return *root_reader_; }
  // The top array's objects, in order. REQUIRES: parsed by ParseObjectArray.
  const std::vector<JsonObject>& Entries() const { return entries_; }
  // The whole checked tree, for a reader whose errors JsonObject cannot word
  // (the console answers in Dutch).
  const nlohmann::json& Value() const;

 private:
  JsonDocument();

  std::unique_ptr<nlohmann::json> value_;
  std::unique_ptr<JsonObject> root_reader_;
  std::vector<JsonObject> entries_;

  // Both parsers: limits, syntax, depth, repeated members, the top value's
  // type; `top_array` chooses which.
  static Result<std::unique_ptr<nlohmann::json>> ParseValue(std::string_view text,
                                                            std::string_view what,
                                                            JsonLimits limits, bool top_array);
};

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_JSON_READER_H_
