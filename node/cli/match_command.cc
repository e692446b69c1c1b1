// `inbeeld match PEER --purpose ID` and `inbeeld results [SESSION]`.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "node/audit/actor.h"
#include "node/audit/audit_log.h"
#include "node/audit/exchange_records.h"
#include "node/cli/commands.h"
#include "node/cli/session_output.h"
#include "node/exchange/decision.h"
#include "node/exchange/initiator.h"
#include "node/exchange/report.h"

namespace inbeeld::node::cli {

namespace {

Status WriteCsv(const std::string& path, const std::vector<exchange::ResultRow>& rows) {
  return WriteFileAtomically(path, SessionCsv(rows));
}

Status Show(const GlobalOptions& global, const Context& context, UnlockedNode& node,
            const exchange::SessionRecord& session, const std::string& csv_path,
            const std::string& xlsx_path = "") {
  std::vector<exchange::ResultRow> rows;
  if (session.status == "completed" && session.mode == schema::wire::Mode::kMatch) {
    auto loaded = exchange::LoadResultRows(*node.store, session, node.field_key);
    if (!loaded) return std::unexpected(loaded.error());
    rows = std::move(*loaded);
  }
  if (!csv_path.empty()) INBEELD_RETURN_IF_ERROR(WriteCsv(csv_path, rows));
  if (!xlsx_path.empty()) {
    // Built in memory and written once: the sheet holds the children's
    // references and never passes through a temporary file of a library.
    auto xlsx = SessionXlsx(rows);
    if (!xlsx) return std::unexpected(xlsx.error());
    INBEELD_RETURN_IF_ERROR(WriteFileAtomically(xlsx_path, *xlsx));
  }
  if (global.json) {
    WriteSessionJson(*context.out, session, rows);
  } else {
    PrintSessionText(*context.out, session, rows);
    if (!csv_path.empty())
      *context.out << "\nWrote " << rows.size() << " rows to " << csv_path << "\n";
    if (!xlsx_path.empty()) {
      *context.out << "\nWrote " << rows.size() << " rows to " << xlsx_path << "\n";
    }
  }
  return {};
}

// Refuses an output path that cannot be written, before the exchange spends
// the partner's quota and both audit logs on a result that cannot be saved.
// Probes what WriteFileAtomically does: create PATH.tmp in the folder (and
// remove it again), then rename it over PATH, which must not be a folder.
// Errors: kInvalidArgument (exit 3) naming the option and the path.
Status CheckOutputPath(std::string_view option, const std::string& path) {
  if (path.empty()) return {};
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} {}: is a folder; name a file to write", option, path));
  }
  fs::path probe = path;
  probe += ".tmp";
  const bool existed = fs::exists(probe, ec);
  {
    std::ofstream out(probe, std::ios::binary | std::ios::app);
    if (!out) {
      fs::path dir = fs::path(path).parent_path();
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{} {}: cannot write a file in folder {} (it does not exist or is "
                              "not writable); nothing was exchanged",
                              option, path, dir.empty() ? "." : dir.string()));
    }
  }
  if (!existed) fs::remove(probe, ec);
  return {};
}

// `results SESSION --confirm/--reject PAIR`: the operator's decision on a
// possible pair, recorded with who took it (exchange/decision.h).
Status Decide(const Context& context, UnlockedNode& node, const schema::wire::SessionId& id,
              const std::string& code, exchange::Decision decision) {
  auto decided = exchange::DecidePair(node, id, code, decision, audit::OsUserName());
  if (!decided) return std::unexpected(decided.error());
  *context.out << fmt::format("Pair {} {}: {}.\n", code,
                              decision == exchange::Decision::kConfirmed ? "confirmed" : "rejected",
                              decision == exchange::Decision::kConfirmed
                                  ? "from now on it counts as the same child in the overview"
                                  : "it is not counted as the same child");
  return {};
}

}  // namespace

void AddMatchCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    std::string peer, purpose, csv;
    bool count_only = false;
    unsigned threads = 0;
    int timeout = 120;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "match",
      "Compare the current list with a peer by private set intersection. Both sides learn which "
      "of their own children the other also knows (with the labels both policies allow) and "
      "nothing about the rest; --count-only: only how many.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("PEER", options->peer, "Peer name from inbeeld.toml")->required();
  cmd->add_option("--purpose", options->purpose, "Processing-activity id from the register")
      ->required();
  cmd->add_flag("--count-only", options->count_only, "Learn only the size of the overlap");
  cmd->add_option("--csv", options->csv, "Also write the matches to this CSV file (; and BOM)");
  cmd->add_option("--threads", options->threads, "Crypto threads (default: all cores)");
  cmd->add_option("--timeout", options->timeout, "Seconds to wait for each answer of the peer")
      ->capture_default_str();
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      // Before the passphrase and the peer: a path that cannot be written
      // costs nobody anything.
      INBEELD_RETURN_IF_ERROR(CheckOutputPath("--csv", options->csv));
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      exchange::MatchRequest request;
      request.peer = options->peer;
      request.purpose = options->purpose;
      request.mode = options->count_only ? schema::wire::Mode::kCount : schema::wire::Mode::kMatch;
      request.threads = options->threads;
      request.client.read_timeout = std::chrono::seconds(options->timeout);
      request.client.write_timeout = std::chrono::seconds(options->timeout);
      auto report = exchange::RunMatch(*node, request);
      if (!report) return std::unexpected(report.error());
      return Show(global, context, *node, report->session, options->csv);
    };
  });
}

void AddResultsCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  struct Options {
    std::string session, csv, xlsx, confirm, reject;
    size_t limit = 20;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "results", "List recent exchange sessions, or show one session's matches.");
  AddCommonOptions(cmd, global, /*with_json=*/true);
  cmd->add_option("SESSION", options->session, "Session id (32 hex characters)");
  cmd->add_option("--csv", options->csv, "With SESSION: write its matches to this CSV file");
  cmd->add_option("--xlsx", options->xlsx,
                  "With SESSION: write its matches to this Excel workbook (.xlsx), the same "
                  "columns as --csv");
  cmd->add_option("--limit", options->limit, "How many recent sessions")->capture_default_str();
  auto* confirm = cmd->add_option(
      "--confirm", options->confirm,
      "With SESSION: confirm the possible pair with this code (e.g. K7F-2QX) as the same child, "
      "after checking with the partner");
  auto* reject = cmd->add_option("--reject", options->reject,
                                 "With SESSION: reject the possible pair with this code");
  confirm->excludes(reject);
  cmd->callback([&, options] {
    runner = [&, options]() -> Status {
      INBEELD_RETURN_IF_ERROR(CheckOutputPath("--csv", options->csv));
      INBEELD_RETURN_IF_ERROR(CheckOutputPath("--xlsx", options->xlsx));
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      exchange::ResultsStore results(*node->store);
      if (!options->session.empty()) {
        auto id = exchange::ParseSessionId(options->session);
        if (!id) return std::unexpected(id.error());
        if (!options->confirm.empty()) {
          return Decide(context, *node, *id, options->confirm, exchange::Decision::kConfirmed);
        }
        if (!options->reject.empty()) {
          return Decide(context, *node, *id, options->reject, exchange::Decision::kRejected);
        }
        auto session = results.Get(*id);
        if (!session) return std::unexpected(session.error());
        return Show(global, context, *node, *session, options->csv, options->xlsx);
      }
      if (!options->confirm.empty() || !options->reject.empty()) {
        return Fail(ErrorCode::kInvalidArgument, "--confirm and --reject need a SESSION");
      }
      auto recent = results.Recent(options->limit);
      if (!recent) return std::unexpected(recent.error());
      if (global.json) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& s : *recent) all.push_back(SessionJson(s));
        *context.out << all.dump(2) << "\n";
        return {};
      }
      if (recent->empty()) *context.out << "No exchange sessions yet.\n";
      for (const auto& s : *recent) {
        *context.out << fmt::format(
            "{}  {}  {:<9} {:<5} {:<16} {:<24} {:<9} overlap {}\n", exchange::SessionIdHex(s.id),
            s.started_at, s.role, s.mode == schema::wire::Mode::kCount ? "count" : "match", s.peer,
            s.purpose, s.status, s.overlap ? std::to_string(*s.overlap) : "-");
      }
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
