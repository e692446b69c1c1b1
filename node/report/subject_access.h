// node/report/subject_access.h — a subject access request (AVG art. 15): does
// this node hold a child, what does it hold, and in which exchanges did the
// child take part.
//
// The child is asked for by PGN (BSN or onderwijsnummer), or — for a child
// without one, or on a node that holds none — by name parts and birth date
// as on this node's list. The request is turned into the subject pseudonyms
// the child may be stored under (for a person: the person key when no other
// child shares it, else every name part as written; a child whose row needed
// the partner's own reference cannot be found this way) and then:
//
//   - held: every stored list row of those subjects (per list version: list
//     date, own reference, category, since, school, plan, and the name and
//     birth date as stored, for the parent to check). Never the PGN.
//   - exchanges: every session whose committed list held the child, exactly
//     (audit/exchange_records.h): the sessions with a record of the child
//     (matched "yes" or "possibly", and logs from before list commitments)
//     and those whose list held it without one ("no", or "not revealed" in
//     count mode and for sessions that did not complete); and every
//     operator's decision on one of its possible pairs. Purpose, name and
//     legal basis from the register (the record's legal basis when the
//     activity left the register); the pair's strength and decision from the
//     session's stored result while retention keeps it.
//   - lists: each committed list that held the child, with the inclusion
//     proof of its pseudonym (for `audit subject --json`).
//
// Thread safety: uses the node's store; one thread at a time.
#ifndef INBEELD_NODE_REPORT_SUBJECT_ACCESS_H_
#define INBEELD_NODE_REPORT_SUBJECT_ACCESS_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "node/audit/audit_log.h"
#include "node/audit/list_commitments.h"
#include "node/datadir/node_dir.h"
#include "schema/audit_record.h"
#include "schema/identifier.h"
#include "schema/list_row.h"

namespace inbeeld::node::report {

// Who is asked for: exactly one of the two.
struct SubjectQuery {
  std::optional<schema::Identifier> pgn;
  // The name parts, birth date (and, if the list has them, sex and own
  // reference) as on this node's list. REQUIRES: schema::IdentifiesChild.
  std::optional<schema::ListRow> person;
};

// Parses a person request: `key=value` lines, Dutch or English keys as the
// import's headers (achternaam, tussenvoegsel, voornamen, roepnaam,
// voorletters, naam, geboortedatum, geslacht, referentie), '#' comments and
// blank lines skipped. Messages start with `what` ("--person") and name the
// line and the key, never a value. kInvalidArgument for an unknown key, a
// malformed date or sex, or a request that does not identify a child.
Result<schema::ListRow> ParsePersonRequest(std::string_view text, std::string_view what);

// One stored row of the child.
struct HeldRow {
  int64_t list_version = 0;
  schema::Date list_date{};
  std::string own_reference;
  schema::Category category = schema::Category::kRelatiefVerzuim;
  schema::Date since{};
  std::string school;
  bool plan_in_place = false;
  schema::PersonName name;                        // as stored
  std::optional<schema::PartialDate> birth_date;  // as stored
};

// One line of the answer: a session whose list held the child, or an
// operator's decision on one of its possible pairs.
struct SubjectExchange {
  uint64_t record_index = 0;   // the record that says it: the child's own, else the session's
  schema::AuditRecord record;  // the session's parent record, or the decision record
  bool decision_record = false;
  std::string matched;  // yes | possibly | no | not revealed ("" for a decision)
  // Read from the record and the register, for people:
  int64_t time_ms = 0;
  std::string session;  // trace id; for a decision the session it is about
  std::string peer;
  std::string role;           // initiator | responder ("" for a decision)
  std::string mode;           // match | count
  std::string purpose;        // activity id
  std::string activity_name;  // from the register; "" when not in it
  std::string legal_basis;    // from the register, else as recorded
  std::string outcome;        // completed | failed | refused | interrupted
  // From the session's stored result, while kept: "certain", "probable",
  // "possible", or "" (no pair, count mode, or purged); the strongest pair.
  std::string strength;
  std::string decision;  // "confirmed" | "rejected" | "": on a possible pair
  std::string decided_by;
};

struct SubjectListHolding {
  audit::CommittedList list;
  audit::ListMembership membership;
  std::string pseudonym;
};

struct SubjectAccess {
  bool held() const { return !held_rows.empty(); }
  bool found() const { return !held_rows.empty() || !exchanges.empty(); }

  std::vector<HeldRow> held_rows;                   // oldest list version first
  std::vector<SubjectExchange> exchanges;           // in log order
  std::map<std::string, SubjectListHolding> lists;  // by list root (hex)
  size_t exchange_count() const;                    // exchanges that are sessions, not decisions
};

// Answers `query` from `node`'s store and audit log. kInvalidArgument when the
// query names no child (neither or both of pgn and person); kDataLoss when
// the log is inconsistent (a child record without its session).
Result<SubjectAccess> FindSubjectAccess(UnlockedNode& node, const SubjectQuery& query);

}  // namespace inbeeld::node::report

#endif  // INBEELD_NODE_REPORT_SUBJECT_ACCESS_H_
