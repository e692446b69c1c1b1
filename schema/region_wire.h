// schema/region_wire.h — the three messages of the regional count
// (docs/PROTOCOL.md §11), as bytes: encoders and strict decoders. The
// protocol itself (who sends what when, the blinding, the counting) is
// node/region/session.h; this header is the code of §11's byte tables.
//
//   Hop     coordinator → participant  POST /v1/region/hop
//   Reply   participant → coordinator  the hop's reply body
//   Result  coordinator → participant  POST /v1/region/result (the reply is empty)
//
// Every message is binary and big-endian and starts with the same 6 bytes:
//   "INBR" | version u8 (= kVersion, 3) | message type u8 (1..3).
// There is no negotiation. Version 2 of the regional count sent JSON: a body
// that starts with '{' is refused with an error saying that the peer speaks
// version 2 and must be upgraded; any other version byte is refused naming
// the version this node speaks.
//
// A set is one node's list on its way round the region: the index of the
// node it came from (origin), the nodes that have blinded it (a bitmask,
// bit i for node i), and a group of k = wire::SlotCount(key mask) 32-byte
// points and one category byte (wire::CategoryCode) a child. Points are raw
// bytes here: this module knows no cryptography. The session
// (node/region/session.h) checks that every received point is a canonical,
// non-identity ristretto255 element and that no point stands for more than
// psi::kMaxKeyRepeats children of one set.
//
// Zero-copy decoding: a decoded set holds its points and categories as views
// into the caller's buffer. A view is valid only while that buffer is alive
// and unchanged; keep the buffer at least as long as the decoded message.
//
// Strict decoding: exact lengths, no trailing bytes, counts checked against
// the bytes that remain before anything is allocated, a set's group count
// checked against the caller's limit, every enumerated value checked (key
// mask 1..7, round 1 or 2, node count 3..16, index 1..count−1, origin below
// the node count and not repeated, a blinded-by mask with no bit at or above
// the node count and the origin's bit set, category 1..4, a purpose of
// 1..64 bytes [a-z0-9._-], names of 1..kMaxNameSize bytes of UTF-8 without
// control characters). Errors are kInvalidArgument (kResourceExhausted for a
// set above the caller's limit), name the message, the field and the byte
// offset, and never contain payload bytes.
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_REGION_WIRE_H_
#define INBEELD_SCHEMA_REGION_WIRE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "schema/wire.h"

namespace inbeeld::schema::region_wire {

inline constexpr std::array<char, 4> kMagic = {'I', 'N', 'B', 'R'};
inline constexpr uint8_t kVersion = 3;
inline constexpr size_t kHeaderSize = 6;  // magic, version, type
inline constexpr size_t kSessionIdSize = wire::kSessionIdSize;
inline constexpr size_t kPointSize = wire::kPointSize;
inline constexpr size_t kKeySize = 32;  // a raw ed25519 public key
inline constexpr size_t kMinNodes = 3;
inline constexpr size_t kMaxNodes = 16;
inline constexpr size_t kCategories = 4;
// A node name in a result: the coordinator's own name is any line of up to
// 200 characters ([node] name), so up to 800 bytes of UTF-8.
inline constexpr size_t kMaxNameSize = 800;
// origin u8, blinded_by u16, group count u32.
inline constexpr size_t kSetHeaderSize = 1 + 2 + 4;

enum class MessageType : uint8_t {
  kHop = 1,     // coordinator → participant
  kReply = 2,   // participant → coordinator
  kResult = 3,  // coordinator → participant
};

using SessionId = wire::SessionId;
using KeyBytes = std::array<uint8_t, kKeySize>;

// One set. As decoded, `points` and `categories` are views into the message;
// to encode, they point into the caller's storage.
struct SetView {
  uint8_t origin = 0;                   // the node whose list this is
  uint16_t blinded_by = 0;              // bit i: blinded by node i
  uint32_t groups = 0;                  // children
  wire::PointView points;               // groups × k points, group by group
  std::span<const uint8_t> categories;  // groups bytes, 1..4
};

// Everything in a hop but its sets.
struct HopHeader {
  SessionId session_id{};
  std::string purpose;                 // 1..64 bytes [a-z0-9._-]
  uint8_t key_mask = 0;                // 1..7 (schema::kKeyType* bits); k = SlotCount
  uint8_t round = 0;                   // 1 or 2
  uint8_t index = 0;                   // the receiving participant, 1..participants−1
  std::vector<KeyBytes> participants;  // every node's key, the coordinator first

  bool operator==(const HopHeader&) const = default;
};

// Hop: the header, then 1..participants−1 sets (a participant never gets
// its own set back).
struct Hop {
  HopHeader header;
  std::vector<SetView> sets;
};

// Reply: the session id and 1..participants sets (the node count and key
// mask are the hop's, which the coordinator knows).
struct Reply {
  SessionId session_id{};
  std::vector<SetView> sets;
};

// ResultMessage: the figures the coordinator computed (node/region/session.h,
// RegionalCounts), one list size and one name a node, coordinator first.
struct ResultMessage {
  SessionId session_id{};
  uint64_t distinct = 0;
  uint64_t single_list = 0;
  uint64_t possible = 0;
  std::array<uint64_t, kCategories> by_category{};
  std::vector<uint64_t> list_sizes;       // 3..16, one a node
  std::vector<std::string> participants;  // as many names as list sizes

  bool operator==(const ResultMessage&) const = default;
};

// ------------------------------------------------------------- encoding --
//
// The encoders REQUIRE valid input (as the decoders check it: a valid
// purpose, key mask, round, index and node count, every set with an origin
// below the node count, a valid blinded-by mask, groups × SlotCount(key
// mask) points and `groups` categories 1..4; valid names); they do not
// check it, the sessions do.

std::string EncodeHop(const HopHeader& header, std::span<const SetView> sets);
std::string EncodeReply(const SessionId& session_id, std::span<const SetView> sets);
std::string EncodeResult(const ResultMessage& result);

// ------------------------------------------------------------- decoding --

// Hop. Errors: kInvalidArgument for anything malformed (see above);
// kResourceExhausted for a set of more than max_groups children.
Result<Hop> DecodeHop(std::string_view message, uint32_t max_groups);

// Reply to a hop among `participants` nodes (3..16) for `key_mask` (1..7).
// Errors: as DecodeHop.
Result<Reply> DecodeReply(std::string_view message, size_t participants, uint8_t key_mask,
                          uint32_t max_groups);

// Result. Errors: kInvalidArgument.
Result<ResultMessage> DecodeResult(std::string_view message);

// --------------------------------------------------------------- limits --

// The largest hop for key types `key_mask` and sets of at most max_groups
// children: the longest purpose, 16 keys and 15 sets.
size_t MaxHopSize(uint8_t key_mask, size_t max_groups);
// The largest reply among `participants` nodes: one set a node.
size_t MaxReplySize(size_t participants, uint8_t key_mask, size_t max_groups);
// The largest result: 16 nodes with names of kMaxNameSize bytes.
size_t MaxResultSize();

}  // namespace inbeeld::schema::region_wire

#endif  // INBEELD_SCHEMA_REGION_WIRE_H_
