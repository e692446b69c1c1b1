// node/cli/cli.h — the `inbeeld` command line, callable in-process.
//
// main() only builds a Context from the real process and calls RunCli; tests
// build one with captured streams, an injected environment and a FakeClock.
//
// Exit codes (documented in README.md and `inbeeld --help`):
//   0 success                       6 not initialised / wrong state
//   2 usage error                   7 stored data corrupt or missing
//   3 invalid input (file, config)  8 peer unreachable or too slow
//   4 authentication failed         9 a limit was reached
//   5 refused by policy            10 internal error
//                                  11 address in use (port to listen on taken)
//
// Thread safety: RunCli is not reentrant (it may install signal handlers).
#ifndef INBEELD_NODE_CLI_CLI_H_
#define INBEELD_NODE_CLI_CLI_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/clock/clock.h"
#include "node/datadir/passphrase.h"

namespace inbeeld::node::cli {

struct Context {
  std::ostream* out;
  std::ostream* err;
  GetEnvFn env;
  const Clock& clock;     // every "now" and "today" of the command, and of the node it opens
  std::string self_path;  // this executable, for commands that start nodes
};

int ExitCodeFor(ErrorCode code);

// args excludes the program name.
int RunCli(const std::vector<std::string>& args, Context& context);

}  // namespace inbeeld::node::cli

#endif  // INBEELD_NODE_CLI_CLI_H_
