// node/process/spawn.h — starting a child process, the one way inbeeld does:
// the demo's `inbeeld serve` nodes, the tests' and the benchmarks' runs of the
// real binary.
//
// The child gets exactly the arguments and environment given (nothing is
// inherited, so no passphrase or home directory leaks in from the caller),
// stdin from /dev/null, and stdout and stderr as SpawnOptions says. No shell
// is involved: an argument is never parsed. Waiting for the child, and
// stopping it, is the caller's (waitpid, kill).
//
// Thread safety: thread-safe (posix_spawn); descriptors the caller passes
// should be O_CLOEXEC in the caller, as the child gets them only through
// the dup2 this file does.
#ifndef INBEELD_NODE_PROCESS_SPAWN_H_
#define INBEELD_NODE_PROCESS_SPAWN_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"

namespace inbeeld::node::process {

struct SpawnOptions {
  // Where stdout goes: a descriptor of the caller's (a pipe's write end),
  // else a file (created 0600 or truncated), else /dev/null.
  int stdout_fd = -1;
  std::filesystem::path stdout_file;
  // Where stderr goes, the same way; with neither set, wherever stdout goes.
  int stderr_fd = -1;
  std::filesystem::path stderr_file;
  // Start the child in a session of its own (setsid): it has no controlling
  // terminal, so a passphrase prompt fails at once instead of waiting, and
  // a terminal's Ctrl-C does not reach it.
  bool new_session = false;
};

// Starts `binary` (a path; PATH is not searched) with argv[0] = binary, then
// `args`, and exactly `env` ("NAME=value" each). Returns the child's pid.
// Errors: kUnavailable when it cannot be started (no such file, not
// executable, no processes left), naming the binary and the reason.
Result<pid_t> Spawn(const std::filesystem::path& binary, const std::vector<std::string>& args,
                    const std::vector<std::string>& env, const SpawnOptions& options = {});

}  // namespace inbeeld::node::process

#endif  // INBEELD_NODE_PROCESS_SPAWN_H_
