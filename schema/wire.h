// schema/wire.h — the four messages of the PSI exchange between two nodes, as
// bytes: encoders and strict decoders. The byte layout is specified, with
// tables and a worked example, in docs/PROTOCOL.md; this header is its code.
//
// Every message is binary and big-endian and starts with the same 6 bytes:
//   "INBL" | version u8 (= kVersion) | message type u8 (1..4).
// There is no negotiation: a message with another version is rejected, and a
// version-1 message gets an error that says the peer must upgrade.
//
// Protocol version 2 matches records by a *key family* (schema/match_keys.h):
// each record is a group of k slots, k = SlotCount(key mask), one blinded
// point per slot (a random point where the record has no key). The first pass
// (A, B) carries 32-byte points; the second pass (C, D) carries 16-byte tags,
// the first 16 bytes of each double-blinded point, so a slot costs 48 bytes
// on the wire per side.
//
// Points are raw 32-byte strings here. This module knows no cryptography: it
// checks lengths and counts, and the PSI session (node/psi/session.h) checks
// that every received point is a canonical, non-identity ristretto255 element.
//
// Zero-copy decoding: a decoded message holds its point and tag lists as
// views, a pointer and a count into the caller's buffer, instead of copying
// up to millions of points. A view is valid only while the buffer passed to
// the decoder is alive and unchanged; keep the buffer at least as long as the
// decoded message.
//
// Strict decoding: exact lengths, no trailing bytes, counts checked against
// the remaining bytes before anything is allocated (a hostile count cannot
// make the decoder allocate), counts checked against a caller-given limit,
// every enumerated value and every label field validated. Errors are
// kInvalidArgument (kResourceExhausted for a count above the caller's limit),
// name the message, the field and the byte offset, and never contain payload
// bytes.
//
// Thread safety: plain values and pure functions; safe from any thread.
#ifndef INBEELD_SCHEMA_WIRE_H_
#define INBEELD_SCHEMA_WIRE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "schema/date.h"
#include "schema/list_row.h"

namespace inbeeld::schema::wire {

inline constexpr std::array<char, 4> kMagic = {'I', 'N', 'B', 'L'};
inline constexpr uint8_t kVersion = 2;
inline constexpr size_t kHeaderSize = 6;  // magic, version, type
inline constexpr size_t kSessionIdSize = 16;
inline constexpr size_t kPointSize = 32;
inline constexpr size_t kTagSize = 16;  // a truncated double-blinded point (C, D)
inline constexpr size_t kMaxPurposeSize = 64;

enum class MessageType : uint8_t {
  kStartRequest = 1,    // message 1, initiator → responder
  kStartResponse = 2,   // message 2, responder → initiator
  kFinishRequest = 3,   // message 3, initiator → responder
  kFinishResponse = 4,  // message 4, responder → initiator
};

enum class Mode : uint8_t { kMatch = 1, kCount = 2 };

// Label bits: which facts about a matched record travel. Fields are always
// encoded in this order.
inline constexpr uint8_t kLabelCategory = 1;
inline constexpr uint8_t kLabelSince = 2;
inline constexpr uint8_t kLabelSchool = 4;
inline constexpr uint8_t kLabelPlan = 8;
inline constexpr uint8_t kAllLabels = 15;

using SessionId = std::array<uint8_t, kSessionIdSize>;
using PointBytes = std::array<uint8_t, kPointSize>;
using TagBytes = std::array<uint8_t, kTagSize>;
static_assert(sizeof(PointBytes) == kPointSize);
static_assert(sizeof(TagBytes) == kTagSize);

// Slots per record for a key mask (schema::kKeyType* bits): 1 for pgn, 2 for
// name, 3 for weak; 6 for all. The slots of a group are the schema::MatchKeys
// slots whose key type is in the mask, in slot order.
size_t SlotCount(uint8_t key_mask);
// The MatchKeys slot numbers of a group's positions, for `key_mask`.
std::vector<size_t> GroupSlots(uint8_t key_mask);

// The shareable facts about one record. A field is present iff its bit is in
// the mask the message carries.
struct Labels {
  std::optional<Category> category;
  std::optional<Date> since;
  std::optional<std::string> school;  // BRIN: 4 or 6 characters [0-9A-Z]
  std::optional<bool> plan;

  bool operator==(const Labels&) const = default;
};

// The label bits of the fields that are set in `labels`.
uint8_t PresentLabels(const Labels& labels);

// A copy of `labels` with only the fields in `mask`.
Labels RestrictLabels(const Labels& labels, uint8_t mask);

// OK iff every field in `mask` is present in `labels` and encodable: a valid
// date (1900..2100), a school of 4 or 6 characters [0-9A-Z]. Fields outside
// the mask are not looked at. Errors: kInvalidArgument naming the field.
Status CheckLabels(const Labels& labels, uint8_t mask);

// Category on the wire: 1 relatief verzuim, 2 absoluut verzuim,
// 3 vrijstelling 5 onder a, 4 dreigend.
uint8_t CategoryCode(Category category);

// Inverse of CategoryCode; nullopt for any other value.
std::optional<Category> CategoryFromCode(uint8_t code);

// Date on the wire: u32 yyyymmdd (2026-01-15 → 20260115).
uint32_t DateCode(const Date& date);

// Inverse of DateCode; nullopt unless a real calendar day in 1900..2100.
std::optional<Date> DateFromCode(uint32_t code);

// True iff `purpose` is 1..64 bytes of [a-z0-9._-].
bool IsValidPurpose(std::string_view purpose);

struct LabelEntry {
  uint32_t index;  // a position in the receiver's list, see docs/PROTOCOL.md
  Labels labels;

  bool operator==(const LabelEntry&) const = default;
};

// Read-only view of `size()` consecutive N-byte items (points or tags) in
// someone else's buffer. Copying the view copies the pointer, not the items.
template <size_t N>
class ItemView {
 public:
  ItemView() = default;
  ItemView(const uint8_t* data, size_t count) : data_(data), count_(count) {}

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // REQUIRES: i < size().
  std::span<const uint8_t, N> operator[](size_t i) const {
    return std::span<const uint8_t, N>(data_ + i * N, N);
  }
  const uint8_t* data() const { return data_; }
  std::span<const uint8_t> bytes() const { return {data_, count_ * N}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t count_ = 0;
};

// Writable view of the item slots of a message being built (see Begin*).
template <size_t N>
class MutableItemView {
 public:
  MutableItemView() = default;
  MutableItemView(uint8_t* data, size_t count) : data_(data), count_(count) {}

  size_t size() const { return count_; }
  // REQUIRES: i < size().
  std::span<uint8_t, N> operator[](size_t i) const { return std::span<uint8_t, N>(data_ + i * N, N); }
  uint8_t* data() const { return data_; }
  ItemView<N> view() const { return ItemView<N>(data_, count_); }

 private:
  uint8_t* data_ = nullptr;
  size_t count_ = 0;
};

using PointView = ItemView<kPointSize>;
using TagView = ItemView<kTagSize>;
using MutablePointView = MutableItemView<kPointSize>;
using MutableTagView = MutableItemView<kTagSize>;

// What a responder needs to apply its policy before doing any work.
struct StartHeader {
  SessionId session_id{};
  Mode mode = Mode::kMatch;
  std::string purpose;     // 1..64 bytes [a-z0-9._-]
  uint8_t label_mask = 0;  // labels offered; 0 in count mode
  uint8_t key_mask = 0;    // key types offered: 1..7 (schema::kKeyType* bits)
  Date list_date{};
  uint32_t list_size = 0;  // records in A; A holds list_size × SlotCount(key_mask) points

  bool operator==(const StartHeader&) const = default;
};

// Message 1: the header and A, record by record, SlotCount(key_mask) points
// a record.
struct StartRequest {
  StartHeader header;
  PointView a;
};

// Message 2: the agreed labels and key types, the responder's list date, B
// (its records, k = SlotCount(key_mask) points each) and C (A's records, k
// tags each: A's slots of the agreed key types, double-blinded and cut to 16
// bytes).
struct StartResponse {
  SessionId session_id{};
  uint8_t label_mask = 0;  // agreed
  uint8_t key_mask = 0;    // agreed: a non-empty subset of the offered key types
  Date list_date{};
  uint32_t b_records = 0;
  PointView b;  // b_records × k points
  uint32_t c_records = 0;
  TagView c;  // c_records × k tags
};

// Message 3: D (B's records, k tags each) and, in match mode, the
// initiator's labels for its matched records (indices of records in A,
// strictly increasing).
struct FinishRequest {
  SessionId session_id{};
  uint8_t label_mask = 0;
  uint32_t d_records = 0;
  TagView d;  // d_records × k tags, k from the agreed key mask
  std::vector<LabelEntry> labels;
};

// How many records of one side matched: with at least one certain or
// probable pair, and with only possible ones (docs/PROTOCOL.md §4).
struct MatchCounts {
  uint32_t strong = 0;
  uint32_t possible = 0;

  bool operator==(const MatchCounts&) const = default;
};

// Message 4: the counts as the responder computed them, for both sides, and,
// in match mode, the responder's labels for its matched records (indices of
// records in B, strictly increasing).
struct FinishResponse {
  SessionId session_id{};
  MatchCounts responder;  // the responder's records
  MatchCounts initiator;  // the initiator's records
  uint8_t label_mask = 0;
  std::vector<LabelEntry> labels;
};

// ------------------------------------------------------------- encoding --
//
// The Begin* functions write a message into `out` (replacing its contents)
// with its point and tag slots zeroed, and return writable views of those
// slots, so a caller can compute millions of points straight into the
// message without a second copy. The views are valid until `out` is next
// modified. All encoders REQUIRE valid input (a valid purpose and dates,
// label masks within kAllLabels, key masks 1..7, every label field in the
// mask present and valid as by CheckLabels, entries in strictly increasing
// index order); they do not check it, the sessions do.

// REQUIRES: header.list_size is the number of records to follow.
MutablePointView BeginStartRequest(const StartHeader& header, std::string& out);

struct StartResponseSlots {
  MutablePointView b;
  MutableTagView c;
};
StartResponseSlots BeginStartResponse(const SessionId& session_id, uint8_t label_mask,
                                      uint8_t key_mask, const Date& list_date, uint32_t b_records,
                                      uint32_t c_records, std::string& out);

// Writes message 3 up to and including D and reserves room for a label
// section of up to `max_label_entries` entries, so that the following
// AppendLabelSection does not reallocate; then call AppendLabelSection once.
MutableTagView BeginFinishRequest(const SessionId& session_id, uint8_t label_mask,
                                  uint8_t key_mask, uint32_t d_records, size_t max_label_entries,
                                  std::string& out);
// Appends the entry count and the entries, each with the fields in `mask`.
void AppendLabelSection(uint8_t mask, std::span<const LabelEntry> entries, std::string& out);

// The same piece by piece, for a writer that does not hold all entries at
// once: the count, then exactly that many entries.
void AppendLabelCount(uint32_t count, std::string& out);
void AppendLabelEntry(uint8_t mask, const LabelEntry& entry, std::string& out);

// Writes message 4 up to its label section, with room reserved for
// `max_label_entries` entries; then call AppendLabelSection, or
// AppendLabelCount and AppendLabelEntry.
void BeginFinishResponse(const SessionId& session_id, const MatchCounts& responder,
                         const MatchCounts& initiator, uint8_t label_mask,
                         size_t max_label_entries, std::string& out);

std::string EncodeFinishResponse(const SessionId& session_id, const MatchCounts& responder,
                                 const MatchCounts& initiator, uint8_t label_mask,
                                 std::span<const LabelEntry> entries);

// Whole-message conveniences (they copy the points), mainly for tests. The
// point and tag counts must be multiples of the key mask's slot count.
std::string EncodeStartRequest(const StartHeader& header, std::span<const PointBytes> a);
std::string EncodeStartResponse(const SessionId& session_id, uint8_t label_mask, uint8_t key_mask,
                                const Date& list_date, std::span<const PointBytes> b,
                                std::span<const TagBytes> c);
std::string EncodeFinishRequest(const SessionId& session_id, uint8_t label_mask, uint8_t key_mask,
                                std::span<const TagBytes> d, std::span<const LabelEntry> entries);

// ------------------------------------------------------------- decoding --

// The message type of `message`, after checking magic and version only.
// Errors: kInvalidArgument for a short message, bad magic, another version
// (the message names the version this node speaks; version 1 is named as an
// older inbeeld that must be upgraded) or an unknown type.
Result<MessageType> PeekMessageType(std::string_view message);

// The session id of any of the four messages (bytes 6..21), after checking
// magic, version and type, so a node can find the session a message belongs
// to before decoding it in full. Errors: kInvalidArgument.
Result<SessionId> PeekSessionId(std::string_view message);

// Message 1 without reading its points: validates the header and that
// exactly header.list_size records follow. Errors: kInvalidArgument.
Result<StartHeader> DecodeStartHeader(std::string_view message);

// Message 1. Errors: kInvalidArgument for anything malformed;
// kResourceExhausted if header.list_size > max_list_size.
Result<StartRequest> DecodeStartRequest(std::string_view message, uint32_t max_list_size);

// Message 2. Errors: kInvalidArgument (also for an agreed key mask of 0 or
// with unknown bits); kResourceExhausted if B or C holds more than
// max_records records.
Result<StartResponse> DecodeStartResponse(std::string_view message, uint32_t max_records);

// Message 3, whose tags come `key_mask`'s slot count to a record (the
// session knows the agreed mask; the message does not repeat it).
// Errors: kInvalidArgument (also for label entries not in strictly
// increasing index order, or a repeated index); kResourceExhausted if D or
// the label section holds more than max_records entries.
Result<FinishRequest> DecodeFinishRequest(std::string_view message, uint8_t key_mask,
                                          uint32_t max_records);

// Message 4. Errors: as DecodeFinishRequest, max_entries bounding the label
// section.
Result<FinishResponse> DecodeFinishResponse(std::string_view message, uint32_t max_entries);

}  // namespace inbeeld::schema::wire

#endif  // INBEELD_SCHEMA_WIRE_H_
