// tests/base/nodiscard_check.cc — compiled, never run, by the ctest cases in
// tests/base/CMakeLists.txt: with DROP undefined it must compile (every result
// is used); with DROP=n the n-th way of dropping a result must fail to build.
#include <functional>
#include <utility>

#include "base/error.h"

namespace {

using inbeeld::ErrorCode;
using inbeeld::Fail;
using inbeeld::Result;
using inbeeld::Status;

Status Save() { return {}; }
Result<int> Count() { return 3; }
Result<int> Twice(int n) {
  if (n < 0) return Fail(ErrorCode::kInvalidArgument, "negative");
  return 2 * n;
}

struct Repository {
  Status Put() { return {}; }
};

}  // namespace

int main() {
  int total = 0;
#if !defined(DROP)
  if (!Save()) return 1;
  if (auto n = Count()) total += *n;
  std::expected<int, inbeeld::Error> plain = Twice(2);
  Result<int> also = std::move(plain);  // a std::expected converts back
  if (also) total += *also;
  Repository repo;
  if (!repo.Put()) return 1;
  std::function<Status()> runner = Save;
  if (!runner()) return 1;
  // Ignoring on purpose is spelled out.
  (void)Twice(-1);
#elif DROP == 1
  Save();
#elif DROP == 2
  Count();
#elif DROP == 3
  Repository repo;
  repo.Put();
#elif DROP == 4
  std::function<Status()> runner = Save;
  runner();
#elif DROP == 5
  [] { return Twice(1); }();
#else
#error "unknown DROP"
#endif
  return total;
}
