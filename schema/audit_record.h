// schema/audit_record.h — one audit record, shaped after the Dutch Logboek
// Dataverwerkingen standard (trace, operation = span, status, times,
// processing activity, one data subject), and its canonical JSON line.
//
// The JSON line is what the Merkle tree commits to (the leaf data) and what
// `audit export` writes: keys sorted, no insignificant white space, UTF-8.
// Decode(Encode(r)) == r and Encode(Decode(line)) == line for every valid line,
// so a verifier can recompute leaf hashes from an export byte for byte.
//
// A record never holds an identifier: the data subject is a keyed pseudonym
// (64 hex characters) under the node's audit key.
//
// Thread safety: plain values.
#ifndef INBEELD_SCHEMA_AUDIT_RECORD_H_
#define INBEELD_SCHEMA_AUDIT_RECORD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace inbeeld::schema {

enum class AuditStatus { kUnknown = 0, kOk = 1, kError = 2 };

struct ForeignOperation {
  std::string trace_id;      // 32 hex
  std::string operation_id;  // 16 hex
  std::string entity;        // URI of the other party, "inbeeld:ed25519:<hex>"
  bool operator==(const ForeignOperation&) const = default;
};

struct AuditRecord {
  std::string trace_id;      // 32 lowercase hex (16 bytes); a session's trace
  std::string operation_id;  // 16 lowercase hex (8 bytes); this record's span
  std::optional<std::string> parent_operation_id;
  std::string name;  // e.g. "inbeeld.exchange.match", "inbeeld.exchange.subject"
  AuditStatus status = AuditStatus::kUnknown;
  int64_t start_time_ms = 0;  // Unix milliseconds
  int64_t end_time_ms = 0;
  std::optional<ForeignOperation> foreign_operation;
  // dpl.core.processing_activity_id, dpl.core.data_subject_id, and inbeeld.*
  // attributes (peer, role, mode, counts, outcome, reason). Values are strings.
  std::map<std::string, std::string> attributes;

  bool operator==(const AuditRecord&) const = default;
};

inline constexpr std::string_view kAttrProcessingActivity = "dpl.core.processing_activity_id";
inline constexpr std::string_view kAttrDataSubject = "dpl.core.data_subject_id";

std::string EncodeAuditRecord(const AuditRecord& record);
// Strict, through schema/json_reader.h: a member other than the record's,
// a wrong type, a malformed id, an unknown status, a time before 1970, an
// attribute that is not a string or out of bounds (256 attributes, names of
// 1..256 bytes, values of at most 64 KiB), or a non-canonical encoding is
// kInvalidArgument ("audit record: member \"operation_id\": not lowercase hex
// of 16 characters"); a line over 1 MiB is kResourceExhausted. No error holds
// a value or an attribute's name.
Result<AuditRecord> DecodeAuditRecord(std::string_view line);

}  // namespace inbeeld::schema

#endif  // INBEELD_SCHEMA_AUDIT_RECORD_H_
