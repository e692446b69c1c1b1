#include "node/process/spawn.h"

#include <fcntl.h>
#include <spawn.h>

#include <cstring>

namespace inbeeld::node::process {
namespace {

// posix_spawn's file actions and attributes, released on every path.
class Actions {
 public:
  Actions() { posix_spawn_file_actions_init(&actions_); }
  ~Actions() { posix_spawn_file_actions_destroy(&actions_); }
  Actions(const Actions&) = delete;
  Actions& operator=(const Actions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class Attributes {
 public:
  Attributes() { posix_spawnattr_init(&attr_); }
  ~Attributes() { posix_spawnattr_destroy(&attr_); }
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

constexpr int kFileFlags = O_WRONLY | O_CREAT | O_TRUNC;

// Directs `target` (1 or 2) to `fd`, else `file`; false when neither is set.
bool Direct(Actions& actions, int target, int fd, const std::filesystem::path& file) {
  if (fd >= 0) {
    posix_spawn_file_actions_adddup2(actions.get(), fd, target);
    return true;
  }
  if (!file.empty()) {
    posix_spawn_file_actions_addopen(actions.get(), target, file.c_str(), kFileFlags, 0600);
    return true;
  }
  return false;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

Result<pid_t> Spawn(const std::filesystem::path& binary, const std::vector<std::string>& args,
                    const std::vector<std::string>& env, const SpawnOptions& options) {
  Actions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  if (!Direct(actions, 1, options.stdout_fd, options.stdout_file)) {
    posix_spawn_file_actions_addopen(actions.get(), 1, "/dev/null", O_WRONLY, 0);
  }
  if (!Direct(actions, 2, options.stderr_fd, options.stderr_file)) {
    posix_spawn_file_actions_adddup2(actions.get(), 1, 2);
  }
  Attributes attributes;
  if (options.new_session) posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETSID);

  std::vector<std::string> argv_strings = {binary.string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = env;
  auto argv = Pointers(argv_strings);
  auto envp = Pointers(env_strings);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, binary.c_str(), actions.get(), attributes.get(), argv.data(), envp.data());
  if (rc != 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot start " + binary.string() + ": " + std::strerror(rc));
  }
  return pid;
}

}  // namespace inbeeld::node::process
