#include "schema/audit_record.h"

#include <nlohmann/json.hpp>

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

bool IsLowerHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

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
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  auto bad = [](std::string_view field, std::string_view what) {
    return Fail(ErrorCode::kInvalidArgument,
                "field " + std::string(field) + ": " + std::string(what));
  };
  if (j.is_discarded()) return Fail(ErrorCode::kInvalidArgument, "not valid JSON");
  if (!j.is_object()) return Fail(ErrorCode::kInvalidArgument, "not a JSON object");
  static const char* kKnown[] = {"trace_id", "operation_id",      "parent_operation_id",
                                 "name",     "status_code",       "start_time",
                                 "end_time", "foreign_operation", "attributes"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known = known || it.key() == k;
    if (!known) return bad(it.key(), "unknown field");
  }
  AuditRecord r;
  auto text = [&](const char* field, std::string& out) -> Status {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string()) return bad(field, "missing or not a string");
    out = it->get<std::string>();
    return {};
  };
  INBEELD_RETURN_IF_ERROR(text("trace_id", r.trace_id));
  if (!IsLowerHex(r.trace_id, 32)) return bad("trace_id", "expected 32 lowercase hex characters");
  INBEELD_RETURN_IF_ERROR(text("operation_id", r.operation_id));
  if (!IsLowerHex(r.operation_id, 16))
    return bad("operation_id", "expected 16 lowercase hex characters");
  if (j.contains("parent_operation_id")) {
    std::string parent;
    INBEELD_RETURN_IF_ERROR(text("parent_operation_id", parent));
    if (!IsLowerHex(parent, 16)) {
      return bad("parent_operation_id", "expected 16 lowercase hex characters");
    }
    r.parent_operation_id = parent;
  }
  INBEELD_RETURN_IF_ERROR(text("name", r.name));
  std::string status;
  INBEELD_RETURN_IF_ERROR(text("status_code", status));
  if (status == "STATUS_CODE_OK") {
    r.status = AuditStatus::kOk;
  } else if (status == "STATUS_CODE_ERROR") {
    r.status = AuditStatus::kError;
  } else if (status == "STATUS_CODE_UNKNOWN") {
    r.status = AuditStatus::kUnknown;
  } else {
    return bad("status_code", "unknown status");
  }
  for (const char* field : {"start_time", "end_time"}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_number_integer()) return bad(field, "missing or not an integer");
    (std::string_view(field) == "start_time" ? r.start_time_ms : r.end_time_ms) =
        it->get<int64_t>();
  }
  if (j.contains("foreign_operation")) {
    const json& f = j["foreign_operation"];
    if (!f.is_object() || f.size() != 3 || !f.contains("trace_id") || !f.contains("operation_id") ||
        !f.contains("entity") || !f["trace_id"].is_string() || !f["operation_id"].is_string() ||
        !f["entity"].is_string()) {
      return bad("foreign_operation", "expected {trace_id, operation_id, entity}");
    }
    r.foreign_operation = ForeignOperation{f["trace_id"], f["operation_id"], f["entity"]};
  }
  auto attrs = j.find("attributes");
  if (attrs == j.end() || !attrs->is_object()) return bad("attributes", "missing or not an object");
  for (auto it = attrs->begin(); it != attrs->end(); ++it) {
    if (!it->is_string()) return bad("attributes." + it.key(), "not a string");
    r.attributes[it.key()] = it->get<std::string>();
  }
  // Canonical form only: the bytes are what the Merkle tree commits to.
  if (EncodeAuditRecord(r) != line) {
    return Fail(ErrorCode::kInvalidArgument, "not in canonical form (sorted keys, no spaces)");
  }
  return r;
}

}  // namespace inbeeld::schema
