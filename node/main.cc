// The only code tests cannot reach: build a Context from the real process.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "node/cli/cli.h"

int main(int argc, char** argv) {
  using namespace std::chrono;
  std::error_code ec;
  year_month_day ymd{floor<days>(system_clock::now())};
  inbeeld::node::cli::Context context{
      .out = &std::cout,
      .err = &std::cerr,
      .env = inbeeld::node::ProcessEnvironment(),
      .today = {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                static_cast<int>(static_cast<unsigned>(ymd.day()))},
      .self_path = std::filesystem::read_symlink("/proc/self/exe", ec).string(),
  };
  std::vector<std::string> args(argv + 1, argv + argc);
  return inbeeld::node::cli::RunCli(args, context);
}
