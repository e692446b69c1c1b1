// `inbeeld demo`: the README's main job on built-in synthetic data.
//
// Runs the real commands (init, import, list, status) against a node in a
// temporary directory, with a random passphrase handed over through the
// environment the commands see — never argv.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "crypto/bytes.h"
#include "crypto/secret_bytes.h"
#include "node/cli/commands.h"
#include "schema/csv_import.h"
#include "schema/synthetic.h"

namespace inbeeld::node::cli {
namespace {

namespace fs = std::filesystem;

Result<fs::path> MakeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "inbeeld-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Fail(ErrorCode::kFailedPrecondition, "cannot create a temporary directory");
  }
  return fs::path(pattern);
}

}  // namespace

void AddDemoCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    size_t rows = 400;
    uint64_t seed = 2026;
    bool keep = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the whole flow on generated synthetic data in a temporary directory.");
  cmd->add_option("--rows", options->rows, "Children on the generated list")->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed for the synthetic data")->capture_default_str();
  cmd->add_flag("--keep", options->keep, "Keep the temporary directory afterwards");
  (void)global;
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      auto root = MakeTempDir();
      if (!root) return std::unexpected(root.error());
      std::ostream& out = *context.out;
      std::string passphrase = crypto::HexEncode(crypto::SecretBytes::Random(16).RevealForCrypto());
      fs::path home = *root / "leerplicht-haarlem";
      Context child = context;
      child.env = [home, passphrase](const char* name) -> std::optional<std::string> {
        std::string n = name;
        if (n == "INBEELD_HOME") return home.string();
        if (n == "INBEELD_PASSPHRASE") return passphrase;
        return std::nullopt;
      };
      auto run = [&](const std::string& title, std::vector<std::string> args) -> Status {
        out << "\n$ inbeeld";
        for (const auto& a : args) out << " " << a;
        out << "    # " << title << "\n";
        int code = RunCli(args, child);
        if (code != 0) {
          return Fail(ErrorCode::kInternal,
                      "demo step `" + args.front() + "` failed with exit code " + std::to_string(code));
        }
        return {};
      };

      out << "inbeeld demo — synthetic data only, in " << root->string() << "\n";
      schema::RegionSpec spec;
      spec.seed = options->seed;
      spec.partners = {{"Leerplicht Haarlem", options->rows}};
      spec.overlap = 0.0;
      spec.today = context.today;
      auto lists = schema::GenerateRegion(spec);
      fs::path csv = *root / "thuiszitterslijst.csv";
      {
        std::ofstream file(csv, std::ios::binary);
        file << schema::WriteListCsv(lists.at(0), ';', /*bom=*/true);
      }
      out << "Generated " << lists.at(0).size() << " synthetic rows (valid check digits) in "
          << csv.filename().string() << "\n";

      Status status = run("create the node (interactive key-derivation cost for the demo)",
                          {"init", "--name", "Leerplicht Haarlem", "--organisation",
                           "Gemeente Haarlem", "--role", "leerplicht", "--kdf-profile",
                           "interactive"});
      if (status) status = run("import the list", {"import", csv.string()});
      if (status) status = run("what the node holds", {"list"});
      if (status) status = run("node status", {"status", "--check"});
      if (!options->keep) {
        std::error_code ec;
        fs::remove_all(*root, ec);
        out << "\nRemoved " << root->string() << "\n";
      } else {
        out << "\nKept " << root->string() << "\n";
      }
      return status;
    };
  });
}

}  // namespace inbeeld::node::cli
