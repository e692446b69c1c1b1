// node/console/people.h — the people who may use the console, their
// invitations, passwords, lock-outs and sessions (docs/CONSOLE.md).
//
// Everything lives in the node's encrypted store (migration "console"):
// passwords as Argon2id strings (crypto/password.h), invitation and session
// tokens only as SHA-256 hashes, so a copy of the database lets nobody log
// in. Names are what the audit log shows ("console:NAME"); one name is one
// person.
//
// Lock-out: kMaxFailures wrong passwords in a row lock the account for
// lock_base; every further wrong password doubles the lock, up to lock_max. A
// good password resets the count. An unknown name costs the same Argon2id
// check as a known one and gets the same answers, lock-out included (its
// failures are counted in memory, for the last kMaxUnknownNames names).
//
// Thread safety: as the Store it wraps (one thread at a time). Login and
// AcceptInvitation do their Argon2id work between two short store calls;
// callers that share a Store hold their own mutex around each method.
#ifndef INBEELD_NODE_CONSOLE_PEOPLE_H_
#define INBEELD_NODE_CONSOLE_PEOPLE_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/kdf.h"
#include "node/store/store.h"

namespace inbeeld::node::console {

enum class Role { kOperator, kPrivacyOfficer, kAdmin };

// "operator", "privacy-officer", "admin" (CLI, JSON and the audit log).
std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

struct ConsolePolicy {
  int max_failures = 5;
  std::chrono::minutes lock_base{15};
  std::chrono::minutes lock_max{24 * 60};
  std::chrono::minutes session_idle{30};
  std::chrono::minutes session_max{10 * 60};
  std::chrono::hours invitation_valid{72};
  size_t min_password_chars = 12;
  crypto::KdfParams password_cost = crypto::KdfParams::Interactive();
};

struct Person {
  std::string name;
  Role role = Role::kOperator;
  // "uitgenodigd" (invited, no password yet), "actief", "geblokkeerd"
  // (locked now), "ingetrokken" (revoked).
  std::string state;
  std::string invited_at;     // ISO 8601 UTC
  std::string last_login_at;  // "" if never
};

struct Invitation {
  std::string token;  // 43 base64url characters; shown once, stored hashed
  std::string expires_at;
};

struct LoginOutcome {
  bool ok = false;
  std::optional<Person> person;       // when ok
  std::optional<int> locked_minutes;  // when the account is (now) locked
  bool known_name = false;            // for the audit log only, never the reply
};

struct Session {
  std::string token;  // cookie value; stored hashed
  std::string csrf;   // the X-CSRF-Token the page must send
};

struct SessionView {
  std::string name;
  Role role = Role::kOperator;
  std::string csrf;
};

// Says in Dutch why `password` is not good enough for `name`, or nothing.
// Rules: at least min_password_chars characters (code points), not the name,
// not a run of one character, not one of a short list of common passwords.
Status CheckPasswordRules(std::string_view name, std::string_view password,
                          const ConsolePolicy& policy);

class PeopleStore {
 public:
  PeopleStore(Store& store, ConsolePolicy policy = {});

  // Invites `name` (1..80 characters, printable UTF-8) with `role`. A person
  // who was revoked or never accepted gets a new invitation (the old link
  // dies). kAlreadyExists for an active person; kInvalidArgument for a bad
  // name.
  Result<Invitation> Invite(std::string_view name, Role role);
  // Who an unused, unexpired invitation is for; kNotFound otherwise (used,
  // expired, revoked or never issued — one answer for all).
  Result<Person> InvitationFor(std::string_view token);
  // Sets the password and uses the invitation up. kNotFound as above;
  // kInvalidArgument (a Dutch message) when the password breaks the rules.
  Result<Person> AcceptInvitation(std::string_view token, std::string_view password);

  // Checks a password (see the lock-out above). Errors only for storage.
  Result<LoginOutcome> Login(std::string_view name, std::string_view password);

  Result<Session> StartSession(std::string_view name, std::string_view origin);
  // The live session for `token`, touching its last use; nullopt when it is
  // unknown, idle too long, too old, or its person was revoked.
  Result<std::optional<SessionView>> FindSession(std::string_view token);
  Status EndSession(std::string_view token);

  // Changes `name`'s password after checking the current one (a wrong one
  // counts towards the lock-out, as at login). Every other session of the
  // person ends; `keep_session` (the one asking) stays. Errors:
  // kUnauthenticated for a wrong current password (kResourceExhausted when
  // the account is locked), kInvalidArgument (Dutch) when the new password
  // breaks the rules.
  Status ChangePassword(std::string_view name, std::string_view current, std::string_view fresh,
                        std::string_view keep_session);

  // Lifts a lock-out (an administrator's decision, e.g. after someone kept
  // an account locked on purpose). kNotFound for an unknown name.
  Status Unlock(std::string_view name);

  // Revokes `name`: no login, no invitation, every session ends now.
  // kNotFound for an unknown name.
  Status Revoke(std::string_view name);
  Result<std::vector<Person>> List();

  // The column mapping remembered for files with this set of columns (a
  // JSON object text the console wrote), keyed by a signature of the
  // header; nullopt if none.
  Result<std::optional<std::string>> RememberedMapping(std::string_view header_signature);
  Status RememberMapping(std::string_view header_signature, std::string_view mapping_json);

  const ConsolePolicy& policy() const { return policy_; }

 private:
  Result<std::optional<Person>> Find(std::string_view name);

  // The lock-out for a name nobody has; `now_failures` is the count after
  // this failure (0 to only read it).
  std::optional<int> UnknownNameLock(const std::string& name, bool failed);
  std::optional<int> LockMinutes(int64_t failures) const;

  Store& store_;
  ConsolePolicy policy_;
  struct UnknownName {
    int64_t failures = 0;
    std::chrono::system_clock::time_point locked_until{};
  };
  std::map<std::string, UnknownName> unknown_names_;
};

inline constexpr size_t kMaxUnknownNames = 1000;

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_PEOPLE_H_
