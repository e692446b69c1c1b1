#include "schema/audit_record.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "schema/json_reader.h"

namespace inbeeld::schema {
namespace {

using nlohmann::json;

std::string_view StatusName(AuditStatus status) {
  switch (status) {
    case AuditStatus::kOk:
      return "STATUS_CODE_OK";
    case AuditStatus::kError:
      return "STATUS_CODE_ERROR";
    case AuditStatus::kUnknown:
      break;
  }
  return "STATUS_CODE_UNKNOWN";
}

// How DecodeAuditRecord names the message in its errors.
constexpr std::string_view kWhat = "audit record";
// Bounds no record this node writes comes near; the line itself is at most
// JsonLimits' 1 MiB.
constexpr size_t kMaxNameBytes = 256;     // event, status, attribute names
constexpr size_t kMaxAttributes = 256;    // attributes a record
constexpr size_t kMaxValueBytes = 65536;  // an attribute value

}  // namespace

std::string EncodeAuditRecord(const AuditRecord& r) {
  json j = {
      {"trace_id", r.trace_id},
      {"operation_id", r.operation_id},
      {"name", r.name},
      {"status_code", StatusName(r.status)},
      {"start_time", r.start_time_ms},
      {"end_time", r.end_time_ms},
      {"attributes", r.attributes},
  };
  if (r.parent_operation_id) j["parent_operation_id"] = *r.parent_operation_id;
  if (r.foreign_operation) {
    j["foreign_operation"] = {{"trace_id", r.foreign_operation->trace_id},
                              {"operation_id", r.foreign_operation->operation_id},
                              {"entity", r.foreign_operation->entity}};
  }
  return j.dump();
}

Result<AuditRecord> DecodeAuditRecord(std::string_view line) {
  JsonLimits limits;
  limits.max_depth = 2;  // the record, and its attributes or foreign operation
  auto doc = JsonDocument::Parse(line, kWhat, limits);
  if (!doc) return std::unexpected(doc.error());
  const JsonObject& j = doc->Root();
  INBEELD_RETURN_IF_ERROR(
      j.OnlyMembers({"trace_id", "operation_id", "parent_operation_id", "name", "status_code",
                     "start_time", "end_time", "foreign_operation", "attributes"}));
  AuditRecord r;
  auto trace_id = j.String("trace_id", JsonString::LowerHex(32));
  if (!trace_id) return std::unexpected(trace_id.error());
  r.trace_id = std::move(*trace_id);
  auto operation_id = j.String("operation_id", JsonString::LowerHex(16));
  if (!operation_id) return std::unexpected(operation_id.error());
  r.operation_id = std::move(*operation_id);
  auto parent = j.OptionalString("parent_operation_id", JsonString::LowerHex(16));
  if (!parent) return std::unexpected(parent.error());
  r.parent_operation_id = std::move(*parent);
  auto name = j.String("name", JsonString::Text(kMaxNameBytes));
  if (!name) return std::unexpected(name.error());
  r.name = std::move(*name);
  auto status = j.String("status_code", JsonString::Text(kMaxNameBytes));
  if (!status) return std::unexpected(status.error());
  if (*status == "STATUS_CODE_OK") {
    r.status = AuditStatus::kOk;
  } else if (*status == "STATUS_CODE_ERROR") {
    r.status = AuditStatus::kError;
  } else if (*status == "STATUS_CODE_UNKNOWN") {
    r.status = AuditStatus::kUnknown;
  } else {
    return std::unexpected(j.ErrorAt("status_code", "not a known status"));
  }
  // Unix milliseconds; a time before 1970 is not one this node wrote.
  constexpr auto kMaxTime = static_cast<uint64_t>(INT64_MAX);
  auto start = j.Uint("start_time", 0, kMaxTime);
  if (!start) return std::unexpected(start.error());
  r.start_time_ms = static_cast<int64_t>(*start);
  auto end = j.Uint("end_time", 0, kMaxTime);
  if (!end) return std::unexpected(end.error());
  r.end_time_ms = static_cast<int64_t>(*end);
  if (j.Has("foreign_operation")) {
    auto f = j.Object("foreign_operation");
    if (!f) return std::unexpected(f.error());
    INBEELD_RETURN_IF_ERROR(f->OnlyMembers({"trace_id", "operation_id", "entity"}));
    ForeignOperation foreign;
    for (auto [member, out] :
         {std::pair{"trace_id", &foreign.trace_id},
          std::pair{"operation_id", &foreign.operation_id}, std::pair{"entity", &foreign.entity}}) {
      auto value = f->String(member, JsonString::MaybeEmpty(kMaxNameBytes));
      if (!value) return std::unexpected(value.error());
      *out = std::move(*value);
    }
    r.foreign_operation = std::move(foreign);
  }
  auto attributes = j.StringMap("attributes", kMaxAttributes, JsonString::Text(kMaxNameBytes),
                                JsonString::MaybeEmpty(kMaxValueBytes));
  if (!attributes) return std::unexpected(attributes.error());
  r.attributes = std::move(*attributes);
  // Canonical form only: the bytes are what the Merkle tree commits to.
  if (EncodeAuditRecord(r) != line) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kWhat) + ": not in canonical form (sorted keys, no spaces)");
  }
  return r;
}

}  // namespace inbeeld::schema
