// node/audit/actor.h — who is acting, for the audit log (BIO2 8.15: every log
// line says who did what, and from where).
//
// A command or console request runs inside an ActorScope naming the person and
// where they came from. Records written on that thread while the scope lives —
// by the command itself or deep inside an exchange, import or count it starts —
// carry the attributes `inbeeld.actor` ("os:USER", "console:NAME",
// "scheduler") and `inbeeld.origin` ("cli", "127.0.0.1", "serve"), unless the
// record already names an actor. Per-child records (those with a data subject)
// are not stamped: the exchange record they belong to is. Records a peer
// causes (sessions it starts on our responder) are written outside any scope
// and name the peer instead.
//
// The scope is thread-local on purpose: the CLI, each console request and each
// console job run on one thread, and an exchange must not learn about people
// through its signatures. A thread that starts work for someone else opens its
// own scope.
//
// Thread safety: each thread has its own current actor.
#ifndef INBEELD_NODE_AUDIT_ACTOR_H_
#define INBEELD_NODE_AUDIT_ACTOR_H_

#include <map>
#include <string>

namespace inbeeld::node::audit {

inline constexpr const char* kAttrActor = "inbeeld.actor";
inline constexpr const char* kAttrOrigin = "inbeeld.origin";

struct Actor {
  std::string who;     // "os:alice", "console:Fatima el Amrani", "scheduler"
  std::string origin;  // "cli", "127.0.0.1", "serve"
};

class ActorScope {
 public:
  explicit ActorScope(Actor actor);
  ~ActorScope();
  ActorScope(const ActorScope&) = delete;
  ActorScope& operator=(const ActorScope&) = delete;

 private:
  const Actor* previous_;
  Actor actor_;
};

// The innermost scope on this thread, or nullptr.
const Actor* CurrentActor();

// Adds the current actor's attributes to `attributes` unless it names an
// actor already or is a per-child record (it has a data subject).
void StampActor(std::map<std::string, std::string>& attributes);

// The OS user running this process ("alice", or "uid 1000" without a name).
std::string OsUserName();

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_ACTOR_H_
