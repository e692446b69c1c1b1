// `inbeeld backup`, `inbeeld backup verify`, `inbeeld restore`
// (node/backup/backup.h).
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "node/backup/backup.h"
#include "node/cli/commands.h"

namespace inbeeld::node::cli {
namespace {

nlohmann::json SummaryJson(const backup::BackupSummary& s) {
  return {{"node_name", s.node_name},      {"fingerprint", s.fingerprint},
          {"created_at", s.created_at},    {"schema_version", s.schema_version},
          {"audit_records", s.audit_size}, {"audit_root", s.audit_root},
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
  auto into = std::make_shared<std::string>();
  auto keep = std::make_shared<int>(0);
  auto check = std::make_shared<bool>(false);
  CLI::Option* out_option =
      cmd->add_option("--out", *out, "The backup file to write (must not exist)");
  cmd->add_option("--into", *into,
                  "Write the backup into this folder as inbeeld-<UTC time>.backup (for a timer)")
      ->excludes(out_option);
  cmd->add_option("--keep", *keep,
                  "With --into: afterwards keep only the newest N inbeeld-*.backup files there")
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--verify", *check, "Then prove the new backup restores, as `backup verify` does");
  CLI::App* verify = cmd->add_subcommand(
      "verify",
      "Restore FILE into a temporary directory with the passphrase it was made under, check the "
      "database (SQLCipher and SQLite integrity) and recompute its whole audit log, then remove "
      "the copy. Needs no node.");
  AddCommonOptions(verify, global, /*with_json=*/true);
  verify->add_option("FILE", *file, "The backup file")->required();
  cmd->require_subcommand(0, 1);

  cmd->callback([&, out, into, keep, check, verify] {
    if (verify->parsed()) return;
    runner = [&, out, into, keep, check]() -> Status {
      if (out->empty() && into->empty()) {
        return Fail(ErrorCode::kInvalidArgument, "say where: --out FILE or --into FOLDER");
      }
      if (*keep > 0 && into->empty()) {
        return Fail(ErrorCode::kInvalidArgument, "--keep needs --into FOLDER");
      }
      std::filesystem::path target = *out;
      if (!into->empty()) {
        auto timed = backup::TimedBackupPath(*into, context.clock);
        if (!timed) return std::unexpected(timed.error());
        target = *timed;
      }
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto summary = backup::WriteBackup(*node, target);
      if (!summary) return std::unexpected(summary.error());
      nlohmann::json j = SummaryJson(*summary);
      j["file"] = target.string();
      if (*check) {
        auto passphrase = ReadPassphrase(PassphrasePurpose::kUnlock, context.env);
        if (!passphrase) return std::unexpected(passphrase.error());
        auto verified = backup::VerifyBackup(target, *passphrase, context.clock);
        if (!verified) {
          return std::unexpected(WithContext(
              verified.error(), "the new backup " + target.string() + " does not restore"));
        }
        j["verified"] = true;
      }
      std::vector<std::filesystem::path> removed;
      if (*keep > 0) {
        auto pruned = backup::KeepNewest(*into, static_cast<size_t>(*keep));
        if (!pruned) return std::unexpected(pruned.error());
        removed = *pruned;
      }
      if (global.json) {
        j["removed"] = nlohmann::json::array();
        for (const auto& r : removed) j["removed"].push_back(r.string());
        *context.out << j.dump(2) << "\n";
      } else {
        *context.out << "Backup written to " << target.string() << ":\n" << SummaryText(*summary);
        if (*check) *context.out << "Verified: it restores (integrity and audit log checked).\n";
        for (const auto& r : removed) *context.out << "Removed the older " << r.string() << "\n";
        *context.out << "It opens only with this node's current passphrase"
                     << (*check ? "" : "; check it with `inbeeld backup verify FILE`")
                     << ". Keep a copy away from this machine.\n";
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
      auto outcome = backup::RestoreBackup(*file, dir->root(), *passphrase, context.clock, options);
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
