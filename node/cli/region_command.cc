// `inbeeld region count PEER PEER... --purpose ID` and `inbeeld region show`.
#include <fmt/format.h>

#include <ostream>

#include "node/cli/commands.h"
#include "node/region/regional.h"

namespace inbeeld::node::cli {
namespace {

void PrintCounts(std::ostream& out, const region::RegionalCounts& c) {
  auto j = region::RegionalJson(c);
  out << fmt::format("Regional count {} across {} nodes\n", c.session, c.participants.size());
  out << fmt::format("  distinct children in the region: {}\n",
                     j["distinct_children"].get<std::string>());
  out << fmt::format("  known to a single partner only:  {}\n",
                     j["on_one_list_only"].get<std::string>());
  out << fmt::format(
      "  possibly the same as another (matched on a weak key only, not merged): {}\n",
      j["possibly_the_same_as_another"].get<std::string>());
  out << "  by category:\n";
  static constexpr schema::Category kCategories[] = {
      schema::Category::kRelatiefVerzuim, schema::Category::kAbsoluutVerzuim,
      schema::Category::kVrijstelling5a, schema::Category::kDreigend};
  for (schema::Category category : kCategories) {
    out << fmt::format(
        "    {:<28} {:>8}\n", schema::CategoryLabel(category),
        j["by_category"][std::string(schema::CategoryName(category))].get<std::string>());
  }
  for (const auto& p : j["partners"]) {
    out << fmt::format("  {:<28} {:>8} children  {} of the region\n", p["node"].get<std::string>(),
                       p["children"].get<std::string>(), p["share"].get<std::string>());
  }
}

}  // namespace

void AddRegionCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    std::vector<std::string> peers;
    std::string purpose;
    int timeout = 120;
  };
  auto options = std::make_shared<Options>();
  CLI::App* region = app.add_subcommand(
      "region", "Regional coverage across three or more nodes without a central list.");
  region->require_subcommand(1);
  CLI::App* count = region->add_subcommand(
      "count",
      "Count the region's distinct children, those known to one partner only, and each partner's "
      "share, by a multi-party protocol: no node sees another's list or any per-child overlap. "
      "This node coordinates; the peers must be serving.");
  AddCommonOptions(count, global, /*with_json=*/true);
  count->add_option("PEERS", options->peers, "Two or more peer names")->required();
  count->add_option("--purpose", options->purpose,
                    "Processing-activity id (default: [sync] purpose)");
  count->add_option("--timeout", options->timeout, "Seconds to wait for each answer of a peer")
      ->capture_default_str();
  count->callback([&, options] {
    runner = [&, options]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      region::RegionRequest request;
      request.peers = options->peers;
      request.purpose = options->purpose.empty() ? node->config.sync.purpose : options->purpose;
      if (request.purpose.empty()) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "no purpose: set [sync] purpose in inbeeld.toml or pass --purpose");
      }
      request.client.read_timeout = std::chrono::seconds(options->timeout);
      request.client.write_timeout = std::chrono::seconds(options->timeout);
      auto counts = region::RunRegionalCount(*node, request);
      if (!counts) return std::unexpected(counts.error());
      if (global.json) {
        *context.out << region::RegionalJson(*counts).dump(2) << "\n";
      } else {
        PrintCounts(*context.out, *counts);
      }
      return {};
    };
  });
  CLI::App* show = region->add_subcommand(
      "show",
      "Show the latest regional count this node took part in (coordinator or participant).");
  AddCommonOptions(show, global, /*with_json=*/true);
  show->callback([&] {
    runner = [&]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto latest = region::LatestRegionalCount(*node->store);
      if (!latest) return std::unexpected(latest.error());
      if (!*latest) return Fail(ErrorCode::kNotFound, "no completed regional count yet");
      if (global.json) {
        *context.out << region::RegionalJson(**latest).dump(2) << "\n";
      } else {
        PrintCounts(*context.out, **latest);
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
