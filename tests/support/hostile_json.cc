#include "tests/support/hostile_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace inbeeld::testing {
namespace {

using nlohmann::json;

std::string TypeProblem(JsonType type) {
  switch (type) {
    case JsonType::kString:
      return "not a string";
    case JsonType::kUint:
      return "not an unsigned integer";
    case JsonType::kArray:
      return "not an array";
    case JsonType::kObject:
      return "not an object";
    case JsonType::kBool:
      return "not a boolean";
  }
  return "";
}

// Values of every other type, as JSON text; the numbers are the ones that
// are not unsigned integers (or are, for the other types).
std::vector<std::string> WrongValues(JsonType type) {
  std::vector<std::string> out = {"null", "-1", "-0", "1.5", "5.0", "1e3", "18446744073709551616"};
  if (type != JsonType::kUint) out.push_back("17");
  if (type != JsonType::kBool) out.push_back("true");
  if (type != JsonType::kObject) out.push_back("{}");
  if (type != JsonType::kArray) out.push_back("[]");
  if (type != JsonType::kString) out.push_back("\"geheim5\"");
  return out;
}

// `j` with `member` set to the raw JSON text `value`.
std::string WithRaw(json j, const std::string& member, const std::string& value) {
  const std::string marker = "geheim-marker-0xq";
  j[member] = marker;
  std::string text = j.dump();
  const std::string quoted = "\"" + marker + "\"";
  text.replace(text.find(quoted), quoted.size(), value);
  return text;
}

}  // namespace

std::vector<HostileBody> HostileVariants(std::string_view what_view, std::string_view valid_view,
                                         const std::vector<JsonMember>& members) {
  const std::string what(what_view);
  const std::string valid(valid_view);
  const std::string invalid = what + ": not valid JSON";
  const std::string not_object = what + ": not a JSON object";
  std::vector<HostileBody> out;
  auto add = [&](std::string label, std::string text, std::string message,
                 ErrorCode code = ErrorCode::kInvalidArgument) {
    out.push_back({std::move(label), std::move(text), code, std::move(message)});
  };

  add("empty", "", what + ": empty body");
  for (size_t n = 1; n < valid.size(); ++n) {
    add("cut at " + std::to_string(n), valid.substr(0, n), invalid);
  }
  const std::string nul(1, '\0');
  for (const std::string& garbage :
       {std::string("x"), std::string("}"), std::string("{}"), std::string("[]"), std::string(","),
        std::string("0"), nul, std::string("\xff"), nul + "{\"geheim\":1}"}) {
    add("followed by garbage", valid + garbage, invalid);
  }
  add("a NUL inside", std::string(valid).insert(1, nul), invalid);
  add("a lone UTF-8 lead byte", std::string(valid).insert(1, "\"\xc3\":1,"), invalid);
  for (const std::string& text : {std::string("null"), std::string("[]"), std::string("\"text\""),
                                  std::string("17"), std::string("true"), "[" + valid + "]"}) {
    add("as " + text.substr(0, 10), text, not_object);
  }
  add("over 1 MiB",
      std::string(valid).insert(1, "\"geheim\":\"" + std::string(1 << 20, 'a') + "\","),
      what + ": too large", ErrorCode::kResourceExhausted);

  const json parsed = json::parse(valid);
  std::string allowed;
  for (const JsonMember& m : members) allowed += (allowed.empty() ? "" : ", ") + m.name;
  json extra = parsed;
  extra["geheim_lid"] = "geheim";
  add("an unknown member", extra.dump(), what + ": holds a member other than " + allowed);
  for (const JsonMember& m : members) {
    const std::string at = what + ": member \"" + m.name + "\": ";
    json dropped = parsed;
    dropped.erase(m.name);
    add("without " + m.name, dropped.dump(), at + "missing");
    add(m.name + " twice",
        std::string(valid).insert(1, "\"" + m.name + "\":" + parsed.at(m.name).dump() + ","),
        what + ": a member appears twice");
    for (const std::string& value : WrongValues(m.type)) {
      add(m.name + " = " + value, WithRaw(parsed, m.name, value), at + TypeProblem(m.type));
    }
  }
  return out;
}

void ExpectAllRefused(const Decoder& decode, std::string_view what, std::string_view valid,
                      const std::vector<JsonMember>& members) {
  const Status ok = decode(valid);
  ASSERT_TRUE(ok) << what << ": the valid body is refused: " << ok.error().message;
  for (const HostileBody& b : HostileVariants(what, valid, members)) {
    const Status s = decode(b.text);
    ASSERT_FALSE(s) << what << " " << b.label << ": accepted";
    EXPECT_EQ(s.error().code, b.code) << what << " " << b.label << ": " << s.error().message;
    EXPECT_EQ(s.error().message, b.message) << what << " " << b.label;
    EXPECT_THAT(s.error().message, ::testing::Not(::testing::HasSubstr("geheim")))
        << what << " " << b.label;
  }
}

}  // namespace inbeeld::testing
