// Tests for schema/wire.cc (protocol v2): round trips for every key mask,
// the byte layout, and the malformed, the truncated, the oversized and the
// hostile for every message.
#include "schema/wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "schema/match_keys.h"

// ------------------------------------------------- allocation high-water
//
// The decoders must check counts against the bytes that follow before they
// allocate anything: this binary records the largest single allocation so
// the hostile-count tests can see that a claimed 2^32 records never reached
// operator new.
namespace {
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

// GCC 12 cannot tell that these replace the global pair and warns that
// free() meets memory from operator new.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
  while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace inbeeld::schema::wire {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint8_t kKeyMasks[] = {1, 2, 3, 4, 5, 6, 7};

SessionId Id(uint8_t seed) {
  SessionId id;
  for (size_t k = 0; k < id.size(); ++k) id[k] = static_cast<uint8_t>(seed + k);
  return id;
}

template <size_t N>
std::vector<std::array<uint8_t, N>> Items(size_t n, uint8_t seed) {
  std::vector<std::array<uint8_t, N>> out(n);
  for (size_t k = 0; k < n; ++k) out[k].fill(static_cast<uint8_t>(seed + k));
  return out;
}
std::vector<PointBytes> Points(size_t n, uint8_t seed) { return Items<kPointSize>(n, seed); }
std::vector<TagBytes> Tags(size_t n, uint8_t seed) { return Items<kTagSize>(n, seed); }

Labels FullLabels(int v) {
  Labels l;
  l.category = static_cast<Category>(v % 4);
  l.since = Date{2025, 1 + v % 12, 1 + v % 28};
  l.school = v % 2 ? "12AB" : "99ZZ01";
  l.plan = v % 3 == 0;
  return l;
}

StartHeader Header(uint32_t list_size, uint8_t key_mask = kAllKeyTypes) {
  return StartHeader{.session_id = Id(1),
                     .mode = Mode::kMatch,
                     .purpose = "leerplicht.thuiszitters",
                     .label_mask = kAllLabels,
                     .key_mask = key_mask,
                     .list_date = Date{2026, 1, 15},
                     .list_size = list_size};
}

std::vector<LabelEntry> Entries(uint8_t mask) {
  return {{0, RestrictLabels(FullLabels(1), mask)}, {4, RestrictLabels(FullLabels(2), mask)}};
}

const MatchCounts kResponderCounts{2, 1};
const MatchCounts kInitiatorCounts{3, 0};

// Message 1: 3 records; message 2: B 2 records, C 3; message 3: D 2
// records and two label entries; message 4: counts and two label entries.
std::string Message1(uint8_t key_mask = kAllKeyTypes) {
  return EncodeStartRequest(Header(3, key_mask), Points(3 * SlotCount(key_mask), 10));
}
std::string Message2(uint8_t key_mask = kAllKeyTypes) {
  const size_t k = SlotCount(key_mask);
  return EncodeStartResponse(Id(1), 7, key_mask, Date{2026, 1, 12}, Points(2 * k, 20),
                             Tags(3 * k, 30));
}
std::string Message3(uint8_t key_mask = kAllKeyTypes) {
  return EncodeFinishRequest(Id(1), kAllLabels, key_mask, Tags(2 * SlotCount(key_mask), 40),
                             Entries(kAllLabels));
}
std::string Message4() {
  return EncodeFinishResponse(Id(1), kResponderCounts, kInitiatorCounts, 7, Entries(7));
}

template <typename T>
void ExpectInvalid(const Result<T>& r, std::string_view text) {
  ASSERT_FALSE(r) << text;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().message;
  EXPECT_THAT(r.error().message, HasSubstr(std::string(text)));
}

template <typename T>
void ExpectExhausted(const Result<T>& r, std::string_view text) {
  ASSERT_FALSE(r) << text;
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted) << r.error().message;
  EXPECT_THAT(r.error().message, HasSubstr(std::string(text)));
}

// Each decoder under the name of its message, for the loop-over-all tests.
struct AnyDecoder {
  std::string name;
  std::string message;
  std::function<Status(std::string_view)> decode;
};
std::vector<AnyDecoder> AllDecoders(uint8_t key_mask = kAllKeyTypes) {
  auto wrap = [](auto fn) {
    return [fn](std::string_view m) -> Status {
      auto r = fn(m);
      if (!r) return std::unexpected(r.error());
      return {};
    };
  };
  return {
      {"StartRequest", Message1(key_mask),
       wrap([](std::string_view m) { return DecodeStartRequest(m, 100); })},
      {"StartHeader", Message1(key_mask),
       wrap([](std::string_view m) { return DecodeStartHeader(m); })},
      {"StartResponse", Message2(key_mask),
       wrap([](std::string_view m) { return DecodeStartResponse(m, 100); })},
      {"FinishRequest", Message3(key_mask),
       wrap([key_mask](std::string_view m) { return DecodeFinishRequest(m, key_mask, 100); })},
      {"FinishResponse", Message4(),
       wrap([](std::string_view m) { return DecodeFinishResponse(m, 100); })},
  };
}

std::string BigEndian(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// Lower-case hex, and back (this test links the schema library only).
std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}
std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t k = 0; k + 1 < hex.size(); k += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(k, 2)), nullptr, 16)));
  }
  return out;
}

std::string With(std::string m, size_t at, std::string_view bytes) {
  m.replace(at, bytes.size(), bytes);
  return m;
}

// ------------------------------------------------------------ key masks

TEST(Wire, GroupSlotsFollowTheSlotTable) {
  const std::vector<std::vector<size_t>> expected = {
      {}, {0}, {1, 2}, {0, 1, 2}, {3, 4, 5}, {0, 3, 4, 5}, {1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5}};
  for (uint8_t mask = 0; mask <= kAllKeyTypes; ++mask) {
    EXPECT_EQ(GroupSlots(mask), expected[mask]) << int{mask};
    EXPECT_EQ(SlotCount(mask), expected[mask].size()) << int{mask};
  }
  EXPECT_EQ(SlotCount(kKeyTypePgn), 1u);
  EXPECT_EQ(SlotCount(kKeyTypeName), 2u);
  EXPECT_EQ(SlotCount(kKeyTypeWeak), 3u);
  EXPECT_EQ(SlotCount(kAllKeyTypes), kSlotCount);
}

// ------------------------------------------------------------ round trips

TEST(Wire, StartRequestRoundTripsForEveryKeyMaskZeroCopy) {
  for (uint8_t key_mask : kKeyMasks) {
    SCOPED_TRACE(int{key_mask});
    const size_t k = SlotCount(key_mask);
    const std::string m = Message1(key_mask);
    auto d = DecodeStartRequest(m, 100);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->header, Header(3, key_mask));
    ASSERT_EQ(d->a.size(), 3 * k);
    // The view points into the caller's buffer: the last 3k points.
    EXPECT_EQ(d->a.data(), reinterpret_cast<const uint8_t*>(m.data()) + m.size() - 3 * k * 32);
    for (size_t n = 0; n < 3 * k; ++n) EXPECT_EQ(d->a[n][31], static_cast<uint8_t>(10 + n));
    auto h = DecodeStartHeader(m);
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(*h, Header(3, key_mask));
    EXPECT_EQ(*PeekMessageType(m), MessageType::kStartRequest);
    EXPECT_EQ(*PeekSessionId(m), Id(1));
  }
}

TEST(Wire, StartResponseRoundTripsForEveryKeyMask) {
  for (uint8_t key_mask : kKeyMasks) {
    SCOPED_TRACE(int{key_mask});
    const size_t k = SlotCount(key_mask);
    const std::string m = Message2(key_mask);
    auto d = DecodeStartResponse(m, 100);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->session_id, Id(1));
    EXPECT_EQ(d->label_mask, 7);
    EXPECT_EQ(d->key_mask, key_mask);
    EXPECT_EQ(d->list_date, (Date{2026, 1, 12}));
    EXPECT_EQ(d->b_records, 2u);
    EXPECT_EQ(d->c_records, 3u);
    ASSERT_EQ(d->b.size(), 2 * k);
    ASSERT_EQ(d->c.size(), 3 * k);
    EXPECT_EQ(d->b[2 * k - 1][31], static_cast<uint8_t>(20 + 2 * k - 1));
    EXPECT_EQ(d->c[3 * k - 1][15], static_cast<uint8_t>(30 + 3 * k - 1));
    EXPECT_EQ(*PeekSessionId(m), Id(1));
  }
}

TEST(Wire, FinishRequestRoundTripsForEveryKeyMask) {
  for (uint8_t key_mask : kKeyMasks) {
    SCOPED_TRACE(int{key_mask});
    const size_t k = SlotCount(key_mask);
    const std::string m3 = Message3(key_mask);  // D is a view into it: keep it alive
    auto d = DecodeFinishRequest(m3, key_mask, 100);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->session_id, Id(1));
    EXPECT_EQ(d->label_mask, kAllLabels);
    EXPECT_EQ(d->d_records, 2u);
    ASSERT_EQ(d->d.size(), 2 * k);
    EXPECT_EQ(d->d[2 * k - 1][0], static_cast<uint8_t>(40 + 2 * k - 1));
    EXPECT_EQ(d->labels, Entries(kAllLabels));
  }
}

TEST(Wire, FinishResponseRoundTripsForEveryLabelMask) {
  for (uint8_t mask = 0; mask <= kAllLabels; ++mask) {
    const std::string m =
        EncodeFinishResponse(Id(2), kResponderCounts, kInitiatorCounts, mask, Entries(mask));
    auto d = DecodeFinishResponse(m, 100);
    ASSERT_TRUE(d) << int{mask} << ": " << d.error().message;
    EXPECT_EQ(d->session_id, Id(2));
    EXPECT_EQ(d->responder, kResponderCounts);
    EXPECT_EQ(d->initiator, kInitiatorCounts);
    EXPECT_EQ(d->label_mask, mask);
    EXPECT_EQ(d->labels, Entries(mask));
  }
  // Counts use all 32 bits.
  const MatchCounts big{0xfffffffe, 0x80000001};
  auto d = DecodeFinishResponse(EncodeFinishResponse(Id(2), big, {0, 0xffffffff}, 0, {}), 10);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->responder, big);
  EXPECT_EQ(d->initiator, (MatchCounts{0, 0xffffffff}));
}

TEST(Wire, EmptyListsRoundTrip) {
  // An empty B (a responder without records) and an empty label section.
  const std::string m2 = EncodeStartResponse(Id(1), 0, kKeyTypeName, Date{2026, 1, 12}, {},
                                             Tags(2 * SlotCount(kKeyTypeName), 1));
  auto d2 = DecodeStartResponse(m2, 100);
  ASSERT_TRUE(d2) << d2.error().message;
  EXPECT_EQ(d2->b_records, 0u);
  EXPECT_TRUE(d2->b.empty());
  EXPECT_EQ(d2->c_records, 2u);
  auto d3 = DecodeFinishRequest(EncodeFinishRequest(Id(1), 0, kKeyTypeName, {}, {}), 2, 100);
  ASSERT_TRUE(d3) << d3.error().message;
  EXPECT_EQ(d3->d_records, 0u);
  EXPECT_TRUE(d3->labels.empty());
}

// ------------------------------------------------------------- layouts

TEST(Wire, StartRequestLayoutIsAsDocumented) {
  const std::string m = EncodeStartRequest(Header(1, kKeyTypePgn | kKeyTypeWeak), Points(4, 0xa0));
  ASSERT_EQ(m.size(), 6 + 16 + 1 + 1 + 1 + 4 + 1 + 23 + 4 + 4 * 32u);
  EXPECT_EQ(m.substr(0, 6), "INBL\x02\x01");
  EXPECT_EQ(m.substr(6, 16), std::string(reinterpret_cast<const char*>(Id(1).data()), 16));
  EXPECT_EQ(static_cast<uint8_t>(m[22]), 1);   // mode
  EXPECT_EQ(static_cast<uint8_t>(m[23]), 15);  // label mask
  EXPECT_EQ(static_cast<uint8_t>(m[24]), 5);   // key mask: pgn | weak
  // 20260115 = 0x01352513, big-endian.
  EXPECT_EQ(m.substr(25, 4), std::string("\x01\x35\x25\x13", 4));
  EXPECT_EQ(static_cast<uint8_t>(m[29]), 23);  // purpose length
  EXPECT_EQ(m.substr(30, 23), "leerplicht.thuiszitters");
  EXPECT_EQ(m.substr(53, 4), BigEndian(1));  // records, not points
  for (size_t p = 0; p < 4; ++p) {
    EXPECT_EQ(m.substr(57 + 32 * p, 32), std::string(32, static_cast<char>(0xa0 + p)));
  }
  EXPECT_EQ(DateCode(Date{2026, 1, 15}), 20260115u);
}

TEST(Wire, StartResponseLayoutIsAsDocumented) {
  // Key mask 6: 5 slots a record; B 2 records of 32-byte points, C 3 of
  // 16-byte tags.
  const std::string m =
      EncodeStartResponse(Id(1), 5, 6, Date{2026, 1, 12}, Points(10, 0x10), Tags(15, 0x80));
  ASSERT_EQ(m.size(), 6 + 16 + 1 + 1 + 4 + 4 + 10 * 32 + 4 + 15 * 16u);
  EXPECT_EQ(m.substr(0, 6), "INBL\x02\x02");
  EXPECT_EQ(static_cast<uint8_t>(m[22]), 5);  // agreed label mask
  EXPECT_EQ(static_cast<uint8_t>(m[23]), 6);  // agreed key mask
  EXPECT_EQ(m.substr(24, 4), BigEndian(20260112));
  EXPECT_EQ(m.substr(28, 4), BigEndian(2));  // B records
  EXPECT_EQ(m.substr(32, 32), std::string(32, '\x10'));
  EXPECT_EQ(m.substr(32 + 9 * 32, 32), std::string(32, '\x19'));
  EXPECT_EQ(m.substr(352, 4), BigEndian(3));  // C records
  EXPECT_EQ(m.substr(356, 16), std::string(16, '\x80'));
  EXPECT_EQ(m.substr(356 + 14 * 16, 16), std::string(16, '\x8e'));
}

TEST(Wire, FinishRequestLayoutIsAsDocumented) {
  const std::vector<LabelEntry> one = {{7, RestrictLabels(FullLabels(1), kLabelCategory)}};
  const std::string m = EncodeFinishRequest(Id(1), kLabelCategory, 3, Tags(6, 0x40), one);
  ASSERT_EQ(m.size(), 6 + 16 + 1 + 4 + 6 * 16 + 4 + 5u);
  EXPECT_EQ(m.substr(0, 6), "INBL\x02\x03");
  EXPECT_EQ(static_cast<uint8_t>(m[22]), 1);  // label mask
  EXPECT_EQ(m.substr(23, 4), BigEndian(2));   // D records (3 tags each)
  EXPECT_EQ(m.substr(27, 16), std::string(16, '\x40'));
  EXPECT_EQ(m.substr(27 + 5 * 16, 16), std::string(16, '\x45'));
  EXPECT_EQ(m.substr(123, 4), BigEndian(1));  // label entries
  EXPECT_EQ(m.substr(127, 4), BigEndian(7));  // index
  EXPECT_EQ(static_cast<uint8_t>(m[131]), CategoryCode(*FullLabels(1).category));
}

TEST(Wire, FinishResponseLayoutIsAsDocumented) {
  const std::string m =
      EncodeFinishResponse(Id(1), {0x01020304, 5}, {6, 0x0708090a}, kLabelPlan,
                           std::vector<LabelEntry>{{9, RestrictLabels(FullLabels(3), kLabelPlan)}});
  ASSERT_EQ(m.size(), 6 + 16 + 4 * 4 + 1 + 4 + 5u);
  EXPECT_EQ(m.substr(0, 6), "INBL\x02\x04");
  EXPECT_EQ(m.substr(22, 4), BigEndian(0x01020304));  // responder strong
  EXPECT_EQ(m.substr(26, 4), BigEndian(5));           // responder possible
  EXPECT_EQ(m.substr(30, 4), BigEndian(6));           // initiator strong
  EXPECT_EQ(m.substr(34, 4), BigEndian(0x0708090a));  // initiator possible
  EXPECT_EQ(static_cast<uint8_t>(m[38]), kLabelPlan);
  EXPECT_EQ(m.substr(39, 4), BigEndian(1));
  EXPECT_EQ(m.substr(43, 4), BigEndian(9));
  EXPECT_EQ(static_cast<uint8_t>(m[47]), 1);  // plan: yes (FullLabels(3))
}

TEST(Wire, BeginStartResponseViewsStayValid) {
  std::string out;
  StartResponseSlots slots =
      BeginStartResponse(Id(3), 0, kAllKeyTypes, Date{2026, 1, 12}, 3, 2, out);
  ASSERT_EQ(slots.b.size(), 18u);
  ASSERT_EQ(slots.c.size(), 12u);
  for (size_t n = 0; n < slots.b.size(); ++n) slots.b[n][0] = static_cast<uint8_t>(n + 1);
  for (size_t n = 0; n < slots.c.size(); ++n) slots.c[n][15] = static_cast<uint8_t>(n + 100);
  auto d = DecodeStartResponse(out, 100);
  ASSERT_TRUE(d) << d.error().message;
  for (size_t n = 0; n < 18; ++n) EXPECT_EQ(d->b[n][0], n + 1);
  for (size_t n = 0; n < 12; ++n) EXPECT_EQ(d->c[n][15], n + 100);
}

TEST(Wire, BeginFinishRequestReservesForTheLabels) {
  std::string out;
  MutableTagView d = BeginFinishRequest(Id(3), kAllLabels, kKeyTypeName, 4, 4, out);
  ASSERT_EQ(d.size(), 8u);
  const char* before = out.data();
  for (size_t k = 0; k < d.size(); ++k) d[k][0] = static_cast<uint8_t>(k + 1);
  std::vector<LabelEntry> entries;
  for (uint32_t k = 0; k < 4; ++k) entries.push_back({k, FullLabels(2 * static_cast<int>(k))});
  AppendLabelSection(kAllLabels, entries, out);
  EXPECT_EQ(out.data(), before);  // no reallocation
  auto decoded = DecodeFinishRequest(out, kKeyTypeName, 100);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->d[7][0], 8);
  EXPECT_EQ(decoded->labels, entries);
}

TEST(Wire, LabelsWrittenPieceByPieceEqualTheSection) {
  std::string whole, pieces;
  BeginFinishResponse(Id(4), kResponderCounts, kInitiatorCounts, kAllLabels, 2, whole);
  pieces = whole;
  AppendLabelSection(kAllLabels, Entries(kAllLabels), whole);
  AppendLabelCount(2, pieces);
  for (const LabelEntry& e : Entries(kAllLabels)) AppendLabelEntry(kAllLabels, e, pieces);
  EXPECT_EQ(whole, pieces);
  EXPECT_EQ(whole, EncodeFinishResponse(Id(4), kResponderCounts, kInitiatorCounts, kAllLabels,
                                        Entries(kAllLabels)));
}

// ------------------------------------------------- header, type, version

TEST(Wire, BadMagicAndType) {
  for (const AnyDecoder& dec : AllDecoders()) {
    SCOPED_TRACE(dec.name);
    ExpectInvalid(dec.decode(With(dec.message, 0, "X")), "bad magic at byte 0");
    ExpectInvalid(dec.decode(With(dec.message, 3, "l")), "bad magic at byte 0");
    ExpectInvalid(dec.decode(With(dec.message, 5, "\x09")), "message type 9 at byte 5");
    ExpectInvalid(dec.decode(With(dec.message, 5, std::string(1, '\0'))),
                  "message type 0 at byte 5");
  }
  ExpectInvalid(PeekMessageType("INBL\x02\x09"), "unknown message type 9 at byte 5");
  ExpectInvalid(PeekMessageType(std::string("INBL\x02\x00", 6)), "unknown message type 0");
  ExpectInvalid(PeekMessageType("INB"), "message of 3 bytes is shorter than the 6-byte header");
  ExpectInvalid(PeekMessageType("inbl\x02\x01"), "bad magic at byte 0");
  EXPECT_EQ(*PeekMessageType("INBL\x02\x04"), MessageType::kFinishResponse);
  ExpectInvalid(PeekSessionId(std::string("INBL\x02\x03", 6) + "short"),
                "FinishRequest: truncated at byte 11 in session id");
}

TEST(Wire, WrongMessageTypeNamesBoth) {
  ExpectInvalid(DecodeStartResponse(Message1(), 100),
                "StartResponse: message type 1 at byte 5, expected 2");
  ExpectInvalid(DecodeStartRequest(Message2(), 100),
                "StartRequest: message type 2 at byte 5, expected 1");
  ExpectInvalid(DecodeStartHeader(Message4()),
                "StartRequest: message type 4 at byte 5, expected 1");
  ExpectInvalid(DecodeFinishRequest(Message4(), kAllKeyTypes, 100),
                "FinishRequest: message type 4 at byte 5, expected 3");
  ExpectInvalid(DecodeFinishResponse(Message3(), 100),
                "FinishResponse: message type 3 at byte 5, expected 4");
}

TEST(Wire, VersionOneIsToldToUpgrade) {
  for (const AnyDecoder& dec : AllDecoders()) {
    SCOPED_TRACE(dec.name);
    auto r = dec.decode(With(dec.message, 4, "\x01"));
    ExpectInvalid(r, dec.name == "StartHeader" ? "StartRequest: protocol version 1 at byte 4"
                                               : dec.name + ": protocol version 1 at byte 4");
    EXPECT_THAT(r.error().message, HasSubstr("older inbeeld"));
    EXPECT_THAT(r.error().message, HasSubstr("upgrade the peer"));
    EXPECT_THAT(r.error().message, HasSubstr("this node speaks version 2"));
  }
  ExpectInvalid(PeekMessageType("INBL\x01\x01"), "protocol version 1 at byte 4");
  ExpectInvalid(PeekMessageType("INBL\x01\x01"), "upgrade");
  ExpectInvalid(PeekSessionId(With(Message3(), 4, "\x01")), "upgrade");

  // The real thing: message 1 of version 1's worked example (docs/PROTOCOL.md
  // before protocol v2), as an older inbeeld sends it.
  const std::string v1_hex =
      "494e424c0101000102030405060708090a0b0c0d0e0f010f013525131774687569737a6974746572732e61667374"
      "656d6d696e67000000031814601f2652d069c5ec90707f31f063fff46bea3678fd6a5a130051ee673451bab4e076"
      "49126c66c205dfe586f1c53591dd6a223d1ad9fb0d9a4d87f5dd061e1ab372bdd676a09966acb05f313f693ea239"
      "ab2ebaf86a3864209c585ff7e56e";
  const std::string v1 = Unhex(v1_hex);
  ASSERT_EQ(v1.size(), 152u);
  ExpectInvalid(DecodeStartHeader(v1),
                "StartRequest: protocol version 1 at byte 4: the peer runs an older inbeeld (BSN "
                "matching only); this node speaks version 2 (matching by key family) — upgrade the "
                "peer");
  ExpectInvalid(DecodeStartRequest(v1, 100), "upgrade the peer");
  ExpectInvalid(PeekMessageType(v1), "upgrade the peer");
}

TEST(Wire, OtherVersionsGetTheGenericError) {
  for (uint8_t version : {uint8_t{0}, uint8_t{3}, uint8_t{255}}) {
    for (const AnyDecoder& dec : AllDecoders()) {
      SCOPED_TRACE(dec.name + " v" + std::to_string(version));
      auto r = dec.decode(With(dec.message, 4, std::string(1, static_cast<char>(version))));
      ExpectInvalid(r, "unsupported protocol version " + std::to_string(version) +
                           " at byte 4 (this node speaks version 2)");
      EXPECT_THAT(r.error().message, Not(HasSubstr("upgrade")));
    }
    ExpectInvalid(PeekMessageType(std::string("INBL", 4) + static_cast<char>(version) + "\x01"),
                  "unsupported protocol version " + std::to_string(version));
  }
}

// ---------------------------------------------------- truncated, trailing

TEST(Wire, TruncationAtEveryOffsetIsAnError) {
  for (uint8_t key_mask : kKeyMasks) {
    for (const AnyDecoder& dec : AllDecoders(key_mask)) {
      SCOPED_TRACE(dec.name + " key mask " + std::to_string(key_mask));
      ASSERT_TRUE(dec.decode(dec.message)) << dec.decode(dec.message).error().message;
      for (size_t n = 0; n < dec.message.size(); ++n) {
        Status s = dec.decode(std::string_view(dec.message).substr(0, n));
        ASSERT_FALSE(s) << "prefix of " << n << " bytes decoded";
        EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << n << ": " << s.error().message;
      }
    }
  }
}

TEST(Wire, TruncationNamesTheField) {
  const std::string m3 = Message3(kKeyTypeName);  // D: 2 records × 2 tags
  // Entry 1 has a 6-character school, so one byte short still passes the
  // count check (which assumes 4) and fails inside the entry.
  ExpectInvalid(
      DecodeFinishRequest(std::string_view(m3).substr(0, m3.size() - 1), 2, 100),
      "FinishRequest: truncated at byte " + std::to_string(m3.size() - 1) + " in label entry 1");
  // 27 + 64 bytes of D: the label count is at byte 91.
  ExpectInvalid(
      DecodeFinishRequest(std::string_view(m3).substr(0, m3.size() - 3), 2, 100),
      "FinishRequest: label section claims 2 entries at byte 91, but only 29 bytes follow");
  ExpectInvalid(DecodeFinishRequest(std::string_view(m3).substr(0, 50), 2, 100),
                "FinishRequest: list D claims 2 entries at byte 23, but only 23 bytes follow");
  ExpectInvalid(DecodeFinishRequest(std::string_view(m3).substr(0, 25), 2, 100),
                "FinishRequest: truncated at byte 25 in list D record count (needs 4 bytes from "
                "byte 23)");

  const std::string m2 = Message2(kKeyTypeWeak);  // B: 2 × 3 points; C: 3 × 3 tags
  const size_t c_at = 32 + 6 * 32;
  ExpectInvalid(DecodeStartResponse(std::string_view(m2).substr(0, c_at + 4 + 100), 100),
                "StartResponse: list C claims 3 entries at byte " + std::to_string(c_at) +
                    ", but only 100 bytes follow");
  ExpectInvalid(DecodeStartResponse(std::string_view(m2).substr(0, 40), 100),
                "StartResponse: list B claims 2 entries at byte 28, but only 8 bytes follow");
  ExpectInvalid(DecodeStartResponse(std::string_view(m2).substr(0, 23), 100),
                "StartResponse: truncated at byte 23 in agreed key mask");

  const std::string m1 = Message1(kKeyTypePgn);
  ExpectInvalid(DecodeStartHeader(std::string_view(m1).substr(0, m1.size() - 1)),
                "StartRequest: list A claims 3 records, but only 95 bytes follow at byte 57");
  ExpectInvalid(DecodeStartRequest(std::string_view(m1).substr(0, 24), 100),
                "StartRequest: truncated at byte 24 in key mask");
}

TEST(Wire, EverySingleTrailingByteIsAnError) {
  for (uint8_t key_mask : {uint8_t{1}, uint8_t{6}, uint8_t{7}}) {
    for (const AnyDecoder& dec : AllDecoders(key_mask)) {
      SCOPED_TRACE(dec.name + " key mask " + std::to_string(key_mask));
      for (int byte = 0; byte < 256; ++byte) {
        const std::string m = dec.message + static_cast<char>(byte);
        Status s = dec.decode(m);
        ASSERT_FALSE(s) << "trailing byte " << byte << " accepted";
        EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
        EXPECT_THAT(s.error().message,
                    HasSubstr("1 trailing bytes after byte " + std::to_string(dec.message.size())));
      }
      for (size_t extra = 2; extra <= 100; ++extra) {
        Status s = dec.decode(dec.message + std::string(extra, '\0'));
        ASSERT_FALSE(s) << extra << " trailing zero bytes accepted";
        EXPECT_THAT(s.error().message, HasSubstr(std::to_string(extra) + " trailing bytes"));
      }
    }
  }
}

TEST(Wire, FinishRequestReadWithAnotherKeyMaskFails) {
  // The message does not repeat the key mask; reading it with another one
  // must not yield a plausible D.
  for (uint8_t written : kKeyMasks) {
    for (uint8_t read : kKeyMasks) {
      if (SlotCount(read) == SlotCount(written)) continue;
      EXPECT_FALSE(DecodeFinishRequest(Message3(written), read, 100))
          << int{written} << " read as " << int{read};
    }
  }
}

// ------------------------------------------------------ counts and limits

// Decodes `m` and returns the error, checking that no single allocation
// came anywhere near what its counts claim.
template <typename Decode>
Error DecodeWithoutAllocating(const std::string& m, Decode decode) {
  g_largest_allocation.store(0);
  auto r = decode(m);
  const size_t largest = g_largest_allocation.load();
  EXPECT_LE(largest, 4096u) << "the decoder allocated " << largest << " bytes at once";
  EXPECT_FALSE(r);
  return r ? Error{ErrorCode::kInternal, "decoded"} : r.error();
}

TEST(Wire, AllocationHighWaterSeesTheDecoder) {
  // The check below is only as good as the counter: decoding message 4
  // reserves its label entries, and the counter must see that.
  const std::string m4 = Message4();
  g_largest_allocation.store(0);
  ASSERT_TRUE(DecodeFinishResponse(m4, 100));
  EXPECT_GE(g_largest_allocation.load(), 2 * sizeof(LabelEntry));
}

TEST(Wire, HostileCountsDoNotAllocate) {
  // Message 2 claiming 2^32 - 1 records of 6 points in B.
  std::string m2 = std::string("INBL\x02\x02", 6) + std::string(16, '\x01') + "\x07\x07" +
                   BigEndian(20260112) + BigEndian(0xffffffff);
  m2.append(64, '\0');
  Error e = DecodeWithoutAllocating(
      m2, [](const std::string& m) { return DecodeStartResponse(m, 0xffffffff); });
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message,
              HasSubstr("StartResponse: list B claims 4294967295 entries at byte 28, but only 64 "
                        "bytes follow"));

  // Records × slots × 32 that wraps to exactly the bytes present in 32-bit
  // arithmetic: (2^26 + 1) × 6 × 32 = 3 × 2^32 + 192.
  const uint32_t wraps_b = (1u << 26) + 1;
  std::string m2w = std::string("INBL\x02\x02", 6) + std::string(16, '\x01') + "\x07\x07" +
                    BigEndian(20260112) + BigEndian(wraps_b) + std::string(192, '\x11');
  e = DecodeWithoutAllocating(
      m2w, [](const std::string& m) { return DecodeStartResponse(m, 0xffffffff); });
  EXPECT_THAT(e.message, HasSubstr("list B claims 67108865 entries at byte 28, but only 192 bytes "
                                   "follow"));

  // And C, after a valid B.
  std::string m2c;
  BeginStartResponse(Id(1), 7, kKeyTypeWeak, Date{2026, 1, 12}, 1, 0, m2c);
  m2c.replace(m2c.size() - 4, 4, BigEndian(0xffffffff));
  m2c.append(48, '\0');
  e = DecodeWithoutAllocating(
      m2c, [](const std::string& m) { return DecodeStartResponse(m, 0xffffffff); });
  EXPECT_THAT(e.message, HasSubstr("list C claims 4294967295 entries at byte 128, but only 48 "
                                   "bytes follow"));

  // Message 1, through the list size, with 6 slots a record.
  std::string m1;
  BeginStartRequest(Header(0), m1);
  m1.replace(m1.size() - 4, 4, BigEndian(0xffffffff));
  e = DecodeWithoutAllocating(
      m1, [](const std::string& m) { return DecodeStartRequest(m, 0xffffffff); });
  EXPECT_THAT(e.message, HasSubstr("StartRequest: list A claims 4294967295 entries"));
  e = DecodeWithoutAllocating(m1, [](const std::string& m) { return DecodeStartHeader(m); });
  EXPECT_THAT(e.message, HasSubstr("list A claims 4294967295 records, but only 0 bytes follow"));
  m1.replace(m1.size() - 4, 4, BigEndian(wraps_b));
  m1.append(192, '\x22');
  e = DecodeWithoutAllocating(
      m1, [](const std::string& m) { return DecodeStartRequest(m, 0xffffffff); });
  EXPECT_THAT(e.message, HasSubstr("list A claims 67108865 entries at byte 53, but only 192 bytes "
                                   "follow"));
  e = DecodeWithoutAllocating(m1, [](const std::string& m) { return DecodeStartHeader(m); });
  EXPECT_THAT(e.message, HasSubstr("list A claims 67108865 records, but only 192 bytes follow"));

  // Message 3: 16-byte tags, 6 a record: (2^27 + 1) × 96 = 3 × 2^32 + 96.
  const uint32_t wraps_d = (1u << 27) + 1;
  std::string m3 = std::string("INBL\x02\x03", 6) + std::string(16, '\x01') + std::string(1, '\0') +
                   BigEndian(wraps_d) + std::string(96, '\x33') + BigEndian(0);
  e = DecodeWithoutAllocating(
      m3, [](const std::string& m) { return DecodeFinishRequest(m, kAllKeyTypes, 0xffffffff); });
  EXPECT_THAT(e.message, HasSubstr("list D claims 134217729 entries at byte 23, but only 100 bytes "
                                   "follow"));

  // 2^32 - 1 label entries in messages 3 and 4.
  std::string m3l;
  BeginFinishRequest(Id(1), kAllLabels, kKeyTypePgn, 0, 0, m3l);
  AppendLabelCount(0xffffffff, m3l);
  m3l.append(7, 'A');
  e = DecodeWithoutAllocating(
      m3l, [](const std::string& m) { return DecodeFinishRequest(m, kKeyTypePgn, 0xffffffff); });
  EXPECT_THAT(e.message, HasSubstr("FinishRequest: label section claims 4294967295 entries"));
  std::string m4 = std::string("INBL\x02\x04", 6) + std::string(16, '\x01') + BigEndian(1) +
                   BigEndian(0) + BigEndian(1) + BigEndian(0) + "\x0f" + BigEndian(0xffffffff) +
                   std::string(7, 'A');
  e = DecodeWithoutAllocating(
      m4, [](const std::string& m) { return DecodeFinishResponse(m, 0xffffffff); });
  EXPECT_THAT(e.message, HasSubstr("FinishResponse: label section claims 4294967295 entries at "
                                   "byte 39"));
}

TEST(Wire, CountsAboveTheCallersLimit) {
  ExpectExhausted(DecodeStartRequest(Message1(), 2),
                  "StartRequest: list A has 3 entries, more than the limit of 2");
  ExpectExhausted(DecodeStartResponse(Message2(), 1),
                  "StartResponse: list B has 2 entries, more than the limit of 1");
  ExpectExhausted(DecodeStartResponse(Message2(), 2),
                  "StartResponse: list C has 3 entries, more than the limit of 2");
  ExpectExhausted(DecodeFinishRequest(Message3(), kAllKeyTypes, 1),
                  "FinishRequest: list D has 2 entries, more than the limit of 1");
  // D fits a limit of 2; the label section's 2 entries do too; 1 does not.
  EXPECT_TRUE(DecodeFinishRequest(Message3(kKeyTypePgn), kKeyTypePgn, 2));
  ExpectExhausted(DecodeFinishResponse(Message4(), 1),
                  "FinishResponse: label section has 2 entries, more than the limit of 1");
  EXPECT_TRUE(DecodeFinishResponse(Message4(), 2));
}

// ------------------------------------------------------------ field checks

TEST(Wire, StartHeaderFieldChecks) {
  const std::string good = Message1();
  ExpectInvalid(DecodeStartRequest(With(good, 22, "\x03"), 100), "unknown mode 3 at byte 22");
  ExpectInvalid(DecodeStartRequest(With(good, 22, std::string(1, '\0')), 100), "unknown mode 0");
  ExpectInvalid(DecodeStartRequest(With(good, 23, "\x10"), 100),
                "StartRequest: label mask has unknown bits 16 at byte 23");
  ExpectInvalid(DecodeStartRequest(With(good, 22, "\x02"), 100),
                "count mode carries no labels, but label mask is 15 at byte 23");
  ExpectInvalid(DecodeStartRequest(With(good, 25, BigEndian(20260230)), 100),
                "list date is not a valid date (yyyymmdd, 1900..2100) at byte 25");
  ExpectInvalid(DecodeStartRequest(With(good, 25, BigEndian(18991231)), 100),
                "list date is not a valid date");
  ExpectInvalid(DecodeStartRequest(With(good, 29, std::string(1, '\0')), 100),
                "purpose length 0 (must be 1..64) at byte 29");
  ExpectInvalid(DecodeStartRequest(With(good, 30, "L"), 100),
                "purpose has characters outside [a-z0-9._-] at byte 30");

  StartHeader h = Header(0);
  h.purpose = std::string(64, 'a');
  std::string m;
  BeginStartRequest(h, m);
  EXPECT_TRUE(DecodeStartRequest(m, 100));
  m[29] = 65;
  ExpectInvalid(DecodeStartRequest(m, 100), "purpose length 65 (must be 1..64)");

  EXPECT_TRUE(IsValidPurpose("a.b_c-9"));
  EXPECT_FALSE(IsValidPurpose(""));
  EXPECT_FALSE(IsValidPurpose("Caps"));
  EXPECT_FALSE(IsValidPurpose("with space"));
  EXPECT_FALSE(IsValidPurpose(std::string(65, 'a')));
}

TEST(Wire, KeyMaskChecks) {
  for (const AnyDecoder& dec : {AllDecoders()[0], AllDecoders()[1]}) {
    SCOPED_TRACE(dec.name);
    ExpectInvalid(dec.decode(With(dec.message, 24, std::string(1, '\0'))),
                  "StartRequest: key mask is 0 (at least one key type) at byte 24");
    ExpectInvalid(dec.decode(With(dec.message, 24, "\x08")),
                  "StartRequest: key mask has unknown bits 8 at byte 24");
    ExpectInvalid(dec.decode(With(dec.message, 24, "\xff")), "key mask has unknown bits 248");
  }
  const std::string m2 = Message2();
  ExpectInvalid(DecodeStartResponse(With(m2, 23, std::string(1, '\0')), 100),
                "StartResponse: agreed key mask is 0 (at least one key type) at byte 23");
  ExpectInvalid(DecodeStartResponse(With(m2, 23, "\x17"), 100),
                "StartResponse: agreed key mask has unknown bits 16 at byte 23");
  // A key mask with fewer slots than the groups that follow: the rest is
  // trailing bytes or a count that does not fit, never a shorter list.
  for (uint8_t key_mask = 1; key_mask < kAllKeyTypes; ++key_mask) {
    EXPECT_FALSE(DecodeStartRequest(With(Message1(), 24, std::string(1, key_mask)), 100));
    EXPECT_FALSE(DecodeStartResponse(With(m2, 23, std::string(1, key_mask)), 100));
  }
}

TEST(Wire, LabelMaskChecksInEveryMessage) {
  ExpectInvalid(DecodeStartResponse(With(Message2(), 22, "\x20"), 100),
                "StartResponse: label mask has unknown bits 32 at byte 22");
  ExpectInvalid(DecodeFinishRequest(With(Message3(), 22, "\x8f"), kAllKeyTypes, 100),
                "FinishRequest: label mask has unknown bits 128 at byte 22");
  ExpectInvalid(DecodeFinishResponse(With(Message4(), 38, "\x17"), 100),
                "FinishResponse: label mask has unknown bits 16 at byte 38");
}

TEST(Wire, LabelFieldChecks) {
  const std::string good = EncodeFinishResponse(Id(1), {1, 0}, {1, 0}, kAllLabels,
                                                std::vector<LabelEntry>{{0, FullLabels(1)}});
  // Layout: header 6, id 16, counts 16, mask 1, count 4 → entry at 43:
  // index 4, category 1 (47), since 4 (48), school length 1 (52) + 4, plan 1 (57).
  ASSERT_EQ(good.size(), 58u);
  ASSERT_TRUE(DecodeFinishResponse(good, 10));
  ExpectInvalid(DecodeFinishResponse(With(good, 47, std::string(1, '\0')), 10),
                "FinishResponse: label entry 0: unknown category 0 at byte 47");
  ExpectInvalid(DecodeFinishResponse(With(good, 47, "\x05"), 10), "unknown category 5");
  ExpectInvalid(DecodeFinishResponse(With(good, 48, BigEndian(20250229)), 10),
                "label entry 0 since date is not a valid date (yyyymmdd, 1900..2100) at byte 48");
  ExpectInvalid(DecodeFinishResponse(With(good, 52, "\x05"), 10),
                "label entry 0: school code of 5 characters (must be 4 or 6) at byte 52");
  ExpectInvalid(DecodeFinishResponse(With(good, 53, "1a"), 10),
                "label entry 0: school code is not [0-9A-Z] at byte 53");
  ExpectInvalid(DecodeFinishResponse(With(good, 57, "\x02"), 10),
                "label entry 0: plan flag 2 (must be 0 or 1) at byte 57");
}

TEST(Wire, LabelEntriesMustBeStrictlyIncreasing) {
  const std::vector<LabelEntry> dup = {{3, FullLabels(1)}, {3, FullLabels(2)}};
  ExpectInvalid(
      DecodeFinishRequest(EncodeFinishRequest(Id(1), kAllLabels, 1, Tags(1, 1), dup), 1, 10),
      "FinishRequest: label entry 1: duplicate label index 3 at byte 62");
  const std::vector<LabelEntry> down = {{3, FullLabels(1)}, {2, FullLabels(2)}};
  ExpectInvalid(
      DecodeFinishRequest(EncodeFinishRequest(Id(1), kAllLabels, 1, Tags(1, 1), down), 1, 10),
      "label entry 1: index 2 after 3 (entries must be in increasing index order)");
  ExpectInvalid(DecodeFinishResponse(EncodeFinishResponse(Id(1), {}, {}, kAllLabels, down), 10),
                "FinishResponse: label entry 1: index 2 after 3");
}

// ------------------------------------------------------ no payload echoed

// Payload bytes recognisable in an error message, as text or as hex.
constexpr std::string_view kMarker = "PAYLOAD!";

bool Echoes(const std::string& message) {
  const std::string hex = Hex(kMarker);
  return message.find(kMarker) != std::string::npos || message.find(hex) != std::string::npos ||
         message.find("PAYLOAD") != std::string::npos;
}

std::vector<AnyDecoder> MarkedDecoders() {
  auto marked = [](size_t n, auto item) {
    std::vector<decltype(item)> out(n);
    for (auto& x : out) {
      for (size_t k = 0; k < x.size(); ++k)
        x[k] = static_cast<uint8_t>(kMarker[k % kMarker.size()]);
    }
    return out;
  };
  std::vector<AnyDecoder> decoders = AllDecoders();
  decoders[0].message = decoders[1].message =
      EncodeStartRequest(Header(2), marked(12, PointBytes{}));
  decoders[2].message = EncodeStartResponse(Id(1), 7, 7, Date{2026, 1, 12},
                                            marked(12, PointBytes{}), marked(6, TagBytes{}));
  decoders[3].message =
      EncodeFinishRequest(Id(1), kAllLabels, 7, marked(12, TagBytes{}), Entries(kAllLabels));
  return decoders;
}

TEST(Wire, ErrorsNeverEchoPayloadBytes) {
  for (const AnyDecoder& dec : MarkedDecoders()) {
    SCOPED_TRACE(dec.name);
    ASSERT_TRUE(dec.decode(dec.message));
    for (size_t n = 0; n < dec.message.size(); ++n) {
      Status s = dec.decode(std::string_view(dec.message).substr(0, n));
      ASSERT_FALSE(s);
      EXPECT_FALSE(Echoes(s.error().message)) << s.error().message;
    }
    for (size_t extra = 1; extra < 40; ++extra) {
      Status s = dec.decode(dec.message + std::string(kMarker).substr(0, extra % 8) +
                            std::string(extra / 8 * 8, 'P'));
      if (!s) {
        EXPECT_FALSE(Echoes(s.error().message)) << s.error().message;
      }
    }
    // Every single byte changed to every value: whatever fails says so
    // without the payload.
    for (size_t at = 0; at < dec.message.size(); ++at) {
      for (int v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
        Status s = dec.decode(With(dec.message, at, std::string(1, static_cast<char>(v))));
        if (!s) {
          EXPECT_FALSE(Echoes(s.error().message)) << s.error().message;
        }
      }
    }
  }

  std::string secret_purpose = Message1();
  secret_purpose.replace(30, 6, "SECRET");
  auto r = DecodeStartRequest(secret_purpose, 100);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, Not(HasSubstr("SECRET")));
  EXPECT_THAT(r.error().message, HasSubstr("purpose has characters outside"));

  std::string school = EncodeFinishResponse(
      Id(1), {1, 0}, {1, 0}, kLabelSchool,
      std::vector<LabelEntry>{{0, RestrictLabels(FullLabels(1), kLabelSchool)}});
  school.replace(school.size() - 4, 4, "ab#x");
  auto r2 = DecodeFinishResponse(school, 10);
  ASSERT_FALSE(r2);
  EXPECT_THAT(r2.error().message, Not(HasSubstr("ab#x")));
}

// ---------------------------------------------------------------- helpers

TEST(Wire, LabelHelpers) {
  EXPECT_EQ(PresentLabels(FullLabels(1)), kAllLabels);
  EXPECT_EQ(PresentLabels(RestrictLabels(FullLabels(1), 5)), 5);
  EXPECT_TRUE(CheckLabels(Labels{}, 0));
  EXPECT_FALSE(CheckLabels(Labels{}, kLabelPlan));
  Labels bad = FullLabels(1);
  bad.school = "12A";
  EXPECT_FALSE(CheckLabels(bad, kLabelSchool));
  EXPECT_TRUE(CheckLabels(bad, kLabelCategory));
  bad.since = Date{2026, 2, 29};
  EXPECT_FALSE(CheckLabels(bad, kLabelSince));
  for (uint8_t code = 1; code <= 4; ++code) EXPECT_EQ(CategoryCode(*CategoryFromCode(code)), code);
  EXPECT_FALSE(CategoryFromCode(0));
  EXPECT_FALSE(CategoryFromCode(5));
  EXPECT_FALSE(DateFromCode(20260132));
  EXPECT_FALSE(DateFromCode(21010101));
  EXPECT_EQ(DateFromCode(21001231), (Date{2100, 12, 31}));
  EXPECT_EQ(DateFromCode(19000101), (Date{1900, 1, 1}));
}

}  // namespace
}  // namespace inbeeld::schema::wire
