// Tests for schema/wire.cc: round trips, and the malformed, the truncated,
// the oversized and the hostile for every message.
#include "schema/wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace inbeeld::schema::wire {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

SessionId Id(uint8_t seed) {
  SessionId id;
  for (size_t k = 0; k < id.size(); ++k) id[k] = static_cast<uint8_t>(seed + k);
  return id;
}

std::vector<PointBytes> Points(size_t n, uint8_t seed) {
  std::vector<PointBytes> out(n);
  for (size_t k = 0; k < n; ++k) out[k].fill(static_cast<uint8_t>(seed + k));
  return out;
}

Labels FullLabels(int v) {
  Labels l;
  l.category = static_cast<Category>(v % 4);
  l.since = Date{2025, 1 + v % 12, 1 + v % 28};
  l.school = v % 2 ? "12AB" : "99ZZ01";
  l.plan = v % 3 == 0;
  return l;
}

StartHeader Header(uint32_t list_size) {
  return StartHeader{.session_id = Id(1),
                     .mode = Mode::kMatch,
                     .purpose = "leerplicht.thuiszitters",
                     .label_mask = kAllLabels,
                     .list_date = Date{2026, 1, 15},
                     .list_size = list_size};
}

std::string Message1() { return EncodeStartRequest(Header(3), Points(3, 10)); }
std::string Message2() {
  return EncodeStartResponse(Id(1), 7, Date{2026, 1, 12}, Points(2, 20), Points(3, 30));
}
std::vector<LabelEntry> Entries(uint8_t mask) {
  return {{0, RestrictLabels(FullLabels(1), mask)}, {4, RestrictLabels(FullLabels(2), mask)}};
}
std::string Message3() {
  return EncodeFinishRequest(Id(1), kAllLabels, Points(2, 40), Entries(kAllLabels));
}
std::string Message4() { return EncodeFinishResponse(Id(1), 2, 7, Entries(7)); }

template <typename T>
void ExpectInvalid(const std::expected<T, Error>& r, std::string_view text) {
  ASSERT_FALSE(r) << text;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
  EXPECT_THAT(r.error().message, HasSubstr(std::string(text)));
}

// Each decoder under the name of its message, for the loop-over-all tests.
struct AnyDecoder {
  std::string name;
  std::string message;
  std::function<Status(std::string_view)> decode;
};
std::vector<AnyDecoder> AllDecoders() {
  auto wrap = [](auto fn) {
    return [fn](std::string_view m) -> Status {
      auto r = fn(m);
      if (!r) return std::unexpected(r.error());
      return {};
    };
  };
  return {
      {"StartRequest", Message1(),
       wrap([](std::string_view m) { return DecodeStartRequest(m, 100); })},
      {"StartHeader", Message1(), wrap([](std::string_view m) { return DecodeStartHeader(m); })},
      {"StartResponse", Message2(),
       wrap([](std::string_view m) { return DecodeStartResponse(m, 100); })},
      {"FinishRequest", Message3(),
       wrap([](std::string_view m) { return DecodeFinishRequest(m, 100); })},
      {"FinishResponse", Message4(),
       wrap([](std::string_view m) { return DecodeFinishResponse(m, 100); })},
  };
}

// ------------------------------------------------------------ round trips

TEST(Wire, StartRequestRoundTripIsZeroCopy) {
  const std::string m = Message1();
  auto d = DecodeStartRequest(m, 100);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->header, Header(3));
  ASSERT_EQ(d->a.size(), 3u);
  // The view points into the caller's buffer: the last 96 bytes.
  EXPECT_EQ(d->a.data(), reinterpret_cast<const uint8_t*>(m.data()) + m.size() - 96);
  EXPECT_EQ(d->a[2][0], 12);
  auto h = DecodeStartHeader(m);
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, Header(3));
  EXPECT_EQ(*PeekMessageType(m), MessageType::kStartRequest);
  EXPECT_EQ(*PeekSessionId(m), Id(1));
}

TEST(Wire, StartRequestLayoutIsAsDocumented) {
  const std::string m = EncodeStartRequest(Header(1), Points(1, 0xab));
  const std::string fixed = std::string("INBL\x01\x01", 6) + std::string(16, '\0');
  ASSERT_EQ(m.size(), 6 + 16 + 1 + 1 + 4 + 1 + 23 + 4 + 32u);
  EXPECT_EQ(m.substr(0, 6), "INBL\x01\x01");
  EXPECT_EQ(static_cast<uint8_t>(m[22]), 1);   // mode
  EXPECT_EQ(static_cast<uint8_t>(m[23]), 15);  // label mask
  // 20260115 = 0x01352513, big-endian.
  EXPECT_EQ(m.substr(24, 4), std::string("\x01\x35\x25\x13", 4));
  EXPECT_EQ(static_cast<uint8_t>(m[28]), 23);  // purpose length
  EXPECT_EQ(m.substr(29, 23), "leerplicht.thuiszitters");
  EXPECT_EQ(m.substr(52, 4), std::string("\0\0\0\x01", 4));
  EXPECT_EQ(DateCode(Date{2026, 1, 15}), 20260115u);
}

TEST(Wire, StartResponseRoundTrip) {
  const std::string m = Message2();
  auto d = DecodeStartResponse(m, 100);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->session_id, Id(1));
  EXPECT_EQ(d->label_mask, 7);
  EXPECT_EQ(d->list_date, (Date{2026, 1, 12}));
  ASSERT_EQ(d->b.size(), 2u);
  ASSERT_EQ(d->c.size(), 3u);
  EXPECT_EQ(d->b[1][31], 21);
  EXPECT_EQ(d->c[2][0], 32);
}

TEST(Wire, FinishRequestRoundTrip) {
  const std::string m = Message3();
  auto d = DecodeFinishRequest(m, 100);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->label_mask, kAllLabels);
  EXPECT_EQ(d->d.size(), 2u);
  EXPECT_EQ(d->labels, Entries(kAllLabels));
}

TEST(Wire, FinishResponseRoundTripWithPartialMask) {
  const std::string m = Message4();
  auto d = DecodeFinishResponse(m, 100);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->overlap, 2u);
  EXPECT_EQ(d->label_mask, 7);
  EXPECT_EQ(d->labels, Entries(7));
  EXPECT_FALSE(d->labels[0].labels.plan);
}

TEST(Wire, EveryMaskRoundTrips) {
  for (uint8_t mask = 0; mask <= kAllLabels; ++mask) {
    const std::string m = EncodeFinishResponse(Id(2), 2, mask, Entries(mask));
    auto d = DecodeFinishResponse(m, 100);
    ASSERT_TRUE(d) << int{mask} << ": " << d.error().message;
    EXPECT_EQ(d->labels, Entries(mask));
  }
}

TEST(Wire, BeginFinishRequestReservesForTheLabels) {
  std::string out;
  MutablePointView d = BeginFinishRequest(Id(3), kAllLabels, 4, 4, out);
  const char* before = out.data();
  for (size_t k = 0; k < d.size(); ++k) d[k][0] = static_cast<uint8_t>(k + 1);
  std::vector<LabelEntry> entries;
  for (uint32_t k = 0; k < 4; ++k) entries.push_back({k, FullLabels(2 * static_cast<int>(k))});
  AppendLabelSection(kAllLabels, entries, out);
  EXPECT_EQ(out.data(), before);  // no reallocation
  auto decoded = DecodeFinishRequest(out, 100);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->d[3][0], 4);
  EXPECT_EQ(decoded->labels, entries);
}

// ------------------------------------------------- header, type, version

TEST(Wire, BadMagicVersionAndType) {
  for (const AnyDecoder& dec : AllDecoders()) {
    SCOPED_TRACE(dec.name);
    std::string m = dec.message;
    m[0] = 'X';
    ExpectInvalid(dec.decode(m), "bad magic at byte 0");
    m = dec.message;
    m[4] = 2;
    ExpectInvalid(dec.decode(m),
                  "unsupported protocol version 2 at byte 4 (this node speaks version 1)");
    m = dec.message;
    m[5] = 9;
    ExpectInvalid(dec.decode(m), "message type 9 at byte 5");
  }
  ExpectInvalid(PeekMessageType("INBL\x01\x09"), "unknown message type 9");
  ExpectInvalid(PeekMessageType("INBL\x02\x01"), "unsupported protocol version 2");
  ExpectInvalid(PeekMessageType("INB"), "shorter than the 6-byte header");
  ExpectInvalid(DecodeStartResponse(Message1(), 100),
                "StartResponse: message type 1 at byte 5, expected 2");
  ExpectInvalid(PeekSessionId(std::string("INBL\x01\x03", 6) + "short"), "truncated");
}

TEST(Wire, TruncationAtEveryOffsetIsAnError) {
  for (const AnyDecoder& dec : AllDecoders()) {
    SCOPED_TRACE(dec.name);
    ASSERT_TRUE(dec.decode(dec.message)) << dec.decode(dec.message).error().message;
    for (size_t n = 0; n < dec.message.size(); ++n) {
      Status s = dec.decode(std::string_view(dec.message).substr(0, n));
      ASSERT_FALSE(s) << "prefix of " << n << " bytes decoded";
      EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << n;
    }
  }
}

TEST(Wire, TruncationNamesTheLabelEntry) {
  const std::string m = Message3();
  // Entry 1 has a 6-character school, so one byte short still passes the
  // count check (which assumes 4) and fails inside the entry.
  ExpectInvalid(
      DecodeFinishRequest(std::string_view(m).substr(0, m.size() - 1), 100),
      "FinishRequest: truncated at byte " + std::to_string(m.size() - 1) + " in label entry 1");
  ExpectInvalid(
      DecodeFinishRequest(std::string_view(m).substr(0, m.size() - 3), 100),
      "FinishRequest: label section claims 2 entries at byte 91, but only 29 bytes follow");
}

TEST(Wire, TrailingBytesAreAnError) {
  for (const AnyDecoder& dec : AllDecoders()) {
    SCOPED_TRACE(dec.name);
    ExpectInvalid(dec.decode(dec.message + std::string(1, '\0')), "1 trailing bytes");
    ExpectInvalid(dec.decode(dec.message + std::string(32, 'x')), "trailing byte");
  }
}

// ------------------------------------------------------ counts and limits

std::string BigEndian(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

TEST(Wire, HostileCountsDoNotAllocate) {
  // 40 bytes claiming 2^32 - 1 points in B.
  std::string m = std::string("INBL\x01\x02", 6) + std::string(16, '\x01') + "\x07" +
                  BigEndian(20260112) + BigEndian(0xffffffff);
  m.append(40 - m.size(), '\0');
  ASSERT_EQ(m.size(), 40u);
  ExpectInvalid(
      DecodeStartResponse(m, 0xffffffff),
      "StartResponse: point list B claims 4294967295 entries at byte 27, but only 9 bytes follow");
  // And 2^32 - 1 label entries in message 4.
  std::string m4 = std::string("INBL\x01\x04", 6) + std::string(16, '\x01') + BigEndian(1) +
                   "\x0f" + BigEndian(0xffffffff) + std::string(7, 'A');
  ExpectInvalid(DecodeFinishResponse(m4, 0xffffffff), "label section claims 4294967295 entries");
  // And in message 1, through the list size.
  std::string m1;
  BeginStartRequest(Header(0), m1);
  m1.replace(m1.size() - 4, 4, BigEndian(0xffffffff));
  ExpectInvalid(DecodeStartRequest(m1, 0xffffffff), "list A claims 4294967295 entries");
  ExpectInvalid(DecodeStartHeader(m1), "list A claims 4294967295 entries");
}

TEST(Wire, CountsAboveTheCallersLimit) {
  auto r = DecodeStartRequest(Message1(), 2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  EXPECT_THAT(r.error().message,
              HasSubstr("StartRequest: list A has 3 entries, more than the limit of 2"));
  auto r2 = DecodeStartResponse(Message2(), 2);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, ErrorCode::kResourceExhausted);
  EXPECT_THAT(r2.error().message, HasSubstr("point list C has 3 entries"));
  auto r4 = DecodeFinishResponse(Message4(), 1);
  ASSERT_FALSE(r4);
  EXPECT_EQ(r4.error().code, ErrorCode::kResourceExhausted);
}

// ------------------------------------------------------------ field checks

TEST(Wire, StartHeaderFieldChecks) {
  const std::string good = Message1();
  auto with = [&](size_t at, std::string bytes) {
    std::string m = good;
    m.replace(at, bytes.size(), bytes);
    return m;
  };
  ExpectInvalid(DecodeStartRequest(with(22, "\x03"), 100), "unknown mode 3 at byte 22");
  ExpectInvalid(DecodeStartRequest(with(23, "\x10"), 100),
                "label mask has unknown bits 16 at byte 23");
  ExpectInvalid(DecodeStartRequest(with(22, "\x02"), 100),
                "count mode carries no labels, but label mask is 15");
  ExpectInvalid(DecodeStartRequest(with(24, BigEndian(20260230)), 100),
                "list date is not a valid date");
  ExpectInvalid(DecodeStartRequest(with(24, BigEndian(18991231)), 100),
                "list date is not a valid date");
  ExpectInvalid(DecodeStartRequest(with(28, std::string(1, '\0')), 100), "purpose length 0");
  ExpectInvalid(DecodeStartRequest(with(29, "L"), 100),
                "purpose has characters outside [a-z0-9._-]");

  StartHeader h = Header(0);
  h.purpose = std::string(64, 'a');
  std::string m;
  BeginStartRequest(h, m);
  EXPECT_TRUE(DecodeStartRequest(m, 100));
  m[28] = 65;
  ExpectInvalid(DecodeStartRequest(m, 100), "purpose length 65 (must be 1..64)");

  EXPECT_TRUE(IsValidPurpose("a.b_c-9"));
  EXPECT_FALSE(IsValidPurpose(""));
  EXPECT_FALSE(IsValidPurpose("Caps"));
  EXPECT_FALSE(IsValidPurpose("with space"));
  EXPECT_FALSE(IsValidPurpose(std::string(65, 'a')));
}

TEST(Wire, LabelFieldChecks) {
  const std::string good = EncodeFinishResponse(Id(1), 1, kAllLabels, {{{0, FullLabels(1)}}});
  // Layout: header 6, id 16, overlap 4, mask 1, count 4 → entry at 31:
  // index 4, category 1 (35), since 4 (36), school length 1 (40) + 4, plan 1 (45).
  ASSERT_EQ(good.size(), 46u);
  auto with = [&](size_t at, std::string bytes) {
    std::string m = good;
    m.replace(at, bytes.size(), bytes);
    return m;
  };
  ExpectInvalid(DecodeFinishResponse(with(35, std::string(1, '\0')), 10),
                "label entry 0: unknown category 0 at byte 35");
  ExpectInvalid(DecodeFinishResponse(with(35, "\x05"), 10), "unknown category 5");
  ExpectInvalid(DecodeFinishResponse(with(36, BigEndian(20250229)), 10),
                "label entry 0 since date is not a valid date");
  ExpectInvalid(DecodeFinishResponse(with(40, "\x05"), 10), "school code of 5 characters");
  ExpectInvalid(DecodeFinishResponse(with(41, "1a"), 10), "school code is not [0-9A-Z]");
  ExpectInvalid(DecodeFinishResponse(with(45, "\x02"), 10), "plan flag 2 (must be 0 or 1)");
  ExpectInvalid(DecodeFinishResponse(with(26, "\x20"), 10), "label mask has unknown bits 32");
}

TEST(Wire, LabelEntriesMustBeStrictlyIncreasing) {
  std::vector<LabelEntry> dup = {{3, FullLabels(1)}, {3, FullLabels(2)}};
  ExpectInvalid(DecodeFinishRequest(EncodeFinishRequest(Id(1), kAllLabels, Points(1, 1), dup), 10),
                "label entry 1: duplicate label index 3");
  std::vector<LabelEntry> down = {{3, FullLabels(1)}, {2, FullLabels(2)}};
  ExpectInvalid(DecodeFinishRequest(EncodeFinishRequest(Id(1), kAllLabels, Points(1, 1), down), 10),
                "index 2 after 3");
}

TEST(Wire, ErrorsNeverEchoPayloadBytes) {
  std::string m = Message1();
  m.replace(29, 6, "SECRET");
  auto r = DecodeStartRequest(m, 100);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, Not(HasSubstr("SECRET")));
  std::string school = EncodeFinishResponse(Id(1), 1, kLabelSchool,
                                            {{{0, RestrictLabels(FullLabels(1), kLabelSchool)}}});
  school.replace(school.size() - 4, 4, "ab#x");
  auto r2 = DecodeFinishResponse(school, 10);
  ASSERT_FALSE(r2);
  EXPECT_THAT(r2.error().message, Not(HasSubstr("ab#x")));
}

TEST(Wire, LabelHelpers) {
  EXPECT_EQ(PresentLabels(FullLabels(1)), kAllLabels);
  EXPECT_EQ(PresentLabels(RestrictLabels(FullLabels(1), 5)), 5);
  EXPECT_TRUE(CheckLabels(Labels{}, 0));
  EXPECT_FALSE(CheckLabels(Labels{}, kLabelPlan));
  Labels bad = FullLabels(1);
  bad.school = "12A";
  EXPECT_FALSE(CheckLabels(bad, kLabelSchool));
  EXPECT_TRUE(CheckLabels(bad, kLabelCategory));
  for (uint8_t code = 1; code <= 4; ++code) EXPECT_EQ(CategoryCode(*CategoryFromCode(code)), code);
  EXPECT_FALSE(CategoryFromCode(0));
  EXPECT_FALSE(DateFromCode(20260132));
  EXPECT_EQ(DateFromCode(21001231), (Date{2100, 12, 31}));
}

}  // namespace
}  // namespace inbeeld::schema::wire
