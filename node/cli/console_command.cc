// `inbeeld console invite|people|revoke`: who may use the web console.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/cli/commands.h"
#include "node/console/invitation_link.h"
#include "node/console/people.h"

namespace inbeeld::node::cli {

void AddConsoleCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  CLI::App* cmd = app.add_subcommand(
      "console",
      "People who may use the web console that `inbeeld serve` offers on loopback "
      "([console] listen): invite, list, revoke.");
  cmd->require_subcommand(1);

  struct InviteOptions {
    std::string name, role;
  };
  auto invite_options = std::make_shared<InviteOptions>();
  CLI::App* invite = cmd->add_subcommand(
      "invite",
      "Invite a person: prints a one-time link (valid 72 hours) where they choose a password. "
      "Roles: operator (list, exchanges, reports), privacy-officer (log, access requests), admin "
      "(people, partners).");
  AddCommonOptions(invite, global, /*with_json=*/true);
  invite->add_option("NAME", invite_options->name, "The person's name, as the audit log shows it")
      ->required();
  invite->add_option("--role", invite_options->role, "operator, privacy-officer or admin")
      ->required();
  invite->callback([&, invite_options] {
    runner = [&, invite_options]() -> Status {
      auto role = console::ParseRole(invite_options->role);
      if (!role) return std::unexpected(WithContext(role.error(), "--role"));
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      console::PeopleStore people(*node->store);
      audit::AuditLog log(*node->store, node->identity);
      // The invitation and its record commit together.
      std::optional<console::Invitation> invitation;
      INBEELD_RETURN_IF_ERROR(log.InTransaction([&]() -> Status {
        auto made = people.Invite(invite_options->name, *role);
        if (!made) return std::unexpected(WithContext(made.error(), "invite"));
        invitation = std::move(*made);
        return log.AppendInTransaction(
            {audit::EventRecord(node->clock(), "inbeeld.console.invited", true,
                                {{"inbeeld.console.person", invite_options->name},
                                 {"inbeeld.console.role", invite_options->role}})});
      }));
      const std::string link = console::InvitationLink(
          console::ConsoleBaseUrl(node->root, node->config.console.listen), invitation->token);
      if (global.json) {
        *context.out << nlohmann::json{{"name", invite_options->name},
                                       {"role", invite_options->role},
                                       {"expires_at", invitation->expires_at},
                                       {"link", link}}
                            .dump(2)
                     << "\n";
      } else {
        *context.out << fmt::format(
            "Invited {} as {}. Give them this link (once, valid until {}); it works on this "
            "machine or through an SSH tunnel to the console's port:\n{}\n",
            invite_options->name, invite_options->role, invitation->expires_at, link);
      }
      return {};
    };
  });

  CLI::App* list =
      cmd->add_subcommand("people", "Who has a console account, their role and state.");
  AddCommonOptions(list, global, /*with_json=*/true);
  list->callback([&] {
    runner = [&]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      console::PeopleStore people(*node->store);
      auto all = people.List();
      if (!all) return std::unexpected(all.error());
      if (global.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& p : *all) {
          out.push_back({{"name", p.name},
                         {"role", std::string(console::RoleName(p.role))},
                         {"state", p.state},
                         {"invited_at", p.invited_at},
                         {"last_login_at", p.last_login_at}});
        }
        *context.out << out.dump(2) << "\n";
        return {};
      }
      if (all->empty())
        *context.out << "Nobody has a console account (see `inbeeld console invite`).\n";
      for (const auto& p : *all) {
        *context.out << fmt::format("{:<32} {:<16} {:<12} last login {}\n", p.name,
                                    console::RoleName(p.role), p.state,
                                    p.last_login_at.empty() ? "never" : p.last_login_at);
      }
      return {};
    };
  });

  auto unlock_name = std::make_shared<std::string>();
  CLI::App* unlock = cmd->add_subcommand(
      "unlock", "Lift a lock-out after repeated wrong passwords (the person can log in at once).");
  AddCommonOptions(unlock, global, /*with_json=*/false);
  unlock->add_option("NAME", *unlock_name, "The person's name")->required();
  unlock->callback([&, unlock_name] {
    runner = [&, unlock_name]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      console::PeopleStore people(*node->store);
      audit::AuditLog log(*node->store, node->identity);
      INBEELD_RETURN_IF_ERROR(log.InTransaction([&]() -> Status {
        if (auto unlocked = people.Unlock(*unlock_name); !unlocked) return unlocked;
        return log.AppendInTransaction(
            {audit::EventRecord(node->clock(), "inbeeld.console.unlocked", true,
                                {{"inbeeld.console.person", *unlock_name}})});
      }));
      *context.out << "Unlocked " << *unlock_name << ": they can log in again.\n";
      return {};
    };
  });

  auto revoke_name = std::make_shared<std::string>();
  CLI::App* revoke = cmd->add_subcommand(
      "revoke", "Revoke a person's access: no more logins, open sessions end at once.");
  AddCommonOptions(revoke, global, /*with_json=*/false);
  revoke->add_option("NAME", *revoke_name, "The person's name")->required();
  revoke->callback([&, revoke_name] {
    runner = [&, revoke_name]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      console::PeopleStore people(*node->store);
      INBEELD_RETURN_IF_ERROR(people.Revoke(*revoke_name));
      audit::AuditLog log(*node->store, node->identity);
      INBEELD_RETURN_IF_ERROR(
          log.Append({audit::EventRecord(node->clock(), "inbeeld.console.revoked", true,
                                         {{"inbeeld.console.person", *revoke_name}})}));
      *context.out << "Revoked " << *revoke_name << ": their sessions have ended.\n";
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
