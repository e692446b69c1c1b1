// node/exchange/report.h — a stored session's matches, joined with this node's
// own rows, as an operator reads them: own reference, own labels, the peer's
// labels, and flags where the two disagree.
//
// Disagreement rules: the categories differ; or the "since" dates are more than
// four weeks (28 days) apart. Only labels both policies agreed can disagree.
//
// Thread safety: uses the Store; one thread at a time.
#ifndef INBEELD_NODE_EXCHANGE_REPORT_H_
#define INBEELD_NODE_EXCHANGE_REPORT_H_

#include <string>
#include <vector>

#include "base/error.h"
#include "node/exchange/results_store.h"
#include "node/store.h"

namespace inbeeld::node::exchange {

inline constexpr int kSinceDisagreementDays = 28;

struct ResultRow {
  std::string own_reference;
  schema::Category category;
  schema::Date since;
  std::string school;
  bool plan_in_place;
  schema::wire::Labels peer;
  bool category_differs = false;
  bool since_differs = false;
};

// Rows in own-reference order. kDataLoss if the list version the session used
// has been purged.
Result<std::vector<ResultRow>> LoadResultRows(Store& store, const SessionRecord& session,
                                              const crypto::SecretBytes& field_key);

// "category, since" for the bits in a wire label mask; "none" for 0.
std::string LabelMaskNames(uint8_t mask);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_REPORT_H_
