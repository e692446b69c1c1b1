#include "node/exchange/decision.h"

#include "node/audit/actor.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "schema/audit_record.h"

namespace inbeeld::node::exchange {

Result<StoredMatch> DecidePair(UnlockedNode& node, const schema::wire::SessionId& id,
                               std::string_view code, Decision decision, const std::string& by) {
  ResultsStore results(*node.store);
  audit::AuditLog log(*node.store, node.identity);
  auto session = results.Get(id);
  if (!session) return std::unexpected(session.error());
  std::map<std::string, std::string> actor;
  if (const audit::Actor* current = audit::CurrentActor(); current != nullptr) {
    // The record names a child, so StampActor leaves it alone: say who here.
    actor = {{audit::kAttrActor, current->who}, {audit::kAttrOrigin, current->origin}};
  }
  return results.Decide(id, code, decision, by, [&](const StoredMatch& pair) -> Status {
    std::map<std::string, std::string> attributes = {
        {"inbeeld.session", SessionIdHex(id)},
        {"inbeeld.pair_code", std::string(code)},
        {"inbeeld.peer", session->peer},
        {std::string(schema::kAttrProcessingActivity), "urn:inbeeld:activity:" + session->purpose},
        {std::string(schema::kAttrDataSubject),
         audit::SubjectPseudonym(node.audit_key, pair.subject)}};
    attributes.insert(actor.begin(), actor.end());
    return log.AppendInTransaction({audit::EventRecord(
        node.clock(),
        decision == Decision::kConfirmed ? "inbeeld.pair.confirmed" : "inbeeld.pair.rejected", true,
        std::move(attributes))});
  });
}

}  // namespace inbeeld::node::exchange
