// `inbeeld init`: a new node — data directory, keys, store, commented config.
#include <nlohmann/json.hpp>
#include <ostream>

#include "node/cli/commands.h"
#include "schema/list_row.h"

namespace inbeeld::node::cli {

void AddInitCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    std::string name;
    std::string organisation;
    std::string role;
    std::string listen = "127.0.0.1:8443";
    std::string kdf = "moderate";
    std::string holds_pgn;  // "": by role
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "init",
      "Create a node: data directory, identity key, storage salt, audit pseudonym key and a "
      "commented inbeeld.toml. Asks for a new passphrase (twice on a terminal).");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("--name", options->name, "Node name, e.g. \"Leerplicht Haarlem\"")->required();
  cmd->add_option("--organisation", options->organisation, "Organisation that runs the node")
      ->required();
  cmd->add_option("--role", options->role, "leerplicht, swv or school")->required();
  cmd->add_option("--listen", options->listen, "Address `serve` listens on (host:port)")
      ->capture_default_str();
  cmd->add_option("--kdf-profile", options->kdf,
                  "Argon2id cost: interactive (64 MiB), moderate (256 MiB) or sensitive (1 GiB)")
      ->capture_default_str();
  cmd->add_option("--holds-pgn", options->holds_pgn,
                  "Whether this node may hold a BSN or onderwijsnummer: ja or nee (default: nee "
                  "for role swv, UAVG art. 46; ja otherwise); written to inbeeld.toml");
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      auto role = config::ParseRole(options->role);
      if (!role) return std::unexpected(WithContext(role.error(), "--role"));
      std::optional<bool> holds_pgn;
      if (!options->holds_pgn.empty()) {
        auto yes = schema::ParseYesNo(options->holds_pgn);
        if (!yes) return std::unexpected(WithContext(yes.error(), "--holds-pgn"));
        holds_pgn = *yes;
      }
      if (auto addr = config::ValidateAddress(options->listen); !addr) {
        return std::unexpected(WithContext(addr.error(), "--listen"));
      }
      if (auto profile = KdfProfile(options->kdf); !profile) {
        return std::unexpected(WithContext(profile.error(), "--kdf-profile"));
      }
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      if (dir->IsInitialised()) {
        return Fail(ErrorCode::kAlreadyExists, "a node already lives in " + dir->root().string());
      }
      auto passphrase = ReadPassphrase(PassphrasePurpose::kCreate, context.env, *context.err);
      if (!passphrase) return std::unexpected(passphrase.error());
      InitOptions init;
      init.config = {options->name, options->organisation, *role, options->listen, holds_pgn};
      init.kdf_profile = options->kdf;
      auto meta = dir->Initialise(init, *passphrase);
      if (!meta) return std::unexpected(meta.error());
      if (global.json) {
        *context.out << nlohmann::json{{"data_dir", dir->root().string()},
                                       {"config", dir->ConfigPath().string()},
                                       {"node_name", meta->node_name},
                                       {"fingerprint", meta->fingerprint},
                                       {"safety_code", SafetyCodeFor(meta->fingerprint)},
                                       {"kdf_profile", meta->kdf_profile}}
                            .dump(2)
                     << "\n";
        return {};
      }
      *context.out << "Initialised node \"" << meta->node_name << "\" in " << dir->root().string()
                   << "\n  fingerprint: " << meta->fingerprint
                   << "\n  safety code: " << SafetyCodeFor(meta->fingerprint)
                   << "\n  config:      " << dir->ConfigPath().string()
                   << "\nNext: review the register of processing activities in the config, then "
                      "`inbeeld import FILE`.\n";
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
