// The only code tests cannot reach: build a Context from the real process.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "node/cli/cli.h"
#include "node/clock/clock.h"

int main(int argc, char** argv) {
  std::error_code ec;
  const inbeeld::node::SystemClock clock;
  inbeeld::node::cli::Context context{
      .out = &std::cout,
      .err = &std::cerr,
      .env = inbeeld::node::ProcessEnvironment(),
      .clock = clock,
      .self_path = std::filesystem::read_symlink("/proc/self/exe", ec).string(),
  };
  std::vector<std::string> args(argv + 1, argv + argc);
  return inbeeld::node::cli::RunCli(args, context);
}
