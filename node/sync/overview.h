// node/sync/overview.h — the operator's per-child view after syncing.
//
// For each child on the current list: which partners also know the child
// (from each partner's latest completed match session, either role) and since
// when (the earliest completed session with that partner in which the child
// matched); what changed between the two latest sync runs (newly matched with
// a partner, no longer matched, new on this list and unknown to every
// partner); and two flags: past the pact's three-month mark without a plan
// (since + 3 calendar months <= today, plan not in place), and a label
// disagreement with some partner (exchange/report.h rules: category, since,
// plan, school). A partner "knows" the child through a certain or probable
// pair, or a possible pair an operator confirmed; an open possible pair is
// listed apart, as a partner to check with.
//
// Children are named by the partner's own reference, never by identifier.
// Rows come out in own-reference order.
//
// Thread safety: uses the Store; one thread at a time.
#ifndef INBEELD_NODE_SYNC_OVERVIEW_H_
#define INBEELD_NODE_SYNC_OVERVIEW_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/secret_bytes.h"
#include "node/store/store.h"
#include "schema/wire.h"

namespace inbeeld::node::sync {

struct PartnerKnowledge {
  std::string peer;
  std::string known_since;  // ISO 8601 UTC of the first session that matched
  schema::wire::Labels labels;
  bool category_differs = false;
  bool since_differs = false;
  bool plan_differs = false;
  bool school_differs = false;
};

struct ChildOverview {
  std::string own_reference;
  schema::Category category = schema::Category::kRelatiefVerzuim;
  schema::Date since{};
  std::string school;
  bool plan_in_place = false;
  std::vector<PartnerKnowledge> partners;  // in peer-name order
  // Peers whose latest result pairs the child only possibly, not yet
  // confirmed or rejected by an operator: to check, not counted as knowing.
  std::vector<std::string> possible_partners;
  std::vector<std::string> newly_matched;  // peers, since the previous sync
  std::vector<std::string> no_longer_matched;
  bool new_on_list = false;        // not on the list version of the previous sync
  bool unknown_to_all = false;     // no partner's latest result has the child
  bool past_three_months = false;  // without a plan
  bool disagreement = false;
};

struct Overview {
  ListVersion version;
  schema::Date today{};
  std::optional<int64_t> sync_run, previous_sync_run;
  std::vector<std::string> partners;  // peers with a completed match result
  std::vector<ChildOverview> children;
};

// As of today (UTC) by the store's clock. kFailedPrecondition before the
// first import.
Result<Overview> BuildOverview(Store& store, const crypto::SecretBytes& field_key);

// Three calendar months after `since` (day clamped to the month's end).
schema::Date ThreeMonthMark(schema::Date since);

// The overview as Dutch Excel opens it: UTF-8 with BOM, ';', CRLF, one row a
// child; cells that a spreadsheet would read as a formula get a leading '.
std::string OverviewCsv(const Overview& overview);
nlohmann::json OverviewJson(const Overview& overview);

}  // namespace inbeeld::node::sync

#endif  // INBEELD_NODE_SYNC_OVERVIEW_H_
