// `inbeeld list`: the current list version at a glance.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "node/cli/commands.h"
#include "node/clock/timestamp.h"
#include "node/store/list_summary.h"

namespace inbeeld::node::cli {
namespace {

constexpr schema::Category kCategories[] = {
    schema::Category::kRelatiefVerzuim, schema::Category::kAbsoluutVerzuim,
    schema::Category::kVrijstelling5a, schema::Category::kDreigend};

}  // namespace

void AddListCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    bool rows = false;
    bool names = false;
    int64_t version = 0;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "list",
      "Show the current list: counts by category, weeks since, and the children past the "
      "pact's three-month mark without a plan.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_flag("--rows", options->rows, "Also print every row (own reference and labels)");
  cmd->add_flag("--with-names", options->names,
                "With --rows: show name, birth date and sex (for the operator's own screen)");
  cmd->add_option("--version", options->version, "Show this list version instead of the newest");
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto versions = node->store->Versions();
      if (!versions) return std::unexpected(versions.error());
      if (versions->empty()) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "no list imported yet: run `inbeeld import FILE`");
      }
      const ListVersion* version = &versions->back();
      if (options->version != 0) {
        version = nullptr;
        for (const auto& v : *versions) {
          if (v.id == options->version) version = &v;
        }
        if (version == nullptr) {
          return Fail(ErrorCode::kNotFound, fmt::format("no list version {}", options->version));
        }
      }
      auto stored = node->store->LoadRows(
          version->id, options->names ? Unseal::kEverything : Unseal::kLabelsOnly, node->field_key);
      if (!stored) return std::unexpected(stored.error());
      std::vector<StoredRow>& rows = *stored;
      std::sort(rows.begin(), rows.end(),
                [](const auto& a, const auto& b) { return a.own_reference < b.own_reference; });
      const schema::Date today = TodayUtc(node->clock());
      ListSummary summary = Summarise(rows, today);

      if (global.json) {
        nlohmann::json j;
        j["version"] = {{"id", version->id},
                        {"list_date", schema::FormatIso(version->list_date)},
                        {"imported_at", version->imported_at},
                        {"source", version->source}};
        j["today"] = schema::FormatIso(today);
        j["total"] = summary.total;
        j["with_plan"] = summary.with_plan;
        j["without_pgn"] = summary.without_pgn;
        for (auto c : kCategories) {
          j["by_category"][std::string(schema::CategoryName(c))] =
              summary.by_category[static_cast<size_t>(c)];
        }
        for (size_t b = 0; b < summary.by_weeks.size(); ++b) {
          j["by_weeks"].push_back({{"bucket", WeekBucketLabel(b)}, {"count", summary.by_weeks[b]}});
        }
        j["overdue_without_plan"] = nlohmann::json::array();
        for (const auto& o : summary.overdue_without_plan) {
          j["overdue_without_plan"].push_back({{"own_reference", o.own_reference},
                                               {"category", schema::CategoryName(o.category)},
                                               {"since", schema::FormatIso(o.since)},
                                               {"weeks", o.weeks}});
        }
        if (options->rows) {
          j["rows"] = nlohmann::json::array();
          for (const auto& r : rows) {
            nlohmann::json row = {{"own_reference", r.own_reference},
                                  {"category", schema::CategoryName(r.category)},
                                  {"since", schema::FormatIso(r.since)},
                                  {"weeks", WeeksSince(r.since, today)},
                                  {"school", r.school_brin},
                                  {"plan_in_place", r.plan_in_place}};
            row["has_pgn"] = r.has_pgn;
            if (options->names) {
              nlohmann::json name = nlohmann::json::object();
              for (auto [key, part] :
                   {std::pair{"first_names", &r.name.first_names},
                    std::pair{"roepnaam", &r.name.roepnaam},
                    std::pair{"initials", &r.name.initials}, std::pair{"prefix", &r.name.prefix},
                    std::pair{"surname", &r.name.surname},
                    std::pair{"full_name", &r.name.full_name}}) {
                if (*part) name[key] = **part;
              }
              if (!name.empty()) row["name"] = std::move(name);
              if (r.birth_date) row["birth_date"] = schema::FormatPartialIso(*r.birth_date);
              if (r.sex) row["sex"] = schema::SexCode(*r.sex);
            }
            j["rows"].push_back(std::move(row));
          }
        }
        *context.out << j.dump(2) << "\n";
        return {};
      }

      std::ostream& out = *context.out;
      out << fmt::format("List version {} — list date {}, imported {} from {}\n", version->id,
                         schema::FormatDutch(version->list_date), version->imported_at,
                         version->source);
      out << fmt::format("{} children, {} with a plan or offer in place", summary.total,
                         summary.with_plan);
      if (summary.without_pgn > 0) {
        out << fmt::format(", {} without a BSN/onderwijsnummer", summary.without_pgn);
      }
      out << "\n\n";
      out << "By category\n";
      for (auto c : kCategories) {
        out << fmt::format("  {:<24}{:>8}\n", schema::CategoryLabel(c),
                           summary.by_category[static_cast<size_t>(c)]);
      }
      out << "\nWeeks since (as of " << schema::FormatDutch(today) << ")\n";
      for (size_t b = 0; b < summary.by_weeks.size(); ++b) {
        out << fmt::format("  {:<24}{:>8}\n", WeekBucketLabel(b), summary.by_weeks[b]);
      }
      out << fmt::format("\nPast the three-month mark without a plan: {}\n",
                         summary.overdue_without_plan.size());
      if (!summary.overdue_without_plan.empty()) {
        out << fmt::format("  {:<16} {:<24} {:<11} {:>5}\n", "reference", "category", "since",
                           "weeks");
        for (const auto& o : summary.overdue_without_plan) {
          out << fmt::format("  {:<16} {:<24} {:<11} {:>5}\n", o.own_reference,
                             schema::CategoryLabel(o.category), schema::FormatDutch(o.since),
                             o.weeks);
        }
      }
      if (options->rows) {
        out << fmt::format("\n  {:<16} {:<24} {:<11} {:>5} {:<7} {:<4}{}\n", "reference",
                           "category", "since", "weeks", "school", "plan",
                           options->names ? "  name (birth date, sex)" : "");
        for (const auto& r : rows) {
          std::string personal;
          if (options->names) {
            personal = "  " + DisplayName(r.name);
            std::vector<std::string> details;
            if (r.birth_date) details.push_back(schema::FormatPartialDutch(*r.birth_date));
            if (r.sex) details.emplace_back(schema::SexCode(*r.sex));
            if (!details.empty()) personal += fmt::format(" ({})", fmt::join(details, ", "));
          }
          out << fmt::format("  {:<16} {:<24} {:<11} {:>5} {:<7} {:<4}{}\n", r.own_reference,
                             schema::CategoryLabel(r.category), schema::FormatDutch(r.since),
                             WeeksSince(r.since, today), r.school_brin,
                             r.plan_in_place ? "ja" : "nee", personal);
        }
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
