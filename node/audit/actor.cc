#include "node/audit/actor.h"

#include <pwd.h>
#include <unistd.h>

#include <utility>

#include "schema/audit_record.h"

namespace inbeeld::node::audit {
namespace {
thread_local const Actor* current = nullptr;
}  // namespace

ActorScope::ActorScope(Actor actor) : previous_(current), actor_(std::move(actor)) {
  current = &actor_;
}

ActorScope::~ActorScope() { current = previous_; }

const Actor* CurrentActor() { return current; }

void StampActor(std::map<std::string, std::string>& attributes) {
  if (current == nullptr || attributes.contains(kAttrActor) ||
      attributes.contains(std::string(schema::kAttrDataSubject))) {
    return;
  }
  attributes[kAttrActor] = current->who;
  attributes[kAttrOrigin] = current->origin;
}

std::string OsUserName() {
  passwd entry{};
  passwd* found = nullptr;
  char buffer[4096];
  if (getpwuid_r(geteuid(), &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr &&
      found->pw_name != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(geteuid());
}

}  // namespace inbeeld::node::audit
