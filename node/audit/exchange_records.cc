#include "node/audit/exchange_records.h"

#include <sodium.h>

#include "crypto/bytes.h"
#include "node/audit/audit_log.h"

namespace inbeeld::node::audit {

std::string OperationIdFor(const std::string& trace_id, const std::string& role) {
  std::string input = "inbeeld/operation/v1/" + role + "/" + trace_id;
  std::array<uint8_t, 8> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(input.data()),
                     input.size(), nullptr, 0);
  return crypto::HexEncode(out);
}

std::vector<schema::AuditRecord> ExchangeRecords(
    const ExchangeAudit& e, const crypto::PseudonymKey& audit_key,
    const std::vector<std::array<uint8_t, 32>>& subjects, const std::vector<bool>& matched) {
  std::vector<schema::AuditRecord> records;
  records.reserve(subjects.size() + 1);
  schema::AuditRecord parent;
  parent.trace_id = e.trace_id;
  parent.operation_id = OperationIdFor(e.trace_id, e.role);
  parent.name = "inbeeld.exchange." + e.mode;
  parent.status = e.outcome == "completed" ? schema::AuditStatus::kOk : schema::AuditStatus::kError;
  parent.start_time_ms = e.start_ms;
  parent.end_time_ms = e.end_ms;
  std::string other_role = e.role == "initiator" ? "responder" : "initiator";
  parent.foreign_operation = schema::ForeignOperation{
      e.trace_id, OperationIdFor(e.trace_id, other_role), "inbeeld:" + e.peer_key};
  auto& a = parent.attributes;
  a[std::string(schema::kAttrProcessingActivity)] = "urn:inbeeld:activity:" + e.purpose;
  a["inbeeld.legal_basis"] = e.legal_basis;
  a["inbeeld.node_key"] = e.node_key;
  a["inbeeld.role"] = e.role;
  a["inbeeld.peer"] = e.peer;
  a["inbeeld.peer_key"] = e.peer_key;
  a["inbeeld.mode"] = e.mode;
  a["inbeeld.outcome"] = e.outcome;
  a["inbeeld.list_version"] = std::to_string(e.list_version);
  if (!e.reason.empty()) a["inbeeld.reason"] = e.reason;
  if (!e.peer_session.empty()) a["inbeeld.peer_session"] = e.peer_session;
  if (e.sent) a["inbeeld.count.sent"] = std::to_string(*e.sent);
  if (e.received) a["inbeeld.count.received"] = std::to_string(*e.received);
  if (e.matched) a["inbeeld.count.matched"] = std::to_string(*e.matched);
  records.push_back(parent);

  for (size_t i = 0; i < subjects.size(); ++i) {
    schema::AuditRecord child;
    child.trace_id = e.trace_id;
    child.operation_id = NewOperationId();
    child.parent_operation_id = parent.operation_id;
    child.name = "inbeeld.exchange.subject";
    child.status = parent.status;
    child.start_time_ms = e.start_ms;
    child.end_time_ms = e.end_ms;
    child.attributes[std::string(schema::kAttrProcessingActivity)] =
        a[std::string(schema::kAttrProcessingActivity)];
    child.attributes[std::string(schema::kAttrDataSubject)] = SubjectPseudonym(audit_key, subjects[i]);
    child.attributes["inbeeld.matched"] =
        matched.empty() ? "not revealed" : (matched[i] ? "yes" : "no");
    records.push_back(std::move(child));
  }
  return records;
}

schema::AuditRecord EventRecord(std::string name, bool ok,
                                std::map<std::string, std::string> attributes) {
  schema::AuditRecord r;
  r.trace_id = NewTraceId();
  r.operation_id = NewOperationId();
  r.name = std::move(name);
  r.status = ok ? schema::AuditStatus::kOk : schema::AuditStatus::kError;
  r.start_time_ms = NowMs();
  r.end_time_ms = r.start_time_ms;
  r.attributes = std::move(attributes);
  return r;
}

}  // namespace inbeeld::node::audit
