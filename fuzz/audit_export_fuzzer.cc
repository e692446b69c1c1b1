// Fuzzes the audit export reader (node/audit/verify.h VerifyExport) with the
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
// Paths are the export's files — keys.json, records.jsonl, proofs.json,
// leaf_hashes.txt, checkpoints/<name> and lists/<name> — and
// witnessed/<name>, a peer's copy of a checkpoint given as
// --witnessed-checkpoint. A <name> is any bytes but '/' and NUL, so also
// names that are not UTF-8. A path "pinned" (its content ignored) pins the
// keys of fuzz/keys.h as --expect-key and --expect-witness swv-fuzz=... do.
// The files are written to a scratch directory of this process and read back
// by VerifyExport.
//
// Invariants beyond "no crash": the report prints as JSON (every text in it
// is UTF-8) and an export with any problem is not ok.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "fuzz/keys.h"
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
    fs::create_directories(root_ / "export" / "checkpoints");
    fs::create_directories(root_ / "export" / "lists");
    fs::create_directories(root_ / "witnessed");
    return root_;
  }

 private:
  fs::path root_;
};

bool IsName(std::string_view name) {
  return !name.empty() && name.size() <= 80 && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

// Where `path` goes under the scratch root, or nullopt for a path the
// harness does not write.
std::optional<fs::path> Destination(std::string_view path) {
  for (std::string_view file : {"keys.json", "records.jsonl", "proofs.json", "leaf_hashes.txt"}) {
    if (path == file) return fs::path("export") / file;
  }
  for (std::string_view dir : {"checkpoints/", "lists/", "witnessed/"}) {
    if (path.starts_with(dir) && IsName(path.substr(dir.size()))) {
      return (dir == "witnessed/" ? fs::path() : fs::path("export")) / std::string(path);
    }
  }
  if (path == "pinned") return fs::path("pinned");
  return std::nullopt;
}

void WriteFiles(std::string_view input, const fs::path& root) {
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
    if (auto to = Destination(path)) {
      std::ofstream(root / *to, std::ios::binary) << content;
    }
    at = next == std::string_view::npos ? next : next + 1;
  }
}

}  // namespace

INBEELD_FUZZ_TARGET(audit_export) {
  using namespace inbeeld::node::audit;
  static Scratch scratch;
  const fs::path& root = scratch.Reset();
  WriteFiles(std::string_view(reinterpret_cast<const char*>(data), size), root);
  VerifyOptions options;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root / "witnessed", ec)) {
    options.witnessed_checkpoints.push_back(entry.path());
  }
  if (fs::exists(root / "pinned", ec)) {
    options.node_key = inbeeld::fuzz::LogKey().PublicKey();
    options.witnesses.insert({"swv-fuzz", inbeeld::fuzz::WitnessKey().PublicKey()});
  }
  const VerifyReport report = VerifyExport(root / "export", options);
  INBEELD_FUZZ_CHECK(report.ok() == report.problems.empty());
  // As `inbeeld audit verify --json` prints it (node/cli/audit_command.cc);
  // nlohmann-json throws (and the harness aborts) on a text that is not UTF-8.
  auto key_json = [](const CheckedKey& k) {
    return nlohmann::json{
        {"name", k.name}, {"key", k.fingerprint}, {"source", k.pinned ? "expected" : "export"}};
  };
  nlohmann::json witness_keys = nlohmann::json::array();
  for (const auto& k : report.witness_keys) witness_keys.push_back(key_json(k));
  const std::string printed = nlohmann::json{
      {"ok", report.ok()},
      {"records", report.records},
      {"redacted", report.redacted},
      {"checkpoints", report.checkpoints},
      {"latest_checkpoint", report.latest_size},
      {"cosignatures", report.cosignatures},
      {"cosignature_records", report.cosignature_records},
      {"lists", report.lists},
      {"witnesses", report.witnesses},
      {"node_key", report.node_key ? key_json(*report.node_key) : nlohmann::json()},
      {"witness_keys", witness_keys},
      {"witnessed_checkpoints", report.witnessed},
      {"problems",
       report.problems}}.dump(2);
  INBEELD_FUZZ_CHECK(!printed.empty());
}
