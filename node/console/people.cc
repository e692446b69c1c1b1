#include "node/console/people.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "crypto/password.h"
#include "node/clock/timestamp.h"
#include "node/store/sqlite_util.h"
#include "schema/utf8.h"

namespace inbeeld::node::console {
namespace {

constexpr size_t kMaxNameChars = 80;

// Passwords people pick first; refused whatever their length.
constexpr std::array<std::string_view, 12> kCommonPasswords = {
    "welkom123456", "wachtwoord12", "wachtwoord123", "wachtwoord1234",
    "password1234", "123456789012", "qwertyuiop12",  "welkomwelkom",
    "inbeeld12345", "leerplicht12", "thuiszitter1",  "azertyuiop12"};

std::array<uint8_t, 32> TokenHash(std::string_view token) {
  std::array<uint8_t, 32> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const uint8_t*>(token.data()), token.size());
  return out;
}

std::string NewToken() {
  std::array<uint8_t, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Later(const Clock& clock, std::chrono::minutes by) { return IsoUtc(clock.Now() + by); }

// An Argon2id string made once, so an unknown name costs the same check.
const std::string& DummyHash(const crypto::KdfParams& cost) {
  static const std::string hash = [&] {
    auto made = crypto::HashPassword("no such person, no such password", cost);
    return made ? *made : std::string();
  }();
  return hash;
}

Result<Person> PersonFrom(Statement& s, const std::string& now) {
  Person p;
  p.name = s.ColumnText(0);
  auto role = ParseRole(s.ColumnText(1));
  if (!role) return Fail(ErrorCode::kDataLoss, "console person with an unknown role");
  p.role = *role;
  const bool has_password = !s.ColumnIsNull(2);
  const bool revoked = s.ColumnInt(3) != 0;
  const std::string locked_until = s.ColumnIsNull(4) ? "" : s.ColumnText(4);
  p.invited_at = s.ColumnText(5);
  p.last_login_at = s.ColumnIsNull(6) ? "" : s.ColumnText(6);
  if (revoked) {
    p.state = "ingetrokken";
  } else if (!has_password) {
    p.state = "uitgenodigd";
  } else if (!locked_until.empty() && locked_until > now) {
    p.state = "geblokkeerd";
  } else {
    p.state = "actief";
  }
  return p;
}

constexpr const char* kPersonColumns =
    "name, role, password_hash, revoked, locked_until, invited_at, last_login_at";

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kPrivacyOfficer:
      return "privacy-officer";
    case Role::kAdmin:
      return "admin";
  }
  return "operator";
}

Result<Role> ParseRole(std::string_view name) {
  if (name == "operator") return Role::kOperator;
  if (name == "privacy-officer") return Role::kPrivacyOfficer;
  if (name == "admin") return Role::kAdmin;
  return Fail(ErrorCode::kInvalidArgument, "role must be operator, privacy-officer or admin");
}

Status CheckPasswordRules(std::string_view name, std::string_view password,
                          const ConsolePolicy& policy) {
  if (!schema::IsValidUtf8(password) || password.size() > crypto::kMaxPasswordBytes) {
    return Fail(
        ErrorCode::kInvalidArgument,
        "Dit wachtwoord kan niet worden gebruikt: het bevat tekens die niet zijn toegestaan "
        "of is te lang.");
  }
  if (CodePoints(password) < policy.min_password_chars) {
    return Fail(ErrorCode::kInvalidArgument, "Het wachtwoord is te kort: kies minstens " +
                                                 std::to_string(policy.min_password_chars) +
                                                 " tekens.");
  }
  const std::string lower = Lower(password);
  if (lower == Lower(name) || lower.find(Lower(name)) != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "Het wachtwoord mag uw naam niet bevatten.");
  }
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; })) {
    return Fail(ErrorCode::kInvalidArgument,
                "Het wachtwoord bestaat uit één herhaald teken: kies een ander wachtwoord.");
  }
  for (auto common : kCommonPasswords) {
    if (lower == common) {
      return Fail(ErrorCode::kInvalidArgument,
                  "Dit wachtwoord wordt veel gebruikt en is makkelijk te raden: kies een ander.");
    }
  }
  return {};
}

PeopleStore::PeopleStore(Store& store, ConsolePolicy policy)
    : store_(store), policy_(std::move(policy)) {}

Result<std::optional<Person>> PeopleStore::Find(std::string_view name) {
  auto s = Statement::Prepare(store_.handle(), std::string("SELECT ") + kPersonColumns +
                                                   " FROM console_people WHERE name = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, name));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<Person>();
  auto p = PersonFrom(*s, NowIso(store_.clock()));
  if (!p) return std::unexpected(p.error());
  return std::optional<Person>(std::move(*p));
}

// Invisible and direction-changing characters (zero-width spaces and joiners,
// bidi embeddings, overrides and isolates, the BOM): a name holding one could
// pass for another person's in the audit log.
static bool HasInvisibleCharacters(std::string_view name) {
  static constexpr std::string_view kInvisible[] = {
      "\u200B", "\u200C", "\u200D", "\u200E", "\u200F", "\u202A", "\u202B", "\u202C", "\u202D",
      "\u202E", "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\uFEFF", "\u00AD"};
  for (auto invisible : kInvisible) {
    if (name.find(invisible) != std::string_view::npos) return true;
  }
  return false;
}

Result<Invitation> PeopleStore::Invite(std::string_view name, Role role) {
  if (name.empty() || CodePoints(name) > kMaxNameChars || !schema::IsValidUtf8(name) ||
      HasInvisibleCharacters(name) ||
      std::any_of(name.begin(), name.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7F; }) ||
      name.front() == ' ' || name.back() == ' ') {
    return Fail(ErrorCode::kInvalidArgument,
                "name: 1 to 80 printable characters, no leading or trailing space, no invisible "
                "characters");
  }
  auto existing = Find(name);
  if (!existing) return std::unexpected(existing.error());
  if (*existing && (*existing)->state != "ingetrokken" && (*existing)->state != "uitgenodigd") {
    return Fail(
        ErrorCode::kAlreadyExists,
        "'" + std::string(name) + "' already has an account; revoke it first to invite again");
  }
  Invitation invitation{NewToken(), Later(store_.clock(), policy_.invitation_valid)};
  auto hash = TokenHash(invitation.token);
  auto s = Statement::Prepare(
      store_.handle(),
      "INSERT INTO console_people(name, role, password_hash, invite_hash, invite_expires, "
      "invited_at, failures, locked_until, revoked) VALUES (?, ?, NULL, ?, ?, ?, 0, NULL, 0) "
      "ON CONFLICT(name) DO UPDATE SET role = excluded.role, password_hash = NULL, "
      "invite_hash = excluded.invite_hash, invite_expires = excluded.invite_expires, "
      "invited_at = excluded.invited_at, failures = 0, locked_until = NULL, revoked = 0");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, name));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, RoleName(role)));
  INBEELD_RETURN_IF_ERROR(s->BindBlob(3, hash));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, invitation.expires_at));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(s->Run());
  return invitation;
}

Result<Person> PeopleStore::InvitationFor(std::string_view token) {
  auto s = Statement::Prepare(store_.handle(),
                              std::string("SELECT ") + kPersonColumns +
                                  ", invite_expires FROM console_people WHERE invite_hash = ? "
                                  "AND revoked = 0 AND password_hash IS NULL");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, TokenHash(token)));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  const std::string now = NowIso(store_.clock());
  if (!*row || s->ColumnText(7) <= now) {
    return Fail(ErrorCode::kNotFound, "this invitation is unknown, used or expired");
  }
  return PersonFrom(*s, now);
}

Result<Person> PeopleStore::AcceptInvitation(std::string_view token, std::string_view password) {
  auto person = InvitationFor(token);
  if (!person) return std::unexpected(person.error());
  INBEELD_RETURN_IF_ERROR(CheckPasswordRules(person->name, password, policy_));
  auto hash = crypto::HashPassword(password, policy_.password_cost);
  if (!hash) return std::unexpected(hash.error());
  auto s = Statement::Prepare(
      store_.handle(),
      "UPDATE console_people SET password_hash = ?, invite_hash = NULL, invite_expires = NULL, "
      "failures = 0, locked_until = NULL WHERE name = ? AND password_hash IS NULL AND revoked = 0");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, *hash));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, person->name));
  INBEELD_RETURN_IF_ERROR(s->Run());
  if (Changes(store_.handle()) != 1) {
    return Fail(ErrorCode::kNotFound, "this invitation is unknown, used or expired");
  }
  person->state = "actief";
  return person;
}

Result<LoginOutcome> PeopleStore::Login(std::string_view name, std::string_view password) {
  LoginOutcome outcome;
  auto s = Statement::Prepare(store_.handle(), std::string("SELECT ") + kPersonColumns +
                                                   ", failures FROM console_people WHERE name = ? "
                                                   "AND revoked = 0 AND password_hash IS NOT NULL");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, name));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) {
    INBEELD_RETURN_IF_ERROR(s->Reset());
    (void)crypto::VerifyPassword(DummyHash(policy_.password_cost), password);
    outcome.locked_minutes = UnknownNameLock(std::string(name), /*failed=*/true);
    return outcome;
  }
  const std::string now = NowIso(store_.clock());
  auto person = PersonFrom(*s, now);
  if (!person) return std::unexpected(person.error());
  const std::string hash = s->ColumnText(2);
  const std::string locked_until = s->ColumnIsNull(4) ? "" : s->ColumnText(4);
  const int64_t failures = s->ColumnInt(7);
  // End the read before writing: a statement left open would hold a read
  // transaction, and its upgrade to a write fails at once (SQLITE_BUSY) when
  // another connection (the exchanges') wrote in between.
  INBEELD_RETURN_IF_ERROR(s->Reset());
  outcome.known_name = true;
  const bool good = crypto::VerifyPassword(hash, password);
  if (!locked_until.empty() && locked_until > now) {
    // Locked: even the right password waits, and the answer does not say
    // whether it was right.
    auto until = ParseIsoUtc(locked_until);
    auto left = until ? std::chrono::duration_cast<std::chrono::minutes>(
                            *until - store_.clock().Now() + std::chrono::seconds(59))
                      : policy_.lock_base;
    outcome.locked_minutes = static_cast<int>(std::max<int64_t>(1, left.count()));
    return outcome;
  }
  if (good) {
    auto u = Statement::Prepare(store_.handle(),
                                "UPDATE console_people SET failures = 0, locked_until = NULL, "
                                "last_login_at = ? WHERE name = ?");
    if (!u) return std::unexpected(u.error());
    INBEELD_RETURN_IF_ERROR(u->Bind(1, now));
    INBEELD_RETURN_IF_ERROR(u->Bind(2, name));
    INBEELD_RETURN_IF_ERROR(u->Run());
    if (crypto::PasswordNeedsRehash(hash, policy_.password_cost)) {
      if (auto fresh = crypto::HashPassword(password, policy_.password_cost); fresh) {
        auto r = Statement::Prepare(store_.handle(),
                                    "UPDATE console_people SET password_hash = ? WHERE name = ?");
        if (!r) return std::unexpected(r.error());
        INBEELD_RETURN_IF_ERROR(r->Bind(1, *fresh));
        INBEELD_RETURN_IF_ERROR(r->Bind(2, name));
        INBEELD_RETURN_IF_ERROR(r->Run());
      }
    }
    person->last_login_at = now;
    outcome.ok = true;
    outcome.person = std::move(*person);
    return outcome;
  }
  const int64_t now_failures = failures + 1;
  std::optional<std::string> lock;
  if (auto minutes = LockMinutes(now_failures)) {
    lock = Later(store_.clock(), std::chrono::minutes(*minutes));
    outcome.locked_minutes = *minutes;
  }
  auto u = Statement::Prepare(
      store_.handle(), "UPDATE console_people SET failures = ?, locked_until = ? WHERE name = ?");
  if (!u) return std::unexpected(u.error());
  INBEELD_RETURN_IF_ERROR(u->Bind(1, now_failures));
  if (lock) {
    INBEELD_RETURN_IF_ERROR(u->Bind(2, *lock));
  } else {
    INBEELD_RETURN_IF_ERROR(u->BindNull(2));
  }
  INBEELD_RETURN_IF_ERROR(u->Bind(3, name));
  INBEELD_RETURN_IF_ERROR(u->Run());
  return outcome;
}

std::optional<int> PeopleStore::LockMinutes(int64_t failures) const {
  if (failures < policy_.max_failures) return std::nullopt;
  const int64_t doublings = std::min<int64_t>(failures - policy_.max_failures, 16);
  return static_cast<int>(
      std::min<int64_t>(policy_.lock_base.count() << doublings, policy_.lock_max.count()));
}

std::optional<int> PeopleStore::UnknownNameLock(const std::string& name, bool failed) {
  const auto now = store_.clock().Now();
  auto it = unknown_names_.find(name);
  if (it == unknown_names_.end()) {
    if (!failed) return std::nullopt;
    if (unknown_names_.size() >= kMaxUnknownNames) unknown_names_.erase(unknown_names_.begin());
    it = unknown_names_.emplace(name, UnknownName{}).first;
  }
  UnknownName& entry = it->second;
  if (entry.locked_until > now) {
    // As for a locked account: the minutes left, and nothing counted.
    auto left = std::chrono::duration_cast<std::chrono::minutes>(entry.locked_until - now +
                                                                 std::chrono::seconds(59));
    return static_cast<int>(std::max<int64_t>(1, left.count()));
  }
  if (!failed) return std::nullopt;
  ++entry.failures;
  auto minutes = LockMinutes(entry.failures);
  if (minutes) entry.locked_until = now + std::chrono::minutes(*minutes);
  return minutes;
}

Status PeopleStore::ChangePassword(std::string_view name, std::string_view current,
                                   std::string_view fresh, std::string_view keep_session) {
  auto checked = Login(name, current);
  if (!checked) return std::unexpected(checked.error());
  if (checked->locked_minutes) {
    return Fail(ErrorCode::kResourceExhausted,
                "Te vaak een verkeerd wachtwoord. Probeer het over " +
                    std::to_string(*checked->locked_minutes) + " minuten opnieuw.");
  }
  if (!checked->ok) return Fail(ErrorCode::kUnauthenticated, "Uw huidige wachtwoord klopt niet.");
  if (fresh == current) {
    return Fail(ErrorCode::kInvalidArgument, "Kies een ander wachtwoord dan het huidige.");
  }
  INBEELD_RETURN_IF_ERROR(CheckPasswordRules(name, fresh, policy_));
  auto hash = crypto::HashPassword(fresh, policy_.password_cost);
  if (!hash) return std::unexpected(hash.error());
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  auto u = Statement::Prepare(store_.handle(),
                              "UPDATE console_people SET password_hash = ? WHERE name = ?");
  if (!u) return std::unexpected(u.error());
  INBEELD_RETURN_IF_ERROR(u->Bind(1, *hash));
  INBEELD_RETURN_IF_ERROR(u->Bind(2, name));
  INBEELD_RETURN_IF_ERROR(u->Run());
  // Whoever knew the old password is logged out everywhere else.
  auto d = Statement::Prepare(store_.handle(),
                              "DELETE FROM console_sessions WHERE name = ? AND token_hash != ?");
  if (!d) return std::unexpected(d.error());
  INBEELD_RETURN_IF_ERROR(d->Bind(1, name));
  INBEELD_RETURN_IF_ERROR(d->BindBlob(2, TokenHash(keep_session)));
  INBEELD_RETURN_IF_ERROR(d->Run());
  return tx->Commit();
}

Status PeopleStore::Unlock(std::string_view name) {
  auto s = Statement::Prepare(
      store_.handle(),
      "UPDATE console_people SET failures = 0, locked_until = NULL WHERE name = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, name));
  INBEELD_RETURN_IF_ERROR(s->Run());
  if (Changes(store_.handle()) != 1) {
    return Fail(ErrorCode::kNotFound, "nobody called '" + std::string(name) + "' has an account");
  }
  return {};
}

Result<Session> PeopleStore::StartSession(std::string_view name, std::string_view origin) {
  Session session{NewToken(), NewToken()};
  auto s = Statement::Prepare(store_.handle(),
                              "INSERT INTO console_sessions(token_hash, name, csrf, origin, "
                              "started_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)");
  if (!s) return std::unexpected(s.error());
  const std::string now = NowIso(store_.clock());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, TokenHash(session.token)));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, name));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, session.csrf));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, origin));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, now));
  INBEELD_RETURN_IF_ERROR(s->Bind(6, now));
  INBEELD_RETURN_IF_ERROR(s->Run());
  return session;
}

Result<std::optional<SessionView>> PeopleStore::FindSession(std::string_view token) {
  if (token.empty() || token.size() > 64) return std::optional<SessionView>();
  const auto hash = TokenHash(token);
  auto s = Statement::Prepare(
      store_.handle(),
      "SELECT s.name, p.role, s.csrf, s.started_at, s.last_seen FROM console_sessions s "
      "JOIN console_people p ON p.name = s.name WHERE s.token_hash = ? AND p.revoked = 0");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, hash));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<SessionView>();
  const auto now = store_.clock().Now();
  auto started = ParseIsoUtc(s->ColumnText(3));
  auto seen = ParseIsoUtc(s->ColumnText(4));
  auto role = ParseRole(s->ColumnText(1));
  if (!started || !seen || !role || now - *started > policy_.session_max ||
      now - *seen > policy_.session_idle) {
    INBEELD_RETURN_IF_ERROR(s->Reset());
    INBEELD_RETURN_IF_ERROR(EndSession(token));
    return std::optional<SessionView>();
  }
  SessionView view{s->ColumnText(0), *role, s->ColumnText(2)};
  INBEELD_RETURN_IF_ERROR(s->Reset());  // see Login: no open read during the write
  auto u = Statement::Prepare(store_.handle(),
                              "UPDATE console_sessions SET last_seen = ? WHERE token_hash = ?");
  if (!u) return std::unexpected(u.error());
  INBEELD_RETURN_IF_ERROR(u->Bind(1, IsoUtc(now)));
  INBEELD_RETURN_IF_ERROR(u->BindBlob(2, hash));
  INBEELD_RETURN_IF_ERROR(u->Run());
  return std::optional<SessionView>(std::move(view));
}

Status PeopleStore::EndSession(std::string_view token) {
  auto s = Statement::Prepare(store_.handle(), "DELETE FROM console_sessions WHERE token_hash = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, TokenHash(token)));
  return s->Run();
}

Status PeopleStore::Revoke(std::string_view name) {
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  auto s = Statement::Prepare(store_.handle(),
                              "UPDATE console_people SET revoked = 1, invite_hash = NULL, "
                              "invite_expires = NULL WHERE name = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, name));
  INBEELD_RETURN_IF_ERROR(s->Run());
  if (Changes(store_.handle()) != 1) {
    return Fail(ErrorCode::kNotFound, "nobody called '" + std::string(name) + "' has an account");
  }
  auto d = Statement::Prepare(store_.handle(), "DELETE FROM console_sessions WHERE name = ?");
  if (!d) return std::unexpected(d.error());
  INBEELD_RETURN_IF_ERROR(d->Bind(1, name));
  INBEELD_RETURN_IF_ERROR(d->Run());
  return tx->Commit();
}

Result<std::vector<Person>> PeopleStore::List() {
  auto s = Statement::Prepare(store_.handle(), std::string("SELECT ") + kPersonColumns +
                                                   " FROM console_people ORDER BY name");
  if (!s) return std::unexpected(s.error());
  std::vector<Person> people;
  const std::string now = NowIso(store_.clock());
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto p = PersonFrom(*s, now);
    if (!p) return std::unexpected(p.error());
    people.push_back(std::move(*p));
  }
  return people;
}

Result<std::optional<std::string>> PeopleStore::RememberedMapping(std::string_view signature) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT mapping FROM console_mappings WHERE signature = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, signature));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(s->ColumnText(0));
}

Status PeopleStore::RememberMapping(std::string_view signature, std::string_view mapping_json) {
  auto s = Statement::Prepare(
      store_.handle(),
      "INSERT INTO console_mappings(signature, mapping, saved_at) VALUES (?, ?, ?) "
      "ON CONFLICT(signature) DO UPDATE SET mapping = excluded.mapping, saved_at = "
      "excluded.saved_at");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, signature));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, mapping_json));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, NowIso(store_.clock())));
  return s->Run();
}

}  // namespace inbeeld::node::console
