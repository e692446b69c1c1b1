// `inbeeld key rotate [--finish]`: a new identity key, announced to every
// partner under the old one so nobody re-pins by phone (node/datadir/key_rotation.h,
// docs/PROTOCOL.md §12).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/cli/commands.h"
#include "node/datadir/key_rotation.h"
#include "node/exchange/announce_key.h"

namespace inbeeld::node::cli {
namespace {

// Announces to the partners still to tell and prints what each said. OK when
// every partner has the new key; kUnavailable while some have not.
Status Announce(UnlockedNode& node, const GlobalOptions& global, const Context& context,
                nlohmann::json& out) {
  auto report = AnnounceKeyRotation(
      node, [&](const config::PeerConfig& peer, const crypto::SigningKey& previous,
                std::span<const uint8_t> announcement) {
        return exchange::SendKeyAnnouncement(peer, node.config.node_name, previous, node.identity,
                                             announcement);
      });
  if (!report) return std::unexpected(report.error());
  std::vector<std::string> waiting;
  nlohmann::json partners = nlohmann::json::array();
  for (const auto& outcome : report->outcomes) {
    const bool dropped = !outcome.accepted && node.config.FindPeer(outcome.peer) == nullptr;
    if (!outcome.accepted && !dropped) waiting.push_back(outcome.peer);
    partners.push_back({{"peer", outcome.peer},
                        {"outcome", outcome.accepted ? "accepted"
                                    : dropped        ? "dropped"
                                                     : "not_yet"},
                        {"message", outcome.reason}});
    if (global.json) continue;
    if (outcome.accepted) {
      *context.out << fmt::format("  {}: now pins the new key\n", outcome.peer);
    } else {
      *context.out << fmt::format("  {}: {}\n", outcome.peer,
                                  dropped ? outcome.reason : "not yet: " + outcome.reason);
    }
  }
  out["partners"] = partners;
  out["previous_key_erased"] = report->previous_key_erased;
  if (!global.json) {
    if (report->previous_key_erased) {
      *context.out << "Every partner has the new key; the old key is erased.\n";
    } else {
      *context.out << fmt::format(
          "{} partner(s) still pin the old key and cannot exchange with this node until they "
          "have the new one. When they are reachable again, run `inbeeld key rotate --finish` "
          "(an announcement is signed afresh each time). Until then the old key stays in the "
          "store; make a new backup once it is erased.\n",
          waiting.size());
    }
  }
  if (!waiting.empty()) {
    return Fail(ErrorCode::kUnavailable,
                "not every partner has the new key yet; run `inbeeld key rotate --finish` later");
  }
  return {};
}

}  // namespace

void AddKeyCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  CLI::App* key = app.add_subcommand("key", "Manage this node's identity key.");
  key->require_subcommand(1);
  auto finish = std::make_shared<bool>(false);
  CLI::App* rotate = key->add_subcommand(
      "rotate",
      "Replace this node's identity key by a new one and announce it to every partner, signed "
      "by the old key and the new one, so partners need not compare a new fingerprint by "
      "phone. Refused while another inbeeld process (serve, a match, the console) has the node "
      "open. Partners that cannot be reached keep the old key until `inbeeld key rotate "
      "--finish` reaches them (exit code 8 while any is left). Make a new backup afterwards: "
      "an older one restores the old key.");
  AddCommonOptions(rotate, global, /*with_json=*/true);
  rotate->add_flag("--finish", *finish,
                   "Do not make a new key: announce the last one to the partners that did not "
                   "have it yet (may run while the node serves)");
  rotate->callback([&, finish] {
    runner = [&, finish]() -> Status {
      auto dir = LocateNode(global, context);
      if (!dir) return std::unexpected(dir.error());
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      nlohmann::json out;
      if (!*finish) {
        // The switch needs the node to itself: no process may go on signing
        // or presenting the old key. The announcements need not.
        INBEELD_RETURN_IF_ERROR(node->dir_lock->Upgrade(dir->root()));
        auto switched = SwitchIdentityKey(*dir, *node);
        if (!switched) return std::unexpected(switched.error());
        INBEELD_RETURN_IF_ERROR(node->dir_lock->Downgrade());
        out["old_key"] = switched->old_fingerprint;
        out["new_key"] = switched->new_fingerprint;
        out["safety_code"] = SafetyCodeFor(switched->new_fingerprint);
        if (!global.json) {
          *context.out << fmt::format(
              "This node's key is now {}\n  safety code {}\n(it was {}; the change is record {} "
              "of the audit log, signed by both keys).\nAnnouncing it to the partners:\n",
              switched->new_fingerprint, SafetyCodeFor(switched->new_fingerprint),
              switched->old_fingerprint, switched->record_index);
        }
      } else {
        out["new_key"] = node->identity.PublicKey().Fingerprint();
        if (!global.json)
          *context.out << "Announcing this node's key to the partners still to tell:\n";
      }
      Status announced = Announce(*node, global, context, out);
      if (global.json) *context.out << out.dump(2) << "\n";
      if (!global.json && out.value("previous_key_erased", false)) {
        *context.out << "Make a new backup now (`inbeeld backup`): an older backup holds the old "
                        "key, and restores it, which the partners no longer accept.\n";
      }
      return announced;
    };
  });
}

}  // namespace inbeeld::node::cli
