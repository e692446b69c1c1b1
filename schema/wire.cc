#include "schema/wire.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "schema/byte_codec.h"
#include "schema/match_keys.h"

namespace inbeeld::schema::wire {
namespace {

constexpr size_t kDateSize = 4;
constexpr size_t kCountSize = 4;

// Byte layout after the 6-byte header (docs/PROTOCOL.md has the tables).
constexpr size_t kStartRequestFixed = kHeaderSize + kSessionIdSize + 1 + 1 + 1 + kDateSize + 1 +
                                      kCountSize;  // without purpose and points
constexpr size_t kStartResponseFixed =
    kHeaderSize + kSessionIdSize + 1 + 1 + kDateSize + kCountSize + kCountSize;
constexpr size_t kFinishRequestFixed = kHeaderSize + kSessionIdSize + 1 + kCountSize + kCountSize;
constexpr size_t kFinishResponseFixed =
    kHeaderSize + kSessionIdSize + 4 * kCountSize + 1 + kCountSize;

std::string_view MessageName(MessageType type) {
  switch (type) {
    case MessageType::kStartRequest:
      return "StartRequest";
    case MessageType::kStartResponse:
      return "StartResponse";
    case MessageType::kFinishRequest:
      return "FinishRequest";
    case MessageType::kFinishResponse:
      return "FinishResponse";
  }
  return "message";
}

// Why a message with version byte `version` is refused; version 1 is an
// inbeeld that predates the key family and must be upgraded.
std::string VersionProblem(uint8_t version) {
  if (version == 1) {
    return "protocol version 1 at byte 4: the peer runs an older inbeeld (BSN matching only); "
           "this node speaks version 2 (matching by key family) — upgrade the peer";
  }
  return "unsupported protocol version " + std::to_string(version) +
         " at byte 4 (this node speaks version " + std::to_string(kVersion) + ")";
}

bool IsSchoolChar(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }

bool IsValidSchool(std::string_view school) {
  return (school.size() == 4 || school.size() == 6) &&
         std::all_of(school.begin(), school.end(), IsSchoolChar);
}

// Size of one label entry with the fields in `mask`, counting a school as
// `school_chars` characters.
size_t EntrySize(uint8_t mask, size_t school_chars) {
  size_t size = 4;
  if (mask & kLabelCategory) size += 1;
  if (mask & kLabelSince) size += kDateSize;
  if (mask & kLabelSchool) size += 1 + school_chars;
  if (mask & kLabelPlan) size += 1;
  return size;
}

// ---------------------------------------------------------------- writer --

class Writer : public ByteWriter {
 public:
  explicit Writer(std::string& out) : ByteWriter(out) {}

  void Header(MessageType type) {
    Raw(kMagic.data(), kMagic.size());
    U8(kVersion);
    U8(static_cast<uint8_t>(type));
  }
  // Appends `count` zeroed N-byte slots and returns them.
  template <size_t N>
  MutableItemView<N> Slots(size_t count) {
    const size_t offset = out().size();
    out().resize(offset + count * N);
    return MutableItemView<N>(reinterpret_cast<uint8_t*>(out().data()) + offset, count);
  }
  void Labels(uint8_t mask, const wire::Labels& labels) {
    if (mask & kLabelCategory) U8(CategoryCode(*labels.category));
    if (mask & kLabelSince) U32(DateCode(*labels.since));
    if (mask & kLabelSchool) {
      U8(static_cast<uint8_t>(labels.school->size()));
      Raw(labels.school->data(), labels.school->size());
    }
    if (mask & kLabelPlan) U8(*labels.plan ? 1 : 0);
  }
};

// Fixes up the points of a Begin* message from a span (the convenience
// encoders).
template <size_t N>
void CopyItems(std::span<const std::array<uint8_t, N>> items, MutableItemView<N> slots) {
  if (!items.empty()) std::memcpy(slots.data(), items.data(), items.size() * N);
}

// ---------------------------------------------------------------- reader --

// The PSI messages' reader: ByteReader plus the header, counts and item
// views of this format.
class Reader : public ByteReader {
 public:
  Reader(std::string_view message, MessageType type) : ByteReader(message, MessageName(type)) {}

  // The magic, version and type. `type` is what the caller expects.
  bool Header(MessageType type) {
    if (size() < kHeaderSize) {
      return Fail("message of " + std::to_string(size()) + " bytes is shorter than the " +
                  std::to_string(kHeaderSize) + "-byte header");
    }
    for (size_t i = 0; i < kMagic.size(); ++i) {
      if (at(i) != static_cast<uint8_t>(kMagic[i])) {
        return Fail("bad magic at byte 0 (expected \"INBL\")");
      }
    }
    if (at(4) != kVersion) return Fail(VersionProblem(at(4)));
    if (at(5) != static_cast<uint8_t>(type)) {
      return Fail("message type " + std::to_string(at(5)) + " at byte 5, expected " +
                  std::to_string(static_cast<int>(type)));
    }
    Seek(kHeaderSize);
    return true;
  }

  // A count of `count` items of at least `min_item_size` bytes each, checked
  // against the caller's limit and against the bytes left, before the caller
  // allocates or slices anything.
  bool Count(uint32_t count, uint64_t min_item_size, uint32_t limit, std::string_view what,
             size_t count_offset) {
    if (count > limit) {
      return Exhausted(std::string(what) + " has " + std::to_string(count) +
                       " entries, more than the limit of " + std::to_string(limit));
    }
    const uint64_t need = uint64_t{count} * min_item_size;
    if (need > remaining()) {
      return Fail(std::string(what) + " claims " + std::to_string(count) + " entries at byte " +
                  std::to_string(count_offset) + ", but only " + std::to_string(remaining()) +
                  " bytes follow");
    }
    return true;
  }

  // `count` N-byte items. REQUIRES: Count() has checked that they are there.
  template <size_t N>
  bool Items(uint64_t count, ItemView<N>& out) {
    out = ItemView<N>(Take(static_cast<size_t>(count) * N).data(), static_cast<size_t>(count));
    return true;
  }
};

bool ReadMask(Reader& r, uint8_t& mask) {
  const size_t at = r.pos();
  if (!r.U8(mask, "label mask")) return false;
  if ((mask & ~kAllLabels) != 0) {
    return r.FailAt(at, "label mask has unknown bits " + std::to_string(mask & ~kAllLabels));
  }
  return true;
}

bool ReadKeyMask(Reader& r, uint8_t& mask, std::string_view field) {
  const size_t at = r.pos();
  if (!r.U8(mask, field)) return false;
  if (mask == 0) return r.FailAt(at, std::string(field) + " is 0 (at least one key type)");
  if ((mask & ~schema::kAllKeyTypes) != 0) {
    return r.FailAt(at, std::string(field) + " has unknown bits " +
                            std::to_string(mask & ~schema::kAllKeyTypes));
  }
  return true;
}

bool ReadDate(Reader& r, Date& date, std::string_view field) {
  const size_t at = r.pos();
  uint32_t code = 0;
  if (!r.U32(code, field)) return false;
  std::optional<Date> parsed = DateFromCode(code);
  if (!parsed)
    return r.FailAt(at, std::string(field) + " is not a valid date (yyyymmdd, 1900..2100)");
  date = *parsed;
  return true;
}

// A record count, then count × slots items of N bytes.
template <size_t N>
bool ReadRecordList(Reader& r, size_t slots, uint32_t limit, std::string_view what,
                    uint32_t& records, ItemView<N>& out) {
  const size_t at = r.pos();
  if (!r.U32(records, std::string(what) + " record count")) return false;
  if (!r.Count(records, uint64_t{N} * slots, limit, what, at)) return false;
  return r.Items(uint64_t{records} * slots, out);
}

bool ReadLabels(Reader& r, uint8_t mask, Labels& labels, const std::string& field) {
  if (mask & kLabelCategory) {
    const size_t at = r.pos();
    uint8_t code = 0;
    if (!r.U8(code, field)) return false;
    labels.category = CategoryFromCode(code);
    if (!labels.category) return r.FailAt(at, field + ": unknown category " + std::to_string(code));
  }
  if (mask & kLabelSince) {
    Date since;
    if (!ReadDate(r, since, field + " since date")) return false;
    labels.since = since;
  }
  if (mask & kLabelSchool) {
    const size_t at = r.pos();
    uint8_t length = 0;
    if (!r.U8(length, field)) return false;
    if (length != 4 && length != 6) {
      return r.FailAt(at, field + ": school code of " + std::to_string(length) +
                              " characters (must be 4 or 6)");
    }
    std::string school;
    if (!r.Chars(school, length, field)) return false;
    if (!IsValidSchool(school)) {
      return r.FailAt(at + 1, field + ": school code is not [0-9A-Z]");
    }
    labels.school = std::move(school);
  }
  if (mask & kLabelPlan) {
    const size_t at = r.pos();
    uint8_t plan = 0;
    if (!r.U8(plan, field)) return false;
    if (plan > 1)
      return r.FailAt(at, field + ": plan flag " + std::to_string(plan) + " (must be 0 or 1)");
    labels.plan = plan == 1;
  }
  return true;
}

bool ReadLabelSection(Reader& r, uint8_t mask, uint32_t limit, std::vector<LabelEntry>& entries) {
  const size_t at = r.pos();
  uint32_t count = 0;
  if (!r.U32(count, "label entry count")) return false;
  if (!r.Count(count, EntrySize(mask, 4), limit, "label section", at)) return false;
  entries.reserve(count);
  for (uint32_t k = 0; k < count; ++k) {
    const std::string field = "label entry " + std::to_string(k);
    const size_t index_at = r.pos();
    LabelEntry entry{};
    if (!r.U32(entry.index, field)) return false;
    if (!entries.empty()) {
      const uint32_t previous = entries.back().index;
      if (entry.index == previous) {
        return r.FailAt(index_at, field + ": duplicate label index " + std::to_string(entry.index));
      }
      if (entry.index < previous) {
        return r.FailAt(index_at, field + ": index " + std::to_string(entry.index) + " after " +
                                      std::to_string(previous) +
                                      " (entries must be in increasing index order)");
      }
    }
    if (!ReadLabels(r, mask, entry.labels, field)) return false;
    entries.push_back(std::move(entry));
  }
  return true;
}

bool ReadSessionId(Reader& r, SessionId& id) { return r.Raw(id.data(), id.size(), "session id"); }

// Shared by DecodeStartHeader and DecodeStartRequest: everything up to A.
bool ReadStartHeader(Reader& r, StartHeader& h) {
  if (!r.Header(MessageType::kStartRequest) || !ReadSessionId(r, h.session_id)) return false;
  size_t at = r.pos();
  uint8_t mode = 0;
  if (!r.U8(mode, "mode")) return false;
  if (mode != static_cast<uint8_t>(Mode::kMatch) && mode != static_cast<uint8_t>(Mode::kCount)) {
    return r.FailAt(at, "unknown mode " + std::to_string(mode));
  }
  h.mode = static_cast<Mode>(mode);
  at = r.pos();
  if (!ReadMask(r, h.label_mask)) return false;
  if (h.mode == Mode::kCount && h.label_mask != 0) {
    return r.FailAt(
        at, "count mode carries no labels, but label mask is " + std::to_string(h.label_mask));
  }
  if (!ReadKeyMask(r, h.key_mask, "key mask")) return false;
  if (!ReadDate(r, h.list_date, "list date")) return false;
  at = r.pos();
  uint8_t purpose_size = 0;
  if (!r.U8(purpose_size, "purpose length")) return false;
  if (purpose_size == 0 || purpose_size > kMaxPurposeSize) {
    return r.FailAt(at, "purpose length " + std::to_string(purpose_size) + " (must be 1.." +
                            std::to_string(kMaxPurposeSize) + ")");
  }
  if (!r.Chars(h.purpose, purpose_size, "purpose")) return false;
  if (!IsValidPurpose(h.purpose)) {
    return r.FailAt(at + 1, "purpose has characters outside [a-z0-9._-]");
  }
  return r.U32(h.list_size, "list size");
}

}  // namespace

// ---------------------------------------------------------------- labels --

uint8_t PresentLabels(const Labels& labels) {
  uint8_t mask = 0;
  if (labels.category) mask |= kLabelCategory;
  if (labels.since) mask |= kLabelSince;
  if (labels.school) mask |= kLabelSchool;
  if (labels.plan) mask |= kLabelPlan;
  return mask;
}

Labels RestrictLabels(const Labels& labels, uint8_t mask) {
  Labels out;
  if (mask & kLabelCategory) out.category = labels.category;
  if (mask & kLabelSince) out.since = labels.since;
  if (mask & kLabelSchool) out.school = labels.school;
  if (mask & kLabelPlan) out.plan = labels.plan;
  return out;
}

Status CheckLabels(const Labels& labels, uint8_t mask) {
  if ((mask & kLabelCategory) && !labels.category) {
    return Fail(ErrorCode::kInvalidArgument, "label category is missing");
  }
  if (mask & kLabelCategory) {
    const auto code = static_cast<int>(*labels.category);
    if (code < 0 || code > 3)
      return Fail(ErrorCode::kInvalidArgument, "label category is out of range");
  }
  if ((mask & kLabelSince) && !labels.since) {
    return Fail(ErrorCode::kInvalidArgument, "label since is missing");
  }
  if ((mask & kLabelSince) && !IsValidDate(*labels.since)) {
    return Fail(ErrorCode::kInvalidArgument, "label since is not a valid date in 1900..2100");
  }
  if ((mask & kLabelSchool) && !labels.school) {
    return Fail(ErrorCode::kInvalidArgument, "label school is missing");
  }
  if ((mask & kLabelSchool) && !IsValidSchool(*labels.school)) {
    return Fail(ErrorCode::kInvalidArgument, "label school is not 4 or 6 characters [0-9A-Z]");
  }
  if ((mask & kLabelPlan) && !labels.plan) {
    return Fail(ErrorCode::kInvalidArgument, "label plan is missing");
  }
  return {};
}

uint8_t CategoryCode(Category category) {
  switch (category) {
    case Category::kRelatiefVerzuim:
      return 1;
    case Category::kAbsoluutVerzuim:
      return 2;
    case Category::kVrijstelling5a:
      return 3;
    case Category::kDreigend:
      return 4;
  }
  return 0;
}

std::optional<Category> CategoryFromCode(uint8_t code) {
  switch (code) {
    case 1:
      return Category::kRelatiefVerzuim;
    case 2:
      return Category::kAbsoluutVerzuim;
    case 3:
      return Category::kVrijstelling5a;
    case 4:
      return Category::kDreigend;
    default:
      return std::nullopt;
  }
}

std::optional<Date> DateFromCode(uint32_t code) {
  Date date{static_cast<int>(code / 10000), static_cast<int>(code / 100 % 100),
            static_cast<int>(code % 100)};
  if (!IsValidDate(date)) return std::nullopt;
  return date;
}

uint32_t DateCode(const Date& date) {
  return static_cast<uint32_t>(date.year * 10000 + date.month * 100 + date.day);
}

bool IsValidPurpose(std::string_view purpose) {
  if (purpose.empty() || purpose.size() > kMaxPurposeSize) return false;
  return std::all_of(purpose.begin(), purpose.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

size_t SlotCount(uint8_t key_mask) { return GroupSlots(key_mask).size(); }

std::vector<size_t> GroupSlots(uint8_t key_mask) {
  std::vector<size_t> slots;
  for (size_t s = 0; s < schema::kSlotCount; ++s) {
    if (key_mask & schema::SlotKeyType(s)) slots.push_back(s);
  }
  return slots;
}

// -------------------------------------------------------------- encoding --

MutablePointView BeginStartRequest(const StartHeader& header, std::string& out) {
  const size_t points = size_t{header.list_size} * SlotCount(header.key_mask);
  out.clear();
  out.reserve(kStartRequestFixed + header.purpose.size() + points * kPointSize);
  Writer w(out);
  w.Header(MessageType::kStartRequest);
  w.Raw(header.session_id.data(), header.session_id.size());
  w.U8(static_cast<uint8_t>(header.mode));
  w.U8(header.label_mask);
  w.U8(header.key_mask);
  w.U32(DateCode(header.list_date));
  w.U8(static_cast<uint8_t>(header.purpose.size()));
  w.Raw(header.purpose.data(), header.purpose.size());
  w.U32(header.list_size);
  return w.Slots<kPointSize>(points);
}

StartResponseSlots BeginStartResponse(const SessionId& session_id, uint8_t label_mask,
                                      uint8_t key_mask, const Date& list_date, uint32_t b_records,
                                      uint32_t c_records, std::string& out) {
  const size_t k = SlotCount(key_mask);
  out.clear();
  out.reserve(kStartResponseFixed + size_t{b_records} * k * kPointSize +
              size_t{c_records} * k * kTagSize);
  Writer w(out);
  w.Header(MessageType::kStartResponse);
  w.Raw(session_id.data(), session_id.size());
  w.U8(label_mask);
  w.U8(key_mask);
  w.U32(DateCode(list_date));
  w.U32(b_records);
  const size_t b_offset = out.size();
  w.Slots<kPointSize>(size_t{b_records} * k);
  w.U32(c_records);
  MutableTagView c = w.Slots<kTagSize>(size_t{c_records} * k);
  // Capacity was reserved up front, so B's slots did not move.
  return {
      MutablePointView(reinterpret_cast<uint8_t*>(out.data()) + b_offset, size_t{b_records} * k),
      c};
}

MutableTagView BeginFinishRequest(const SessionId& session_id, uint8_t label_mask, uint8_t key_mask,
                                  uint32_t d_records, size_t max_label_entries, std::string& out) {
  const size_t tags = size_t{d_records} * SlotCount(key_mask);
  out.clear();
  out.reserve(kFinishRequestFixed + tags * kTagSize + max_label_entries * EntrySize(label_mask, 6));
  Writer w(out);
  w.Header(MessageType::kFinishRequest);
  w.Raw(session_id.data(), session_id.size());
  w.U8(label_mask);
  w.U32(d_records);
  return w.Slots<kTagSize>(tags);
}

void AppendLabelSection(uint8_t mask, std::span<const LabelEntry> entries, std::string& out) {
  AppendLabelCount(static_cast<uint32_t>(entries.size()), out);
  for (const LabelEntry& entry : entries) AppendLabelEntry(mask, entry, out);
}

void AppendLabelCount(uint32_t count, std::string& out) { Writer(out).U32(count); }

void AppendLabelEntry(uint8_t mask, const LabelEntry& entry, std::string& out) {
  Writer w(out);
  w.U32(entry.index);
  w.Labels(mask, entry.labels);
}

void BeginFinishResponse(const SessionId& session_id, const MatchCounts& responder,
                         const MatchCounts& initiator, uint8_t label_mask, size_t max_label_entries,
                         std::string& out) {
  out.clear();
  out.reserve(kFinishResponseFixed + max_label_entries * EntrySize(label_mask, 6));
  Writer w(out);
  w.Header(MessageType::kFinishResponse);
  w.Raw(session_id.data(), session_id.size());
  w.U32(responder.strong);
  w.U32(responder.possible);
  w.U32(initiator.strong);
  w.U32(initiator.possible);
  w.U8(label_mask);
}

std::string EncodeFinishResponse(const SessionId& session_id, const MatchCounts& responder,
                                 const MatchCounts& initiator, uint8_t label_mask,
                                 std::span<const LabelEntry> entries) {
  std::string out;
  BeginFinishResponse(session_id, responder, initiator, label_mask, entries.size(), out);
  AppendLabelSection(label_mask, entries, out);
  return out;
}

std::string EncodeStartRequest(const StartHeader& header, std::span<const PointBytes> a) {
  std::string out;
  CopyItems<kPointSize>(a, BeginStartRequest(header, out));
  return out;
}

std::string EncodeStartResponse(const SessionId& session_id, uint8_t label_mask, uint8_t key_mask,
                                const Date& list_date, std::span<const PointBytes> b,
                                std::span<const TagBytes> c) {
  const size_t k = std::max<size_t>(1, SlotCount(key_mask));
  std::string out;
  StartResponseSlots slots = BeginStartResponse(session_id, label_mask, key_mask, list_date,
                                                static_cast<uint32_t>(b.size() / k),
                                                static_cast<uint32_t>(c.size() / k), out);
  CopyItems<kPointSize>(b, slots.b);
  CopyItems<kTagSize>(c, slots.c);
  return out;
}

std::string EncodeFinishRequest(const SessionId& session_id, uint8_t label_mask, uint8_t key_mask,
                                std::span<const TagBytes> d, std::span<const LabelEntry> entries) {
  const size_t k = std::max<size_t>(1, SlotCount(key_mask));
  std::string out;
  CopyItems<kTagSize>(
      d, BeginFinishRequest(session_id, label_mask, key_mask, static_cast<uint32_t>(d.size() / k),
                            entries.size(), out));
  AppendLabelSection(label_mask, entries, out);
  return out;
}

// -------------------------------------------------------------- decoding --

Result<MessageType> PeekMessageType(std::string_view message) {
  if (message.size() < kHeaderSize) {
    return Fail(ErrorCode::kInvalidArgument, "message of " + std::to_string(message.size()) +
                                                 " bytes is shorter than the " +
                                                 std::to_string(kHeaderSize) + "-byte header");
  }
  if (std::memcmp(message.data(), kMagic.data(), kMagic.size()) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "bad magic at byte 0 (expected \"INBL\")");
  }
  const auto version = static_cast<uint8_t>(message[4]);
  if (version != kVersion) return Fail(ErrorCode::kInvalidArgument, VersionProblem(version));
  const auto type = static_cast<uint8_t>(message[5]);
  if (type < 1 || type > 4) {
    return Fail(ErrorCode::kInvalidArgument,
                "unknown message type " + std::to_string(type) + " at byte 5");
  }
  return static_cast<MessageType>(type);
}

Result<SessionId> PeekSessionId(std::string_view message) {
  Result<MessageType> type = PeekMessageType(message);
  if (!type) return std::unexpected(std::move(type).error());
  if (message.size() < kHeaderSize + kSessionIdSize) {
    return Fail(ErrorCode::kInvalidArgument, std::string(MessageName(*type)) +
                                                 ": truncated at byte " +
                                                 std::to_string(message.size()) + " in session id");
  }
  SessionId id;
  std::memcpy(id.data(), message.data() + kHeaderSize, kSessionIdSize);
  return id;
}

Result<StartHeader> DecodeStartHeader(std::string_view message) {
  Reader r(message, MessageType::kStartRequest);
  StartHeader h;
  if (!ReadStartHeader(r, h)) return r.error();
  // The points must be exactly the rest of the message; they are not read.
  const uint64_t need = uint64_t{h.list_size} * SlotCount(h.key_mask) * kPointSize;
  if (need > r.remaining()) {
    r.Fail("list A claims " + std::to_string(h.list_size) + " records, but only " +
           std::to_string(r.remaining()) + " bytes follow at byte " + std::to_string(r.pos()));
    return r.error();
  }
  if (need < r.remaining()) {
    r.Fail(std::to_string(r.remaining() - need) + " trailing bytes after byte " +
           std::to_string(r.pos() + need));
    return r.error();
  }
  return h;
}

Result<StartRequest> DecodeStartRequest(std::string_view message, uint32_t max_list_size) {
  Reader r(message, MessageType::kStartRequest);
  StartRequest m;
  if (!ReadStartHeader(r, m.header)) return r.error();
  const size_t k = SlotCount(m.header.key_mask);
  if (!r.Count(m.header.list_size, uint64_t{kPointSize} * k, max_list_size, "list A",
               r.pos() - kCountSize) ||
      !r.Items(uint64_t{m.header.list_size} * k, m.a) || !r.End()) {
    return r.error();
  }
  return m;
}

Result<StartResponse> DecodeStartResponse(std::string_view message, uint32_t max_records) {
  Reader r(message, MessageType::kStartResponse);
  StartResponse m;
  if (!r.Header(MessageType::kStartResponse) || !ReadSessionId(r, m.session_id) ||
      !ReadMask(r, m.label_mask) || !ReadKeyMask(r, m.key_mask, "agreed key mask") ||
      !ReadDate(r, m.list_date, "list date")) {
    return r.error();
  }
  const size_t k = SlotCount(m.key_mask);
  if (!ReadRecordList(r, k, max_records, "list B", m.b_records, m.b) ||
      !ReadRecordList(r, k, max_records, "list C", m.c_records, m.c) || !r.End()) {
    return r.error();
  }
  return m;
}

Result<FinishRequest> DecodeFinishRequest(std::string_view message, uint8_t key_mask,
                                          uint32_t max_records) {
  Reader r(message, MessageType::kFinishRequest);
  FinishRequest m;
  const size_t k = SlotCount(key_mask);
  if (!r.Header(MessageType::kFinishRequest) || !ReadSessionId(r, m.session_id) ||
      !ReadMask(r, m.label_mask) ||
      !ReadRecordList(r, std::max<size_t>(k, 1), max_records, "list D", m.d_records, m.d) ||
      !ReadLabelSection(r, m.label_mask, max_records, m.labels) || !r.End()) {
    return r.error();
  }
  return m;
}

Result<FinishResponse> DecodeFinishResponse(std::string_view message, uint32_t max_entries) {
  Reader r(message, MessageType::kFinishResponse);
  FinishResponse m;
  if (!r.Header(MessageType::kFinishResponse) || !ReadSessionId(r, m.session_id) ||
      !r.U32(m.responder.strong, "responder strong count") ||
      !r.U32(m.responder.possible, "responder possible count") ||
      !r.U32(m.initiator.strong, "initiator strong count") ||
      !r.U32(m.initiator.possible, "initiator possible count") || !ReadMask(r, m.label_mask) ||
      !ReadLabelSection(r, m.label_mask, max_entries, m.labels) || !r.End()) {
    return r.error();
  }
  return m;
}

}  // namespace inbeeld::schema::wire
