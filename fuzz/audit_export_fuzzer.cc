// Fuzzes the audit export reader (node/audit/export.h VerifyExport) with the
// files of an export directory, and prints its report as `inbeeld audit
// verify --json` does.
//
// Input: the files one after another, each behind a line "=== <path>":
//
//   === keys.json
//   {"origin":"...","node":{...},"witnesses":[...]}
//   === records.jsonl
//   ...
//   === checkpoints/2.note
//   ...
//
// Paths are keys.json, records.jsonl, proofs.json and checkpoints/<name>
// (any bytes but '/' and NUL, so also names that are not UTF-8). The files
// are written to a scratch directory of this process and read back by
// VerifyExport.
//
// Invariants beyond "no crash": the report prints as JSON (every text in it
// is UTF-8) and an export with any problem is not ok.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "node/audit/verify.h"

namespace {

namespace fs = std::filesystem;

// The scratch directory, removed when the process exits normally.
class Scratch {
 public:
  Scratch()
      : root_(fs::temp_directory_path() /
              ("inbeeld-fuzz-export-" + std::to_string(static_cast<long>(::getpid())))) {}
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const fs::path& Reset() {
    std::error_code ec;
    fs::remove_all(root_, ec);
    fs::create_directories(root_ / "checkpoints");
    return root_;
  }

 private:
  fs::path root_;
};

bool AllowedPath(std::string_view path) {
  if (path == "keys.json" || path == "records.jsonl" || path == "proofs.json") return true;
  if (!path.starts_with("checkpoints/")) return false;
  const std::string_view name = path.substr(12);
  return !name.empty() && name.size() <= 64 && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

void WriteFiles(std::string_view input, const fs::path& dir) {
  constexpr std::string_view kMarker = "=== ";
  size_t at = input.starts_with(kMarker) ? 0 : input.find("\n=== ");
  if (at != 0 && at != std::string_view::npos) ++at;
  while (at != std::string_view::npos && at < input.size()) {
    const size_t name_end = input.find('\n', at);
    if (name_end == std::string_view::npos) return;
    const std::string_view path = input.substr(at + kMarker.size(), name_end - at - kMarker.size());
    size_t next = input.find("\n=== ", name_end);
    const std::string_view content =
        input.substr(name_end + 1, next == std::string_view::npos ? std::string_view::npos
                                                                  : next + 1 - (name_end + 1));
    if (AllowedPath(path)) {
      std::ofstream(dir / fs::path(std::string(path)), std::ios::binary) << content;
    }
    at = next == std::string_view::npos ? next : next + 1;
  }
}

}  // namespace

INBEELD_FUZZ_TARGET(audit_export) {
  static Scratch scratch;
  const fs::path& dir = scratch.Reset();
  WriteFiles(std::string_view(reinterpret_cast<const char*>(data), size), dir);
  const inbeeld::node::audit::VerifyReport report = inbeeld::node::audit::VerifyExport(dir);
  INBEELD_FUZZ_CHECK(report.ok() == report.problems.empty());
  // As `inbeeld audit verify --json` prints it; nlohmann-json throws (and the
  // harness aborts) on a text that is not UTF-8.
  const std::string printed = nlohmann::json{
      {"ok", report.ok()},
      {"records", report.records},
      {"redacted", report.redacted},
      {"checkpoints", report.checkpoints},
      {"cosignatures", report.cosignatures},
      {"witnesses", report.witnesses},
      {"problems",
       report.problems}}.dump(2);
  INBEELD_FUZZ_CHECK(!printed.empty());
}
