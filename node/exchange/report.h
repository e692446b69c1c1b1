// node/exchange/report.h — a stored session's pairs, joined with this node's
// own rows, as an operator reads them: pair code, strength, own reference,
// own labels, the peer's labels, and a flag for every label that disagrees.
//
// Disagreement rules, one flag each: the categories differ; the "since" dates
// are more than four weeks (28 days) apart; one side has a plan or offer in
// place and the other not; the schools (BRIN, compared on the first four
// characters when either lacks the vestiging) differ. Only labels both
// policies agreed can disagree.
//
// Thread safety: uses the Store; one thread at a time.
#ifndef INBEELD_NODE_EXCHANGE_REPORT_H_
#define INBEELD_NODE_EXCHANGE_REPORT_H_

#include <string>
#include <vector>

#include "base/error.h"
#include "node/audit/exchange_records.h"
#include "node/exchange/results_store.h"
#include "node/store/store.h"

namespace inbeeld::node::exchange {

inline constexpr int kSinceDisagreementDays = 28;

struct ResultRow {
  std::string own_reference;
  schema::Category category;
  schema::Date since;
  std::string school;
  bool plan_in_place;
  schema::wire::Labels peer;
  std::string pair_code;  // "" for a protocol-v1 session
  schema::Strength strength = schema::Strength::kCertain;
  Decision decision = Decision::kNone;
  bool category_differs = false;
  bool since_differs = false;
  bool plan_differs = false;
  bool school_differs = false;
};

// Which of the peer's labels disagree with ours (the rules above).
struct Differences {
  bool category = false;
  bool since = false;
  bool plan = false;
  bool school = false;
  bool any() const { return category || since || plan || school; }
};
Differences CompareLabels(schema::Category category, const schema::Date& since,
                          const std::string& school, bool plan_in_place,
                          const schema::wire::Labels& peer);

// Sets the four *_differs flags of `row` from its own and peer labels.
void FlagDifferences(ResultRow& row);

// "category differs; since >4 weeks apart; plan differs; school differs", or "".
std::string DifferenceText(const ResultRow& row);

// Rows in own-reference order, then pair code (a child may pair with more
// than one of the peer's records). kDataLoss if the list version the
// session used has been purged.
Result<std::vector<ResultRow>> LoadResultRows(Store& store, const SessionRecord& session,
                                              const crypto::SecretBytes& field_key);

// "category, since" for the bits in a wire label mask; "none" for 0.
std::string LabelMaskNames(uint8_t mask);

// "pgn, name, weak" for the bits of a key mask; "none" for 0.
std::string KeyMaskNames(uint8_t mask);

// For the audit's child records: per own record, whether the session paired
// it certainly or probably, only possibly, or not; empty in count mode (not
// revealed).
std::vector<audit::ChildMatch> ChildMatches(const psi::Outcome& outcome, size_t records);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_REPORT_H_
