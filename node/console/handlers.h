// node/console/handlers.h — the console's API routes (internal to console/).
//
// Each handler gets one authenticated, authorised call and returns a reply
// or an error; console.cc does the checks, the audit actor and the mapping
// of errors to Dutch replies. Handlers run with the console's store lock
// held and must not block on the network (exchanges go to the JobRunner).
//
// Thread safety: called by console.cc under its store mutex only.
#ifndef INBEELD_NODE_CONSOLE_HANDLERS_H_
#define INBEELD_NODE_CONSOLE_HANDLERS_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "node/console/console.h"

namespace inbeeld::node::console {

struct Call {
  const ApiRequest& request;
  std::vector<std::string> params;  // the route's ":" segments, in order
  const SessionView& person;
  UnlockedNode& node;
  PeopleStore& people;
  JobRunner& jobs;
  const std::function<void()>& peers_changed;  // ConsoleOptions::peers_changed
};

using Handler = std::function<Result<ApiReply>(Call&)>;

// Bit per role allowed on a route.
enum RoleMask : unsigned {
  kOperatorOnly = 1u << 0,
  kPrivacyOfficerOnly = 1u << 1,
  kAdminOnly = 1u << 2,
  kAnyone = 7u,
};
unsigned MaskOf(Role role);

struct Route {
  std::string method;
  std::string pattern;  // "/api/sessies/:/paren/:" — ":" matches one segment
  unsigned roles;
  Handler handler;
  // False for a handler that only reads the node's (immutable) configuration
  // and identity and may wait on the network: it runs without the store lock.
  bool needs_store = true;
};

std::vector<Route> ListRoutes();     // handlers_list.cc: /api/lijst…
std::vector<Route> ImportRoutes();   // handlers_import.cc: /api/lijst/voorbeeld, /api/lijst/import
std::vector<Route> PartnerRoutes();  // handlers_partners.cc: /api/partners, /api/doelen
std::vector<Route>
ExchangeRoutes();  // handlers_exchange.cc: /api/taken, /api/sessies, overzicht, regio
std::vector<Route> AuditRoutes();    // handlers_audit.cc: /api/logboek/controle
std::vector<Route> LogbookRoutes();  // handlers_logbook.cc: /api/logboek, /api/inzageverzoek
std::vector<Route> ReportRoutes();   // handlers_report.cc: /api/rapportage…
std::vector<Route> PeopleRoutes();   // handlers_people.cc: /api/mensen…

ApiReply JsonReply(const nlohmann::json& body, int status = 200);
ApiReply FileReply(std::string content_type, std::string file_name, std::string body);
// Parses the request body as a JSON object; kInvalidArgument otherwise.
Result<nlohmann::json> JsonBody(const ApiRequest& request);
// A string member of a JSON object, or kInvalidArgument naming it.
Result<std::string> StringField(const nlohmann::json& body, std::string_view name);

// Appends one record of a console action (the actor comes from the scope).
Status AuditAction(UnlockedNode& node, std::string name, bool ok,
                   std::map<std::string, std::string> attributes = {});

// dd-mm-jjjj (or jjjj-mm-dd) from the query, or `fallback` when absent.
Result<schema::Date> DateParam(const ApiRequest& request, const std::string& name,
                               schema::Date fallback);

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_HANDLERS_H_
