#include "schema/region_wire.h"

#include <cstring>
#include <utility>

#include "schema/byte_codec.h"
#include "schema/match_keys.h"
#include "schema/utf8.h"

namespace inbeeld::schema::region_wire {
namespace {

constexpr size_t kFigureSize = 8;
// Byte layout after the 6-byte header (docs/PROTOCOL.md §11 has the tables).
// Hop: session id, purpose length, key mask, round, node count, index, then
// the purpose and keys, then the set count.
constexpr size_t kHopFixed = kHeaderSize + kSessionIdSize + 1 + 1 + 1 + 1 + 1 + 1;
constexpr size_t kReplyFixed = kHeaderSize + kSessionIdSize + 1;
constexpr size_t kResultFixed = kHeaderSize + kSessionIdSize + 1 + (3 + kCategories) * kFigureSize;

std::string_view MessageName(MessageType type) {
  switch (type) {
    case MessageType::kHop:
      return "region hop";
    case MessageType::kReply:
      return "region reply";
    case MessageType::kResult:
      return "region result";
  }
  return "region message";
}

size_t GroupSize(size_t k) { return k * kPointSize + 1; }

// ---------------------------------------------------------------- writer --

class Writer : public ByteWriter {
 public:
  Writer(std::string& out, MessageType type) : ByteWriter(out) {
    Raw(kMagic.data(), kMagic.size());
    U8(kVersion);
    U8(static_cast<uint8_t>(type));
  }

  void Sets(std::span<const SetView> sets) {
    U8(static_cast<uint8_t>(sets.size()));
    for (const SetView& s : sets) {
      U8(s.origin);
      U16(s.blinded_by);
      U32(s.groups);
      Raw(s.points.data(), s.points.bytes().size());
      Raw(s.categories.data(), s.categories.size());
    }
  }
};

// ---------------------------------------------------------------- reader --

// The region messages' reader: ByteReader plus this format's header.
class Reader : public ByteReader {
 public:
  Reader(std::string_view message, MessageType type) : ByteReader(message, MessageName(type)) {}

  // The magic, version and type. `type` is what the caller expects.
  bool Header(MessageType type) {
    if (size() > 0 && at(0) == '{') {
      return Fail(
          "a JSON body at byte 0: the peer speaks region protocol version 2; this node speaks "
          "version " +
          std::to_string(kVersion) + " — upgrade the peer");
    }
    if (size() < kHeaderSize) {
      return Fail("message of " + std::to_string(size()) + " bytes is shorter than the " +
                  std::to_string(kHeaderSize) + "-byte header");
    }
    for (size_t i = 0; i < kMagic.size(); ++i) {
      if (at(i) != static_cast<uint8_t>(kMagic[i])) {
        return Fail("bad magic at byte 0 (expected \"INBR\")");
      }
    }
    if (at(4) != kVersion) {
      return Fail("unsupported region protocol version " + std::to_string(at(4)) +
                  " at byte 4 (this node speaks version " + std::to_string(kVersion) + ")");
    }
    if (at(5) != static_cast<uint8_t>(type)) {
      return Fail("message type " + std::to_string(at(5)) + " at byte 5, expected " +
                  std::to_string(static_cast<int>(type)));
    }
    Seek(kHeaderSize);
    return true;
  }
};

bool ReadKeyMask(Reader& r, uint8_t& mask) {
  const size_t at = r.pos();
  if (!r.U8(mask, "key mask")) return false;
  if (mask == 0) return r.FailAt(at, "key mask is 0 (at least one key type)");
  if ((mask & ~schema::kAllKeyTypes) != 0) {
    return r.FailAt(at,
                    "key mask has unknown bits " + std::to_string(mask & ~schema::kAllKeyTypes));
  }
  return true;
}

bool ReadNodeCount(Reader& r, uint8_t& count) {
  const size_t at = r.pos();
  if (!r.U8(count, "node count")) return false;
  if (count < kMinNodes || count > kMaxNodes) {
    return r.FailAt(at, "node count " + std::to_string(count) + " is not " +
                            std::to_string(kMinNodes) + ".." + std::to_string(kMaxNodes));
  }
  return true;
}

// The set count, then the sets: at most `max_sets` of them, origins below
// `nodes` and distinct, groups of k points.
bool ReadSets(Reader& r, size_t nodes, size_t max_sets, size_t k, uint32_t max_groups,
              std::vector<SetView>& sets) {
  const size_t count_at = r.pos();
  uint8_t count = 0;
  if (!r.U8(count, "set count")) return false;
  if (count == 0 || count > max_sets) {
    return r.FailAt(
        count_at, "set count " + std::to_string(count) + " is not 1.." + std::to_string(max_sets));
  }
  if (uint64_t{count} * kSetHeaderSize > r.remaining()) {
    return r.Fail("set count " + std::to_string(count) + " at byte " + std::to_string(count_at) +
                  " needs more than the " + std::to_string(r.remaining()) + " bytes that follow");
  }
  sets.reserve(count);
  uint32_t seen = 0;  // origins so far, a bit each
  for (size_t i = 0; i < count; ++i) {
    const std::string field = "set " + std::to_string(i);
    SetView s;
    const size_t origin_at = r.pos();
    if (!r.U8(s.origin, field + " origin")) return false;
    if (s.origin >= nodes) {
      return r.FailAt(origin_at, field + ": origin " + std::to_string(s.origin) +
                                     " is not below the node count " + std::to_string(nodes));
    }
    if ((seen & (uint32_t{1} << s.origin)) != 0) {
      return r.FailAt(origin_at, field + ": origin " + std::to_string(s.origin) + " repeated");
    }
    seen |= uint32_t{1} << s.origin;
    const size_t mask_at = r.pos();
    if (!r.U16(s.blinded_by, field + " blinded-by mask")) return false;
    if ((uint32_t{s.blinded_by} >> nodes) != 0) {
      return r.FailAt(mask_at, field + ": blinded-by mask names a node at or above the node count");
    }
    if ((s.blinded_by & (1u << s.origin)) == 0) {
      return r.FailAt(mask_at, field + ": blinded-by mask lacks the set's origin");
    }
    const size_t groups_at = r.pos();
    if (!r.U32(s.groups, field + " group count")) return false;
    if (s.groups > max_groups) {
      return r.Exhausted(field + ": " + std::to_string(s.groups) + " groups at byte " +
                         std::to_string(groups_at) + ", more than the limit of " +
                         std::to_string(max_groups));
    }
    const uint64_t need = uint64_t{s.groups} * GroupSize(k);
    if (need > r.remaining()) {
      return r.Fail(field + ": " + std::to_string(s.groups) + " groups at byte " +
                    std::to_string(groups_at) + " need " + std::to_string(need) +
                    " bytes, but only " + std::to_string(r.remaining()) + " follow");
    }
    const size_t points = size_t{s.groups} * k;
    s.points = wire::PointView(r.Take(points * kPointSize).data(), points);
    const size_t categories_at = r.pos();
    s.categories = r.Take(s.groups);
    for (size_t g = 0; g < s.categories.size(); ++g) {
      if (!wire::CategoryFromCode(s.categories[g])) {
        return r.FailAt(categories_at + g, field + ": unknown category " +
                                               std::to_string(s.categories[g]) + " of group " +
                                               std::to_string(g));
      }
    }
    sets.push_back(s);
  }
  return true;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

}  // namespace

// ------------------------------------------------------------- encoding --

std::string EncodeHop(const HopHeader& header, std::span<const SetView> sets) {
  std::string out;
  Writer w(out, MessageType::kHop);
  w.Raw(header.session_id.data(), header.session_id.size());
  w.U8(static_cast<uint8_t>(header.purpose.size()));
  w.U8(header.key_mask);
  w.U8(header.round);
  w.U8(static_cast<uint8_t>(header.participants.size()));
  w.U8(header.index);
  w.Raw(header.purpose.data(), header.purpose.size());
  for (const KeyBytes& key : header.participants) w.Raw(key.data(), key.size());
  w.Sets(sets);
  return out;
}

std::string EncodeReply(const SessionId& session_id, std::span<const SetView> sets) {
  std::string out;
  Writer w(out, MessageType::kReply);
  w.Raw(session_id.data(), session_id.size());
  w.Sets(sets);
  return out;
}

std::string EncodeResult(const ResultMessage& result) {
  std::string out;
  Writer w(out, MessageType::kResult);
  w.Raw(result.session_id.data(), result.session_id.size());
  w.U8(static_cast<uint8_t>(result.list_sizes.size()));
  w.U64(result.distinct);
  w.U64(result.single_list);
  w.U64(result.possible);
  for (uint64_t v : result.by_category) w.U64(v);
  for (uint64_t v : result.list_sizes) w.U64(v);
  for (const std::string& name : result.participants) {
    w.U16(static_cast<uint16_t>(name.size()));
    w.Raw(name.data(), name.size());
  }
  return out;
}

// ------------------------------------------------------------- decoding --

Result<Hop> DecodeHop(std::string_view message, uint32_t max_groups) {
  Reader r(message, MessageType::kHop);
  Hop hop;
  HopHeader& h = hop.header;
  if (!r.Header(MessageType::kHop)) return r.error();
  if (!r.Raw(h.session_id.data(), h.session_id.size(), "session id")) return r.error();
  const size_t purpose_length_at = r.pos();
  uint8_t purpose_length = 0;
  if (!r.U8(purpose_length, "purpose length")) return r.error();
  if (purpose_length == 0 || purpose_length > wire::kMaxPurposeSize) {
    r.FailAt(purpose_length_at, "purpose length " + std::to_string(purpose_length) + " is not 1.." +
                                    std::to_string(wire::kMaxPurposeSize));
    return r.error();
  }
  if (!ReadKeyMask(r, h.key_mask)) return r.error();
  const size_t round_at = r.pos();
  if (!r.U8(h.round, "round")) return r.error();
  if (h.round != 1 && h.round != 2) {
    r.FailAt(round_at, "round " + std::to_string(h.round) + " is not 1 or 2");
    return r.error();
  }
  uint8_t nodes = 0;
  if (!ReadNodeCount(r, nodes)) return r.error();
  const size_t index_at = r.pos();
  if (!r.U8(h.index, "index")) return r.error();
  if (h.index == 0 || h.index >= nodes) {
    r.FailAt(index_at,
             "index " + std::to_string(h.index) + " is not 1.." + std::to_string(nodes - 1));
    return r.error();
  }
  const size_t purpose_at = r.pos();
  if (!r.Chars(h.purpose, purpose_length, "purpose")) return r.error();
  if (!wire::IsValidPurpose(h.purpose)) {
    r.FailAt(purpose_at, "purpose is not [a-z0-9._-]");
    return r.error();
  }
  h.participants.resize(nodes);
  for (size_t i = 0; i < nodes; ++i) {
    if (!r.Raw(h.participants[i].data(), kKeySize, "key of node " + std::to_string(i))) {
      return r.error();
    }
  }
  if (!ReadSets(r, nodes, nodes - 1u, wire::SlotCount(h.key_mask), max_groups, hop.sets) ||
      !r.End()) {
    return r.error();
  }
  return hop;
}

Result<Reply> DecodeReply(std::string_view message, size_t participants, uint8_t key_mask,
                          uint32_t max_groups) {
  Reader r(message, MessageType::kReply);
  Reply reply;
  if (!r.Header(MessageType::kReply)) return r.error();
  if (!r.Raw(reply.session_id.data(), reply.session_id.size(), "session id")) return r.error();
  if (!ReadSets(r, participants, participants, wire::SlotCount(key_mask), max_groups, reply.sets) ||
      !r.End()) {
    return r.error();
  }
  return reply;
}

Result<ResultMessage> DecodeResult(std::string_view message) {
  Reader r(message, MessageType::kResult);
  ResultMessage result;
  if (!r.Header(MessageType::kResult)) return r.error();
  if (!r.Raw(result.session_id.data(), result.session_id.size(), "session id")) return r.error();
  uint8_t nodes = 0;
  if (!ReadNodeCount(r, nodes)) return r.error();
  if (!r.U64(result.distinct, "distinct") || !r.U64(result.single_list, "single_list") ||
      !r.U64(result.possible, "possible")) {
    return r.error();
  }
  for (size_t c = 0; c < kCategories; ++c) {
    if (!r.U64(result.by_category[c], "by_category " + std::to_string(c + 1))) return r.error();
  }
  result.list_sizes.resize(nodes);
  for (size_t i = 0; i < nodes; ++i) {
    if (!r.U64(result.list_sizes[i], "list size of node " + std::to_string(i))) return r.error();
  }
  result.participants.resize(nodes);
  for (size_t i = 0; i < nodes; ++i) {
    const std::string field = "name of node " + std::to_string(i);
    const size_t length_at = r.pos();
    uint16_t length = 0;
    if (!r.U16(length, field)) return r.error();
    if (length == 0 || length > kMaxNameSize) {
      r.FailAt(length_at, field + ": length " + std::to_string(length) + " is not 1.." +
                              std::to_string(kMaxNameSize));
      return r.error();
    }
    const size_t name_at = r.pos();
    std::string& name = result.participants[i];
    if (!r.Chars(name, length, field)) return r.error();
    bool control = false;
    for (char c : name) control = control || IsControl(static_cast<unsigned char>(c));
    if (control || !IsValidUtf8(name)) {
      r.FailAt(name_at, field + " is not UTF-8 text without control characters");
      return r.error();
    }
  }
  if (!r.End()) return r.error();
  return result;
}

// --------------------------------------------------------------- limits --

size_t MaxHopSize(uint8_t key_mask, size_t max_groups) {
  return kHopFixed + wire::kMaxPurposeSize + kMaxNodes * kKeySize +
         (kMaxNodes - 1) * (kSetHeaderSize + max_groups * GroupSize(wire::SlotCount(key_mask)));
}

size_t MaxReplySize(size_t participants, uint8_t key_mask, size_t max_groups) {
  return kReplyFixed +
         participants * (kSetHeaderSize + max_groups * GroupSize(wire::SlotCount(key_mask)));
}

size_t MaxResultSize() { return kResultFixed + kMaxNodes * (kFigureSize + 2 + kMaxNameSize); }

}  // namespace inbeeld::schema::region_wire
