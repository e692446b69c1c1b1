// `inbeeld whoami` and `inbeeld peer add|remove|list`: identities and pinned peers.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "crypto/safety_code.h"
#include "crypto/signing.h"
#include "node/cli/commands.h"

namespace inbeeld::node::cli {

std::string SafetyCodeFor(const std::string& fingerprint) {
  auto key = crypto::VerifyingKey::FromFingerprint(fingerprint);
  return key ? crypto::SafetyCode(key->bytes()) : std::string("-");
}

void AddWhoamiCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  CLI::App* cmd = app.add_subcommand(
      "whoami",
      "Print this node's name and key fingerprint, to hand to a partner for `inbeeld peer add`. "
      "Needs no passphrase.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->callback([&] {
    runner = [&]() -> Status {
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      auto meta = dir->ReadMetadata();
      if (!meta) return std::unexpected(meta.error());
      auto cfg = dir->ReadConfig();
      if (!cfg) return std::unexpected(cfg.error());
      if (global.json) {
        *context.out << nlohmann::json{{"node_name", cfg->node_name},
                                       {"role", config::RoleName(cfg->role)},
                                       {"address", cfg->listen_address},
                                       {"fingerprint", meta->fingerprint},
                                       {"safety_code", SafetyCodeFor(meta->fingerprint)}}
                            .dump(2)
                     << "\n";
      } else {
        *context.out << fmt::format(
            "{} ({}) at {}\n{}\nsafety code (read it aloud to the partner): {}\n", cfg->node_name,
            config::RoleName(cfg->role), cfg->listen_address, meta->fingerprint,
            SafetyCodeFor(meta->fingerprint));
      }
      return {};
    };
  });
}

void AddPeerCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  CLI::App* peer = app.add_subcommand("peer", "Manage the peers this node exchanges with.");
  peer->require_subcommand(1);
  AddPeerRestoreSubcommands(peer, global, context, runner);

  struct AddOptions {
    std::string name, address, key, role;
    std::vector<std::string> purposes;
    std::vector<std::string> labels = {"category", "since", "school", "plan"};
    size_t max_list_size = 50000;
    size_t min_list_size = 5;
    int max_sessions_per_day = 10;
    bool count_only = false;
    std::vector<std::string> match_keys;  // empty: the default for the two roles
  };
  auto add_options = std::make_shared<AddOptions>();
  CLI::App* add = peer->add_subcommand(
      "add",
      "Pin a peer by its key fingerprint and set its policy. Appends a [[peer]] block to "
      "inbeeld.toml after checking the whole file still validates.");
  AddCommonOptions(add, global, /*with_json=*/false);
  add->add_option("NAME", add_options->name, "Short name, [a-z0-9-], e.g. swv-vo-zk")->required();
  add->add_option("--address", add_options->address, "The peer's host:port")->required();
  add->add_option("--key", add_options->key, "The peer's fingerprint from its `inbeeld whoami`")
      ->required();
  add->add_option("--role", add_options->role, "leerplicht, swv or school")->required();
  add->add_option("--purpose", add_options->purposes,
                  "Allowed processing-activity id (repeatable); must be in the register")
      ->required();
  add->add_option("--labels", add_options->labels,
                  "Label fields that may be shared for matched records (comma-separated: "
                  "category,since,school,plan)")
      ->delimiter(',')
      ->capture_default_str();
  add->add_option("--max-list-size", add_options->max_list_size, "Records per session")
      ->capture_default_str();
  add->add_option("--min-list-size", add_options->min_list_size,
                  "Fewest records the peer's list must hold (a list of one child would ask "
                  "\"is this child on your list?\")")
      ->capture_default_str();
  add->add_option("--max-sessions-per-day", add_options->max_sessions_per_day,
                  "Sessions per 24 hours")
      ->capture_default_str();
  add->add_flag("--count-only", add_options->count_only, "The peer may only run count mode");
  add->add_option("--match-keys", add_options->match_keys,
                  "Key types to match children on (comma-separated: pgn,name,weak; default: all "
                  "three, without pgn when either node is an swv or this node holds no PGN)")
      ->delimiter(',');
  add->callback([&, add_options] {
    runner = [&, add_options]() -> Status {
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      auto meta = dir->ReadMetadata();
      if (!meta) return std::unexpected(meta.error());
      auto cfg = dir->ReadConfig();
      if (!cfg) return std::unexpected(cfg.error());
      // The key is checked at once, not at the first handshake: a valid
      // Ed25519 point (crypto/signing.h), not this node's own, not pinned yet.
      auto peer_key = crypto::VerifyingKey::FromFingerprint(add_options->key);
      if (!peer_key) {
        return Fail(peer_key.error().code, "peer not added: --key: " + peer_key.error().message);
      }
      const std::string fingerprint = peer_key->Fingerprint();
      if (fingerprint == meta->fingerprint) {
        return Fail(ErrorCode::kInvalidArgument,
                    "peer not added: --key is this node's own key; ask the partner for the "
                    "fingerprint their `inbeeld whoami` shows");
      }
      if (const auto* pinned = cfg->FindPeerByKey(fingerprint); pinned != nullptr) {
        return Fail(
            ErrorCode::kAlreadyExists,
            fmt::format("peer not added: this key is already pinned as peer \"{}\"", pinned->name));
      }
      if (cfg->FindPeer(add_options->name) != nullptr) {
        return Fail(ErrorCode::kAlreadyExists,
                    fmt::format("peer not added: a peer named \"{}\" exists already (`inbeeld "
                                "peer remove {}` first to replace it)",
                                add_options->name, add_options->name));
      }
      config::PeerConfig peer_config;
      peer_config.name = add_options->name;
      peer_config.address = add_options->address;
      peer_config.key = fingerprint;  // the canonical spelling, however it was typed
      auto role = config::ParseRole(add_options->role);
      if (!role) return std::unexpected(WithContext(role.error(), "--role"));
      peer_config.role = *role;
      peer_config.policy.allowed_purposes = add_options->purposes;
      for (const auto& label : add_options->labels) {
        auto field = config::ParseLabelField(label);
        if (!field) return std::unexpected(WithContext(field.error(), "--labels"));
        peer_config.policy.shared_labels.push_back(*field);
      }
      peer_config.policy.max_list_size = add_options->max_list_size;
      peer_config.policy.min_list_size = add_options->min_list_size;
      peer_config.policy.max_sessions_per_day = add_options->max_sessions_per_day;
      peer_config.policy.count_only = add_options->count_only;
      for (const auto& key : add_options->match_keys) {
        auto type = config::ParseMatchKeyType(key);
        if (!type) return std::unexpected(WithContext(type.error(), "--match-keys"));
        peer_config.policy.match_keys.push_back(*type);
      }

      if (auto added = dir->AddPeer(peer_config); !added) {
        return Fail(added.error().code, "peer not added: " + added.error().message);
      }
      *context.out << fmt::format(
          "Added peer \"{}\" at {} ({}) to {}\n"
          "Safety code: {} — check it with the partner, who sees the same "
          "digits with `inbeeld whoami`.\n",
          peer_config.name, peer_config.address, config::RoleName(peer_config.role),
          dir->ConfigPath().string(), SafetyCodeFor(peer_config.key));
      return {};
    };
  });

  auto remove_name = std::make_shared<std::string>();
  CLI::App* remove = peer->add_subcommand(
      "remove",
      "Unpin a peer: removes its [[peer]] table from inbeeld.toml (the rest of the file, "
      "comments included, stays as it was) and records that in the audit log. Past sessions, "
      "results and audit records with the peer stay. A running `serve` still accepts the peer "
      "until it reloads its configuration or restarts.");
  AddCommonOptions(remove, global, /*with_json=*/false);
  remove->add_option("NAME", *remove_name, "The peer's name, as in `inbeeld peer list`")
      ->required();
  remove->callback([&, remove_name] {
    runner = [&, remove_name]() -> Status {
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto removed = dir->RemovePeer(*remove_name, *node);
      if (!removed)
        return Fail(removed.error().code, "peer not removed: " + removed.error().message);
      *context.out << fmt::format("Removed peer \"{}\" ({}, safety code {}) from {}\n",
                                  removed->name, removed->key, SafetyCodeFor(removed->key),
                                  dir->ConfigPath().string());
      return {};
    };
  });

  CLI::App* list = peer->add_subcommand("list", "Show the configured peers and their policies.");
  AddCommonOptions(list, global, /*with_json=*/true);
  list->callback([&] {
    runner = [&]() -> Status {
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      auto cfg = dir->ReadConfig();
      if (!cfg) return std::unexpected(cfg.error());
      if (global.json) {
        nlohmann::json peers = nlohmann::json::array();
        for (const auto& p : cfg->peers) {
          nlohmann::json labels = nlohmann::json::array();
          for (auto l : p.policy.shared_labels) labels.push_back(config::LabelFieldName(l));
          nlohmann::json keys = nlohmann::json::array();
          for (auto k : p.policy.match_keys) keys.push_back(config::MatchKeyTypeName(k));
          peers.push_back({{"name", p.name},
                           {"address", p.address},
                           {"key", p.key},
                           {"safety_code", SafetyCodeFor(p.key)},
                           {"role", config::RoleName(p.role)},
                           {"allowed_purposes", p.policy.allowed_purposes},
                           {"shared_labels", labels},
                           {"max_list_size", p.policy.max_list_size},
                           {"min_list_size", p.policy.min_list_size},
                           {"max_sessions_per_day", p.policy.max_sessions_per_day},
                           {"count_only", p.policy.count_only},
                           {"match_keys", keys}});
        }
        *context.out << peers.dump(2) << "\n";
        return {};
      }
      if (cfg->peers.empty()) *context.out << "No peers configured (see `inbeeld peer add`).\n";
      for (const auto& p : cfg->peers) {
        std::string purposes, labels, keys;
        for (const auto& id : p.policy.allowed_purposes)
          purposes += (purposes.empty() ? "" : ", ") + id;
        for (auto l : p.policy.shared_labels) {
          labels += (labels.empty() ? "" : ", ") + std::string(config::LabelFieldName(l));
        }
        for (auto k : p.policy.match_keys) {
          keys += (keys.empty() ? "" : ", ") + std::string(config::MatchKeyTypeName(k));
        }
        *context.out << fmt::format(
            "{} ({}) at {}\n  key       {}\n  safety    {}\n  purposes  {}\n  labels    {}\n"
            "  matching  {}\n  limits    {} to {} records per session, {} sessions per day{}\n",
            p.name, config::RoleName(p.role), p.address, p.key, SafetyCodeFor(p.key),
            purposes.empty() ? "none" : purposes, labels.empty() ? "none" : labels, keys,
            p.policy.min_list_size, p.policy.max_list_size, p.policy.max_sessions_per_day,
            p.policy.count_only ? ", count only" : "");
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
