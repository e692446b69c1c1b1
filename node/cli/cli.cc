#include "node/cli/cli.h"

#include <fmt/format.h>

#include <ostream>

#include "node/audit/actor.h"
#include "node/audit/audit_log.h"
#include "node/audit/session_journal.h"
#include "node/cli/commands.h"
#include "node/cli/version.h"

namespace inbeeld::node::cli {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
      return 3;
    case ErrorCode::kUnauthenticated:
      return 4;
    case ErrorCode::kPermissionDenied:
      return 5;
    case ErrorCode::kFailedPrecondition:
      return 6;
    case ErrorCode::kDataLoss:
      return 7;
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadlineExceeded:
      return 8;
    case ErrorCode::kResourceExhausted:
      return 9;
    case ErrorCode::kAddressInUse:
      return 11;
    case ErrorCode::kInternal:
      return 10;
  }
  return 10;
}

Result<NodeDir> LocateNode(const GlobalOptions& global, const Context& context) {
  return NodeDir::Locate(global.data_dir, context.env, context.clock);
}

Result<UnlockedNode> OpenNode(const GlobalOptions& global, const Context& context) {
  auto dir = LocateNode(global, context);
  if (!dir) return std::unexpected(dir.error());
  // Fail on a missing node before asking for a passphrase nobody can use.
  if (auto meta = dir->ReadMetadata(); !meta) return std::unexpected(meta.error());
  auto passphrase = ReadPassphrase(PassphrasePurpose::kUnlock, context.env, *context.err);
  if (!passphrase) return std::unexpected(passphrase.error());
  auto node = dir->Unlock(*passphrase);
  if (!node) return std::unexpected(node.error());
  INBEELD_RETURN_IF_ERROR(CloseInterruptedSessions(*node, context));
  return node;
}

Status CloseInterruptedSessions(UnlockedNode& node, const Context& context) {
  audit::AuditLog log(*node.store, node.identity);
  audit::SessionJournal journal(*node.store, log);
  auto closed = journal.CloseAbandoned(audit::NowMs(node.clock()));
  if (!closed) {
    return std::unexpected(
        WithContext(closed.error(), "closing sessions a stopped process left open"));
  }
  if (*closed > 0) {
    *context.err << fmt::format(
        "inbeeld: {} session(s) left open by a process that stopped are now recorded as "
        "interrupted in the audit log\n",
        *closed);
  }
  return {};
}

void AddCommonOptions(CLI::App* command, GlobalOptions& global, bool with_json) {
  command->add_option("--data-dir", global.data_dir,
                      "The node's data directory (default: $INBEELD_HOME)");
  if (with_json) command->add_flag("--json", global.json, "Print machine-readable JSON");
}

int RunCli(const std::vector<std::string>& args, Context& context) {
  CLI::App app{
      "inbeeld — keeps a partner's thuiszitter list encrypted and compares it privately with "
      "peer nodes.\n\n"
      "The passphrase is read from the file named by INBEELD_PASSPHRASE_FILE, from the\n"
      "systemd credential 'passphrase' ($CREDENTIALS_DIRECTORY/passphrase), from\n"
      "INBEELD_PASSPHRASE, or from the terminal; never from the command line.\n\n"
      "Exit codes: 0 ok, 2 usage, 3 invalid input, 4 authentication, 5 refused by policy,\n"
      "6 not initialised / wrong state, 7 corrupt or missing data, 8 peer unreachable or\n"
      "too slow, 9 limit reached, 10 internal error, 11 address in use (the port to listen\n"
      "on is taken: another inbeeld serve?).",
      "inbeeld"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("inbeeld ") + kVersion);
  GlobalOptions global;
  Runner runner;
  AddInitCommand(app, global, context, runner);
  AddImportCommand(app, global, context, runner);
  AddListCommand(app, global, context, runner);
  AddStatusCommand(app, global, context, runner);
  AddWhoamiCommand(app, global, context, runner);
  AddPeerCommand(app, global, context, runner);
  AddPassphraseCommand(app, global, context, runner);
  AddKeyCommand(app, global, context, runner);
  AddServeCommand(app, global, context, runner);
  AddMatchCommand(app, global, context, runner);
  AddResultsCommand(app, global, context, runner);
  AddSyncCommand(app, global, context, runner);
  AddOverviewCommand(app, global, context, runner);
  AddRegionCommand(app, global, context, runner);
  AddPurgeCommand(app, global, context, runner);
  AddReportCommand(app, global, context, runner);
  AddBackupCommand(app, global, context, runner);
  AddRestoreCommand(app, global, context, runner);
  AddAuditCommand(app, global, context, runner);
  AddConsoleCommand(app, global, context, runner);
  AddDemoCommand(app, global, context, runner);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    *context.out << app.help();  // delegates to the chosen subcommand's help
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    *context.out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& version) {
    *context.out << version.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    *context.err << "inbeeld: " << e.what() << "\n(run `inbeeld --help` for usage)\n";
    return 2;
  }
  if (!runner) {
    *context.err << "inbeeld: no command given (run `inbeeld --help`)\n";
    return 2;
  }
  // Every record this command writes on this thread names the OS user.
  audit::ActorScope actor({.who = "os:" + audit::OsUserName(), .origin = "cli"});
  Status status = runner();
  if (!status) {
    *context.err << "inbeeld: error: " << status.error().message << "\n";
    return ExitCodeFor(status.error().code);
  }
  return 0;
}

}  // namespace inbeeld::node::cli
