// tests/support/subprocess.h — run the real `inbeeld` binary as a user would.
//
// Captures stdout and stderr, passes an explicit environment (nothing leaks in
// from the test runner's but faketime's variables, so a time-shifted run
// shifts the nodes too), and never uses a shell.
#ifndef INBEELD_TESTS_SUPPORT_SUBPROCESS_H_
#define INBEELD_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace inbeeld::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

using Env = std::map<std::string, std::string>;

// Runs `binary args...` with `env` (PATH is added) and waits for it.
RunResult Run(const std::string& binary, const std::vector<std::string>& args, const Env& env);

// Starts `binary args...` in the background with stdout+stderr sent to `log`.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args, const Env& env,
            const std::filesystem::path& log);
// Sends SIGTERM and waits up to `seconds`; SIGKILL after. Returns exit status.
int StopProcess(pid_t pid, int seconds = 10);

// A fresh directory under the test temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& bytes);

}  // namespace inbeeld::testing

#endif  // INBEELD_TESTS_SUPPORT_SUBPROCESS_H_
