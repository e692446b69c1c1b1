// `inbeeld passphrase change`: re-keys the store under a new passphrase
// (crash-safe steps in node/datadir/node_dir.h).
#include <fmt/format.h>

#include <ostream>

#include "node/cli/commands.h"

namespace inbeeld::node::cli {
namespace {

constexpr std::string_view kNewFileVariable = "INBEELD_NEW_PASSPHRASE_FILE";
constexpr std::string_view kNewVariable = "INBEELD_NEW_PASSPHRASE";

// The new passphrase comes from INBEELD_NEW_PASSPHRASE_FILE or
// INBEELD_NEW_PASSPHRASE (for scripts), else twice from the terminal: the
// rules of ReadPassphrase(kCreate), read through a view of the environment
// in which the two variables stand where the usual ones do.
Result<crypto::SecretBytes> ReadNewPassphrase(const GetEnvFn& env) {
  GetEnvFn renamed = [&env](const char* name) -> std::optional<std::string> {
    const std::string_view n(name);
    if (n == "INBEELD_PASSPHRASE_FILE") return env(std::string(kNewFileVariable).c_str());
    if (n == "INBEELD_PASSPHRASE") return env(std::string(kNewVariable).c_str());
    return env(name);
  };
  auto next = ReadPassphrase(PassphrasePurpose::kCreate, renamed);
  if (next) return next;
  Error e = next.error();
  if (e.code == ErrorCode::kFailedPrecondition) {
    return Fail(e.code,
                fmt::format("no new passphrase: set {} to a file holding it, set {}, or run "
                            "on a terminal",
                            kNewFileVariable, kNewVariable));
  }
  // ReadPassphrase names the variable it read; name the one the user set.
  constexpr std::string_view kUsual = "INBEELD_PASSPHRASE_FILE";
  if (auto at = e.message.find(kUsual); at != std::string::npos) {
    e.message.replace(at, kUsual.size(), kNewFileVariable);
  }
  return Fail(e.code, "new passphrase: " + e.message);
}

}  // namespace

void AddPassphraseCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  CLI::App* passphrase = app.add_subcommand("passphrase", "Manage the passphrase of the store.");
  passphrase->require_subcommand(1);
  CLI::App* change = passphrase->add_subcommand(
      "change",
      "Re-key the store under a new passphrase. The current passphrase is read as for every "
      "command; the new one from the file named by INBEELD_NEW_PASSPHRASE_FILE, from "
      "INBEELD_NEW_PASSPHRASE, or twice from the terminal (at least 10 characters). Refused "
      "while another inbeeld process (serve, a match, the console) has the node open. A crash "
      "part-way leaves a node that opens with the old or the new passphrase.");
  AddCommonOptions(change, global, /*with_json=*/false);
  change->callback([&] {
    runner = [&]() -> Status {
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      if (auto meta = dir->ReadMetadata(); !meta) return std::unexpected(meta.error());
      auto current = ReadPassphrase(PassphrasePurpose::kUnlock, context.env);
      if (!current) return std::unexpected(current.error());
      INBEELD_RETURN_IF_ERROR(
          dir->ChangePassphrase(*current, [&] { return ReadNewPassphrase(context.env); }));
      *context.out << fmt::format(
          "The store in {} is now under the new passphrase; the old one no longer opens it.\n"
          "Update INBEELD_PASSPHRASE_FILE (or wherever `serve` reads it from) before the next "
          "start.\n",
          dir->root().string());
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
