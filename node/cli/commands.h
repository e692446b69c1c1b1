// node/cli/commands.h — shared plumbing for the subcommands (internal to cli/).
//
// Each subcommand registers its options on a CLI11 app and returns a runner;
// runners return Status so every failure reaches one place that prints it and
// picks the exit code.
#ifndef INBEELD_NODE_CLI_COMMANDS_H_
#define INBEELD_NODE_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "base/error.h"
#include "node/cli/cli.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node::cli {

struct GlobalOptions {
  std::optional<std::string> data_dir;
  bool json = false;
};

using Runner = std::function<Status()>;

// Each Add*Command registers a subcommand and stores its runner in `runner`
// (called only when that subcommand was chosen).
void AddInitCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddImportCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddListCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddStatusCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddDemoCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddWhoamiCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddPeerCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
// Key and passphrase lifecycle: passphrase change.
void AddPassphraseCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
// key rotate [--finish] (node/datadir/key_rotation.h).
void AddKeyCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddServeCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddMatchCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddAuditCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddResultsCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
// Region sync (node/region/): sync, overview, region, purge.
void AddSyncCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddOverviewCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddRegionCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddConsoleCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddPurgeCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
// Backups (node/backup/): backup, backup verify, restore; and the peer
// subcommands that follow a restore (rejoin, accept-restore).
void AddBackupCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddRestoreCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);
void AddPeerRestoreSubcommands(CLI::App* peer, GlobalOptions& global, Context& context,
                               Runner& runner);
// Reports (node/report/): report quarterly.
void AddReportCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner);

// Locates the data directory and unlocks the node with the passphrase.
// Unlocks the node and closes, in the audit log, the sessions a stopped
// process left open (CloseInterruptedSessions).
Result<UnlockedNode> OpenNode(const GlobalOptions& global, const Context& context);
// Appends the "interrupted" record of every session a process that no longer
// runs left open (node/audit/session_journal.h); says so on stderr.
Status CloseInterruptedSessions(UnlockedNode& node, const Context& context);
Result<NodeDir> LocateNode(const GlobalOptions& global, const Context& context);

// The digits two people read aloud to check a key (crypto/safety_code.h),
// shown wherever a fingerprint is; "-" for a malformed fingerprint.
std::string SafetyCodeFor(const std::string& fingerprint);

// Adds --data-dir and --json to a subcommand (both are also accepted globally).
void AddCommonOptions(CLI::App* command, GlobalOptions& global, bool with_json);

}  // namespace inbeeld::node::cli

#endif  // INBEELD_NODE_CLI_COMMANDS_H_
