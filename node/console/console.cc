#include "node/console/console.h"

#include <fmt/format.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "crypto/safety_code.h"
#include "crypto/signing.h"
#include "node/audit/actor.h"
#include "node/console/assets.h"
#include "node/console/handlers.h"

namespace inbeeld::node::console {
namespace {

// In a function that returns ApiReply: a failed Status becomes its reply.
#define INBEELD_RETURN_IF_ERROR_REPLY(expr) \
  do {                                      \
    if (auto status_ = (expr); !status_) {  \
      return ReplyFor(status_.error());     \
    }                                       \
  } while (0)

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

void AddSecurityHeaders(ApiReply& reply, bool api) {
  reply.headers.emplace_back("Content-Security-Policy", kCsp);
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  reply.headers.emplace_back("X-Frame-Options", "DENY");
  reply.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  reply.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  reply.headers.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (api) reply.headers.emplace_back("Cache-Control", "no-store");
}

ApiReply Problem(int status, std::string code, std::string message) {
  return JsonReply({{"fout", std::move(message)}, {"code", std::move(code)}}, status);
}

// The error of a handler as the page shows it: Dutch, with the node's own
// words (which never hold an identifier) where they help.
ApiReply ReplyFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return Problem(400, "ongeldig", error.message);
    case ErrorCode::kNotFound:
      return Problem(404, "niet_gevonden", error.message);
    case ErrorCode::kAlreadyExists:
      return Problem(409, "bestaat_al", error.message);
    case ErrorCode::kFailedPrecondition:
      return Problem(409, "niet_mogelijk", error.message);
    case ErrorCode::kPermissionDenied:
      return Problem(403, "geweigerd", "Geweigerd door het beleid: " + error.message);
    case ErrorCode::kUnauthenticated:
      return Problem(502, "partner_onbekend",
                     "De partner kon niet worden geverifieerd: " + error.message);
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadlineExceeded:
      return Problem(503, "niet_bereikbaar", "Niet bereikbaar of te traag: " + error.message);
    case ErrorCode::kResourceExhausted:
      return Problem(429, "limiet", "Een limiet is bereikt: " + error.message);
    case ErrorCode::kDataLoss:
      return Problem(500, "beschadigd",
                     "Opgeslagen gegevens zijn beschadigd; neem contact op met de beheerder.");
    default:
      return Problem(500, "intern",
                     "Er ging iets mis in de node; neem contact op met de beheerder.");
  }
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::optional<std::vector<std::string>> MatchRoute(std::string_view pattern,
                                                   std::string_view path) {
  auto want = Segments(pattern);
  auto have = Segments(path);
  if (want.size() != have.size()) return std::nullopt;
  std::vector<std::string> params;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == ":") {
      if (have[i].empty()) return std::nullopt;
      params.emplace_back(have[i]);
    } else if (want[i] != have[i]) {
      return std::nullopt;
    }
  }
  return params;
}

std::string Header(const ApiRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

std::string CookieValue(const ApiRequest& r, std::string_view name) {
  const std::string cookies = Header(r, "cookie");
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string_view part(cookies.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

std::string SessionCookie(const std::string& token) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", kSessionCookie, token);
}

std::string ClearedCookie() {
  return fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", kSessionCookie);
}

bool Timing(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

struct Console::State {
  UnlockedNode& node;
  JobRunner& jobs;
  ConsoleOptions options;
  PeopleStore people;
  std::mutex store_mu;  // one request at a time on the console's connection
  std::vector<Route> routes;

  State(UnlockedNode& n, JobRunner& j, ConsoleOptions o)
      : node(n), jobs(j), options(std::move(o)), people(*n.store, options.policy) {
    for (auto group :
         {ListRoutes, PartnerRoutes, ExchangeRoutes, AuditRoutes, ReportRoutes, PeopleRoutes}) {
      for (auto& route : group()) routes.push_back(std::move(route));
    }
  }

  bool HostAllowed(const ApiRequest& r) const { return HostNameAllowed(Header(r, "host")); }

  bool HostNameAllowed(std::string_view host) const {
    for (const auto& allowed : options.allowed_hosts) {
      if (host == allowed) return true;
    }
    return false;
  }

  // Same-origin only: Origin (when sent) must be this console, and
  // Sec-Fetch-Site (when sent) "same-origin".
  bool SameOrigin(const ApiRequest& r) const {
    const std::string origin = Header(r, "origin");
    if (!origin.empty()) {
      bool ok = false;
      for (const auto& allowed : options.allowed_hosts) ok |= origin == "http://" + allowed;
      if (!ok) return false;
    }
    const std::string site = Header(r, "sec-fetch-site");
    return site.empty() || site == "same-origin";
  }

  nlohmann::json NodeJson() const {
    const auto key = node.identity.PublicKey();
    return {{"naam", node.config.node_name},
            {"organisatie", node.config.organisation},
            {"rol", std::string(config::RoleName(node.config.role))},
            {"sleutel", key.Fingerprint()},
            {"veiligheidscode", crypto::SafetyCode(key.bytes())}};
  }

  ApiReply LoggedIn(const Person& person, const ApiRequest& r, int status = 200) {
    auto session = people.StartSession(person.name, r.client_address);
    if (!session) return ReplyFor(session.error());
    ApiReply reply = JsonReply({{"naam", person.name},
                                {"rol", std::string(RoleName(person.role))},
                                {"csrf", session->csrf}},
                               status);
    reply.headers.emplace_back("Set-Cookie", SessionCookie(session->token));
    return reply;
  }

  ApiReply Login(const ApiRequest& r) {
    auto body = JsonBody(r);
    if (!body) return ReplyFor(body.error());
    auto name = StringField(*body, "naam");
    auto password = StringField(*body, "wachtwoord");
    if (!name || !password) return Problem(400, "ongeldig", "Vul uw naam en wachtwoord in.");
    auto outcome = people.Login(*name, *password);
    if (!outcome) return ReplyFor(outcome.error());
    // Every failed login is in the log; an unknown name is not written down
    // (it may be a password typed in the wrong field), so known and unknown
    // names cost the same work.
    const std::string who = outcome->known_name ? "console:" + *name : "console:onbekend";
    audit::ActorScope actor({.who = who, .origin = r.client_address});
    if (!outcome->ok) {
      INBEELD_RETURN_IF_ERROR_REPLY(
          AuditAction(node, "inbeeld.console.login_failed", false,
                      {{"inbeeld.reason", !outcome->known_name      ? "unknown name"
                                          : outcome->locked_minutes ? "locked"
                                                                    : "wrong password"}}));
      if (outcome->locked_minutes) {
        ApiReply reply = JsonReply(
            {{"fout", fmt::format("Te vaak een verkeerd wachtwoord. Probeer het over {} minuten "
                                  "opnieuw, of vraag de beheerder om hulp.",
                                  *outcome->locked_minutes)},
             {"code", "geblokkeerd"},
             {"minuten", *outcome->locked_minutes}},
            429);
        return reply;
      }
      return Problem(401, "onjuist", "Naam of wachtwoord is onjuist.");
    }
    INBEELD_RETURN_IF_ERROR_REPLY(AuditAction(node, "inbeeld.console.login", true));
    return LoggedIn(*outcome->person, r);
  }

  ApiReply Invitation(const ApiRequest& r, const std::string& token) {
    if (r.method == "GET") {
      auto person = people.InvitationFor(token);
      if (!person) {
        return Problem(410, "verlopen",
                       "Deze uitnodiging is al gebruikt of verlopen. Vraag de beheerder om een "
                       "nieuwe.");
      }
      return JsonReply({{"naam", person->name}, {"rol", std::string(RoleName(person->role))}});
    }
    auto body = JsonBody(r);
    if (!body) return ReplyFor(body.error());
    auto password = StringField(*body, "wachtwoord");
    if (!password) return Problem(400, "ongeldig", "Kies een wachtwoord.");
    auto person = people.AcceptInvitation(token, *password);
    if (!person) {
      if (person.error().code == ErrorCode::kNotFound) {
        return Problem(410, "verlopen",
                       "Deze uitnodiging is al gebruikt of verlopen. Vraag de beheerder om een "
                       "nieuwe.");
      }
      return ReplyFor(person.error());
    }
    audit::ActorScope actor({.who = "console:" + person->name, .origin = r.client_address});
    INBEELD_RETURN_IF_ERROR_REPLY(
        AuditAction(node, "inbeeld.console.invitation.accepted", true,
                    {{"inbeeld.console.role", std::string(RoleName(person->role))}}));
    return LoggedIn(*person, r);
  }

  ApiReply Api(const ApiRequest& r) {
    const bool post = r.method == "POST";
    if (r.method != "GET" && !post) return Problem(405, "methode", "Deze methode kan hier niet.");
    // Every API call comes from the console's own page: fetch() sends
    // Sec-Fetch-Site "same-origin"; a link or form from elsewhere does not.
    if (!SameOrigin(r)) {
      return Problem(403, "herkomst", "Dit verzoek komt niet van de console zelf.");
    }
    std::unique_lock lock(store_mu);
    // Routes without a session: logging in and the invitation.
    if (r.path == "/api/inloggen" || r.path.starts_with("/api/uitnodiging/")) {
      if (post && !Header(r, "content-type").starts_with("application/json")) {
        return Problem(415, "inhoud", "Verwacht JSON.");
      }
      if (r.path == "/api/inloggen") {
        if (!post) return Problem(405, "methode", "Deze methode kan hier niet.");
        return Login(r);
      }
      auto token = MatchRoute("/api/uitnodiging/:", r.path);
      if (!token) return Problem(404, "niet_gevonden", "Deze pagina bestaat niet.");
      return Invitation(r, (*token)[0]);
    }
    const std::string token = CookieValue(r, kSessionCookie);
    auto session = people.FindSession(token);
    if (!session) return ReplyFor(session.error());
    if (!*session) {
      ApiReply reply = Problem(401, "niet_ingelogd", "U bent niet (meer) ingelogd.");
      if (!token.empty()) reply.headers.emplace_back("Set-Cookie", ClearedCookie());
      return reply;
    }
    const SessionView& person = **session;
    // The session's token on every call, reads too: the cookie alone is sent
    // to every port of 127.0.0.1, so another program on this machine could
    // get hold of it; the token lives in the page (sessionStorage, per port).
    if (!Timing(Header(r, "x-csrf-token"), person.csrf)) {
      if (!post) {
        return Problem(401, "niet_ingelogd",
                       "Deze pagina kent uw sessie niet (meer); log opnieuw in.");
      }
      // A change with the cookie but not the token: someone else's page or
      // program tried to act for this person.
      audit::ActorScope actor({.who = "console:" + person.name, .origin = r.client_address});
      INBEELD_RETURN_IF_ERROR_REPLY(
          AuditAction(node, "inbeeld.console.refused", false,
                      {{"inbeeld.reason", "csrf token"}, {"inbeeld.request", "POST"}}));
      return Problem(403, "csrf",
                     "Dit verzoek mist de beveiligingscode van de console; laad de "
                     "pagina opnieuw.");
    }
    audit::ActorScope actor({.who = "console:" + person.name, .origin = r.client_address});
    if (r.path == "/api/ik" && !post) {
      return JsonReply({{"naam", person.name},
                        {"rol", std::string(RoleName(person.role))},
                        {"csrf", person.csrf},
                        {"knooppunt", NodeJson()}});
    }
    if (r.path == "/api/wachtwoord" && post) {
      auto body = JsonBody(r);
      if (!body) return ReplyFor(body.error());
      auto current = StringField(*body, "huidig");
      auto fresh = StringField(*body, "nieuw");
      if (!current || !fresh) {
        return Problem(400, "ongeldig", "Vul uw huidige en uw nieuwe wachtwoord in.");
      }
      auto changed = people.ChangePassword(person.name, *current, *fresh, token);
      INBEELD_RETURN_IF_ERROR_REPLY(
          AuditAction(node, "inbeeld.console.password_changed", changed.has_value()));
      if (!changed) {
        if (changed.error().code == ErrorCode::kUnauthenticated) {
          return Problem(400, "onjuist", changed.error().message);
        }
        return ReplyFor(changed.error());
      }
      return JsonReply({{"gewijzigd", true}});
    }
    if (r.path == "/api/uitloggen" && post) {
      INBEELD_RETURN_IF_ERROR_REPLY(people.EndSession(token));
      INBEELD_RETURN_IF_ERROR_REPLY(AuditAction(node, "inbeeld.console.logout", true));
      ApiReply reply = JsonReply({{"uitgelogd", true}});
      reply.headers.emplace_back("Set-Cookie", ClearedCookie());
      return reply;
    }
    bool path_known = false;
    for (auto& route : routes) {
      auto params = MatchRoute(route.pattern, r.path);
      if (!params) continue;
      path_known = true;
      if (route.method != r.method) continue;
      if ((route.roles & MaskOf(person.role)) == 0) {
        INBEELD_RETURN_IF_ERROR_REPLY(AuditAction(
            node, "inbeeld.console.refused", false,
            {{"inbeeld.reason", "role"}, {"inbeeld.request", r.method + " " + route.pattern}}));
        return Problem(403, "rol",
                       "Dit kan niet met uw rol (" + std::string(RoleName(person.role)) + ").");
      }
      Call call{r, std::move(*params), person, node, people, jobs, options.peers_changed};
      if (!route.needs_store) lock.unlock();
      Result<ApiReply> reply = [&]() -> Result<ApiReply> {
        try {
          return route.handler(call);
        } catch (const std::exception&) {
          return Fail(ErrorCode::kInternal, "handler threw");
        }
      }();
      if (!reply) return ReplyFor(reply.error());
      return std::move(*reply);
    }
    if (path_known) return Problem(405, "methode", "Deze methode kan hier niet.");
    return Problem(404, "niet_gevonden", "Deze pagina bestaat niet.");
  }
};

Console::Console(UnlockedNode& node, JobRunner& jobs, ConsoleOptions options)
    : state_(std::make_unique<State>(node, jobs, std::move(options))) {}

Console::~Console() = default;

bool Console::HostAllowed(std::string_view host) const { return state_->HostNameAllowed(host); }

void Console::UpdateConfig(config::NodeConfig config) {
  std::lock_guard lock(state_->store_mu);
  state_->node.config = std::move(config);
}

void Console::SetAddress(const std::string& host, int port) {
  auto& hosts = state_->options.allowed_hosts;
  hosts.clear();
  const std::string p = std::to_string(port);
  if (host.find(':') != std::string::npos) {
    hosts.push_back("[" + host + "]:" + p);
  } else {
    hosts.push_back(host + ":" + p);
  }
  hosts.push_back("localhost:" + p);
}

ApiReply Console::Handle(const ApiRequest& request) {
  ApiReply reply;
  const bool api = request.path.starts_with("/api/");
  if (!state_->HostAllowed(request)) {
    reply = Problem(421, "host", "Open de console via het adres dat de node noemt.");
  } else if (api) {
    reply = state_->Api(request);
  } else if (request.method != "GET" && request.method != "HEAD") {
    reply = Problem(405, "methode", "Deze methode kan hier niet.");
  } else if (const Asset* asset = FindAsset(request.path); asset != nullptr) {
    if (Header(request, "if-none-match") == asset->etag) {
      reply.status = 304;
      reply.content_type.clear();
    } else {
      reply.content_type = std::string(asset->content_type);
      reply.body = std::string(asset->body);
    }
    reply.headers.emplace_back("ETag", std::string(asset->etag));
    reply.headers.emplace_back("Cache-Control", "no-cache");
  } else {
    reply = Problem(404, "niet_gevonden", "Deze pagina bestaat niet.");
  }
  AddSecurityHeaders(reply, api);
  return reply;
}

}  // namespace inbeeld::node::console
