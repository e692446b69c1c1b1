// The strict JSON reader (schema/json_reader.h) against hostile input: every
// refusal of the parser and of each typed reader, with its exact code and
// message, and never a byte of the payload in a message.
#include "schema/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/hostile_json.h"

namespace inbeeld::schema {
namespace {

using ::inbeeld::testing::ExpectError;
using ::inbeeld::testing::ExpectInvalid;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kWhat = "test message";

// A body the test means to be valid; one that is not fails the test (GoogleTest
// reports the exception) instead of reading an empty Result.
JsonDocument Parsed(std::string_view text) {
  auto doc = JsonDocument::Parse(text, kWhat);
  if (!doc) throw std::runtime_error("a valid body was refused: " + doc.error().message);
  return std::move(*doc);
}

TEST(JsonReader, ReadsEveryTypeOfAValidBody) {
  JsonDocument doc = Parsed(R"({"s":"tekst","h":"0a1b","n":18446744073709551615,"b":false,)"
                            R"("ss":["a","b"],"ns":[0,7],"o":{"x":3}})");
  const JsonObject& root = doc.Root();
  EXPECT_TRUE(root.OnlyMembers({"s", "h", "n", "b", "ss", "ns", "o"}));
  EXPECT_EQ(*root.String("s", JsonString::Text(5)), "tekst");
  EXPECT_EQ(*root.String("h", JsonString::LowerHex(4)), "0a1b");
  EXPECT_EQ(*root.Uint("n"), UINT64_MAX);
  EXPECT_EQ(*root.Bool("b"), false);
  EXPECT_EQ(*root.StringArray("ss", 2, JsonString::Text(1)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*root.UintArray("ns", 2, 0, 7), (std::vector<uint64_t>{0, 7}));
  auto o = root.Object("o");
  ASSERT_TRUE(o);
  EXPECT_EQ(*o->Uint("x", 3, 3), 3u);
  EXPECT_EQ(*root.OptionalString("absent", JsonString::Text(1)), std::nullopt);
  EXPECT_EQ(*root.OptionalUint("absent"), std::nullopt);
  EXPECT_EQ(*root.OptionalBool("absent"), std::nullopt);
  EXPECT_EQ(*root.OptionalUint("n"), UINT64_MAX);
  EXPECT_TRUE(root.Has("o"));
  EXPECT_FALSE(root.Has("absent"));
  // White space around and inside, members in any order.
  JsonDocument spaced = Parsed(" {\n \"b\" : true , \"a\":\"\" }\t\r\n");
  EXPECT_EQ(*spaced.Root().Bool("b"), true);
  EXPECT_EQ(*spaced.Root().String("a", JsonString::MaybeEmpty(0)), "");
  EXPECT_TRUE(Parsed("{}").Root().OnlyMembers({}));
}

TEST(JsonReader, RefusesWhatIsNotOneJsonObject) {
  ExpectInvalid(JsonDocument::Parse("", kWhat), "test message: empty body");
  ExpectInvalid(JsonDocument::Parse(" \n\t", kWhat), "test message: empty body");
  for (std::string_view text : {"null", "[]", "\"text\"", "17", "true", "[{}]"}) {
    ExpectInvalid(JsonDocument::Parse(text, kWhat), "test message: not a JSON object");
  }
  const std::vector<std::string> invalid = {
      "{",
      "{\"a\":}",
      "{\"a\" 1}",
      "{'a':1}",
      "{\"a\":1,}",
      "{}x",
      "{}{}",
      "{} []",
      "{}\xff",
      std::string("{}\0", 3),
      std::string("{\"a\":\"\0\"}", 9),
      "{/* c */}",
      "{\"a\":\"\xc3\"}",          // a lone UTF-8 lead byte
      "{\"a\":\"\xed\xa0\x80\"}",  // an encoded surrogate
      "{\"a\":\"\xc0\xaf\"}",      // an overlong encoding
      "{\"a\":\"\\ud800\"}",       // a lone surrogate escape
      "{\"a\":\"line\nbreak\"}",   // a raw control character
      "{\"a\":0x5}",
      "{\"a\":05}",
      "{\"a\":NaN}",
      "\xef\xbb\xbf{}",  // a byte order mark
  };
  for (size_t i = 0; i < invalid.size(); ++i) {
    SCOPED_TRACE("invalid body " + std::to_string(i));
    const std::string& text = invalid[i];
    ExpectInvalid(JsonDocument::Parse(text, kWhat), "test message: not valid JSON");
  }
}

// A file whose top value is an array of objects (an export's proofs.json).
TEST(JsonReader, ReadsATopLevelArrayOfObjects) {
  auto doc = JsonDocument::ParseObjectArray(R"([{"from":1,"to":2},{"from":2,"to":"x"}])", kWhat, 2);
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->Entries().size(), 2u);
  EXPECT_EQ(*doc->Entries()[0].Uint("to"), 2u);
  ExpectInvalid(doc->Entries()[1].Uint("to"),
                "test message: member \"[1].to\": not an unsigned integer");
  auto empty = JsonDocument::ParseObjectArray(" [ ] ", kWhat, 0);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->Entries().empty());

  for (std::string_view text : {"{}", "null", "\"[]\"", "3"}) {
    ExpectInvalid(JsonDocument::ParseObjectArray(text, kWhat, 9), "test message: not a JSON array");
  }
  ExpectInvalid(JsonDocument::ParseObjectArray("[{},[]]", kWhat, 9),
                "test message: entry 1: not an object");
  ExpectInvalid(JsonDocument::ParseObjectArray("[{},{},{}]", kWhat, 2),
                "test message: more than 2 entries");
  ExpectInvalid(JsonDocument::ParseObjectArray(R"([{"a":1,"a":1}])", kWhat, 9),
                "test message: a member appears twice");
  ExpectInvalid(JsonDocument::ParseObjectArray("[{}] []", kWhat, 9),
                "test message: not valid JSON");
  JsonLimits shallow;
  shallow.max_depth = 2;
  ExpectInvalid(JsonDocument::ParseObjectArray(R"([{"p":[]}])", kWhat, 9, shallow),
                "test message: nested deeper than 2 levels");
  // An object document is not an array document, nor the other way round.
  ExpectInvalid(JsonDocument::Parse("[{}]", kWhat), "test message: not a JSON object");
}

TEST(JsonReader, ReadsAnArrayOfObjectsMember) {
  JsonDocument doc = Parsed(R"({"w":[{"peer":"a"},{"peer":7}],"s":[1],"o":[{},{},{}]})");
  auto entries = doc.Root().ObjectArray("w", 4);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(*(*entries)[0].String("peer", JsonString::Text(4)), "a");
  ExpectInvalid((*entries)[1].String("peer", JsonString::Text(4)),
                "test message: member \"w[1].peer\": not a string");
  ExpectInvalid(doc.Root().ObjectArray("s", 4), "test message: member \"s\"[0]: not an object");
  ExpectInvalid(doc.Root().ObjectArray("o", 2), "test message: member \"o\": more than 2 entries");
  ExpectInvalid(doc.Root().ObjectArray("x", 2), "test message: member \"x\": missing");
  JsonDocument not_array = Parsed(R"({"w":{}})");
  ExpectInvalid(not_array.Root().ObjectArray("w", 2), "test message: member \"w\": not an array");
}

TEST(JsonReader, RefusesATooLargeBodyAsResourceExhausted) {
  const std::string body = "{\"a\":\"" + std::string(100, 'x') + "\"}";
  JsonLimits limits;
  limits.max_bytes = body.size();
  EXPECT_TRUE(JsonDocument::Parse(body, kWhat, limits));
  limits.max_bytes = body.size() - 1;
  ExpectError(JsonDocument::Parse(body, kWhat, limits), ErrorCode::kResourceExhausted,
              "test message: too large");
  // The default is 1 MiB.
  const std::string big = "{\"a\":\"" + std::string(1 << 20, 'x') + "\"}";
  ExpectError(JsonDocument::Parse(big, kWhat), ErrorCode::kResourceExhausted,
              "test message: too large");
}

TEST(JsonReader, RefusesNestingBeyondTheDepthLimit) {
  JsonLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(JsonDocument::Parse(R"({"a":{"b":[1]}})", kWhat, limits));
  ExpectInvalid(JsonDocument::Parse(R"({"a":{"b":[[1]]}})", kWhat, limits),
                "test message: nested deeper than 3 levels");
  ExpectInvalid(JsonDocument::Parse(R"({"a":[{"b":{}}]})", kWhat, limits),
                "test message: nested deeper than 3 levels");
  // Half a million brackets: refused before a tree is built (nlohmann-json
  // would otherwise build and destroy it recursively).
  const std::string deep = "{\"a\":" + std::string(500'000, '[') + std::string(500'000, ']') + "}";
  ExpectInvalid(JsonDocument::Parse(deep, kWhat), "test message: nested deeper than 8 levels");
}

TEST(JsonReader, RefusesAMemberThatAppearsTwiceAtAnyDepth) {
  for (std::string_view text : {R"({"a":1,"a":1})", R"({"a":1,"b":2,"a":"x"})",
                                R"({"o":{"x":1,"x":2}})", R"({"l":[{"x":1,"x":1}]})"}) {
    ExpectInvalid(JsonDocument::Parse(text, kWhat), "test message: a member appears twice");
  }
  // The same name in different objects is no repetition.
  EXPECT_TRUE(JsonDocument::Parse(R"({"x":{"x":1},"l":[{"x":1},{"x":2}]})", kWhat));
}

TEST(JsonReader, UnknownMembersAreRefusedWithoutTheirName) {
  JsonDocument doc = Parsed(R"({"a":1,"geheim_lid":2,"o":{"x":1,"geheim":2}})");
  auto s = doc.Root().OnlyMembers({"a", "o"});
  ExpectInvalid(s, "test message: holds a member other than a, o");
  auto o = doc.Root().Object("o");
  ASSERT_TRUE(o);
  ExpectInvalid(o->OnlyMembers({"x"}), "test message: member \"o\": holds a member other than x");
  ExpectInvalid(o->OnlyMembers({}), "test message: member \"o\": is not an empty object");
  ExpectInvalid(doc.Root().OnlyMembers({}), "test message: is not an empty object");
}

TEST(JsonReader, MissingMembersAreNamed) {
  JsonDocument doc = Parsed(R"({"o":{}})");
  const JsonObject& r = doc.Root();
  ExpectInvalid(r.String("s", JsonString::Text(1)), "test message: member \"s\": missing");
  ExpectInvalid(r.Uint("n"), "test message: member \"n\": missing");
  ExpectInvalid(r.Bool("b"), "test message: member \"b\": missing");
  ExpectInvalid(r.StringArray("l", 1, JsonString::Text(1)), "test message: member \"l\": missing");
  ExpectInvalid(r.UintArray("l", 1), "test message: member \"l\": missing");
  ExpectInvalid(r.Object("p"), "test message: member \"p\": missing");
  auto o = r.Object("o");
  ASSERT_TRUE(o);
  ExpectInvalid(o->Uint("n"), "test message: member \"o.n\": missing");
}

TEST(JsonReader, WrongTypesAreRefusedEvenForOptionalMembers) {
  JsonDocument doc =
      Parsed(R"({"null":null,"neg":-1,"negzero":-0,"frac":1.5,"whole_float":5.0,"exp":1e3,)"
             R"("huge":18446744073709551616,"t":true,"str":"5","arr":[],"obj":{}})");
  const JsonObject& r = doc.Root();
  for (std::string_view m :
       {"null", "neg", "negzero", "frac", "whole_float", "exp", "huge", "t", "str", "arr", "obj"}) {
    const std::string at = "test message: member \"" + std::string(m) + "\": ";
    ExpectInvalid(r.Uint(m), at + "not an unsigned integer");
    ExpectInvalid(r.OptionalUint(m), at + "not an unsigned integer");
    if (m != "str") {
      ExpectInvalid(r.String(m, JsonString::Text(9)), at + "not a string");
      ExpectInvalid(r.OptionalString(m, JsonString::Text(9)), at + "not a string");
    }
    if (m != "t") {
      ExpectInvalid(r.Bool(m), at + "not a boolean");
      ExpectInvalid(r.OptionalBool(m), at + "not a boolean");
    }
    if (m != "arr") {
      ExpectInvalid(r.StringArray(m, 9, JsonString::Text(9)), at + "not an array");
      ExpectInvalid(r.UintArray(m, 9), at + "not an array");
    }
    if (m != "obj") ExpectInvalid(r.Object(m), at + "not an object");
  }
}

TEST(JsonReader, NumbersOutsideTheirRangeAreRefused) {
  JsonDocument doc = Parsed(R"({"n":5,"l":[1,2,9]})");
  const JsonObject& r = doc.Root();
  EXPECT_EQ(*r.Uint("n", 5, 5), 5u);
  ExpectInvalid(r.Uint("n", 6, 10), "test message: member \"n\": not in 6..10");
  ExpectInvalid(r.Uint("n", 0, 4), "test message: member \"n\": not in 0..4");
  ExpectInvalid(r.OptionalUint("n", 0, 4), "test message: member \"n\": not in 0..4");
  ExpectInvalid(r.UintArray("l", 3, 1, 8), "test message: member \"l\"[2]: not in 1..8");
  ExpectInvalid(r.UintArray("l", 2), "test message: member \"l\": more than 2 entries");
}

TEST(JsonReader, StringsAreCheckedForLengthAndCharset) {
  const std::string hex64(64, 'a');
  JsonDocument doc = Parsed(R"({"empty":"","s":"abcd","hex":")" + hex64 +
                            R"(","upper":"ABCD","g":"abcg","l":["ab","","abc"],"u":"\u00e9"})");
  const JsonObject& r = doc.Root();
  ExpectInvalid(r.String("empty", JsonString::Text(4)), "test message: member \"empty\": empty");
  EXPECT_EQ(*r.String("empty", JsonString::MaybeEmpty(4)), "");
  EXPECT_EQ(*r.String("s", JsonString::Text(4)), "abcd");
  ExpectInvalid(r.String("s", JsonString::Text(3)),
                "test message: member \"s\": longer than 3 bytes");
  ExpectInvalid(r.OptionalString("s", JsonString::Text(3)),
                "test message: member \"s\": longer than 3 bytes");
  // Lengths count bytes: é is two.
  EXPECT_TRUE(r.String("u", JsonString::Text(2)));
  ExpectInvalid(r.String("u", JsonString::Text(1)),
                "test message: member \"u\": longer than 1 bytes");
  EXPECT_EQ(*r.String("hex", JsonString::LowerHex(64)), hex64);
  EXPECT_TRUE(r.String("s", JsonString::LowerHex(4)));
  for (std::string_view m : {"hex", "upper", "g", "empty"}) {
    ExpectInvalid(
        r.String(m, JsonString::LowerHex(4)),
        "test message: member \"" + std::string(m) + "\": not lowercase hex of 4 characters");
  }
  ExpectInvalid(r.StringArray("l", 3, JsonString::Text(3)), "test message: member \"l\"[1]: empty");
  ExpectInvalid(r.StringArray("l", 3, JsonString::MaybeEmpty(2)),
                "test message: member \"l\"[2]: longer than 2 bytes");
  ExpectInvalid(r.StringArray("l", 2, JsonString::MaybeEmpty(3)),
                "test message: member \"l\": more than 2 entries");
}

TEST(JsonReader, CallerChecksUseTheSameMessageShape) {
  JsonDocument doc = Parsed(R"({"o":{"x":1}})");
  auto o = doc.Root().Object("o");
  ASSERT_TRUE(o);
  EXPECT_EQ(doc.Root().ErrorAt("kind", "unknown value").message,
            "test message: member \"kind\": unknown value");
  EXPECT_EQ(o->ErrorAt("x", "too small").message, "test message: member \"o.x\": too small");
  EXPECT_EQ(o->ErrorAtEntry("l", 4, "bad").message, "test message: member \"o.l\"[4]: bad");
  EXPECT_EQ(o->ErrorAt("x", "").code, ErrorCode::kInvalidArgument);
}

TEST(JsonReader, ErrorsNeverEchoThePayload) {
  const std::string secret = "geheim123456782";
  const std::vector<std::string> bodies = {
      secret,
      "{\"" + secret + "\":1}",
      "{\"a\":\"" + secret + "\"}",
      "{\"a\":[\"" + secret + "\"]}",
      "{\"a\":\"" + secret + "\",\"a\":1}",
      "{\"a\":1}" + secret,
      "[\"" + secret + "\"]",
  };
  for (const std::string& body : bodies) {
    auto doc = JsonDocument::Parse(body, kWhat);
    std::vector<std::string> messages;
    if (!doc) {
      messages.push_back(doc.error().message);
    } else {
      const JsonObject& r = doc->Root();
      const std::vector<Status> checks = {
          r.OnlyMembers({"b"}),
          testing::DropValue(r.String("a", JsonString::Text(4))),
          testing::DropValue(r.String("a", JsonString::LowerHex(15))),
          testing::DropValue(r.Uint("a")),
          testing::DropValue(r.StringArray("a", 0, JsonString::Text(100))),
          testing::DropValue(r.StringArray("a", 1, JsonString::LowerHex(4))),
      };
      for (const Status& s : checks) {
        if (!s) messages.push_back(s.error().message);
      }
    }
    ASSERT_FALSE(messages.empty()) << body;
    for (const std::string& m : messages) EXPECT_THAT(m, Not(HasSubstr(secret))) << body;
  }
}

}  // namespace
}  // namespace inbeeld::schema
