#include "schema/json_reader.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace inbeeld::schema {
namespace {

using nlohmann::json;

std::unexpected<Error> Invalid(std::string_view what, std::string_view problem) {
  return Fail(ErrorCode::kInvalidArgument, std::string(what) + ": " + std::string(problem));
}

// A first pass that builds nothing: it finds the problems json::parse would
// pass over (a repeated member) or pay for (deep nesting) before the tree is
// built.
class Checker final : public nlohmann::json_sax<json> {
 public:
  Checker(size_t max_depth, bool top_array) : max_depth_(max_depth), top_array_(top_array) {}

  enum class Problem { kNone, kSyntax, kNotObject, kNotArray, kTooDeep, kRepeated };
  Problem problem() const { return problem_; }

  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool string(string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Stop(Problem::kSyntax); }
  bool start_object(std::size_t) override {
    if (depth_ == 0 && top_array_) return Stop(Problem::kNotArray);
    if (!Enter()) return false;
    names_.emplace_back();
    return true;
  }
  bool key(string_t& name) override {
    if (!names_.back().insert(name).second) return Stop(Problem::kRepeated);
    return true;
  }
  bool end_object() override {
    names_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ == 0 && !top_array_) return Stop(Problem::kNotObject);
    if (!Enter()) return false;
    names_.emplace_back();  // unused; keeps names_.back() that of the innermost object
    return true;
  }
  bool end_array() override { return end_object(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return Stop(Problem::kSyntax);
  }

 private:
  // The top value is the object (or array); anything else there is refused
  // at once.
  bool Scalar() {
    if (depth_ > 0) return true;
    return Stop(top_array_ ? Problem::kNotArray : Problem::kNotObject);
  }
  bool Enter() {
    if (++depth_ > max_depth_) return Stop(Problem::kTooDeep);
    return true;
  }
  bool Stop(Problem p) {
    problem_ = p;
    return false;
  }

  size_t max_depth_;
  bool top_array_;
  size_t depth_ = 0;
  std::vector<std::set<std::string>> names_;
  Problem problem_ = Problem::kNone;
};

bool OnlyWhiteSpace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Why `text` does not follow `rule`, or nullopt when it does.
std::optional<std::string> TextProblem(std::string_view text, const JsonString& rule) {
  if (rule.charset == JsonString::Charset::kLowerHex) {
    if (text.size() < rule.min_bytes || text.size() > rule.max_bytes || !IsLowerHex(text)) {
      return rule.min_bytes == rule.max_bytes
                 ? "not lowercase hex of " + std::to_string(rule.max_bytes) + " characters"
                 : "not lowercase hex of " + std::to_string(rule.min_bytes) + ".." +
                       std::to_string(rule.max_bytes) + " characters";
    }
    return std::nullopt;
  }
  if (text.empty() && rule.min_bytes > 0) return "empty";
  if (text.size() < rule.min_bytes) {
    return "shorter than " + std::to_string(rule.min_bytes) + " bytes";
  }
  if (text.size() > rule.max_bytes) {
    return "longer than " + std::to_string(rule.max_bytes) + " bytes";
  }
  return std::nullopt;
}

// Why `value` is not a string of `rule`, or nullopt when it is.
std::optional<std::string> StringProblem(const json& value, const JsonString& rule) {
  if (!value.is_string()) return "not a string";
  return TextProblem(value.get_ref<const std::string&>(), rule);
}

std::optional<std::string> UintProblem(const json& value, uint64_t min, uint64_t max) {
  // A negative number, a fraction, an exponent or a number beyond 2^64-1
  // parses as a signed or floating-point value and is refused here.
  if (!value.is_number_unsigned()) return "not an unsigned integer";
  const uint64_t n = value.get<uint64_t>();
  if (n < min || n > max) {
    return "not in " + std::to_string(min) + ".." + std::to_string(max);
  }
  return std::nullopt;
}

}  // namespace

JsonString JsonString::Text(size_t max_bytes) {
  JsonString rule;
  rule.max_bytes = max_bytes;
  return rule;
}

JsonString JsonString::MaybeEmpty(size_t max_bytes) {
  JsonString rule;
  rule.min_bytes = 0;
  rule.max_bytes = max_bytes;
  return rule;
}

JsonString JsonString::LowerHex(size_t size) {
  JsonString rule;
  rule.min_bytes = size;
  rule.max_bytes = size;
  rule.charset = Charset::kLowerHex;
  return rule;
}

JsonObject::JsonObject(const json& value, std::string what, std::string path)
    : value_(&value), what_(std::move(what)), path_(std::move(path)) {}

std::string JsonObject::PathOf(std::string_view member) const {
  return path_.empty() ? std::string(member) : path_ + "." + std::string(member);
}

Error JsonObject::ErrorAt(std::string_view member, std::string_view problem) const {
  return Error{ErrorCode::kInvalidArgument,
               what_ + ": member \"" + PathOf(member) + "\": " + std::string(problem)};
}

Error JsonObject::ErrorAtEntry(std::string_view member, size_t index,
                               std::string_view problem) const {
  return Error{ErrorCode::kInvalidArgument, what_ + ": member \"" + PathOf(member) + "\"[" +
                                                std::to_string(index) +
                                                "]: " + std::string(problem)};
}

const json* JsonObject::Find(std::string_view member) const {
  auto it = value_->find(member);
  return it == value_->end() ? nullptr : &*it;
}

bool JsonObject::Has(std::string_view member) const { return Find(member) != nullptr; }

Status JsonObject::OnlyMembers(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [name, value] : value_->items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || name == a;
    if (known) continue;
    std::string problem;
    if (allowed.size() == 0) {
      problem = "is not an empty object";
    } else {
      problem = "holds a member other than ";
      bool first = true;
      for (std::string_view a : allowed) {
        problem += (first ? "" : ", ") + std::string(a);
        first = false;
      }
    }
    if (path_.empty()) return Invalid(what_, problem);
    return Invalid(what_, "member \"" + path_ + "\": " + problem);
  }
  return {};
}

Result<std::optional<std::string>> JsonObject::OptionalString(std::string_view member,
                                                              const JsonString& rule) const {
  const json* value = Find(member);
  if (value == nullptr) return std::optional<std::string>();
  if (auto problem = StringProblem(*value, rule)) return std::unexpected(ErrorAt(member, *problem));
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::string> JsonObject::String(std::string_view member, const JsonString& rule) const {
  auto value = OptionalString(member, rule);
  if (!value) return std::unexpected(value.error());
  if (!*value) return std::unexpected(ErrorAt(member, "missing"));
  return std::move(**value);
}

Result<std::optional<uint64_t>> JsonObject::OptionalUint(std::string_view member, uint64_t min,
                                                         uint64_t max) const {
  const json* value = Find(member);
  if (value == nullptr) return std::optional<uint64_t>();
  if (auto problem = UintProblem(*value, min, max)) {
    return std::unexpected(ErrorAt(member, *problem));
  }
  return std::optional<uint64_t>(value->get<uint64_t>());
}

Result<uint64_t> JsonObject::Uint(std::string_view member, uint64_t min, uint64_t max) const {
  auto value = OptionalUint(member, min, max);
  if (!value) return std::unexpected(value.error());
  if (!*value) return std::unexpected(ErrorAt(member, "missing"));
  return **value;
}

Result<std::optional<bool>> JsonObject::OptionalBool(std::string_view member) const {
  const json* value = Find(member);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return std::unexpected(ErrorAt(member, "not a boolean"));
  return std::optional<bool>(value->get<bool>());
}

Result<bool> JsonObject::Bool(std::string_view member) const {
  auto value = OptionalBool(member);
  if (!value) return std::unexpected(value.error());
  if (!*value) return std::unexpected(ErrorAt(member, "missing"));
  return **value;
}

namespace {

// The array at `member` of `object`, within `max_count` entries.
Result<const json*> ArrayOf(const JsonObject& object, const json* value, std::string_view member,
                            size_t max_count) {
  if (value == nullptr) return std::unexpected(object.ErrorAt(member, "missing"));
  if (!value->is_array()) return std::unexpected(object.ErrorAt(member, "not an array"));
  if (value->size() > max_count) {
    return std::unexpected(
        object.ErrorAt(member, "more than " + std::to_string(max_count) + " entries"));
  }
  return value;
}

}  // namespace

Result<std::vector<std::string>> JsonObject::StringArray(std::string_view member, size_t max_count,
                                                         const JsonString& rule) const {
  auto array = ArrayOf(*this, Find(member), member, max_count);
  if (!array) return std::unexpected(array.error());
  std::vector<std::string> out;
  out.reserve((*array)->size());
  for (const json& entry : **array) {
    if (auto problem = StringProblem(entry, rule)) {
      return std::unexpected(ErrorAtEntry(member, out.size(), *problem));
    }
    out.push_back(entry.get<std::string>());
  }
  return out;
}

Result<std::vector<uint64_t>> JsonObject::UintArray(std::string_view member, size_t max_count,
                                                    uint64_t min, uint64_t max) const {
  auto array = ArrayOf(*this, Find(member), member, max_count);
  if (!array) return std::unexpected(array.error());
  std::vector<uint64_t> out;
  out.reserve((*array)->size());
  for (const json& entry : **array) {
    if (auto problem = UintProblem(entry, min, max)) {
      return std::unexpected(ErrorAtEntry(member, out.size(), *problem));
    }
    out.push_back(entry.get<uint64_t>());
  }
  return out;
}

Result<std::map<std::string, std::string>> JsonObject::StringMap(
    std::string_view member, size_t max_count, const JsonString& name_rule,
    const JsonString& value_rule) const {
  const json* value = Find(member);
  if (value == nullptr) return std::unexpected(ErrorAt(member, "missing"));
  if (!value->is_object()) return std::unexpected(ErrorAt(member, "not an object"));
  if (value->size() > max_count) {
    return std::unexpected(ErrorAt(member, "more than " + std::to_string(max_count) + " members"));
  }
  std::map<std::string, std::string> out;
  size_t index = 0;
  for (const auto& [name, entry] : value->items()) {
    if (auto problem = TextProblem(name, name_rule)) {
      return std::unexpected(ErrorAtEntry(member, index, "name " + *problem));
    }
    if (auto problem = StringProblem(entry, value_rule)) {
      return std::unexpected(ErrorAtEntry(member, index, *problem));
    }
    out.emplace(name, entry.get<std::string>());
    ++index;
  }
  return out;
}

Result<JsonObject> JsonObject::Object(std::string_view member) const {
  const json* value = Find(member);
  if (value == nullptr) return std::unexpected(ErrorAt(member, "missing"));
  if (!value->is_object()) return std::unexpected(ErrorAt(member, "not an object"));
  return JsonObject(*value, what_, PathOf(member));
}

Result<std::vector<JsonObject>> JsonObject::ObjectArray(std::string_view member,
                                                        size_t max_count) const {
  const json* value = Find(member);
  if (value == nullptr) return std::unexpected(ErrorAt(member, "missing"));
  if (!value->is_array()) return std::unexpected(ErrorAt(member, "not an array"));
  if (value->size() > max_count) {
    return std::unexpected(ErrorAt(member, "more than " + std::to_string(max_count) + " entries"));
  }
  std::vector<JsonObject> out;
  out.reserve(value->size());
  for (size_t i = 0; i < value->size(); ++i) {
    const json& entry = (*value)[i];
    if (!entry.is_object()) return std::unexpected(ErrorAtEntry(member, i, "not an object"));
    out.emplace_back(entry, what_, PathOf(member) + "[" + std::to_string(i) + "]");
  }
  return out;
}

JsonDocument::JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;
JsonDocument::~JsonDocument() = default;

const json& JsonDocument::Value() const { return *value_; }

Result<std::unique_ptr<json>> JsonDocument::ParseValue(std::string_view text, std::string_view what,
                                                       JsonLimits limits, bool top_array) {
  if (text.size() > limits.max_bytes) {
    return Fail(ErrorCode::kResourceExhausted, std::string(what) + ": too large");
  }
  if (OnlyWhiteSpace(text)) return Invalid(what, "empty body");
  // No JSON text holds a raw NUL; refused whole rather than trusting every
  // input adapter to read past it.
  if (text.find('\0') != std::string_view::npos) return Invalid(what, "not valid JSON");
  // RFC 8259 §8.1: a sender MUST NOT add a byte order mark; nlohmann-json
  // would skip one.
  if (text.starts_with("\xef\xbb\xbf")) return Invalid(what, "not valid JSON");
  Checker checker(limits.max_depth, top_array);
  const bool ok = json::sax_parse(text, &checker, json::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  switch (checker.problem()) {
    case Checker::Problem::kNone:
      break;
    case Checker::Problem::kSyntax:
      return Invalid(what, "not valid JSON");
    case Checker::Problem::kNotObject:
      return Invalid(what, "not a JSON object");
    case Checker::Problem::kNotArray:
      return Invalid(what, "not a JSON array");
    case Checker::Problem::kTooDeep:
      return Invalid(what, "nested deeper than " + std::to_string(limits.max_depth) + " levels");
    case Checker::Problem::kRepeated:
      return Invalid(what, "a member appears twice");
  }
  if (!ok) return Invalid(what, "not valid JSON");
  auto value = std::make_unique<json>(json::parse(text, nullptr, /*allow_exceptions=*/false));
  if (value->is_discarded()) return Invalid(what, "not valid JSON");
  if (top_array ? !value->is_array() : !value->is_object()) {
    return Invalid(what, top_array ? "not a JSON array" : "not a JSON object");
  }
  return value;
}

Result<JsonDocument> JsonDocument::Parse(std::string_view text, std::string_view what,
                                         JsonLimits limits) {
  auto value = ParseValue(text, what, limits, /*top_array=*/false);
  if (!value) return std::unexpected(value.error());
  JsonDocument doc;
  doc.value_ = std::move(*value);
  doc.root_reader_ = std::make_unique<JsonObject>(*doc.value_, std::string(what), "");
  return doc;
}

Result<JsonDocument> JsonDocument::ParseObjectArray(std::string_view text, std::string_view what,
                                                    size_t max_count, JsonLimits limits) {
  auto value = ParseValue(text, what, limits, /*top_array=*/true);
  if (!value) return std::unexpected(value.error());
  if ((*value)->size() > max_count) {
    return Invalid(what, "more than " + std::to_string(max_count) + " entries");
  }
  JsonDocument doc;
  doc.value_ = std::move(*value);
  doc.entries_.reserve(doc.value_->size());
  for (size_t i = 0; i < doc.value_->size(); ++i) {
    const json& entry = (*doc.value_)[i];
    if (!entry.is_object()) return Invalid(what, "entry " + std::to_string(i) + ": not an object");
    doc.entries_.emplace_back(entry, std::string(what), "[" + std::to_string(i) + "]");
  }
  return doc;
}

}  // namespace inbeeld::schema
