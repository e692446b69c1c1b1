// `inbeeld sync` and `inbeeld overview`: reconcile with every partner, and the
// per-child view of what the partners know and what changed.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/cli/commands.h"
#include "node/sync/overview.h"
#include "node/sync/sync.h"

namespace inbeeld::node::cli {
namespace {

nlohmann::json SyncJson(const sync::SyncReport& r) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : r.peers) {
    nlohmann::json j = {{"peer", p.peer}, {"status", p.status}, {"mode", p.mode}};
    if (p.session) {
      j["session"] = exchange::SessionIdHex(p.session->id);
      if (p.session->overlap) j["overlap"] = *p.session->overlap;
      if (p.session->own_counts) j["possible_only"] = p.session->own_counts->possible;
      if (p.session->peer_list_size) j["peer_list_size"] = *p.session->peer_list_size;
    }
    if (p.code) j["error"] = ErrorCodeName(*p.code);
    if (!p.message.empty()) j["message"] = p.message;
    peers.push_back(std::move(j));
  }
  return {{"run", r.run_id},
          {"purpose", r.purpose},
          {"list_version", r.list_version},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"peers", peers},
          {"failures", r.failures()}};
}

void PrintSync(std::ostream& out, const sync::SyncReport& r) {
  out << fmt::format("Sync run {} — purpose \"{}\", list version {}\n", r.run_id, r.purpose,
                     r.list_version);
  for (const auto& p : r.peers) {
    if (p.status == "completed" && p.session) {
      const uint32_t possible = p.session->own_counts ? p.session->own_counts->possible : 0;
      out << fmt::format(
          "  {:<24} completed  {} in common ({} mode){}\n", p.peer, p.session->overlap.value_or(0),
          p.mode, possible == 0 ? "" : fmt::format(", {} more possibly (to confirm)", possible));
    } else {
      out << fmt::format("  {:<24} {:<10} {}\n", p.peer, p.status, p.message);
    }
  }
}

void PrintOverview(std::ostream& out, const sync::Overview& o) {
  auto j = sync::OverviewJson(o);
  const auto& t = j["totals"];
  out << fmt::format("Overview of list version {} ({}), {} children; partners with results: {}\n",
                     o.version.id, schema::FormatDutch(o.version.list_date), o.children.size(),
                     o.partners.empty() ? "none" : fmt::format("{}", fmt::join(o.partners, ", ")));
  out << fmt::format(
      "  unknown to every partner: {} (new on the list: {})\n  newly matched: {}, no longer "
      "matched: {}\n  past three months without a plan: {}\n  label disagreements: {}\n\n",
      t["unknown_to_all"].get<size_t>(), t["new_and_unknown_to_all"].get<size_t>(),
      t["newly_matched"].get<size_t>(), t["no_longer_matched"].get<size_t>(),
      t["past_three_months_without_plan"].get<size_t>(), t["label_disagreement"].get<size_t>());
  for (const auto& c : o.children) {
    std::vector<std::string> peers;
    for (const auto& p : c.partners)
      peers.push_back(fmt::format("{} (since {})", p.peer, p.known_since.substr(0, 10)));
    std::string signals;
    auto add = [&](const std::string& s) { signals += (signals.empty() ? "" : ", ") + s; };
    if (c.new_on_list && c.unknown_to_all) add("new, unknown to every partner");
    if (!c.newly_matched.empty())
      add(fmt::format("newly matched: {}", fmt::join(c.newly_matched, " ")));
    if (!c.no_longer_matched.empty())
      add(fmt::format("no longer matched: {}", fmt::join(c.no_longer_matched, " ")));
    if (c.past_three_months) add("3 months without plan");
    if (c.disagreement) add("labels differ");
    out << fmt::format("  {:<14} {:<22} {}  known by: {}{}\n", c.own_reference,
                       schema::CategoryLabel(c.category), schema::FormatDutch(c.since),
                       peers.empty() ? "nobody" : fmt::format("{}", fmt::join(peers, ", ")),
                       signals.empty() ? "" : "  [" + signals + "]");
  }
}

}  // namespace

void AddSyncCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    std::string purpose;
    unsigned threads = 0;
    int timeout = 120;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "sync",
      "Reconcile the current list with every configured peer whose policy allows the sync purpose "
      "([sync] purpose in inbeeld.toml, or --purpose). A peer that is down or refuses does not "
      "stop the others; exit code 8 if any peer failed, 5 if any refused.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("--purpose", options->purpose,
                  "Processing-activity id (default: [sync] purpose)");
  cmd->add_option("--threads", options->threads, "Crypto threads (default: all cores)");
  cmd->add_option("--timeout", options->timeout, "Seconds to wait for each answer of a peer")
      ->capture_default_str();
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      sync::SyncOptions sync;
      sync.purpose = options->purpose;
      sync.threads = options->threads;
      sync.client.read_timeout = std::chrono::seconds(options->timeout);
      sync.client.write_timeout = std::chrono::seconds(options->timeout);
      auto report = sync::RunSync(*node, sync);
      if (!report) return std::unexpected(report.error());
      if (global.json) {
        *context.out << SyncJson(*report).dump(2) << "\n";
      } else {
        PrintSync(*context.out, *report);
      }
      *context.out << std::flush;
      size_t failed = 0, refused = 0;
      for (const auto& p : report->peers) {
        failed += p.status == "failed";
        refused += p.status == "refused";
      }
      if (failed > 0) {
        return Fail(ErrorCode::kUnavailable, fmt::format("{} of {} peers could not be synced",
                                                         failed + refused, report->peers.size()));
      }
      if (refused > 0) {
        return Fail(ErrorCode::kPermissionDenied,
                    fmt::format("{} of {} peers refused", refused, report->peers.size()));
      }
      return {};
    };
  });
}

void AddOverviewCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  auto csv = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "overview",
      "Per child on the current list: which partners also know the child and since when, what "
      "changed since the previous sync, and who is past three months without a plan.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("--csv", *csv, "Also write the overview to this CSV file (; and BOM, for Excel)");
  cmd->callback([&, csv] {
    runner = [&, csv]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto overview = sync::BuildOverview(*node->store, node->field_key);
      if (!overview) return std::unexpected(overview.error());
      if (!csv->empty()) {
        INBEELD_RETURN_IF_ERROR(WriteFileAtomically(*csv, sync::OverviewCsv(*overview)));
      }
      if (global.json) {
        *context.out << sync::OverviewJson(*overview).dump(2) << "\n";
      } else {
        PrintOverview(*context.out, *overview);
        if (!csv->empty())
          *context.out << "\nWrote " << overview->children.size() << " rows to " << *csv << "\n";
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
