// The harness registry of the corpus replay test (INBEELD_FUZZ_REPLAY only).
#include <vector>

#include "fuzz/fuzz_target.h"

namespace inbeeld::fuzz {
namespace {

std::vector<RegisteredTarget>& Targets() {
  static std::vector<RegisteredTarget> targets;  // filled during static initialisation
  return targets;
}

}  // namespace

bool RegisterTarget(const char* name, TargetFn fn) {
  Targets().push_back({name, fn});
  return true;
}

const RegisteredTarget* FindTarget(std::string_view name) {
  for (const RegisteredTarget& t : Targets()) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

}  // namespace inbeeld::fuzz
