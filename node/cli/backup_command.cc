// `inbeeld backup`, `inbeeld backup verify`, `inbeeld restore`
// (node/backup/backup.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/backup/backup.h"
#include "node/cli/commands.h"

namespace inbeeld::node::cli {
namespace {

nlohmann::json SummaryJson(const backup::BackupSummary& s) {
  return {{"node_name", s.node_name},
          {"fingerprint", s.fingerprint},
          {"created_at", s.created_at},
          {"schema_version", s.schema_version},
          {"audit_records", s.audit_size},
          {"audit_root", s.audit_root},
          {"file_bytes", s.file_bytes}};
}

std::string SummaryText(const backup::BackupSummary& s) {
  return fmt::format(
      "  node:          {} ({})\n"
      "  made at:       {}\n"
      "  audit log:     {} records, root {}\n"
      "  schema:        version {}\n"
      "  size:          {} bytes\n",
      s.node_name, s.fingerprint, s.created_at, s.audit_size, s.audit_root.substr(0, 16) + "…",
      s.schema_version, s.file_bytes);
}

}  // namespace

void AddBackupCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  auto out = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "backup",
      "Write an encrypted, consistent backup of the node to --out FILE while it keeps serving "
      "(it opens only with the current passphrase). `backup verify FILE` proves a backup "
      "restores.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("--out", *out, "The backup file to write (must not exist)");
  CLI::App* verify = cmd->add_subcommand(
      "verify",
      "Restore FILE into a temporary directory with the passphrase it was made under, check the "
      "database (SQLCipher and SQLite integrity) and recompute its whole audit log, then remove "
      "the copy. Needs no node.");
  AddCommonOptions(verify, global, /*with_json=*/true);
  verify->add_option("FILE", *file, "The backup file")->required();
  cmd->require_subcommand(0, 1);

  cmd->callback([&, out, verify] {
    if (verify->parsed()) return;
    runner = [&, out]() -> Status {
      if (out->empty()) return Fail(ErrorCode::kInvalidArgument, "--out FILE is required");
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto summary = backup::WriteBackup(*node, *out);
      if (!summary) return std::unexpected(summary.error());
      if (global.json) {
        *context.out << SummaryJson(*summary).dump(2) << "\n";
      } else {
        *context.out << "Backup written to " << *out << ":\n"
                     << SummaryText(*summary)
                     << "It opens only with this node's current passphrase. Check it with "
                        "`inbeeld backup verify FILE`; keep a copy away from this machine.\n";
      }
      return {};
    };
  });
  verify->callback([&, file] {
    runner = [&, file]() -> Status {
      auto manifest = backup::ReadManifest(*file);
      if (!manifest) return std::unexpected(manifest.error());
      auto passphrase = ReadPassphrase(PassphrasePurpose::kUnlock, context.env);
      if (!passphrase) return std::unexpected(passphrase.error());
      auto summary = backup::VerifyBackup(*file, *passphrase, context.clock);
      if (!summary) return std::unexpected(summary.error());
      if (global.json) {
        nlohmann::json j = SummaryJson(*summary);
        j["verified"] = true;
        j["list_version"] = summary->list_version;
        j["list_rows"] = summary->list_rows;
        j["checkpoints"] = summary->checkpoints;
        *context.out << j.dump(2) << "\n";
      } else {
        *context.out << "OK: " << *file << " restores.\n"
                     << SummaryText(*summary)
                     << fmt::format(
                            "  list:          {}\n"
                            "  checked:       the database's integrity; {} audit records and {} "
                            "signed checkpoints recomputed\n",
                            summary->list_version == 0
                                ? std::string("none imported")
                                : fmt::format("version {}, {} rows", summary->list_version,
                                              summary->list_rows),
                            summary->audit_size, summary->checkpoints);
      }
      return {};
    };
  });
}

void AddRestoreCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  auto file = std::make_shared<std::string>();
  auto replace = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "restore",
      "Bring a node back from a backup into --data-dir (stop `inbeeld serve` first). Asks for the "
      "passphrase the node had when the backup was made. An existing node is moved aside with "
      "--replace, never deleted. The restore is recorded in the audit log; partners then accept "
      "the shortened log (`inbeeld peer rejoin` here, `inbeeld peer accept-restore` there).");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("FILE", *file, "The backup file")->required();
  cmd->add_flag("--replace", *replace,
                "Move the node now in the data directory to before-restore-<time>/ inside it");
  cmd->callback([&, file, replace] {
    runner = [&, file, replace]() -> Status {
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      auto manifest = backup::ReadManifest(*file);
      if (!manifest) return std::unexpected(manifest.error());
      auto passphrase = ReadPassphrase(PassphrasePurpose::kUnlock, context.env);
      if (!passphrase) return std::unexpected(passphrase.error());
      backup::RestoreOptions options;
      options.replace = *replace;
      auto outcome =
          backup::RestoreBackup(*file, dir->root(), *passphrase, context.clock, options);
      if (!outcome) return std::unexpected(outcome.error());
      if (global.json) {
        nlohmann::json j = SummaryJson(outcome->backup);
        j["restore_record"] = outcome->restore_record;
        j["moved_aside"] = outcome->moved_aside.string();
        *context.out << j.dump(2) << "\n";
      } else {
        *context.out << "Restored " << dir->root().string() << " from " << *file << ":\n"
                     << SummaryText(outcome->backup);
        if (!outcome->moved_aside.empty()) {
          *context.out << "The node that was there is in " << outcome->moved_aside.string()
                       << " (nothing was deleted).\n";
        }
        *context.out << fmt::format(
            "The audit log records the restore (record {}). Partners that saw this node's log "
            "after the backup refuse to exchange until they accept it: run `inbeeld peer "
            "rejoin`, and ask each partner's operator to run `inbeeld peer accept-restore {}`.\n",
            outcome->restore_record, "<this node's name there>");
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
