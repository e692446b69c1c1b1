// Replays every seed in fuzz/corpus/<target>/ through the harness of the same
// name, built with the normal compiler (no libFuzzer): a cheap check in every
// `ctest` run that the seeds — and every crash input added to them — still
// pass. One test per target; each file's name is printed before it runs, so
// an abort names the input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace inbeeld::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = INBEELD_FUZZ_CORPUS_DIR;

// The targets every build has; fuzz/CMakeLists.txt lists the same names.
const char* const kTargets[] = {"audit_export", "config",  "csv_import",  "fields", "json_reader",
                                "key_rotation", "merkle",  "psi_session", "region", "signed_note",
                                "wire",         "witness", "xlsx_import"};

class CorpusReplay : public ::testing::TestWithParam<const char*> {};

TEST_P(CorpusReplay, EverySeedPasses) {
  const RegisteredTarget* target = FindTarget(GetParam());
  ASSERT_NE(target, nullptr) << "no harness registered as " << GetParam();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus / GetParam())) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "fuzz/corpus/" << GetParam() << " holds no seed";
  for (const fs::path& file : files) {
    std::printf("replaying %s\n", file.c_str());
    std::fflush(stdout);
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    target->fn(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, CorpusReplay, ::testing::ValuesIn(kTargets),
                         [](const auto& target) { return std::string(target.param); });

TEST(CorpusReplay, EveryCorpusDirectoryHasAHarness) {
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(std::find_if(std::begin(kTargets), std::end(kTargets),
                             [&](const char* t) { return name == t; }) != std::end(kTargets))
        << "fuzz/corpus/" << name << " has no harness";
  }
}

}  // namespace
}  // namespace inbeeld::fuzz
