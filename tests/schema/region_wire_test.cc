// Tests for schema/region_wire.cc (regional count, protocol version 3):
// round trips, the byte layout, the size limits, and the malformed, the
// truncated, the oversized and the hostile for each of the three messages,
// with exact errors.
#include "schema/region_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace inbeeld::schema::region_wire {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint8_t kNameMask = 2;  // k = SlotCount(2) points a group
const size_t kK = wire::SlotCount(kNameMask);

// Storage for a set to encode: groups of k points, one category a group.
struct OwnedSet {
  uint8_t origin = 0;
  uint16_t blinded_by = 0;
  std::vector<wire::PointBytes> points;
  std::vector<uint8_t> categories;

  SetView view() const {
    SetView v;
    v.origin = origin;
    v.blinded_by = blinded_by;
    v.groups = static_cast<uint32_t>(categories.size());
    v.points = wire::PointView(points.empty() ? nullptr : points.front().data(), points.size());
    v.categories = categories;
    return v;
  }
};

OwnedSet MakeSet(uint8_t origin, uint16_t blinded_by, size_t groups, size_t k, uint8_t fill) {
  OwnedSet s;
  s.origin = origin;
  s.blinded_by = blinded_by;
  s.points.resize(groups * k);
  for (size_t i = 0; i < s.points.size(); ++i) {
    s.points[i].fill(static_cast<uint8_t>(fill + i));
  }
  for (size_t g = 0; g < groups; ++g) s.categories.push_back(static_cast<uint8_t>(1 + g % 4));
  return s;
}

HopHeader MakeHeader(size_t nodes, std::string purpose = "abc") {
  HopHeader h;
  for (size_t i = 0; i < h.session_id.size(); ++i) h.session_id[i] = static_cast<uint8_t>(0xA0 + i);
  h.purpose = std::move(purpose);
  h.key_mask = kNameMask;
  h.round = 1;
  h.index = 1;
  h.participants.resize(nodes);
  for (size_t i = 0; i < nodes; ++i) h.participants[i].fill(static_cast<uint8_t>(0x10 + i));
  return h;
}

// Three nodes, purpose "abc", one set from node 0 of two groups. Offsets:
// session id 6, purpose length 22, key mask 23, round 24, node count 25,
// index 26, purpose 27, keys 30, set count 126, origin 127, blinded-by 128,
// group count 130, points 134, categories 134 + 2·k·32.
constexpr size_t kSetCountAt = 126;
constexpr size_t kOriginAt = 127;
constexpr size_t kMaskAt = 128;
constexpr size_t kGroupsAt = 130;
constexpr size_t kPointsAt = 134;

std::string StandardHop() {
  const OwnedSet set = MakeSet(0, 0b1, 2, kK, 7);
  const SetView view = set.view();
  return EncodeHop(MakeHeader(3), std::span(&view, 1));
}

std::string StandardReply() {
  const OwnedSet a = MakeSet(0, 0b011, 2, kK, 7);
  const OwnedSet b = MakeSet(1, 0b010, 1, kK, 9);
  const SetView views[] = {a.view(), b.view()};
  return EncodeReply(MakeHeader(3).session_id, views);
}

ResultMessage StandardResult() {
  ResultMessage r;
  r.session_id = MakeHeader(3).session_id;
  r.distinct = 9;
  r.single_list = 7;
  r.possible = 1;
  r.by_category = {3, 1, 0, 5};
  r.list_sizes = {2, 5, 3};
  r.participants = {"gemeente-a", "school-b", "Gemeente Één"};
  return r;
}

std::string With(std::string message, size_t at, uint8_t value) {
  message[at] = static_cast<char>(value);
  return message;
}

template <typename T>
void ExpectError(const Result<T>& got, ErrorCode code, const std::string& message) {
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code, code);
  EXPECT_EQ(got.error().message, message);
}

template <typename T>
Status AsStatus(const Result<T>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<Hop> Hop3(const std::string& m) { return DecodeHop(m, 1000); }
Result<Reply> Reply3(const std::string& m) { return DecodeReply(m, 3, kNameMask, 1000); }

// ---------------------------------------------------------- round trips --

TEST(RegionWireTest, HopRoundTripsAndKeepsItsLayout) {
  const std::string m = StandardHop();
  EXPECT_EQ(m.substr(0, 6), std::string("INBR\x03\x01", 6));
  EXPECT_EQ(m.size(), kPointsAt + 2 * kK * kPointSize + 2);
  EXPECT_EQ(static_cast<uint8_t>(m[22]), 3);  // purpose length
  EXPECT_EQ(static_cast<uint8_t>(m[25]), 3);  // node count
  EXPECT_EQ(m.substr(27, 3), "abc");
  EXPECT_EQ(static_cast<uint8_t>(m[kSetCountAt]), 1);
  EXPECT_EQ(m.substr(kMaskAt, 2), std::string("\x00\x01", 2));
  EXPECT_EQ(m.substr(kGroupsAt, 4), std::string("\x00\x00\x00\x02", 4));
  auto hop = Hop3(m);
  ASSERT_TRUE(hop) << hop.error().message;
  EXPECT_EQ(hop->header, MakeHeader(3));
  ASSERT_EQ(hop->sets.size(), 1u);
  const SetView& s = hop->sets[0];
  EXPECT_EQ(s.origin, 0);
  EXPECT_EQ(s.blinded_by, 1);
  EXPECT_EQ(s.groups, 2u);
  const OwnedSet expected = MakeSet(0, 0b1, 2, kK, 7);
  ASSERT_EQ(s.points.size(), expected.points.size());
  for (size_t i = 0; i < s.points.size(); ++i) {
    EXPECT_TRUE(std::equal(s.points[i].begin(), s.points[i].end(), expected.points[i].begin()));
  }
  EXPECT_EQ(std::vector<uint8_t>(s.categories.begin(), s.categories.end()), expected.categories);
  // Zero-copy: the points are the message's bytes.
  EXPECT_EQ(s.points.data(), reinterpret_cast<const uint8_t*>(m.data()) + kPointsAt);
}

TEST(RegionWireTest, ReplyRoundTrips) {
  // The decoded points are views into the message: it must outlive them.
  const std::string m = StandardReply();
  auto reply = Reply3(m);
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply->session_id, MakeHeader(3).session_id);
  ASSERT_EQ(reply->sets.size(), 2u);
  EXPECT_EQ(reply->sets[1].origin, 1);
  EXPECT_EQ(reply->sets[1].blinded_by, 0b010);
  EXPECT_EQ(reply->sets[1].groups, 1u);
  EXPECT_EQ(reply->sets[1].points.size(), kK);
  EXPECT_EQ(reply->sets[1].points[0][0], 9);
}

TEST(RegionWireTest, ResultRoundTrips) {
  const std::string m = EncodeResult(StandardResult());
  EXPECT_EQ(m.substr(0, 6), std::string("INBR\x03\x03", 6));
  auto result = DecodeResult(m);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(*result, StandardResult());
}

TEST(RegionWireTest, EveryKeyMaskRoundTripsAnEmptyAndAFullSet) {
  for (uint8_t mask = 1; mask <= 7; ++mask) {
    const size_t k = wire::SlotCount(mask);
    HopHeader h = MakeHeader(4);
    h.key_mask = mask;
    h.round = 2;
    h.index = 3;
    const OwnedSet empty = MakeSet(1, 0b0011, 0, k, 1);
    const OwnedSet full = MakeSet(2, 0b0111, 5, k, 2);
    const SetView views[] = {empty.view(), full.view()};
    const std::string m = EncodeHop(h, views);
    auto hop = DecodeHop(m, 5);
    ASSERT_TRUE(hop) << int{mask} << ": " << hop.error().message;
    EXPECT_EQ(hop->header, h);
    EXPECT_EQ(hop->sets[0].groups, 0u);
    EXPECT_EQ(hop->sets[1].points.size(), 5 * k);
  }
}

// --------------------------------------------------------------- limits --

TEST(RegionWireTest, MaximumSizesAreExact) {
  for (uint8_t mask : {uint8_t{1}, uint8_t{7}}) {
    const size_t k = wire::SlotCount(mask);
    HopHeader h = MakeHeader(kMaxNodes, std::string(wire::kMaxPurposeSize, 'p'));
    h.key_mask = mask;
    std::vector<OwnedSet> sets;
    for (size_t o = 0; o + 1 < kMaxNodes; ++o) {
      sets.push_back(MakeSet(static_cast<uint8_t>(o), static_cast<uint16_t>(1u << o), 3, k,
                             static_cast<uint8_t>(o)));
    }
    std::vector<SetView> views;
    for (const auto& s : sets) views.push_back(s.view());
    EXPECT_EQ(EncodeHop(h, views).size(), MaxHopSize(mask, 3));
    sets.push_back(MakeSet(15, 1u << 15, 3, k, 15));
    views.push_back(sets.back().view());
    EXPECT_EQ(EncodeReply(h.session_id, views).size(), MaxReplySize(kMaxNodes, mask, 3));
  }
  ResultMessage r = StandardResult();
  r.list_sizes.assign(kMaxNodes, 1);
  r.participants.assign(kMaxNodes, std::string(kMaxNameSize, 'x'));
  EXPECT_EQ(EncodeResult(r).size(), MaxResultSize());
  EXPECT_TRUE(DecodeResult(EncodeResult(r)));
  EXPECT_LT(MaxResultSize(), size_t{1} << 14);
}

// ------------------------------------------------------- hostile: header --

TEST(RegionWireTest, RefusesAVersion2JsonPeerWithAnUpgradeMessage) {
  const std::string json = R"({"v":2,"session":"00","sets":[]})";
  const std::string expected =
      ": a JSON body at byte 0: the peer speaks region protocol version 2; this node speaks "
      "version 3 — upgrade the peer";
  ExpectError(Hop3(json), ErrorCode::kInvalidArgument, "region hop" + expected);
  ExpectError(Reply3(json), ErrorCode::kInvalidArgument, "region reply" + expected);
  ExpectError(DecodeResult(json), ErrorCode::kInvalidArgument, "region result" + expected);
}

TEST(RegionWireTest, RefusesWrongMagicVersionAndType) {
  const std::string m = StandardHop();
  ExpectError(Hop3(With(m, 3, 'L')), ErrorCode::kInvalidArgument,
              "region hop: bad magic at byte 0 (expected \"INBR\")");
  ExpectError(Hop3(With(m, 4, 2)), ErrorCode::kInvalidArgument,
              "region hop: unsupported region protocol version 2 at byte 4 (this node speaks "
              "version 3)");
  ExpectError(Hop3(With(m, 4, 4)), ErrorCode::kInvalidArgument,
              "region hop: unsupported region protocol version 4 at byte 4 (this node speaks "
              "version 3)");
  ExpectError(Hop3(With(m, 5, 2)), ErrorCode::kInvalidArgument,
              "region hop: message type 2 at byte 5, expected 1");
  ExpectError(Reply3(m), ErrorCode::kInvalidArgument,
              "region reply: message type 1 at byte 5, expected 2");
  ExpectError(DecodeResult(m), ErrorCode::kInvalidArgument,
              "region result: message type 1 at byte 5, expected 3");
  ExpectError(Hop3(""), ErrorCode::kInvalidArgument,
              "region hop: message of 0 bytes is shorter than the 6-byte header");
}

// ------------------------------------------------- hostile: truncation --

TEST(RegionWireTest, EveryTruncationAndATrailingByteAreRefused) {
  const std::string messages[] = {StandardHop(), StandardReply(), EncodeResult(StandardResult())};
  for (size_t which = 0; which < 3; ++which) {
    const std::string& m = messages[which];
    auto decode = [&](const std::string& body) -> Status {
      switch (which) {
        case 0:
          return AsStatus(Hop3(body));
        case 1:
          return AsStatus(Reply3(body));
        default:
          return AsStatus(DecodeResult(body));
      }
    };
    for (size_t n = 0; n < m.size(); ++n) {
      const Status got = decode(m.substr(0, n));
      ASSERT_FALSE(got) << which << " cut at " << n;
      EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument) << which << " cut at " << n;
    }
    ASSERT_TRUE(decode(m)) << which;
    const Status trailing = decode(m + '\0');
    ASSERT_FALSE(trailing);
    EXPECT_THAT(trailing.error().message,
                HasSubstr(": 1 trailing bytes after byte " + std::to_string(m.size())));
  }
  ExpectError(Hop3(StandardHop().substr(0, kPointsAt + 5)), ErrorCode::kInvalidArgument,
              "region hop: set 0: 2 groups at byte 130 need " +
                  std::to_string(2 * (kK * kPointSize + 1)) + " bytes, but only 5 follow");
  ExpectError(Hop3(StandardHop().substr(0, 40)), ErrorCode::kInvalidArgument,
              "region hop: truncated at byte 40 in key of node 0 (needs 32 bytes from byte 30)");
}

// --------------------------------------------------- hostile: hop fields --

TEST(RegionWireTest, RefusesBadHopHeaderFields) {
  const std::string m = StandardHop();
  ExpectError(Hop3(With(m, 22, 0)), ErrorCode::kInvalidArgument,
              "region hop: purpose length 0 is not 1..64 at byte 22");
  ExpectError(Hop3(With(m, 22, 65)), ErrorCode::kInvalidArgument,
              "region hop: purpose length 65 is not 1..64 at byte 22");
  ExpectError(Hop3(With(m, 23, 0)), ErrorCode::kInvalidArgument,
              "region hop: key mask is 0 (at least one key type) at byte 23");
  ExpectError(Hop3(With(m, 23, 0x0A)), ErrorCode::kInvalidArgument,
              "region hop: key mask has unknown bits 8 at byte 23");
  ExpectError(Hop3(With(m, 24, 3)), ErrorCode::kInvalidArgument,
              "region hop: round 3 is not 1 or 2 at byte 24");
  ExpectError(Hop3(With(m, 24, 0)), ErrorCode::kInvalidArgument,
              "region hop: round 0 is not 1 or 2 at byte 24");
  ExpectError(Hop3(With(m, 25, 2)), ErrorCode::kInvalidArgument,
              "region hop: node count 2 is not 3..16 at byte 25");
  ExpectError(Hop3(With(m, 25, 17)), ErrorCode::kInvalidArgument,
              "region hop: node count 17 is not 3..16 at byte 25");
  ExpectError(Hop3(With(m, 26, 0)), ErrorCode::kInvalidArgument,
              "region hop: index 0 is not 1..2 at byte 26");
  ExpectError(Hop3(With(m, 26, 3)), ErrorCode::kInvalidArgument,
              "region hop: index 3 is not 1..2 at byte 26");
  // A purpose byte outside [a-z0-9._-], and the error does not echo it.
  const auto bad_purpose = Hop3(With(m, 28, 'Q'));
  ExpectError(bad_purpose, ErrorCode::kInvalidArgument,
              "region hop: purpose is not [a-z0-9._-] at byte 27");
  EXPECT_THAT(bad_purpose.error().message, Not(HasSubstr("aQc")));
}

TEST(RegionWireTest, RefusesBadSets) {
  const std::string m = StandardHop();
  ExpectError(Hop3(With(m, kSetCountAt, 0)), ErrorCode::kInvalidArgument,
              "region hop: set count 0 is not 1..2 at byte 126");
  ExpectError(Hop3(With(m, kSetCountAt, 3)), ErrorCode::kInvalidArgument,
              "region hop: set count 3 is not 1..2 at byte 126");
  // A second set that is not there.
  ExpectError(Hop3(With(m, kSetCountAt, 2)), ErrorCode::kInvalidArgument,
              "region hop: truncated at byte " + std::to_string(m.size()) +
                  " in set 1 origin (needs 1 bytes from byte " + std::to_string(m.size()) + ")");
  ExpectError(Hop3(With(m, kOriginAt, 3)), ErrorCode::kInvalidArgument,
              "region hop: set 0: origin 3 is not below the node count 3 at byte 127");
  ExpectError(Hop3(With(m, kMaskAt + 1, 0b1001)), ErrorCode::kInvalidArgument,
              "region hop: set 0: blinded-by mask names a node at or above the node count at "
              "byte 128");
  ExpectError(Hop3(With(m, kMaskAt, 0x80)), ErrorCode::kInvalidArgument,
              "region hop: set 0: blinded-by mask names a node at or above the node count at "
              "byte 128");
  ExpectError(Hop3(With(m, kMaskAt + 1, 0b010)), ErrorCode::kInvalidArgument,
              "region hop: set 0: blinded-by mask lacks the set's origin at byte 128");
  const size_t categories_at = kPointsAt + 2 * kK * kPointSize;
  for (uint8_t bad : {uint8_t{0}, uint8_t{5}, uint8_t{'1'}}) {
    ExpectError(Hop3(With(m, categories_at + 1, bad)), ErrorCode::kInvalidArgument,
                "region hop: set 0: unknown category " + std::to_string(bad) +
                    " of group 1 at byte " + std::to_string(categories_at + 1));
  }
}

TEST(RegionWireTest, RefusesARepeatedOrigin) {
  const OwnedSet a = MakeSet(0, 0b1, 1, kK, 1);
  const SetView views[] = {a.view(), a.view()};
  const std::string m = EncodeHop(MakeHeader(3), views);
  const size_t second = kSetCountAt + 1 + kSetHeaderSize + kK * kPointSize + 1;
  ExpectError(Hop3(m), ErrorCode::kInvalidArgument,
              "region hop: set 1: origin 0 repeated at byte " + std::to_string(second));
}

TEST(RegionWireTest, HugeGroupCountsFailBeforeAnyAllocation) {
  std::string m = StandardHop();
  for (size_t i = 0; i < 4; ++i) m[kGroupsAt + i] = '\xFF';
  // Within the caller's limit, but not in the bytes that follow.
  ExpectError(DecodeHop(m, UINT32_MAX), ErrorCode::kInvalidArgument,
              "region hop: set 0: 4294967295 groups at byte 130 need " +
                  std::to_string(uint64_t{UINT32_MAX} * (kK * kPointSize + 1)) +
                  " bytes, but only " + std::to_string(m.size() - kPointsAt) + " follow");
  // Above the caller's limit.
  ExpectError(DecodeHop(m, 1000), ErrorCode::kResourceExhausted,
              "region hop: set 0: 4294967295 groups at byte 130, more than the limit of 1000");
  ExpectError(DecodeHop(StandardHop(), 1), ErrorCode::kResourceExhausted,
              "region hop: set 0: 2 groups at byte 130, more than the limit of 1");
  // A set count that the bytes that follow cannot hold.
  const std::string short_sets = StandardHop().substr(0, kSetCountAt + 1);
  ExpectError(Hop3(short_sets), ErrorCode::kInvalidArgument,
              "region hop: set count 1 at byte 126 needs more than the 0 bytes that follow");
}

// ------------------------------------------------- hostile: reply, result --

TEST(RegionWireTest, ReplyChecksSetsAgainstTheCallersNodeCountKeyMaskAndLimit) {
  // Session id 6, set count 22, set 0: origin 23, blinded-by 24, groups 26,
  // points 30.
  const std::string m = StandardReply();
  ExpectError(Reply3(With(m, 22, 4)), ErrorCode::kInvalidArgument,
              "region reply: set count 4 is not 1..3 at byte 22");
  ExpectError(Reply3(With(m, 22, 0)), ErrorCode::kInvalidArgument,
              "region reply: set count 0 is not 1..3 at byte 22");
  ExpectError(DecodeReply(m, 3, kNameMask, 1), ErrorCode::kResourceExhausted,
              "region reply: set 0: 2 groups at byte 26, more than the limit of 1");
  // Read with one point a group, set 0's categories land in its third point
  // (bytes of value 9).
  ASSERT_EQ(kK, 2u);
  ExpectError(DecodeReply(m, 3, 1, 1000), ErrorCode::kInvalidArgument,
              "region reply: set 0: unknown category 9 of group 0 at byte 94");
  ExpectError(Reply3(With(m, 25, 0b100)), ErrorCode::kInvalidArgument,
              "region reply: set 0: blinded-by mask lacks the set's origin at byte 24");
}

TEST(RegionWireTest, RefusesBadResultFields) {
  // Session id 6, node count 22, figures 23..78, list sizes 79..102, the
  // first name's length 103, its bytes 105.
  const std::string m = EncodeResult(StandardResult());
  ExpectError(DecodeResult(With(m, 22, 2)), ErrorCode::kInvalidArgument,
              "region result: node count 2 is not 3..16 at byte 22");
  ExpectError(DecodeResult(With(m, 22, 4)), ErrorCode::kInvalidArgument,
              "region result: name of node 0: length 29797 is not 1..800 at byte 111");
  ExpectError(DecodeResult(With(With(m, 103, 0), 104, 0)), ErrorCode::kInvalidArgument,
              "region result: name of node 0: length 0 is not 1..800 at byte 103");
  ExpectError(DecodeResult(With(m, 103, 0x04)), ErrorCode::kInvalidArgument,
              "region result: name of node 0: length 1034 is not 1..800 at byte 103");
  const auto control = DecodeResult(With(m, 107, '\n'));
  ExpectError(control, ErrorCode::kInvalidArgument,
              "region result: name of node 0 is not UTF-8 text without control characters at "
              "byte 105");
  EXPECT_THAT(control.error().message, Not(HasSubstr("gemeente")));
  ExpectError(DecodeResult(With(m, 107, 0xC3)), ErrorCode::kInvalidArgument,
              "region result: name of node 0 is not UTF-8 text without control characters at "
              "byte 105");
}

}  // namespace
}  // namespace inbeeld::schema::region_wire
