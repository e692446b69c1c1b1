// `inbeeld peer rejoin` and `inbeeld peer accept-restore`: a node restored from
// a backup and its partners agree, openly, on its shortened audit log
// (node/audit/rejoin.h).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/audit/rejoin.h"
#include "node/cli/commands.h"
#include "node/exchange/rejoin_peer.h"

namespace inbeeld::node::cli {

void AddPeerRestoreSubcommands(CLI::App* peer, GlobalOptions& global, Context& context,
                               Runner& runner) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* rejoin = peer->add_subcommand(
      "rejoin",
      "After `inbeeld restore`: ask each partner (or the ones named) to accept this node's "
      "restored audit log. A partner that saw records after the backup keeps the request until "
      "its operator runs `inbeeld peer accept-restore`; exit code 5 while any is waiting.");
  AddCommonOptions(rejoin, global, /*with_json=*/true);
  rejoin->add_option("PEER", *names, "Partners to ask (default: every configured peer)");
  rejoin->callback([&, names] {
    runner = [&, names]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      std::vector<const config::PeerConfig*> peers;
      if (names->empty()) {
        for (const auto& p : node->config.peers) peers.push_back(&p);
      } else {
        for (const auto& name : *names) {
          const auto* p = node->config.FindPeer(name);
          if (p == nullptr) {
            return Fail(ErrorCode::kInvalidArgument,
                        "no peer named \"" + name + "\" in inbeeld.toml");
          }
          peers.push_back(p);
        }
      }
      nlohmann::json out = nlohmann::json::array();
      bool waiting = false, failed = false;
      for (const auto* p : peers) {
        auto response = exchange::RejoinPeer(*node, *p);
        if (!response && response.error().code == ErrorCode::kFailedPrecondition &&
            response.error().message.find("never restored") != std::string::npos) {
          return std::unexpected(response.error());
        }
        std::string outcome, text;
        if (!response) {
          failed = true;
          outcome = "failed";
          text = response.error().message;
        } else {
          outcome = std::string(audit::RejoinOutcomeName(response->outcome));
          switch (response->outcome) {
            case audit::RejoinOutcome::kAccepted:
              text = fmt::format(
                  "accepted; it had seen {} records after the backup, now recorded "
                  "as lost in both logs",
                  response->lost);
              break;
            case audit::RejoinOutcome::kPending:
              waiting = true;
              text = fmt::format(
                  "waiting: its operator must run `inbeeld peer accept-restore {}` "
                  "({} records it saw after the backup are lost)",
                  node->config.node_name, response->lost);
              break;
            case audit::RejoinOutcome::kNotNeeded:
              text = "nothing to accept: it saw nothing after the backup";
              break;
          }
        }
        if (global.json) {
          out.push_back({{"peer", p->name}, {"outcome", outcome}, {"message", text}});
        } else {
          *context.out << fmt::format("{}: {}\n", p->name, text);
        }
      }
      if (global.json) *context.out << out.dump(2) << "\n";
      if (failed) return Fail(ErrorCode::kUnavailable, "not every partner could be asked");
      if (waiting) {
        return Fail(ErrorCode::kPermissionDenied,
                    "some partners have yet to confirm; run `inbeeld peer rejoin` again after");
      }
      return {};
    };
  });

  auto name = std::make_shared<std::string>();
  CLI::App* accept = peer->add_subcommand(
      "accept-restore",
      "Accept that PEER restored its node from a backup: the records of its log this node saw "
      "after that backup are recorded here as lost, and exchanges resume. Only after PEER ran "
      "`inbeeld peer rejoin`; check with its operator that the restore was intended.");
  AddCommonOptions(accept, global, /*with_json=*/true);
  accept->add_option("PEER", *name, "The partner that restored")->required();
  accept->callback([&, name] {
    runner = [&, name]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      const auto* p = node->config.FindPeer(*name);
      if (p == nullptr) {
        return Fail(ErrorCode::kInvalidArgument, "no peer named \"" + *name + "\" in inbeeld.toml");
      }
      auto key = crypto::VerifyingKey::FromFingerprint(p->key);
      if (!key) return std::unexpected(key.error());
      audit::AuditLog log(*node->store, node->identity);
      auto lost = audit::AcceptRestore(log, {p->name, *key});
      if (!lost) return std::unexpected(lost.error());
      if (global.json) {
        *context.out << nlohmann::json{{"peer", p->name}, {"lost", *lost}}.dump(2) << "\n";
      } else {
        *context.out << fmt::format(
            "Accepted the restore of {}: {} records of its log that this node had witnessed are "
            "lost, recorded in this node's audit log. Exchanges with {} can resume once it runs "
            "`inbeeld peer rejoin` again or starts a match.\n",
            p->name, *lost, p->name);
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
