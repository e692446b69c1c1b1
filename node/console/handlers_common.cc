// Shared pieces of the console's handlers (handlers.h).
#include <utility>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/console/handlers.h"
#include "schema/date.h"
#include "schema/json_reader.h"
#include "schema/utf8.h"

namespace inbeeld::node::console {

unsigned MaskOf(Role role) {
  switch (role) {
    case Role::kOperator:
      return kOperatorOnly;
    case Role::kPrivacyOfficer:
      return kPrivacyOfficerOnly;
    case Role::kAdmin:
      return kAdminOnly;
  }
  return 0;
}

ApiReply JsonReply(const nlohmann::json& body, int status) {
  ApiReply reply;
  reply.status = status;
  // Replace, not throw, on bytes that are not UTF-8 (they never should be).
  reply.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reply;
}

ApiReply FileReply(std::string content_type, std::string file_name, std::string body) {
  ApiReply reply;
  reply.content_type = std::move(content_type);
  reply.body = std::move(body);
  // The name is ours (ASCII), never a person's.
  reply.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  return reply;
}

Result<nlohmann::json> JsonBody(const ApiRequest& request) {
  if (!schema::IsValidUtf8(request.body)) {
    return Fail(ErrorCode::kInvalidArgument, "Het verzoek is geen geldige tekst (UTF-8).");
  }
  // The strict reader: within the size and depth limits, one object, no
  // member twice (the browser never sends any of that; a script might).
  auto doc = schema::JsonDocument::Parse(request.body, "console request",
                                         {.max_bytes = kMaxJsonBytes, .max_depth = kMaxJsonDepth});
  if (!doc) {
    if (doc.error().code == ErrorCode::kResourceExhausted) {
      return Fail(ErrorCode::kInvalidArgument, "Het verzoek is te groot.");
    }
    return Fail(ErrorCode::kInvalidArgument,
                "Het verzoek is geen geldig JSON-object (of te diep genest, of met een veld dat "
                "twee keer voorkomt).");
  }
  return doc->Value();
}

Result<std::string> StringField(const nlohmann::json& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) {
    return Fail(ErrorCode::kInvalidArgument,
                "Het veld '" + std::string(name) + "' ontbreekt of is geen tekst.");
  }
  return it->get<std::string>();
}

Status AuditAction(UnlockedNode& node, std::string name, bool ok,
                   std::map<std::string, std::string> attributes) {
  audit::AuditLog log(*node.store, node.identity);
  return log.Append({audit::EventRecord(node.clock(), std::move(name), ok, std::move(attributes))});
}

Result<schema::Date> DateParam(const ApiRequest& request, const std::string& name,
                               schema::Date fallback) {
  auto it = request.query.find(name);
  if (it == request.query.end() || it->second.empty()) return fallback;
  auto date = schema::ParseDate(it->second);
  if (!date) {
    return Fail(ErrorCode::kInvalidArgument,
                "'" + name + "' is geen datum; gebruik dd-mm-jjjj, bijvoorbeeld 01-10-2026.");
  }
  return *date;
}

}  // namespace inbeeld::node::console
