// node/report/logbook.h — the privacy officer's logboek: with whom did this
// node share what, in a date range, on which legal basis; and what people did.
//
// Read from the audit log only (AuditLog::RecordsBetween), for the records
// that started in [from 00:00 UTC, to + 1 day 00:00 UTC):
//
//   - exchanges: one entry per closing record of a session — the parent
//     record of an exchange ("inbeeld.exchange.match" / ".count": completed,
//     failed, refused or interrupted) and the record of a regional count
//     ("inbeeld.region.count"). The records that open a session
//     ("….opened") and the per-child records are not entries. The purpose's
//     name and legal basis come from the register of processing activities in
//     the configuration; when the activity is no longer in it, the legal
//     basis the record carries (as it was at the time) is shown. A match the
//     node started as part of a region sync that is still on file
//     (node/sync/sync.h) has mode "sync".
//   - actions: every record that names a person (attribute inbeeld.actor,
//     "os:alice" or "console:Fatima el Amrani", with inbeeld.origin), its
//     name turned into a Dutch phrase where known (ActionDescription).
//
// Records that retention redacted are gone from both lists. Nothing here
// holds a child: the log names children only by pseudonym, and those
// per-child records are not read.
//
// Thread safety: uses the AuditLog's store; one thread at a time.
#ifndef INBEELD_NODE_REPORT_LOGBOOK_H_
#define INBEELD_NODE_REPORT_LOGBOOK_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "config/node_config.h"
#include "node/audit/audit_log.h"
#include "node/report/sheet.h"
#include "schema/date.h"

namespace inbeeld::node::report {

struct LogbookExchange {
  uint64_t record_index = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string time;           // start, ISO 8601 UTC ("2026-11-02T09:14:00Z")
  std::string session;        // the session's trace id (an exchange) or id (a regional count)
  std::string partner;        // the peer's name; a regional count: its coordinator
  std::string organisation;   // the partner's organisation; "" (this node does not know it)
  std::string purpose;        // the processing activity's id
  std::string activity_name;  // from the register; "" when no longer in it
  std::string legal_basis;    // from the register, else as recorded
  bool in_register = false;   // whether the activity is in the register now
  std::string recorded_legal_basis;        // what the record says (at the time of the exchange)
  std::vector<std::string> shared_labels;  // "category", "since", "school", "plan"
  std::vector<std::string> match_keys;     // "pgn", "name", "weak"
  // Both in Dutch, for people: "categorie", "sinds", "school", "aanbod",
  // "BSN/onderwijsnummer (geblindeerd)", "naam en geboortedatum (geblindeerd)",
  // "naamdelen en geboortejaar (geblindeerd)".
  std::vector<std::string> fields;
  std::string mode;     // "match" | "count" | "sync" | "regional"
  std::string role;     // "initiator" | "responder" | "coordinator" | "participant"
  std::string outcome;  // "completed" | "failed" | "refused" | "interrupted"
  std::string reason;   // for people, no identifiers; "" when completed
  // What the record counts, by the attribute's last part: "sent",
  // "received", "matched", "matched_possible" (an exchange); "participants",
  // "distinct", "single_list", "possible" (a regional count).
  std::map<std::string, int64_t> counts;
  std::string actor;   // who started it, when the record says ("console:…", "os:…")
  std::string origin;  // from where ("cli", a client address)
};

struct LogbookAction {
  uint64_t record_index = 0;
  int64_t time_ms = 0;
  std::string time;         // ISO 8601 UTC
  std::string name;         // the record's name, e.g. "inbeeld.pair.confirmed"
  std::string description;  // ActionDescription(name)
  std::string actor;        // "os:alice", "console:Fatima el Amrani"
  std::string origin;       // "cli", "127.0.0.1"
  bool ok = true;           // the record's status
};

struct Logbook {
  schema::Date from{};
  schema::Date to{};
  std::vector<LogbookExchange> exchanges;  // in log order
  std::vector<LogbookAction> actions;      // in log order
};

// A Dutch phrase for a record name ("inbeeld.list.import" → "lijst
// geïmporteerd"); the name itself when there is none.
std::string ActionDescription(std::string_view record_name);

// Dutch names of shared label fields and match key types (as above); unknown
// names pass through.
std::vector<std::string> DutchFieldNames(const std::vector<std::string>& labels,
                                         const std::vector<std::string>& match_keys);

// The logboek for the UTC days `from` through `to`, inclusive. `config`
// supplies the register. Errors: kInvalidArgument when from is after to or a
// date is not valid; kDataLoss for a record that does not decode.
Result<Logbook> BuildLogbook(audit::AuditLog& log, const config::NodeConfig& config,
                             schema::Date from, schema::Date to);

// The exchanges as a sheet "Uitwisselingen" and the actions as "Acties",
// with Dutch headers (times as ISO 8601 UTC).
Sheet ExchangesSheet(const Logbook& logbook);
Sheet ActionsSheet(const Logbook& logbook);

}  // namespace inbeeld::node::report

#endif  // INBEELD_NODE_REPORT_LOGBOOK_H_
