// The console in process (node/console/): people, lock-out and sessions on an
// injected clock; every request through Console::Handle with its Host,
// origin, CSRF and role checks; the audit actor; background jobs; and the
// loopback HTTP server over a real socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <httplib.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "crypto/signing.h"
#include "node/audit/actor.h"
#include "node/audit/audit_log.h"
#include "node/cli/cli.h"
#include "node/console/console.h"
#include "node/console/handlers.h"
#include "node/console/http_server.h"
#include "node/console/jobs.h"
#include "node/console/people.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::console {
namespace {

using testing::FakeClock;
using testing::InProcessNode;

// As the page's encodeURIComponent: every byte but unreserved ones as %XX.
std::string PercentEncoded(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

constexpr const char* kGoodPassword = "lange zin met koffie 42";

// ---- People ----------------------------------------------------------------

struct PeopleFixture {
  FakeClock clock{"2026-11-02T09:00:00Z"};
  InProcessNode n{clock};
  PeopleStore people{*n.node().store};

  std::string Active(const std::string& name, Role role = Role::kOperator) {
    auto invitation = people.Invite(name, role);
    EXPECT_TRUE(invitation) << invitation.error().message;
    auto accepted = people.AcceptInvitation(invitation->token, kGoodPassword);
    EXPECT_TRUE(accepted) << accepted.error().message;
    return invitation->token;
  }
};

TEST(ConsolePeopleTest, AnInvitationWorksOnceAndSetsThePassword) {
  PeopleFixture f;
  auto invitation = f.people.Invite("Fatima el Amrani", Role::kOperator);
  ASSERT_TRUE(invitation);
  EXPECT_EQ(invitation->token.size(), 43u);
  auto who = f.people.InvitationFor(invitation->token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->name, "Fatima el Amrani");
  EXPECT_EQ(who->state, "uitgenodigd");
  ASSERT_TRUE(f.people.AcceptInvitation(invitation->token, kGoodPassword));
  EXPECT_EQ(f.people.AcceptInvitation(invitation->token, kGoodPassword).error().code,
            ErrorCode::kNotFound);
  auto login = f.people.Login("Fatima el Amrani", kGoodPassword);
  ASSERT_TRUE(login);
  EXPECT_TRUE(login->ok);
  EXPECT_EQ(login->person->role, Role::kOperator);
}

TEST(ConsolePeopleTest, AnInvitationExpiresAfterThreeDays) {
  PeopleFixture f;
  auto invitation = f.people.Invite("Jan Jansen", Role::kPrivacyOfficer);
  ASSERT_TRUE(invitation);
  f.clock.Advance(std::chrono::hours(72) - std::chrono::seconds(1));
  EXPECT_TRUE(f.people.InvitationFor(invitation->token));
  f.clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(f.people.InvitationFor(invitation->token).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.people.AcceptInvitation(invitation->token, kGoodPassword).error().code,
            ErrorCode::kNotFound);
}

TEST(ConsolePeopleTest, WeakPasswordsAreRefusedInDutch) {
  PeopleFixture f;
  ConsolePolicy policy;
  for (const char* weak : {"kort", "aaaaaaaaaaaaaaaa", "welkom123456", "xxPietje Puk!!"}) {
    auto rules = CheckPasswordRules("Pietje Puk", weak, policy);
    ASSERT_FALSE(rules) << weak;
    EXPECT_EQ(rules.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(rules.error().message.find("wachtwoord"), std::string::npos) << weak;
  }
  EXPECT_TRUE(CheckPasswordRules("Pietje Puk", kGoodPassword, policy));
  auto invitation = f.people.Invite("Pietje Puk", Role::kOperator);
  ASSERT_TRUE(invitation);
  EXPECT_EQ(f.people.AcceptInvitation(invitation->token, "kort").error().code,
            ErrorCode::kInvalidArgument);
  // The invitation survives a refused password.
  EXPECT_TRUE(f.people.AcceptInvitation(invitation->token, kGoodPassword));
}

TEST(ConsolePeopleTest, FiveWrongPasswordsLockTheAccountAndTheLockDoubles) {
  PeopleFixture f;
  f.Active("Anna de Vries");
  for (int i = 0; i < 4; ++i) {
    auto wrong = f.people.Login("Anna de Vries", "verkeerd wachtwoord!");
    ASSERT_TRUE(wrong);
    EXPECT_FALSE(wrong->ok);
    EXPECT_FALSE(wrong->locked_minutes);
  }
  auto fifth = f.people.Login("Anna de Vries", "verkeerd wachtwoord!");
  ASSERT_TRUE(fifth);
  EXPECT_EQ(fifth->locked_minutes, 15);
  // Locked: the right password does not help, and the answer is the same.
  auto right = f.people.Login("Anna de Vries", kGoodPassword);
  ASSERT_TRUE(right);
  EXPECT_FALSE(right->ok);
  EXPECT_TRUE(right->locked_minutes);
  f.clock.Advance(std::chrono::minutes(15));
  auto sixth = f.people.Login("Anna de Vries", "verkeerd wachtwoord!");
  ASSERT_TRUE(sixth);
  EXPECT_EQ(sixth->locked_minutes, 30);
  f.clock.Advance(std::chrono::minutes(30));
  auto after = f.people.Login("Anna de Vries", kGoodPassword);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->ok);
  // A good login resets the count: four more mistakes do not lock.
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(f.people.Login("Anna de Vries", "verkeerd wachtwoord!")->locked_minutes);
  }
}

TEST(ConsolePeopleTest, AnUnknownNameLooksLikeAWrongPassword) {
  PeopleFixture f;
  auto outcome = f.people.Login("Niemand", kGoodPassword);
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->ok);
  EXPECT_FALSE(outcome->known_name);
  EXPECT_FALSE(outcome->locked_minutes);
  // It is locked out after five tries like a real account, so the lock-out
  // does not tell which names exist.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(f.people.Login("Niemand", "x")->locked_minutes);
  EXPECT_EQ(f.people.Login("Niemand", "x")->locked_minutes, 15);
  EXPECT_TRUE(f.people.Login("Niemand", kGoodPassword)->locked_minutes);
  f.clock.Advance(std::chrono::minutes(15));
  EXPECT_EQ(f.people.Login("Niemand", "x")->locked_minutes, 30);
}

TEST(ConsolePeopleTest, AnAdministratorCanLiftALockOut) {
  PeopleFixture f;
  f.Active("Anna de Vries");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(f.people.Login("Anna de Vries", "verkeerd wachtwoord!"));
  EXPECT_FALSE(f.people.Login("Anna de Vries", kGoodPassword)->ok);
  ASSERT_TRUE(f.people.Unlock("Anna de Vries"));
  EXPECT_TRUE(f.people.Login("Anna de Vries", kGoodPassword)->ok);
  EXPECT_EQ(f.people.Unlock("Niemand").error().code, ErrorCode::kNotFound);
}

TEST(ConsolePeopleTest, SessionsEndWhenIdleTooOldOrRevoked) {
  PeopleFixture f;
  f.Active("Bas Bakker");
  auto session = f.people.StartSession("Bas Bakker", "127.0.0.1");
  ASSERT_TRUE(session);
  auto found = f.people.FindSession(session->token);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->csrf, session->csrf);
  // 29 minutes idle, nine times: still alive (each use counts).
  for (int i = 0; i < 9; ++i) {
    f.clock.Advance(std::chrono::minutes(29));
    ASSERT_TRUE(f.people.FindSession(session->token).value()) << i;
  }
  f.clock.Advance(std::chrono::minutes(30) + std::chrono::seconds(1));
  EXPECT_FALSE(f.people.FindSession(session->token).value());

  auto again = f.people.StartSession("Bas Bakker", "127.0.0.1");
  ASSERT_TRUE(again);
  for (int i = 0; i < 21; ++i) {
    f.clock.Advance(std::chrono::minutes(29));
    if (i < 20) {
      ASSERT_TRUE(f.people.FindSession(again->token).value()) << i;
    }
  }
  EXPECT_FALSE(f.people.FindSession(again->token).value()) << "a session lasts 10 hours at most";

  auto third = f.people.StartSession("Bas Bakker", "127.0.0.1");
  ASSERT_TRUE(third);
  ASSERT_TRUE(f.people.Revoke("Bas Bakker"));
  EXPECT_FALSE(f.people.FindSession(third->token).value());
  EXPECT_FALSE(f.people.Login("Bas Bakker", kGoodPassword)->ok);
  EXPECT_EQ(f.people.Revoke("Onbekend").error().code, ErrorCode::kNotFound);
}

TEST(ConsolePeopleTest, AnActivePersonCannotBeInvitedTwice) {
  PeopleFixture f;
  f.Active("Cor Claassen");
  EXPECT_EQ(f.people.Invite("Cor Claassen", Role::kAdmin).error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(f.people.Revoke("Cor Claassen"));
  EXPECT_TRUE(f.people.Invite("Cor Claassen", Role::kAdmin));
  EXPECT_EQ(f.people.Invite(" spatie", Role::kAdmin).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.people.Invite(std::string("a\nb"), Role::kAdmin).error().code,
            ErrorCode::kInvalidArgument);
  // A right-to-left override or a zero-width space would let a name pass for
  // another in the log.
  EXPECT_EQ(f.people.Invite("Cor \u202EnessaalC", Role::kAdmin).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.people.Invite("Cor\u200BClaassen", Role::kAdmin).error().code,
            ErrorCode::kInvalidArgument);
}

// ---- Requests through Console::Handle ----------------------------------------

constexpr const char* kHost = "127.0.0.1:8470";

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest()
      : jobs_(n_.node(), [this](UnlockedNode&, const JobRequest& request) -> Result<std::string> {
          const audit::Actor* actor = audit::CurrentActor();
          job_actor_ = actor ? actor->who + "@" + actor->origin : "";
          job_peer_ = request.peer;
          return std::string(32, 'a');
        }),
        console_(n_.node(), jobs_,
                 ConsoleOptions{.allowed_hosts = {},
                                .policy = {},
                                .peers_changed = [this] { ++peers_changed_; }}) {
    console_.SetAddress("127.0.0.1", 8470);
    n_.node().config.peers.push_back(config::PeerConfig{
        .name = "swv-test",
        .address = "127.0.0.1:9",
        .key = "ed25519:" + std::string(64, '1'),
        .role = config::Role::kSwv,
        .policy = {}});
    n_.node().config.peers.back().policy.allowed_purposes = {"thuiszitters-afstemming"};
  }

  ApiRequest Request(std::string method, std::string path, std::string body = "") {
    ApiRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.client_address = "127.0.0.1";
    r.headers["host"] = kHost;
    if (r.method == "POST") {
      r.headers["content-type"] = "application/json";
      r.headers["origin"] = std::string("http://") + kHost;
      r.headers["sec-fetch-site"] = "same-origin";
    }
    return r;
  }

  // Invites and logs in `name`; returns {cookie, csrf}.
  std::pair<std::string, std::string> LogIn(const std::string& name, Role role) {
    PeopleStore people(*n_.node().store);
    auto invitation = people.Invite(name, role);
    EXPECT_TRUE(invitation);
    EXPECT_TRUE(people.AcceptInvitation(invitation->token, kGoodPassword));
    ApiReply reply = console_.Handle(Request(
        "POST", "/api/inloggen",
        nlohmann::json{{"naam", name}, {"wachtwoord", kGoodPassword}}.dump()));
    EXPECT_EQ(reply.status, 200) << reply.body;
    std::string cookie;
    for (const auto& [k, v] : reply.headers) {
      if (k == "Set-Cookie") cookie = v.substr(0, v.find(';'));
    }
    return {cookie, nlohmann::json::parse(reply.body).value("csrf", "")};
  }

  ApiReply As(const std::pair<std::string, std::string>& who, std::string method, std::string path,
              std::string body = "") {
    ApiRequest r = Request(std::move(method), std::move(path), std::move(body));
    r.headers["cookie"] = who.first;
    r.headers["x-csrf-token"] = who.second;
    return console_.Handle(r);
  }

  std::vector<schema::AuditRecord> Records(const std::string& name) {
    audit::AuditLog log(*n_.node().store, n_.node().identity);
    auto all = log.Records({});
    EXPECT_TRUE(all);
    std::vector<schema::AuditRecord> out;
    for (const auto& r : *all) {
      if (r.record.name == name) out.push_back(r.record);
    }
    return out;
  }

  static std::string HeaderOf(const ApiReply& reply, const std::string& name) {
    for (const auto& [k, v] : reply.headers) {
      if (k == name) return v;
    }
    return "";
  }

  FakeClock clock_{"2026-11-02T09:00:00Z"};
  InProcessNode n_{clock_};
  std::string job_actor_, job_peer_;
  int peers_changed_ = 0;  // ConsoleOptions::peers_changed calls (serve reloads on them)
  JobRunner jobs_;
  Console console_;
};

TEST_F(ConsoleTest, ThePageIsServedWithAStrictPolicy) {
  ApiReply page = console_.Handle(Request("GET", "/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(page.content_type.starts_with("text/html"));
  const std::string csp = HeaderOf(page, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(HeaderOf(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(page, "X-Frame-Options"), "DENY");
  EXPECT_EQ(console_.Handle(Request("GET", "/app.js")).status, 200);
  EXPECT_EQ(console_.Handle(Request("GET", "/../etc/passwd")).status, 404);
}

TEST_F(ConsoleTest, AForeignHostNameIsRefused) {
  // A DNS-rebinding page reaches 127.0.0.1 under its own name.
  ApiRequest r = Request("GET", "/");
  r.headers["host"] = "evil.example:8470";
  EXPECT_EQ(console_.Handle(r).status, 421);
  r.headers["host"] = "localhost:8470";
  EXPECT_EQ(console_.Handle(r).status, 200);
  r.headers.erase("host");
  EXPECT_EQ(console_.Handle(r).status, 421);
}

TEST_F(ConsoleTest, LoginSetsAStrictHttpOnlyCookieAndIsAudited) {
  PeopleStore people(*n_.node().store);
  auto invitation = people.Invite("Fatima el Amrani", Role::kOperator);
  ASSERT_TRUE(invitation);
  // The invitation page: who it is for, then the password.
  ApiReply who = console_.Handle(Request("GET", "/api/uitnodiging/" + invitation->token));
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(nlohmann::json::parse(who.body)["naam"], "Fatima el Amrani");
  ApiReply weak = console_.Handle(Request("POST", "/api/uitnodiging/" + invitation->token,
                                          R"({"wachtwoord":"kort"})"));
  EXPECT_EQ(weak.status, 400);
  EXPECT_NE(nlohmann::json::parse(weak.body)["fout"].get<std::string>().find("te kort"),
            std::string::npos);
  ApiReply accepted = console_.Handle(
      Request("POST", "/api/uitnodiging/" + invitation->token,
              nlohmann::json{{"wachtwoord", kGoodPassword}}.dump()));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const std::string cookie = HeaderOf(accepted, "Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(console_.Handle(Request("GET", "/api/uitnodiging/" + invitation->token)).status, 410);

  ApiReply wrong = console_.Handle(Request(
      "POST", "/api/inloggen", R"({"naam":"Fatima el Amrani","wachtwoord":"fout fout fout"})"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(nlohmann::json::parse(wrong.body)["fout"], "Naam of wachtwoord is onjuist.");
  ApiReply unknown = console_.Handle(
      Request("POST", "/api/inloggen", R"({"naam":"Niemand","wachtwoord":"fout fout fout"})"));
  EXPECT_EQ(unknown.body, wrong.body) << "an unknown name gets the same answer";

  ASSERT_EQ(Records("inbeeld.console.login").size(), 0u);
  auto logins = Records("inbeeld.console.login_failed");
  ASSERT_EQ(logins.size(), 2u);
  EXPECT_EQ(logins[1].attributes.at("inbeeld.actor"), "console:onbekend")
      << "an unknown name is logged without the name";
  EXPECT_EQ(logins[0].attributes.at("inbeeld.actor"), "console:Fatima el Amrani");
  EXPECT_EQ(logins[0].attributes.at("inbeeld.origin"), "127.0.0.1");
  EXPECT_EQ(logins[0].status, schema::AuditStatus::kError);
  auto accepted_records = Records("inbeeld.console.invitation.accepted");
  ASSERT_EQ(accepted_records.size(), 1u);
  EXPECT_EQ(accepted_records[0].attributes.at("inbeeld.actor"), "console:Fatima el Amrani");
}

TEST_F(ConsoleTest, ALockedAccountIsToldWhenToTryAgain) {
  LogIn("Anna de Vries", Role::kOperator);
  ApiReply reply;
  for (int i = 0; i < 5; ++i) {
    reply = console_.Handle(Request("POST", "/api/inloggen",
                                    R"({"naam":"Anna de Vries","wachtwoord":"fout fout fout"})"));
  }
  EXPECT_EQ(reply.status, 429);
  auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["minuten"], 15);
  EXPECT_NE(body["fout"].get<std::string>().find("15 minuten"), std::string::npos);
}

TEST_F(ConsoleTest, EveryChangeNeedsTheSessionsCsrfTokenAndTheConsolesOrigin) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  const std::string body = R"({"soort":"match","partner":"swv-test","doel":"thuiszitters-afstemming"})";
  ApiRequest r = Request("POST", "/api/taken", body);
  r.headers["cookie"] = operator_.first;
  EXPECT_EQ(console_.Handle(r).status, 403) << "no token";
  r.headers["x-csrf-token"] = operator_.second + "x";
  EXPECT_EQ(console_.Handle(r).status, 403) << "wrong token";
  r.headers["x-csrf-token"] = operator_.second;
  r.headers["origin"] = "http://evil.example";
  EXPECT_EQ(console_.Handle(r).status, 403) << "another origin";
  r.headers["origin"] = std::string("http://") + kHost;
  r.headers["sec-fetch-site"] = "cross-site";
  EXPECT_EQ(console_.Handle(r).status, 403) << "a cross-site request";
  r.headers["sec-fetch-site"] = "same-origin";
  EXPECT_EQ(console_.Handle(r).status, 202);
  // Logging in from a form on another site cannot send JSON.
  ApiRequest login = Request("POST", "/api/inloggen", R"({"naam":"x","wachtwoord":"y"})");
  login.headers["content-type"] = "text/plain";
  EXPECT_EQ(console_.Handle(login).status, 415);
}

TEST_F(ConsoleTest, EveryApiCallNeedsTheTokenNotOnlyTheCookie) {
  // The cookie goes to every port of 127.0.0.1; the token only to this page.
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  ApiRequest r = Request("GET", "/api/lijst/rijen");
  r.headers["cookie"] = operator_.first;
  EXPECT_EQ(console_.Handle(r).status, 401);
  r.headers["x-csrf-token"] = operator_.second;
  r.headers["sec-fetch-site"] = "same-site";  // a page on another port
  EXPECT_EQ(console_.Handle(r).status, 403);
  r.headers["sec-fetch-site"] = "same-origin";
  EXPECT_EQ(console_.Handle(r).status, 404) << "no list yet, but let in";
  EXPECT_TRUE(Records("inbeeld.list.viewed").empty());
}

TEST_F(ConsoleTest, RefusalsAndFailedLoginsAreInTheLog) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  EXPECT_EQ(As(operator_, "GET", "/api/mensen").status, 403);
  ApiRequest forged = Request("POST", "/api/uitloggen");
  forged.headers["cookie"] = operator_.first;
  EXPECT_EQ(console_.Handle(forged).status, 403);
  auto refused = Records("inbeeld.console.refused");
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].attributes.at("inbeeld.reason"), "role");
  EXPECT_EQ(refused[0].attributes.at("inbeeld.actor"), "console:Olga Operator");
  EXPECT_EQ(refused[1].attributes.at("inbeeld.reason"), "csrf token");
  EXPECT_EQ(console_.Handle(Request("POST", "/api/inloggen",
                                    R"({"naam":"Niemand","wachtwoord":"fout fout fout"})"))
                .status,
            401);
  auto failed = Records("inbeeld.console.login_failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].attributes.at("inbeeld.actor"), "console:onbekend") << "the name tried is not kept";
  EXPECT_EQ(failed[0].attributes.at("inbeeld.reason"), "unknown name");
  // An oversized or deeply nested body is refused before it is parsed.
  EXPECT_EQ(console_.Handle(Request("POST", "/api/inloggen", std::string(100, '[') + "]")).status,
            400);
  EXPECT_EQ(console_.Handle(Request("POST", "/api/inloggen",
                                    R"({"naam":")" + std::string(70'000, 'a') + R"("})"))
                .status,
            400);
}

TEST_F(ConsoleTest, WithoutASessionOnlyThePageAndLoginAnswer) {
  EXPECT_EQ(console_.Handle(Request("GET", "/api/ik")).status, 401);
  EXPECT_EQ(console_.Handle(Request("GET", "/api/lijst")).status, 401);
  ApiRequest forged = Request("GET", "/api/lijst");
  forged.headers["cookie"] = std::string(kSessionCookie) + "=" + std::string(43, 'A');
  ApiReply reply = console_.Handle(forged);
  EXPECT_EQ(reply.status, 401);
  EXPECT_NE(HeaderOf(reply, "Set-Cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(ConsoleTest, AddingAPartnerAsksTheServingProcessToReloadAndShowsItAtOnce) {
  auto admin = LogIn("Annet Admin", Role::kAdmin);
  ApiReply added = As(admin, "POST", "/api/partners",
                      nlohmann::json{{"naam", "school-b"},
                                     {"adres", "127.0.0.1:9"},
                                     {"sleutel", crypto::SigningKey::Generate().PublicKey().Fingerprint()},
                                     {"rol", "school"},
                                     {"doelen", {"thuiszitters-afstemming"}}}
                          .dump());
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(peers_changed_, 1);
  EXPECT_NE(nlohmann::json::parse(added.body)["melding"].get<std::string>().find("meteen"),
            std::string::npos);
  // The console's own view has it without a restart.
  EXPECT_NE(As(admin, "GET", "/api/partners").body.find("school-b"), std::string::npos);
  // A refused one asks for nothing.
  ApiReply twice = As(admin, "POST", "/api/partners",
                      nlohmann::json{{"naam", "school-b"},
                                     {"adres", "127.0.0.1:9"},
                                     {"sleutel", crypto::SigningKey::Generate().PublicKey().Fingerprint()},
                                     {"rol", "school"},
                                     {"doelen", {"thuiszitters-afstemming"}}}
                          .dump());
  EXPECT_NE(twice.status, 200);
  EXPECT_EQ(peers_changed_, 1);
}

TEST_F(ConsoleTest, EachRoleSeesOnlyItsScreens) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  auto officer = LogIn("Frits FG", Role::kPrivacyOfficer);
  auto admin = LogIn("Annet Admin", Role::kAdmin);
  EXPECT_EQ(As(operator_, "GET", "/api/sessies").status, 200);
  EXPECT_EQ(As(officer, "GET", "/api/sessies").status, 403);
  EXPECT_EQ(As(admin, "GET", "/api/sessies").status, 403);
  EXPECT_EQ(As(operator_, "POST", "/api/logboek/controle").status, 403);
  EXPECT_EQ(As(operator_, "GET", "/api/mensen").status, 403);
  EXPECT_EQ(As(admin, "GET", "/api/mensen").status, 200);
  for (auto* who : {&operator_, &officer, &admin}) {
    EXPECT_EQ(As(*who, "GET", "/api/partners").status, 200);
    EXPECT_EQ(As(*who, "GET", "/api/ik").status, 200);
  }
  auto me = nlohmann::json::parse(As(officer, "GET", "/api/ik").body);
  EXPECT_EQ(me["rol"], "privacy-officer");
  EXPECT_EQ(me["knooppunt"]["naam"], "Leerplicht Test");
  EXPECT_TRUE(std::regex_match(me["knooppunt"]["veiligheidscode"].get<std::string>(),
                               std::regex("[0-9]{5} [0-9]{5} [0-9]{5} [0-9]{5}")));
  EXPECT_EQ(As(operator_, "GET", "/api/bestaat-niet").status, 404);
  EXPECT_EQ(As(operator_, "POST", "/api/sessies").status, 405);
}

TEST_F(ConsoleTest, EveryRouteChecksSessionTokenAndRole) {
  // Table-driven over the console's own route table: no route answers
  // without a session, none takes a change without the token, and each
  // refuses exactly the roles docs/CONSOLE.md's table leaves out.
  const std::map<Role, std::pair<std::string, std::string>> people = {
      {Role::kOperator, LogIn("Olga Operator", Role::kOperator)},
      {Role::kPrivacyOfficer, LogIn("Frits FG", Role::kPrivacyOfficer)},
      {Role::kAdmin, LogIn("Annet Admin", Role::kAdmin)}};
  size_t checked = 0;
  for (auto group : {ListRoutes, PartnerRoutes, ExchangeRoutes, AuditRoutes, ReportRoutes,
                     PeopleRoutes}) {
    for (const auto& route : group()) {
      std::string path = route.pattern;
      for (size_t at; (at = path.find("/:")) != std::string::npos;) path.replace(at, 2, "/x");
      SCOPED_TRACE(route.method + " " + path);
      ApiRequest anonymous = Request(route.method, path, "{}");
      EXPECT_EQ(console_.Handle(anonymous).status, 401);
      for (const auto& [role, who] : people) {
        const bool allowed = (route.roles & MaskOf(role)) != 0;
        if (route.method == "POST") {
          ApiRequest no_token = Request(route.method, path, "{}");
          no_token.headers["cookie"] = who.first;
          EXPECT_EQ(console_.Handle(no_token).status, 403);
        }
        if (route.pattern == "/api/partners/:/bereikbaarheid" && allowed) continue;  // no network
        const int status = As(who, route.method, path, "{}").status;
        if (allowed) {
          EXPECT_NE(status, 401) << RoleName(role);
          EXPECT_NE(status, 403) << RoleName(role);
        } else {
          EXPECT_EQ(status, 403) << RoleName(role);
        }
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 25u);
}

TEST_F(ConsoleTest, AJobRunsInTheBackgroundInTheNameOfWhoStartedIt) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  ApiReply started = As(operator_, "POST", "/api/taken",
                        R"({"soort":"match","partner":"swv-test","doel":"thuiszitters-afstemming"})");
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id = nlohmann::json::parse(started.body)["taak"];
  nlohmann::json status;
  for (int i = 0; i < 500; ++i) {
    status = nlohmann::json::parse(As(operator_, "GET", "/api/taken/" + id).body);
    if (status["status"] == "klaar" || status["status"] == "mislukt") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(status["status"], "klaar");
  EXPECT_EQ(status["sessie"], std::string(32, 'a'));
  EXPECT_EQ(status["door"], "Olga Operator");
  EXPECT_EQ(job_actor_, "console:Olga Operator@127.0.0.1");
  EXPECT_EQ(job_peer_, "swv-test");
  auto requested = Records("inbeeld.exchange.requested");
  ASSERT_EQ(requested.size(), 1u);
  EXPECT_EQ(requested[0].attributes.at("inbeeld.actor"), "console:Olga Operator");
  EXPECT_EQ(requested[0].attributes.at("inbeeld.job"), id);

  EXPECT_EQ(As(operator_, "POST", "/api/taken",
               R"({"soort":"match","partner":"onbekend","doel":"thuiszitters-afstemming"})")
                .status,
            404);
  EXPECT_EQ(As(operator_, "POST", "/api/taken",
               R"({"soort":"match","partner":"swv-test","doel":"geen-doel"})")
                .status,
            400);
  EXPECT_EQ(As(operator_, "POST", "/api/taken", R"({"soort":"verwijder alles"})").status, 400);
  EXPECT_EQ(As(operator_, "POST", "/api/taken", "geen json").status, 400);
  EXPECT_EQ(As(operator_, "GET", "/api/taken/0000").status, 404);
}

TEST_F(ConsoleTest, TheListSummaryCountsByCategoryAndDuration) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  EXPECT_EQ(As(operator_, "GET", "/api/lijst").status, 404);
  // On 02-11-2026: out since 20-10 (< 4 weeks), 01-09 (2 months), 02-08 (exactly 3 months).
  std::vector<schema::ListRow> rows = schema::GenerateList(7, 3, {2030, 1, 1});
  const schema::Date since[] = {{2026, 10, 20}, {2026, 9, 1}, {2026, 8, 2}};
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].since = since[i];
    rows[i].plan_in_place = false;
    rows[i].own_reference = "ref-" + std::to_string(i);
  }
  n_.Import(rows, {2026, 11, 1});
  ApiReply reply = As(operator_, "GET", "/api/lijst");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["totaal"], 3);
  EXPECT_EQ(body["lijstdatum"], "01-11-2026");
  EXPECT_EQ(body["peildatum"], "02-11-2026");
  std::map<std::string, int> bands;
  for (const auto& b : body["per_duur"]) bands[b["duur"]] = b["aantal"];
  EXPECT_EQ(bands, (std::map<std::string, int>{
                       {"< 4 weken", 1}, {"4 weken–3 maanden", 1}, {"≥ 3 maanden", 1}}));
  ASSERT_EQ(body["over_termijn"].size(), 1u);
  EXPECT_EQ(body["over_termijn"][0]["referentie"], "ref-2");

  // Rows with names are shown to the operator, and that is logged.
  ApiReply listed = As(operator_, "GET", "/api/lijst/rijen");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(nlohmann::json::parse(listed.body)["rijen"].size(), 3u);
  auto viewed = Records("inbeeld.list.viewed");
  ASSERT_EQ(viewed.size(), 1u);
  EXPECT_EQ(viewed[0].attributes.at("inbeeld.actor"), "console:Olga Operator");
}

TEST_F(ConsoleTest, AdminsInviteAndRevokePeopleAndThatIsLogged) {
  auto admin = LogIn("Annet Admin", Role::kAdmin);
  ApiReply invited = As(admin, "POST", "/api/mensen", R"({"naam":"Nieuwe Collega","rol":"operator"})");
  ASSERT_EQ(invited.status, 200) << invited.body;
  const std::string link = nlohmann::json::parse(invited.body)["link"];
  EXPECT_TRUE(link.starts_with(std::string("http://") + kHost + "/#/uitnodiging/")) << link;
  EXPECT_EQ(As(admin, "POST", "/api/mensen", R"({"naam":"Nieuwe Collega","rol":"baas"})").status,
            400);
  EXPECT_EQ(As(admin, "POST", "/api/mensen/Nieuwe Collega/intrekken").status, 200);
  EXPECT_EQ(As(admin, "POST", "/api/mensen/Annet Admin/intrekken").status, 409)
      << "nobody locks themselves out";
  auto invitations = Records("inbeeld.console.invited");
  ASSERT_EQ(invitations.size(), 1u);
  EXPECT_EQ(invitations[0].attributes.at("inbeeld.actor"), "console:Annet Admin");
  EXPECT_EQ(invitations[0].attributes.at("inbeeld.console.person"), "Nieuwe Collega");
  ASSERT_EQ(Records("inbeeld.console.revoked").size(), 1u);
}

// Bodies go through the strict JSON reader: a member that appears twice
// (which "naam" would a second reader take?), nesting past the limit,
// trailing bytes or a body over the JSON limit are refused in Dutch, and
// nothing happens.
TEST_F(ConsoleTest, AMalformedBodyIsRefusedInDutchAndChangesNothing) {
  auto admin = LogIn("Annet Admin", Role::kAdmin);
  const std::string deep = R"({"naam":"X","rol":"operator","d":)" + std::string(kMaxJsonDepth, '[') +
                           std::string(kMaxJsonDepth, ']') + "}";
  for (const std::string& body :
       {std::string(R"({"naam":"Nieuwe Collega","naam":"Andere Collega","rol":"operator"})"), deep,
        std::string(R"({"naam":"Nieuwe Collega","rol":"operator"} {})")}) {
    ApiReply refused = As(admin, "POST", "/api/mensen", body);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(refused.body.find("Het verzoek is geen geldig JSON-object"), std::string::npos)
        << refused.body;
    EXPECT_EQ(refused.body.find("Collega"), std::string::npos) << "the body is not echoed";
  }
  ApiReply big = As(admin, "POST", "/api/mensen",
                    R"({"naam":"Nieuwe Collega","rol":"operator","x":")" +
                        std::string(kMaxJsonBytes, 'x') + "\"}");
  EXPECT_EQ(big.status, 400) << big.body;
  EXPECT_NE(big.body.find("Het verzoek is te groot."), std::string::npos) << big.body;
  EXPECT_TRUE(Records("inbeeld.console.invited").empty());
  // Just inside the depth limit is still read.
  const std::string within = R"({"naam":"Nieuwe Collega","rol":"operator","d":)" +
                             std::string(kMaxJsonDepth - 1, '[') +
                             std::string(kMaxJsonDepth - 1, ']') + "}";
  EXPECT_EQ(As(admin, "POST", "/api/mensen", within).status, 200);
}

TEST_F(ConsoleTest, APersonChangesTheirPasswordAndTheirOtherSessionsEnd) {
  auto here = LogIn("Olga Operator", Role::kOperator);
  ApiReply second_login = console_.Handle(Request(
      "POST", "/api/inloggen",
      nlohmann::json{{"naam", "Olga Operator"}, {"wachtwoord", kGoodPassword}}.dump()));
  ASSERT_EQ(second_login.status, 200);
  std::pair<std::string, std::string> elsewhere = {
      HeaderOf(second_login, "Set-Cookie").substr(0, HeaderOf(second_login, "Set-Cookie").find(';')),
      nlohmann::json::parse(second_login.body)["csrf"]};
  ApiReply wrong = As(here, "POST", "/api/wachtwoord",
                      R"({"huidig":"niet het wachtwoord","nieuw":"een heel nieuw wachtwoord"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(nlohmann::json::parse(wrong.body)["fout"], "Uw huidige wachtwoord klopt niet.");
  EXPECT_EQ(As(here, "POST", "/api/wachtwoord",
               nlohmann::json{{"huidig", kGoodPassword}, {"nieuw", "kort"}}.dump())
                .status,
            400);
  ApiReply changed = As(here, "POST", "/api/wachtwoord",
                        nlohmann::json{{"huidig", kGoodPassword},
                                       {"nieuw", "een heel nieuw wachtwoord"}}
                            .dump());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(As(here, "GET", "/api/ik").status, 200) << "this session stays";
  EXPECT_EQ(As(elsewhere, "GET", "/api/ik").status, 401) << "the other one ends";
  PeopleStore people(*n_.node().store);
  EXPECT_FALSE(people.Login("Olga Operator", kGoodPassword)->ok);
  EXPECT_TRUE(people.Login("Olga Operator", "een heel nieuw wachtwoord")->ok);
  auto records = Records("inbeeld.console.password_changed");
  ASSERT_EQ(records.size(), 3u) << "the two refused changes and the one that worked";
  EXPECT_EQ(records[2].status, schema::AuditStatus::kOk);
  EXPECT_EQ(records[2].attributes.at("inbeeld.actor"), "console:Olga Operator");
}

TEST_F(ConsoleTest, LoggingOutEndsTheSession) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  ApiReply out = As(operator_, "POST", "/api/uitloggen");
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(As(operator_, "GET", "/api/ik").status, 401);
}

TEST_F(ConsoleTest, AnImportWithProblemsStoresNothingAndSaysWhereInDutch) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  const std::string csv =
      "Leerling achternaam;Geb. datum;Soort verzuim;Verzuim vanaf;BRIN;Aanbod?;Dossier\r\n"
      "Bakker;14-03-2012;absoluut verzuim;01-09-2026;20AB;nee;LP-001\r\n"
      "Visser;31-02-2013;relatief verzuim;01-06-2026;20AB;nee;LP-002\r\n";
  ApiRequest preview = Request("POST", "/api/lijst/voorbeeld", csv);
  preview.headers["content-type"] = "application/octet-stream";
  preview.headers["x-bestandsnaam"] = "export%20leerlingen.csv";
  preview.headers["cookie"] = operator_.first;
  preview.headers["x-csrf-token"] = operator_.second;
  ApiReply proposed = console_.Handle(preview);
  ASSERT_EQ(proposed.status, 200) << proposed.body;
  auto body = nlohmann::json::parse(proposed.body);
  EXPECT_EQ(body["kolommen"].size(), 7u);
  EXPECT_FALSE(body["onthouden"].get<bool>());
  EXPECT_EQ(body["koppeling"]["Geb. datum"], "geboortedatum");

  // By column position, as the page sends it.
  nlohmann::json mapping = {{"0", "achternaam"}, {"1", "geboortedatum"}, {"2", "categorie"},
                            {"3", "sinds"},      {"4", "brin"},          {"5", "plan"},
                            {"6", "referentie"}};
  auto import = [&](const std::string& file) {
    ApiRequest r = Request("POST", "/api/lijst/import", file);
    r.query["lijstdatum"] = "01-11-2026";
    r.headers["content-type"] = "application/octet-stream";
    r.headers["x-bestandsnaam"] = "lijst.csv";
    r.headers["x-koppeling"] = PercentEncoded(mapping.dump());
    r.headers["cookie"] = operator_.first;
    r.headers["x-csrf-token"] = operator_.second;
    return console_.Handle(r);
  };
  {
    // A position the file does not have: refused before anything is parsed.
    nlohmann::json saved = mapping;
    mapping["7"] = "naam";
    ApiReply wrong = import(csv);
    EXPECT_EQ(wrong.status, 400) << wrong.body;
    mapping = saved;
  }
  ApiReply refused = import(csv);
  ASSERT_EQ(refused.status, 422) << refused.body;
  auto problems = nlohmann::json::parse(refused.body)["problemen"];
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0]["regel"], 3);
  EXPECT_EQ(problems[0]["kolom"], "Geb. datum");
  EXPECT_EQ(problems[0]["melding"].get<std::string>().find("31-02-2013"), std::string::npos)
      << "the value is never echoed";
  EXPECT_FALSE(n_.node().store->CurrentVersion().value()) << "nothing stored";

  std::string fixed = csv;
  fixed.replace(fixed.find("31-02-2013"), 10, "27-06-2013");
  ApiReply stored = import(fixed);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(nlohmann::json::parse(stored.body)["rijen"], 2);
  auto imports = Records("inbeeld.list.import");
  ASSERT_EQ(imports.size(), 2u) << "the refused import and the stored one";
  EXPECT_EQ(imports[0].status, schema::AuditStatus::kError);
  EXPECT_EQ(imports[0].attributes.at("inbeeld.reason"), "problems in the file");
  EXPECT_EQ(imports[1].status, schema::AuditStatus::kOk);
  EXPECT_EQ(imports[1].attributes.at("inbeeld.actor"), "console:Olga Operator");

  // The same columns next time: the mapping is remembered.
  ApiReply again = console_.Handle(preview);
  auto remembered = nlohmann::json::parse(again.body);
  EXPECT_TRUE(remembered["onthouden"].get<bool>());
  EXPECT_EQ(remembered["koppeling"]["Dossier"], "referentie");
}

TEST_F(ConsoleTest, TheFgSeesTheLogbookAndAnswersAnAccessRequest) {
  auto officer = LogIn("Frits FG", Role::kPrivacyOfficer);
  std::vector<schema::ListRow> rows = schema::GenerateList(7, 6, {2030, 1, 1});
  n_.Import(rows, {2026, 11, 1});
  // Query parameters arrive decoded in ApiRequest::query, not in the path.
  ApiRequest r = Request("GET", "/api/logboek");
  r.query = {{"van", "01-10-2026"}, {"tot", "02-11-2026"}};
  r.headers["cookie"] = officer.first;
  r.headers["x-csrf-token"] = officer.second;
  ApiReply book = console_.Handle(r);
  ASSERT_EQ(book.status, 200) << book.body;
  auto logbook = nlohmann::json::parse(book.body);
  bool saw_login = false;
  for (const auto& a : logbook["acties"]) saw_login |= a["door"] == "Frits FG" && a["actie"] == "ingelogd";
  EXPECT_TRUE(saw_login) << logbook["acties"].dump();
  r.query = {{"van", "02-11-2026"}, {"tot", "01-10-2026"}};
  EXPECT_EQ(console_.Handle(r).status, 400);

  ASSERT_TRUE(rows[0].identifier);
  ApiReply answer = As(officer, "POST", "/api/inzageverzoek",
                       nlohmann::json{{"pgn", rows[0].identifier->digits()}}.dump());
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto found = nlohmann::json::parse(answer.body);
  EXPECT_TRUE(found["gevonden"].get<bool>());
  ASSERT_EQ(found["vastgelegd"].size(), 1u);
  EXPECT_EQ(found["vastgelegd"][0]["referentie"], rows[0].own_reference);
  EXPECT_EQ(answer.body.find(rows[0].identifier->digits()), std::string::npos)
      << "the answer never holds the BSN";
  EXPECT_EQ(As(officer, "POST", "/api/inzageverzoek", R"({"pgn":"123456789"})").status, 400);
  auto requests = Records("inbeeld.subject.request");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].attributes.at("inbeeld.actor"), "console:Frits FG");
  EXPECT_EQ(requests[0].attributes.at("inbeeld.request.by"), "pgn");
}

TEST_F(ConsoleTest, TheQuarterlyRegistrationIsAnXlsxWithoutNames) {
  auto operator_ = LogIn("Olga Operator", Role::kOperator);
  std::vector<schema::ListRow> rows = schema::GenerateList(7, 6, {2030, 1, 1});
  for (auto& row : rows) row.since = {2026, 9, 1};
  n_.Import(rows, {2026, 11, 1});
  ApiRequest r = Request("GET", "/api/rapportage.xlsx");
  r.query = {{"peildatum", "02-11-2026"}};
  r.headers["cookie"] = operator_.first;
  r.headers["x-csrf-token"] = operator_.second;
  ApiReply sheet = console_.Handle(r);
  ASSERT_EQ(sheet.status, 200) << sheet.body;
  EXPECT_TRUE(sheet.body.starts_with("PK\x03\x04"));
  EXPECT_NE(HeaderOf(sheet, "Content-Disposition").find("thuiszitters-2026-K4.xlsx"),
            std::string::npos);
  r.path = "/api/rapportage";
  auto report = nlohmann::json::parse(console_.Handle(r).body);
  EXPECT_EQ(report["kwartaal"], "2026-K4");
  EXPECT_EQ(report["rijen"].size(), 6u);
  for (const auto& row : rows) {
    EXPECT_EQ(report.dump().find(row.own_reference), std::string::npos);
    if (row.name.surname) {
      EXPECT_EQ(report.dump().find(*row.name.surname), std::string::npos);
    }
  }
  r.query = {{"peildatum", "02-11-2027"}};
  EXPECT_EQ(console_.Handle(r).status, 400) << "a reference date in the future";
}

TEST_F(ConsoleTest, TheCommandLineInvitesAndNamesItsOsUserInTheLog) {
  std::ostringstream out, err;
  cli::Context context{
      .out = &out,
      .err = &err,
      .env = [](const char* name) -> std::optional<std::string> {
        if (std::string_view(name) == "INBEELD_PASSPHRASE") {
          return "passphrase of an in-process test node";
        }
        return std::nullopt;
      },
      .clock = clock_,
      .self_path = ""};
  const std::string home = n_.node().root.string();
  ASSERT_EQ(cli::RunCli({"console", "invite", "Pim Plan", "--role", "operator", "--data-dir", home},
                        context),
            0)
      << err.str();
  // No console runs for this node: the link uses [console] listen.
  EXPECT_NE(out.str().find("http://127.0.0.1:8470/#/uitnodiging/"), std::string::npos) << out.str();
  EXPECT_EQ(cli::RunCli({"console", "invite", "Pim Plan", "--role", "baas", "--data-dir", home},
                        context),
            3);
  auto invited = Records("inbeeld.console.invited");
  ASSERT_EQ(invited.size(), 1u);
  EXPECT_EQ(invited[0].attributes.at("inbeeld.actor"), "os:" + audit::OsUserName());
  EXPECT_EQ(invited[0].attributes.at("inbeeld.origin"), "cli");
  out.str("");
  ASSERT_EQ(cli::RunCli({"console", "people", "--data-dir", home}, context), 0) << err.str();
  EXPECT_NE(out.str().find("Pim Plan"), std::string::npos);
  EXPECT_NE(out.str().find("uitgenodigd"), std::string::npos);
  ASSERT_EQ(cli::RunCli({"console", "revoke", "Pim Plan", "--data-dir", home}, context), 0);
  EXPECT_EQ(cli::RunCli({"console", "revoke", "Niemand", "--data-dir", home}, context), 3)
      << "an unknown name";
}

// ---- The HTTP server ------------------------------------------------------------

// Sends `request` as is on a fresh connection and returns the head of the
// answer (or what came before the server closed, or 5 s passed).
std::string RawRequest(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    ssize_t n;
    // Up to the end of the answer's head: enough to read its status.
    while (reply.find("\r\n\r\n") == std::string::npos &&
           (n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
      reply.append(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  return reply;
}

TEST_F(ConsoleTest, TheServerListensOnLoopbackOnly) {
  ConsoleHttpServer server(console_);
  auto refused = server.Bind("0.0.0.0", 0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  auto port = server.Bind("127.0.0.1", 0);
  ASSERT_TRUE(port) << port.error().message;
  std::thread serving([&] { EXPECT_TRUE(server.ListenAfterBind()); });
  // Stop and join on every way out of the test, a failed ASSERT included.
  struct Joiner {
    ConsoleHttpServer& server;
    std::thread& thread;
    ~Joiner() {
      server.Stop();
      if (thread.joinable()) thread.join();
    }
  } joiner{server, serving};

  ConsoleHttpServer second(console_);
  auto taken = second.Bind("127.0.0.1", *port);
  ASSERT_FALSE(taken);
  // Its own code (exit 11), not "a peer is unreachable".
  EXPECT_EQ(taken.error().code, ErrorCode::kAddressInUse);
  EXPECT_NE(taken.error().message.find("already in use"), std::string::npos);

  httplib::Client client("127.0.0.1", *port);
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  auto me = client.Get("/api/ik");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  auto big = client.Post("/api/inloggen", std::string(kMaxUploadBytes + 1, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  // Bodies whose size is not known up front, or that httplib would inflate
  // without a limit, are refused before they are read; so is another host.
  httplib::Headers gzip = {{"Content-Encoding", "gzip"}};
  auto compressed = client.Post("/api/inloggen", gzip, std::string(10, 'x'), "application/json");
  ASSERT_TRUE(compressed);
  EXPECT_EQ(compressed->status, 415);
  // Chunked: only the request head is sent; the answer comes without the
  // server waiting for (or reading) a body.
  EXPECT_TRUE(RawRequest(*port, "POST /api/inloggen HTTP/1.1\r\nHost: 127.0.0.1:" +
                                    std::to_string(*port) +
                                    "\r\nTransfer-Encoding: chunked\r\nContent-Type: "
                                    "application/json\r\n\r\n")
                  .starts_with("HTTP/1.1 411"));
  httplib::Headers evil = {{"Host", "evil.example"}};
  auto rebound = client.Get("/", evil);
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 421);
}

}  // namespace
}  // namespace inbeeld::node::console
