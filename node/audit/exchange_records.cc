#include "node/audit/exchange_records.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/bytes.h"
#include "node/audit/actor.h"
#include "node/audit/audit_log.h"
#include "node/audit/list_commitments.h"

namespace inbeeld::node::audit {

std::string OperationIdFor(const std::string& trace_id, const std::string& role) {
  std::string input = "inbeeld/operation/v1/" + role + "/" + trace_id;
  std::array<uint8_t, 8> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const uint8_t*>(input.data()),
                     input.size(), nullptr, 0);
  return crypto::HexEncode(out);
}

schema::AuditRecord ExchangeParentRecord(const ExchangeAudit& e) {
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
  if (e.matched_possible) a["inbeeld.count.matched_possible"] = std::to_string(*e.matched_possible);
  if (!e.match_keys.empty()) a["inbeeld.match_keys"] = e.match_keys;
  if (!e.shared_labels.empty()) a["inbeeld.shared_labels"] = e.shared_labels;
  StampActor(a);  // who started it, when a person or the scheduler did
  return parent;
}

schema::AuditRecord ExchangeOpenedRecord(const ExchangeAudit& e) {
  ExchangeAudit opened = e;
  opened.outcome = "opened";
  opened.reason.clear();
  opened.end_ms = e.start_ms;
  schema::AuditRecord r = ExchangeParentRecord(opened);
  r.name = "inbeeld.exchange.opened";
  r.parent_operation_id = r.operation_id;
  r.operation_id = OperationIdFor(e.trace_id, e.role + "/opened");
  r.status = schema::AuditStatus::kUnknown;
  return r;
}

schema::AuditRecord ExchangeInterruptedRecord(const ExchangeAudit& e) {
  ExchangeAudit interrupted = e;
  interrupted.outcome = "interrupted";
  interrupted.reason = "the node stopped before the session finished";
  interrupted.end_ms = e.start_ms;
  return ExchangeParentRecord(interrupted);
}

std::string ExchangeJournalKey(const ExchangeAudit& e) {
  return "exchange/" + e.role + "/" + e.trace_id;
}

Status OpenExchangeInTransaction(AuditLog& log, SessionJournal& journal, const ExchangeAudit& e,
                                 const crypto::PseudonymKey& audit_key,
                                 const std::vector<std::array<uint8_t, 32>>& subjects) {
  std::vector<std::string> members;
  members.reserve(subjects.size());
  for (const auto& s : subjects) members.push_back(SubjectPseudonym(audit_key, s));
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  auto list = CommitListInTransaction(log, e.list_version, members);
  if (!list) return std::unexpected(list.error());
  schema::AuditRecord opened = ExchangeOpenedRecord(e);
  schema::AuditRecord interrupted = ExchangeInterruptedRecord(e);
  for (schema::AuditRecord* r : {&opened, &interrupted}) {
    r->attributes["inbeeld.list_root"] = crypto::HexEncode(list->root);
    r->attributes["inbeeld.list_size"] = std::to_string(list->size);
    r->attributes["inbeeld.members_without_record"] = "not revealed";
  }
  return journal.OpenInTransaction(ExchangeJournalKey(e), opened, interrupted, list->id);
}

namespace {

// True when `text` needs no JSON escaping.
bool Plain(std::string_view text) {
  for (char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
        static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

constexpr size_t kChunk = 1024;

}  // namespace

std::string EncodeChildRecord(const std::string& trace_id, const std::string& operation_id,
                              const std::string& parent_operation_id, bool ok, int64_t start_ms,
                              int64_t end_ms, const std::string& activity,
                              const std::string& subject, const std::string& matched,
                              uint64_t seq) {
  if (!Plain(activity) || !Plain(subject) || !Plain(matched) || !Plain(trace_id)) {
    // Anything needing escapes goes through the general encoder.
    schema::AuditRecord r;
    r.trace_id = trace_id;
    r.operation_id = operation_id;
    r.parent_operation_id = parent_operation_id;
    r.name = "inbeeld.exchange.subject";
    r.status = ok ? schema::AuditStatus::kOk : schema::AuditStatus::kError;
    r.start_time_ms = start_ms;
    r.end_time_ms = end_ms;
    r.attributes = {{std::string(schema::kAttrDataSubject), subject},
                    {std::string(schema::kAttrProcessingActivity), activity},
                    {"inbeeld.matched", matched},
                    {"inbeeld.seq", std::to_string(seq)}};
    return schema::EncodeAuditRecord(r);
  }
  // Keys in the sorted order the canonical encoder writes them.
  std::string line;
  line.reserve(420);
  line += "{\"attributes\":{\"dpl.core.data_subject_id\":\"";
  line += subject;
  line += "\",\"dpl.core.processing_activity_id\":\"";
  line += activity;
  line += "\",\"inbeeld.matched\":\"";
  line += matched;
  line += "\",\"inbeeld.seq\":\"";
  line += std::to_string(seq);
  line += "\"},\"end_time\":";
  line += std::to_string(end_ms);
  line += ",\"name\":\"inbeeld.exchange.subject\",\"operation_id\":\"";
  line += operation_id;
  line += "\",\"parent_operation_id\":\"";
  line += parent_operation_id;
  line += "\",\"start_time\":";
  line += std::to_string(start_ms);
  line += ok ? ",\"status_code\":\"STATUS_CODE_OK\"" : ",\"status_code\":\"STATUS_CODE_ERROR\"";
  line += ",\"trace_id\":\"";
  line += trace_id;
  line += "\"}";
  return line;
}

Status AppendExchangeInTransaction(AuditLog& log, const ExchangeAudit& e,
                                   const crypto::PseudonymKey& audit_key,
                                   const std::vector<std::array<uint8_t, 32>>& subjects,
                                   const std::vector<ChildMatch>& matched) {
  schema::AuditRecord parent = ExchangeParentRecord(e);
  if (subjects.empty()) return log.AppendInTransaction({std::move(parent)});
  if (!matched.empty() && matched.size() != subjects.size()) {
    return Fail(ErrorCode::kInternal, "an exchange's matches do not line up with its subjects");
  }

  // The list in pseudonym order, each child once (with its strongest match):
  // the order of the list's leaves, and of the children's records.
  std::vector<std::string> pseudonyms;
  pseudonyms.reserve(subjects.size());
  for (const auto& s : subjects) pseudonyms.push_back(SubjectPseudonym(audit_key, s));
  std::vector<uint32_t> order(subjects.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](uint32_t x, uint32_t y) { return pseudonyms[x] < pseudonyms[y]; });
  std::vector<std::string> members;
  std::vector<ChildMatch> member_match;
  members.reserve(order.size());
  member_match.reserve(order.size());
  for (uint32_t i : order) {
    const ChildMatch m = matched.empty() ? ChildMatch::kNo : matched[i];
    if (!members.empty() && members.back() == pseudonyms[i]) {
      member_match.back() = std::max(member_match.back(), m);
      continue;
    }
    members.push_back(std::move(pseudonyms[i]));
    member_match.push_back(m);
  }
  std::vector<std::string>().swap(pseudonyms);

  auto list = CommitListInTransaction(log, e.list_version, members);
  if (!list) return std::unexpected(list.error());
  auto& a = parent.attributes;
  a["inbeeld.list_root"] = crypto::HexEncode(list->root);
  a["inbeeld.list_size"] = std::to_string(list->size);
  a["inbeeld.members_without_record"] = matched.empty() ? "not revealed" : "no";
  std::string activity = a[std::string(schema::kAttrProcessingActivity)];
  std::string parent_op = parent.operation_id;
  bool ok = parent.status == schema::AuditStatus::kOk;
  auto size = log.Size();
  if (!size) return std::unexpected(size.error());
  const uint64_t parent_index = *size;
  INBEELD_RETURN_IF_ERROR(log.AppendInTransaction({std::move(parent)}));
  INBEELD_RETURN_IF_ERROR(RecordListUseInTransaction(log, list->id, parent_index));
  if (matched.empty()) return {};

  // Only the children the peer (possibly) knows get records of their own.
  uint64_t seq = parent_index + 1;
  std::vector<std::string> lines;
  std::vector<LeafIndex> index;
  lines.reserve(kChunk);
  index.reserve(kChunk);
  for (size_t k = 0; k < members.size(); ++k) {
    if (member_match[k] == ChildMatch::kNo) continue;
    lines.push_back(EncodeChildRecord(
        e.trace_id, NewOperationId(), parent_op, ok, e.start_ms, e.end_ms, activity, members[k],
        member_match[k] == ChildMatch::kYes ? "yes" : "possibly", seq++));
    index.push_back({e.trace_id, members[k], e.start_ms});
    if (lines.size() == kChunk) {
      INBEELD_RETURN_IF_ERROR(log.AppendLinesInTransaction(lines, index));
      lines.clear();
      index.clear();
    }
  }
  if (!lines.empty()) INBEELD_RETURN_IF_ERROR(log.AppendLinesInTransaction(lines, index));
  return {};
}

Status AppendExchange(AuditLog& log, const ExchangeAudit& e, const crypto::PseudonymKey& audit_key,
                      const std::vector<std::array<uint8_t, 32>>& subjects,
                      const std::vector<ChildMatch>& matched) {
  return log.InTransaction([&]() -> Status {
    return AppendExchangeInTransaction(log, e, audit_key, subjects, matched);
  });
}

schema::AuditRecord EventRecord(const Clock& clock, std::string name, bool ok,
                                std::map<std::string, std::string> attributes) {
  schema::AuditRecord r;
  r.trace_id = NewTraceId();
  r.operation_id = NewOperationId();
  r.name = std::move(name);
  r.status = ok ? schema::AuditStatus::kOk : schema::AuditStatus::kError;
  r.start_time_ms = NowMs(clock);
  r.end_time_ms = r.start_time_ms;
  r.attributes = std::move(attributes);
  return r;
}

}  // namespace inbeeld::node::audit
