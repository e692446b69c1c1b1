// `inbeeld status`: what this node is and what it holds.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "node/audit/rejoin.h"
#include "node/cli/commands.h"
#include "node/datadir/key_rotation.h"

namespace inbeeld::node::cli {

void AddStatusCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  auto check = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "status", "Show the node's identity, configuration, store and current list version.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_flag("--check", *check,
                "Also verify every database page (SQLCipher HMACs and SQLite integrity)");
  cmd->callback([&, check] {
    runner = [&, check]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      if (*check) INBEELD_RETURN_IF_ERROR(node->store->CheckIntegrity());
      auto dir = LocateNode(global, context);
      auto versions = node->store->Versions();
      if (!versions) return std::unexpected(versions.error());
      std::error_code ec;
      auto db_bytes = std::filesystem::file_size(dir->DatabasePath(), ec);
      const config::NodeConfig& cfg = node->config;
      // Partners that restored from a backup and wait for this node's
      // operator (node/audit/rejoin.h).
      nlohmann::json waiting = nlohmann::json::array();
      {
        audit::AuditLog log(*node->store, node->identity);
        for (const auto& p : cfg.peers) {
          auto key = crypto::VerifyingKey::FromFingerprint(p.key);
          if (!key) continue;
          auto pending = audit::PendingRestoreOf(log, {p.name, *key});
          if (!pending) return std::unexpected(pending.error());
          if (*pending) {
            waiting.push_back({{"peer", p.name},
                               {"lost", (*pending)->lost},
                               {"received_at", (*pending)->received_at}});
          }
        }
      }
      // A key rotation some partners have not yet accepted (node/datadir/key_rotation.h).
      auto rotation = ReadKeyRotationState(*node->store);
      if (!rotation) return std::unexpected(rotation.error());
      // A partner removed since is no longer waited for (`--finish` drops it).
      std::erase_if(rotation->pending,
                    [&](const std::string& name) { return cfg.FindPeer(name) == nullptr; });
      if (global.json) {
        nlohmann::json j = {
            {"node_name", cfg.node_name},
            {"organisation", cfg.organisation},
            {"role", config::RoleName(cfg.role)},
            {"holds_pgn", cfg.holds_pgn},
            {"fingerprint", node->metadata.fingerprint},
            {"data_dir", dir->root().string()},
            {"listen", cfg.listen_address},
            {"schema_version", node->store->SchemaVersion()},
            {"database_bytes", ec ? 0 : db_bytes},
            {"kdf_profile", node->metadata.kdf_profile},
            {"activities", cfg.activities.size()},
            {"peers", cfg.peers.size()},
            {"list_versions", versions->size()},
            {"integrity_checked", *check},
            {"restores_to_accept", waiting},
            {"new_key_not_yet_accepted_by", rotation->pending},
        };
        if (!versions->empty()) {
          const auto& v = versions->back();
          j["current_list"] = {{"version", v.id},
                               {"list_date", schema::FormatIso(v.list_date)},
                               {"rows", v.row_count},
                               {"imported_at", v.imported_at}};
        }
        *context.out << j.dump(2) << "\n";
        return {};
      }
      std::ostream& out = *context.out;
      out << fmt::format("Node          {} ({}, {})\n", cfg.node_name, cfg.organisation,
                         config::RoleName(cfg.role));
      out << fmt::format("PGN           {}\n",
                         cfg.holds_pgn ? "holds BSNs and onderwijsnummers"
                                       : "holds no BSN or onderwijsnummer (holds_pgn = false)");
      out << fmt::format("Fingerprint   {}\n", node->metadata.fingerprint);
      out << fmt::format("Data dir      {}\n", dir->root().string());
      out << fmt::format("Listen        {}\n", cfg.listen_address);
      out << fmt::format("Store         schema v{}, {} bytes, key profile {}{}\n",
                         node->store->SchemaVersion(), ec ? 0 : db_bytes,
                         node->metadata.kdf_profile, *check ? ", integrity verified" : "");
      out << fmt::format("Register      {} processing activit{}\n", cfg.activities.size(),
                         cfg.activities.size() == 1 ? "y" : "ies");
      out << fmt::format("Peers         {}\n", cfg.peers.size());
      if (versions->empty()) {
        out << "List          none imported yet\n";
      } else {
        const auto& v = versions->back();
        out << fmt::format("List          version {} of {}: {} rows, list date {}\n", v.id,
                           versions->size(), v.row_count, schema::FormatDutch(v.list_date));
      }
      if (!rotation->pending.empty()) {
        std::string names;
        for (const auto& name : rotation->pending) names += (names.empty() ? "" : ", ") + name;
        out << fmt::format(
            "Key           {} partner(s) still pin the previous key ({}) and cannot exchange with "
            "this node: `inbeeld key rotate --finish` when they are reachable\n",
            rotation->pending.size(), names);
      }
      for (const auto& w : waiting) {
        out << fmt::format(
            "Waiting       {} restored from a backup and asks to rejoin ({} records lost, asked "
            "{}): check with its operator, then `inbeeld peer accept-restore {}`\n",
            w["peer"].get<std::string>(), w["lost"].get<uint64_t>(),
            w["received_at"].get<std::string>(), w["peer"].get<std::string>());
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
