// `inbeeld audit show|export|verify|subject`: the privacy officer's tools.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "crypto/bytes.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/export.h"
#include "node/audit/list_commitments.h"
#include "node/audit/verify.h"
#include "node/cli/commands.h"
#include "node/report/subject_access.h"
#include "schema/identifier.h"
#include "schema/person.h"
#include "schema/row_subject.h"

namespace inbeeld::node::cli {
namespace {

// A subject access request for a child without a PGN: `key=value` lines
// (Dutch or English keys, as the import's headers) read from a file or
// standard input, so no name appears in the process list. Messages name the
// line and the key, never a value.
Result<schema::ListRow> ReadPersonRequest(const std::string& source) {
  std::string text;
  if (source == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(source, ec)) {
      return Fail(ErrorCode::kNotFound, "--person: " + source + ": no such file");
    }
    if (std::filesystem::file_size(source, ec) > 64 * 1024) {
      return Fail(ErrorCode::kInvalidArgument, "--person: " + source + ": larger than 64 KiB");
    }
    std::ifstream in(source, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto row = report::ParsePersonRequest(text, "--person");
  std::fill(text.begin(), text.end(), '\0');
  return row;
}

std::string When(int64_t ms) {
  auto tp = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", std::chrono::floor<std::chrono::seconds>(tp));
}

std::string Attr(const schema::AuditRecord& r, const std::string& key) {
  auto it = r.attributes.find(key);
  return it == r.attributes.end() ? "" : it->second;
}

std::string Purpose(const schema::AuditRecord& r) {
  std::string activity = Attr(r, std::string(schema::kAttrProcessingActivity));
  constexpr std::string_view kPrefix = "urn:inbeeld:activity:";
  return activity.starts_with(kPrefix) ? activity.substr(kPrefix.size()) : activity;
}

nlohmann::json RecordJson(const audit::StoredRecord& r) { return nlohmann::json::parse(r.line); }

void PrintRecord(std::ostream& out, const schema::AuditRecord& r) {
  std::string what = r.name;
  std::string outcome = Attr(r, "inbeeld.outcome");
  if (outcome.empty()) outcome = r.status == schema::AuditStatus::kOk ? "ok" : "error";
  std::string detail;
  if (r.name.starts_with("inbeeld.exchange.")) {
    detail = fmt::format(
        "{} {} \"{}\" purpose {}; sent {}, received {}, matched {}",
        Attr(r, "inbeeld.role") == "initiator" ? "with" : "from",
        Attr(r, "inbeeld.role") == "initiator" ? "peer" : "peer", Attr(r, "inbeeld.peer"),
        Purpose(r), Attr(r, "inbeeld.count.sent").empty() ? "-" : Attr(r, "inbeeld.count.sent"),
        Attr(r, "inbeeld.count.received").empty() ? "-" : Attr(r, "inbeeld.count.received"),
        Attr(r, "inbeeld.count.matched").empty() ? "-" : Attr(r, "inbeeld.count.matched"));
  } else {
    for (const auto& [k, v] : r.attributes) {
      if (k == "inbeeld.seq" || k == "inbeeld.reason") continue;
      detail += (detail.empty() ? "" : ", ") + k.substr(k.rfind('.') + 1) + "=" + v;
    }
  }
  out << fmt::format("{}  #{:<6} {:<24} {:<9} {}\n", When(r.start_time_ms), Attr(r, "inbeeld.seq"),
                     what, outcome, detail);
  if (!Attr(r, "inbeeld.reason").empty())
    out << "      reason: " << Attr(r, "inbeeld.reason") << "\n";
}

int64_t MsOf(schema::Date d) { return schema::DaysSinceEpoch(d) * 86'400'000; }

nlohmann::json ListJson(const report::SubjectListHolding& on) {
  nlohmann::json proof = nlohmann::json::array();
  for (const auto& h : on.membership.proof) proof.push_back(audit::Base64(h));
  return {{"version", on.list.list_version},
          {"root", crypto::HexEncode(on.list.root)},
          {"size", on.list.size},
          {"committed_in_record", on.list.record_index},
          {"subject", on.pseudonym},
          {"index", on.membership.index},
          {"inclusion_proof", proof}};
}

}  // namespace

void AddAuditCommand(CLI::App& app, GlobalOptions& global, Context& context, Runner& runner) {
  CLI::App* audit = app.add_subcommand(
      "audit", "The tamper-evident exchange log: show, export, verify offline, subject requests.");
  audit->require_subcommand(1);

  struct ShowOptions {
    std::string since, peer, purpose;
  };
  auto show_options = std::make_shared<ShowOptions>();
  CLI::App* show = audit->add_subcommand(
      "show",
      "List exchanges (initiated, served, refused, failed), imports and configuration "
      "and key events, oldest first.");
  AddCommonOptions(show, global, /*with_json=*/true);
  show->add_option("--since", show_options->since,
                   "Only from this date (dd-mm-jjjj or jjjj-mm-dd)");
  show->add_option("--peer", show_options->peer, "Only exchanges with this peer");
  show->add_option("--purpose", show_options->purpose, "Only under this processing activity");
  show->callback([&, show_options] {
    runner = [&, show_options]() -> Status {
      audit::RecordFilter filter;
      if (!show_options->since.empty()) {
        auto date = schema::ParseDate(show_options->since);
        if (!date) return std::unexpected(WithContext(date.error(), "--since"));
        filter.since_ms = MsOf(*date);
      }
      filter.peer = show_options->peer;
      filter.purpose = show_options->purpose;
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      audit::AuditLog log(*node->store, node->identity);
      auto records = log.Records(filter);
      if (!records) return std::unexpected(records.error());
      if (global.json) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& r : *records) all.push_back(RecordJson(r));
        *context.out << all.dump(2) << "\n";
        return {};
      }
      auto size = log.tree().Size();
      auto latest = log.Latest();
      *context.out << fmt::format("Audit log of {}: {} records in all", node->config.node_name,
                                  size ? *size : 0);
      if (latest && *latest)
        *context.out << fmt::format(", last signed checkpoint at {}", (*latest)->size);
      *context.out << "\n";
      if (records->empty()) *context.out << "No matching records.\n";
      for (const auto& r : *records) PrintRecord(*context.out, r.record);
      return {};
    };
  });

  auto export_dir = std::make_shared<std::string>();
  CLI::App* exp = audit->add_subcommand(
      "export",
      "Write the log, signed checkpoints, cosignatures and keys to a directory that "
      "`inbeeld audit verify` checks offline.");
  AddCommonOptions(exp, global, /*with_json=*/true);
  exp->add_option("--out", *export_dir, "Directory to create (must be new or empty)")->required();
  exp->callback([&, export_dir] {
    runner = [&, export_dir]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      audit::AuditLog log(*node->store, node->identity);
      auto summary = audit::ExportAudit(log, node->config, node->identity.PublicKey(), *export_dir);
      if (!summary) return std::unexpected(summary.error());
      if (global.json) {
        // --out is the operator's own path, bytes that need not be UTF-8:
        // printed with U+FFFD where they are not (nlohmann-json would throw).
        *context.out << nlohmann::json{{"dir", *export_dir},
                                       {"records", summary->records},
                                       {"checkpoints", summary->checkpoints},
                                       {"cosignatures", summary->cosignatures},
                                       {"lists", summary->lists}}
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                     << "\n";
      } else {
        *context.out << fmt::format(
            "Exported {} records, {} checkpoints, {} cosignatures and {} committed list{} to {}\n",
            summary->records, summary->checkpoints, summary->cosignatures, summary->lists,
            summary->lists == 1 ? "" : "s", *export_dir);
      }
      return {};
    };
  });

  struct VerifyCommandOptions {
    std::string dir;
    std::string expect_key;
    std::vector<std::string> expect_witnesses;
    std::vector<std::string> witnessed;
  };
  auto verify_options = std::make_shared<VerifyCommandOptions>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Check an export offline: every record, signature, cosignature, inclusion and "
      "consistency. Exit code 0 only when all holds. Needs no node or passphrase.");
  verify->add_flag("--json", global.json, "Print machine-readable JSON");
  verify->add_option("DIR", verify_options->dir, "The export directory")->required();
  verify->add_option("--expect-key", verify_options->expect_key,
                     "The node's key fingerprint as you know it (its `inbeeld whoami`, read out "
                     "by phone or on paper); without it the key is taken from the export itself");
  verify->add_option("--expect-witness", verify_options->expect_witnesses,
                     "NAME=FINGERPRINT of a peer that witnesses the node (repeatable): its "
                     "cosignatures are checked against this key, not keys.json's");
  verify->add_option("--witnessed-checkpoint", verify_options->witnessed,
                     "A checkpoint of this node's log that a peer witnessed (`inbeeld audit "
                     "witnessed NODE` on the peer; repeatable): the export must reach it, which "
                     "shows it was not cut back");
  verify->callback([&, verify_options] {
    runner = [&, verify_options]() -> Status {
      audit::VerifyOptions options;
      if (!verify_options->expect_key.empty()) {
        auto key = crypto::VerifyingKey::FromFingerprint(verify_options->expect_key);
        if (!key) return std::unexpected(WithContext(key.error(), "--expect-key"));
        options.node_key = *key;
      }
      for (const auto& pin : verify_options->expect_witnesses) {
        const size_t eq = pin.find('=');
        auto key = eq == std::string::npos
                       ? Result<crypto::VerifyingKey>(std::unexpected(
                             Error{ErrorCode::kInvalidArgument, "expected NAME=FINGERPRINT"}))
                       : crypto::VerifyingKey::FromFingerprint(pin.substr(eq + 1));
        if (!key || eq == 0) {
          return Fail(ErrorCode::kInvalidArgument,
                      "--expect-witness: expected NAME=FINGERPRINT (ed25519:<64 hex>)");
        }
        options.witnesses.insert_or_assign(pin.substr(0, eq), *key);
      }
      for (const auto& file : verify_options->witnessed)
        options.witnessed_checkpoints.push_back(file);
      audit::VerifyReport report = audit::VerifyExport(verify_options->dir, options);
      const bool keys_from_export = !options.node_key.has_value();
      if (global.json) {
        auto key_json = [](const audit::CheckedKey& k) {
          return nlohmann::json{{"name", k.name},
                                {"key", k.fingerprint},
                                {"source", k.pinned ? "expected" : "export"}};
        };
        nlohmann::json witness_keys = nlohmann::json::array();
        for (const auto& k : report.witness_keys) witness_keys.push_back(key_json(k));
        *context.out << nlohmann::json{{"ok", report.ok()},
                                       {"records", report.records},
                                       {"redacted", report.redacted},
                                       {"checkpoints", report.checkpoints},
                                       {"latest_checkpoint", report.latest_size},
                                       {"cosignatures", report.cosignatures},
                                       {"cosignature_records", report.cosignature_records},
                                       {"lists", report.lists},
                                       {"witnesses", report.witnesses},
                                       {"node_key", report.node_key ? key_json(*report.node_key)
                                                                    : nlohmann::json()},
                                       {"witness_keys", witness_keys},
                                       {"keys_from_export", keys_from_export},
                                       {"witnessed_checkpoints", report.witnessed},
                                       {"restores", report.restores},
                                       {"key_changes", report.key_changes},
                                       {"current_node_key", report.followed_to},
                                       {"problems", report.problems}}
                            .dump(2)
                     << "\n";
      } else {
        if (report.ok()) {
          std::string names;
          for (const auto& w : report.witnesses) names += (names.empty() ? "" : ", ") + w;
          *context.out << fmt::format(
              "OK: {} records{}, {} signed checkpoints (latest {}), {} cosignatures{}, {} "
              "committed "
              "list{}; every record is included and every checkpoint is consistent.\n",
              report.records,
              report.redacted
                  ? fmt::format(" (the oldest {} redacted by retention)", report.redacted)
                  : "",
              report.checkpoints, report.latest_size, report.cosignatures,
              names.empty() ? " (no witness yet)" : " by " + names, report.lists,
              report.lists == 1 ? "" : "s");
        } else {
          for (const auto& p : report.problems) *context.err << "FAIL: " << p << "\n";
        }
        for (const auto& r : report.restores) {
          *context.out << "Restore:   " << r
                       << "; what the log held after that backup is lost (a partner that had "
                          "seen it records whether it accepted the loss)\n";
        }
        for (const auto& k : report.key_changes) {
          *context.out << "Key change: " << k << "\n";
        }
        // Which keys all of this rests on, every time.
        if (report.node_key) {
          *context.out << fmt::format(
              "Node key:  {}  {} ({}); safety code {}\n", report.node_key->fingerprint,
              report.node_key->name,
              report.node_key->pinned ? "as expected, --expect-key" : "taken from the export",
              SafetyCodeFor(report.node_key->fingerprint));
        }
        if (!report.followed_to.empty()) {
          *context.out << fmt::format(
              "Now:       {}  (the node's current key, followed from the pinned one through the "
              "key change above: confirm it with the node's operator, `inbeeld whoami`); safety "
              "code {}\n",
              report.followed_to, SafetyCodeFor(report.followed_to));
        }
        for (const auto& k : report.witness_keys) {
          *context.out << fmt::format(
              "Witness:   {}  {} ({}); safety code {}\n", k.fingerprint, k.name,
              k.pinned ? "as expected, --expect-witness" : "taken from the export",
              SafetyCodeFor(k.fingerprint));
        }
        if (keys_from_export) {
          *context.out
              << "WARNING: the keys were taken from the export itself (keys.json), so this shows "
                 "the export is consistent, not that this node made it: anyone can re-sign an "
                 "edited log with a key of their own. Compare the node key above with the node's "
                 "`inbeeld whoami` (and each witness's), or verify again with --expect-key and "
                 "--expect-witness.\n";
        }
        for (const auto& w : report.witnessed) {
          *context.out << "Reaches the checkpoint a peer witnessed: " << w << "\n";
        }
        if (report.witnessed.empty() && report.ok()) {
          *context.out << fmt::format(
              "Not compared with a peer's witnessed checkpoint: this shows the log up to {} "
              "records, not that it stopped there (see --witnessed-checkpoint).\n",
              report.latest_size);
        }
      }
      if (!report.ok()) {
        return Fail(ErrorCode::kDataLoss,
                    fmt::format("the export does not verify ({} problem{})", report.problems.size(),
                                report.problems.size() == 1 ? "" : "s"));
      }
      return {};
    };
  });

  auto witnessed_peer = std::make_shared<std::string>();
  CLI::App* witnessed = audit->add_subcommand(
      "witnessed",
      "Print the latest checkpoint this node witnessed of a peer's audit log (a signed note), "
      "for that peer's privacy officer: `inbeeld audit verify --witnessed-checkpoint FILE` "
      "shows whether the peer's export reaches it.");
  AddCommonOptions(witnessed, global, /*with_json=*/true);
  witnessed->add_option("PEER", *witnessed_peer, "The peer's name in the configuration")
      ->required();
  witnessed->callback([&, witnessed_peer] {
    runner = [&, witnessed_peer]() -> Status {
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      const config::PeerConfig* peer = node->config.FindPeer(*witnessed_peer);
      if (peer == nullptr) {
        return Fail(ErrorCode::kNotFound,
                    fmt::format("no peer named \"{}\" in the configuration", *witnessed_peer));
      }
      auto key = crypto::VerifyingKey::FromFingerprint(peer->key);
      if (!key) return std::unexpected(WithContext(key.error(), "peer " + peer->name + " key"));
      audit::AuditLog log(*node->store, node->identity);
      auto seen = log.LastWitnessed(key->Fingerprint());
      if (!seen) return std::unexpected(seen.error());
      if (!*seen) {
        return Fail(ErrorCode::kNotFound,
                    fmt::format("this node has not witnessed \"{}\" yet", *witnessed_peer));
      }
      if (global.json) {
        *context.out << nlohmann::json{{"peer", peer->name},
                                       {"key", key->Fingerprint()},
                                       {"size", (*seen)->size},
                                       {"checkpoint", (*seen)->note}}
                            .dump(2)
                     << "\n";
      } else {
        *context.out << (*seen)->note;
      }
      return {};
    };
  });

  struct SubjectOptions {
    std::string identifier;
    std::string person;
  };
  auto subject_options = std::make_shared<SubjectOptions>();
  CLI::App* subject = audit->add_subcommand(
      "subject",
      "For an access request: the exchanges a child took part in, found through its pseudonym. "
      "Give the BSN or onderwijsnummer, or `-` to read it from standard input (keeps it out of "
      "the process list). For a child without one (an SWV's list, a newcomer): --person FILE or "
      "--person - with lines `achternaam=…`, `tussenvoegsel=…`, `voornamen=…`, `roepnaam=…`, "
      "`geboortedatum=dd-mm-jjjj` (and, as far as the list has them, `voorletters=…`, "
      "`geslacht=M|V|X`, and for a child with a partly known birth date or no first name "
      "`referentie=…`), as the child is on this node's list.");
  AddCommonOptions(subject, global, /*with_json=*/true);
  auto* identifier_option = subject->add_option("IDENTIFIER", subject_options->identifier,
                                                "BSN or onderwijsnummer, or -");
  auto* person_option = subject->add_option(
      "--person", subject_options->person,
      "File (or - for standard input) with the child's name parts and birth date");
  identifier_option->excludes(person_option);
  subject->callback([&, subject_options] {
    runner = [&, subject_options]() -> Status {
      if (subject_options->identifier.empty() == subject_options->person.empty()) {
        return Fail(ErrorCode::kInvalidArgument,
                    "give either IDENTIFIER (a BSN or onderwijsnummer) or --person");
      }
      report::SubjectQuery query;
      if (!subject_options->identifier.empty()) {
        std::string text = subject_options->identifier;
        if (text == "-") std::getline(std::cin, text);
        auto parsed = schema::Identifier::Parse(text);
        std::fill(text.begin(), text.end(), '\0');
        if (!parsed) return std::unexpected(WithContext(parsed.error(), "IDENTIFIER"));
        query.pgn = *parsed;
      } else {
        auto read = ReadPersonRequest(subject_options->person);
        if (!read) return std::unexpected(read.error());
        query.person = std::move(*read);
      }
      auto node = OpenNode(global, context);
      if (!node) return std::unexpected(node.error());
      auto answer = report::FindSubjectAccess(*node, query);
      if (!answer) return std::unexpected(answer.error());
      nlohmann::json all = nlohmann::json::array();
      if (!global.json) {
        const size_t exchanges = answer->exchange_count();
        *context.out << fmt::format("The child took part in {} exchange{} recorded by {}.\n",
                                    exchanges, exchanges == 1 ? "" : "s", node->config.node_name);
      }
      for (const auto& entry : answer->exchanges) {
        const schema::AuditRecord& r = entry.record;
        // An operator's decision on a possible pair of this child.
        if (entry.decision_record) {
          const std::string decision =
              r.name == "inbeeld.pair.confirmed" ? "confirmed" : "rejected";
          if (global.json) {
            all.push_back({{"when", When(r.start_time_ms)},
                           {"decision", decision},
                           {"session", Attr(r, "inbeeld.session")},
                           {"pair_code", Attr(r, "inbeeld.pair_code")},
                           {"peer", Attr(r, "inbeeld.peer")},
                           {"by", Attr(r, "inbeeld.actor")},
                           {"record", entry.record_index}});
          } else {
            *context.out << fmt::format("  {}  possible pair {} with peer \"{}\" {} by {}\n",
                                        When(r.start_time_ms), Attr(r, "inbeeld.pair_code"),
                                        Attr(r, "inbeeld.peer"), decision,
                                        Attr(r, "inbeeld.actor"));
          }
          continue;
        }
        if (global.json) {
          nlohmann::json session = {{"when", When(r.start_time_ms)},
                                    {"session", r.trace_id},
                                    {"peer", Attr(r, "inbeeld.peer")},
                                    {"role", Attr(r, "inbeeld.role")},
                                    {"mode", Attr(r, "inbeeld.mode")},
                                    {"purpose", Purpose(r)},
                                    {"legal_basis", Attr(r, "inbeeld.legal_basis")},
                                    {"outcome", Attr(r, "inbeeld.outcome")},
                                    {"peer_also_knows_child", entry.matched},
                                    {"record", entry.record_index}};
          auto list = answer->lists.find(Attr(r, "inbeeld.list_root"));
          if (list != answer->lists.end()) session["list"] = ListJson(list->second);
          all.push_back(std::move(session));
        } else {
          *context.out << fmt::format(
              "  {}  {} peer \"{}\" ({} mode), purpose {}: {}; the peer also knew the child: {}\n",
              When(r.start_time_ms), Attr(r, "inbeeld.role") == "initiator" ? "asked" : "answered",
              Attr(r, "inbeeld.peer"), Attr(r, "inbeeld.mode"), Purpose(r),
              Attr(r, "inbeeld.outcome"), entry.matched);
        }
      }
      if (!global.json) {
        for (const auto& [root, on] : answer->lists) {
          *context.out << fmt::format(
              "On list version {} (record #{}, {} children, root {}) as child {} of {}; "
              "`--json` gives the inclusion proof, lists/{}.txt in an export the list.\n",
              on.list.list_version, on.list.record_index, on.list.size, root,
              on.membership.index + 1, on.list.size, root);
        }
      }
      if (global.json) *context.out << all.dump(2) << "\n";
      return {};
    };
  });
}

}  // namespace inbeeld::node::cli
