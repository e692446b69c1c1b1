// /api/mensen: who may use the console (admin only).
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/console/handlers.h"
#include "node/console/invitation_link.h"

namespace inbeeld::node::console {
namespace {

Result<ApiReply> People(Call& call) {
  auto people = call.people.List();
  if (!people) return std::unexpected(people.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : *people) {
    out.push_back({{"naam", p.name},
                   {"rol", std::string(RoleName(p.role))},
                   {"status", p.state},
                   {"uitgenodigd", p.invited_at},
                   {"laatst_ingelogd", p.last_login_at}});
  }
  return JsonReply({{"mensen", out}});
}

Result<ApiReply> Invite(Call& call) {
  auto body = JsonBody(call.request);
  if (!body) return std::unexpected(body.error());
  auto name = StringField(*body, "naam");
  auto role_name = StringField(*body, "rol");
  if (!name) return std::unexpected(name.error());
  if (!role_name) return std::unexpected(role_name.error());
  auto role = ParseRole(*role_name);
  if (!role) {
    return Fail(ErrorCode::kInvalidArgument, "Kies een rol: operator, privacy-officer of admin.");
  }
  audit::AuditLog log(*call.node.store, call.node.identity);
  Result<Invitation> invitation = Fail(ErrorCode::kInternal, "not invited");
  auto committed = log.InTransaction([&]() -> Status {
    invitation = call.people.Invite(*name, *role);
    if (!invitation) return std::unexpected(invitation.error());
    return log.AppendInTransaction({audit::EventRecord(
        call.node.clock(), "inbeeld.console.invited", true,
        {{"inbeeld.console.person", *name}, {"inbeeld.console.role", *role_name}})});
  });
  if (!committed && invitation) return std::unexpected(committed.error());
  if (!invitation) {
    if (invitation.error().code == ErrorCode::kAlreadyExists) {
      return Fail(
          ErrorCode::kAlreadyExists,
          "Deze persoon heeft al een account. Trek het eerst in om opnieuw uit te nodigen.");
    }
    if (invitation.error().code == ErrorCode::kInvalidArgument) {
      return Fail(ErrorCode::kInvalidArgument,
                  "Vul een naam in van 1 tot 80 tekens, zonder spatie aan begin of eind en zonder "
                  "onzichtbare tekens.");
    }
    return std::unexpected(invitation.error());
  }
  const std::string host = call.request.headers.contains("host") ? call.request.headers.at("host")
                                                                 : std::string("127.0.0.1");
  return JsonReply({{"link", InvitationLink("http://" + host, invitation->token)},
                    {"verloopt", invitation->expires_at}});
}

Result<ApiReply> Revoke(Call& call) {
  const std::string& name = call.params[0];
  if (name == call.person.name) {
    return Fail(ErrorCode::kFailedPrecondition, "U kunt uw eigen account niet intrekken.");
  }
  if (auto revoked = call.people.Revoke(name); !revoked) {
    if (revoked.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kNotFound, "Deze persoon heeft geen account.");
    }
    return std::unexpected(revoked.error());
  }
  INBEELD_RETURN_IF_ERROR(
      AuditAction(call.node, "inbeeld.console.revoked", true, {{"inbeeld.console.person", name}}));
  return JsonReply({{"ingetrokken", name}});
}

}  // namespace

std::vector<Route> PeopleRoutes() {
  return {
      {"GET", "/api/mensen", kAdminOnly, People},
      {"POST", "/api/mensen", kAdminOnly, Invite},
      {"POST", "/api/mensen/:/intrekken", kAdminOnly, Revoke},
  };
}

}  // namespace inbeeld::node::console
