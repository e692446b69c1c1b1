// node/process/spawn.h: the child gets exactly the environment and arguments
// given, its output where asked, and a failed start says which binary.
#include "node/process/spawn.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace inbeeld::node::process {
namespace {

namespace fs = std::filesystem;

class SpawnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "inbeeld-spawn-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  static std::string Read(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static SpawnOptions ToFile(const fs::path& out, const fs::path& err = {}) {
    SpawnOptions options;
    options.stdout_file = out;
    options.stderr_file = err;
    return options;
  }

  fs::path dir_;
};

TEST_F(SpawnTest, TheChildSeesOnlyTheEnvironmentGiven) {
  ::setenv("INBEELD_SPAWN_TEST_SECRET", "leak", 1);
  const fs::path out = dir_ / "out.txt";
  auto pid = Spawn("/usr/bin/env", {}, {"INBEELD_HOME=/srv/x", "A=b c"}, ToFile(out));
  ASSERT_TRUE(pid.has_value()) << pid.error().message;
  EXPECT_EQ(Wait(*pid), 0);
  EXPECT_EQ(Read(out), "INBEELD_HOME=/srv/x\nA=b c\n");
  ::unsetenv("INBEELD_SPAWN_TEST_SECRET");
}

TEST_F(SpawnTest, ArgumentsArePassedWholeWithoutAShell) {
  const fs::path out = dir_ / "out.txt";
  auto pid = Spawn("/bin/echo", {"a b", "$HOME;", "*"}, {}, ToFile(out));
  ASSERT_TRUE(pid.has_value()) << pid.error().message;
  EXPECT_EQ(Wait(*pid), 0);
  EXPECT_EQ(Read(out), "a b $HOME; *\n");
}

TEST_F(SpawnTest, StderrGoesWithStdoutUnlessGivenItsOwnFile) {
  const fs::path both = dir_ / "both.txt";
  auto pid = Spawn("/bin/ls", {"/nonexistent-inbeeld-spawn"}, {}, ToFile(both));
  ASSERT_TRUE(pid.has_value());
  EXPECT_NE(Wait(*pid), 0);
  EXPECT_NE(Read(both).find("nonexistent-inbeeld-spawn"), std::string::npos);

  const fs::path out = dir_ / "out.txt", err = dir_ / "err.txt";
  pid = Spawn("/bin/ls", {"/nonexistent-inbeeld-spawn"}, {},
              ToFile(out, err));
  ASSERT_TRUE(pid.has_value());
  EXPECT_NE(Wait(*pid), 0);
  EXPECT_EQ(Read(out), "");
  EXPECT_NE(Read(err).find("nonexistent-inbeeld-spawn"), std::string::npos);
  EXPECT_EQ(fs::status(err).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(SpawnTest, OutputToAPipe) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  SpawnOptions to_pipe;
  to_pipe.stdout_fd = fds[1];
  auto pid = Spawn("/bin/echo", {"hallo"}, {}, to_pipe);
  close(fds[1]);
  ASSERT_TRUE(pid.has_value());
  char buf[64] = {};
  const ssize_t n = read(fds[0], buf, sizeof buf - 1);
  close(fds[0]);
  EXPECT_EQ(Wait(*pid), 0);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "hallo\n");
}

TEST_F(SpawnTest, StdinIsEmpty) {
  const fs::path out = dir_ / "out.txt";
  auto pid = Spawn("/bin/cat", {}, {}, ToFile(out));
  ASSERT_TRUE(pid.has_value());
  EXPECT_EQ(Wait(*pid), 0);  // returns at once: /dev/null, not the test's stdin
  EXPECT_EQ(Read(out), "");
}

TEST_F(SpawnTest, ANewSessionHasNoControllingTerminal) {
  SpawnOptions own_session;
  own_session.new_session = true;
  auto pid = Spawn("/bin/sleep", {"5"}, {}, own_session);
  ASSERT_TRUE(pid.has_value());
  pid_t sid = -1;
  for (int i = 0; i < 200 && sid != *pid; ++i) {  // setsid runs in the child
    sid = getsid(*pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(sid, *pid);
  kill(*pid, SIGKILL);
  Wait(*pid);

  pid = Spawn("/bin/sleep", {"5"}, {});
  ASSERT_TRUE(pid.has_value());
  EXPECT_EQ(getsid(*pid), getsid(0));
  kill(*pid, SIGKILL);
  Wait(*pid);
}

TEST_F(SpawnTest, ABinaryThatCannotStartIsNamed) {
  auto pid = Spawn(dir_ / "no-such-inbeeld", {}, {});
  ASSERT_FALSE(pid.has_value());
  EXPECT_EQ(pid.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(pid.error().message.find("no-such-inbeeld"), std::string::npos);
  EXPECT_NE(pid.error().message.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace inbeeld::node::process
