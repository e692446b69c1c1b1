// node/report/registration_store.h — the quarterly registration's tables
// (schema version 9, node/store/store.cc): one row per spell a child was on the
// list, numbered per child, and the list versions already taken in.
//
// Holds only the list rows' subject pseudonym, never an identifier, a name or
// a birth date. Used by quarterly.cc; the SQL of node/report/ lives here.
//
// Thread safety: as the Store it wraps (one thread at a time).
#ifndef INBEELD_NODE_REPORT_REGISTRATION_STORE_H_
#define INBEELD_NODE_REPORT_REGISTRATION_STORE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "node/store/store.h"
#include "schema/date.h"
#include "schema/list_row.h"

namespace inbeeld::node::report {

// One spell of one child on the list.
struct Registration {
  int64_t id = 0;                     // assigned by Insert
  std::array<uint8_t, 32> subject{};  // the list rows' subject (StoredRow::subject)
  int64_t row_number = 0;             // the child's, across spells; > 0
  std::string first_quarter;          // "2026-K3": when the number was first given
  schema::Date listed_from{};         // list date of the version that opened the spell
  schema::Date start{};               // the child's since
  std::optional<schema::Date> end;    // list date of the first version without the child
  schema::Category category = schema::Category::kRelatiefVerzuim;
  std::string sector;  // "po" | "vo" | "onbekend"
};

struct ProcessedVersion {
  int64_t version_id = 0;
  schema::Date list_date{};
};

class RegistrationStore {
 public:
  explicit RegistrationStore(Store& store) : store_(store) {}

  // Every spell, by row number, then by listed_from. kDataLoss for a row
  // that does not read back (a malformed date, subject or category).
  Result<std::vector<Registration>> All();
  // The list versions already taken in, by version id.
  Result<std::vector<ProcessedVersion>> Processed();

  // Writes a new spell and sets its id. REQUIRES: a transaction (InTransaction).
  Status Insert(Registration& registration);
  // Rewrites a spell's start, end, category and sector. REQUIRES: a transaction.
  Status Update(const Registration& registration);
  // Records that `version` has been taken in, at `at` (ISO 8601 UTC).
  // REQUIRES: a transaction.
  Status MarkProcessed(const ProcessedVersion& version, const std::string& at);

  // Runs `body` in a transaction of its own, committed if it succeeds.
  Status InTransaction(const std::function<Status()>& body);

 private:
  Store& store_;
};

}  // namespace inbeeld::node::report

#endif  // INBEELD_NODE_REPORT_REGISTRATION_STORE_H_
