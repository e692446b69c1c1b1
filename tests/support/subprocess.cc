#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "node/process/spawn.h"

namespace inbeeld::testing {
namespace {

std::vector<std::string> EnvStrings(const Env& env) {
  std::vector<std::string> out;
  bool has_path = false;
  for (const auto& [k, v] : env) {
    out.push_back(k + "=" + v);
    if (k == "PATH") has_path = true;
  }
  if (!has_path) out.push_back("PATH=/usr/bin:/bin");
  // A run under faketime (to check the suite on another date) moves the
  // nodes' clock with the test's: both must agree on "today".
  for (const char* name : {"LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_RESET", "FAKETIME_NO_CACHE",
                           "DONT_FAKE_MONOTONIC"}) {
    if (const char* value = getenv(name); value != nullptr && !env.contains(name)) {
      out.push_back(std::string(name) + "=" + value);
    }
  }
  return out;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

RunResult Run(const std::string& binary, const std::vector<std::string>& args, const Env& env) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  // A session of its own: the child has no controlling terminal, so a
  // passphrase prompt cannot hang a test.
  node::process::SpawnOptions options;
  options.stdout_fd = out_pipe[1];
  options.stderr_fd = err_pipe[1];
  options.new_session = true;
  auto pid = node::process::Spawn(binary, args, EnvStrings(env), options);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (!pid) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error(pid.error().message);
  }
  RunResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(*pid, &status, 0);
  result.exit_code = DecodeStatus(status);
  return result;
}

pid_t Spawn(const std::string& binary, const std::vector<std::string>& args, const Env& env,
            const std::filesystem::path& log) {
  node::process::SpawnOptions options;
  options.stdout_file = log;
  options.new_session = true;
  auto pid = node::process::Spawn(binary, args, EnvStrings(env), options);
  if (!pid) throw std::runtime_error(pid.error().message);
  return *pid;
}

int StopProcess(pid_t pid, int seconds) {
  kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return DecodeStatus(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return DecodeStatus(status);
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "inbeeld-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace inbeeld::testing
