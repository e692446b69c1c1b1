// node/exchange/decision.h — an operator's decision on a possible pair.
//
// A possible pair (e.g. same surname and birth date, another first name) is
// not counted as the same child until a person confirms it. The decision is
// stored with the session's pairs (ResultsStore::Decide) and, in the same
// transaction, written to the audit log naming the child's pseudonym, so an
// access request shows it next to the exchange. Who decided comes from the
// audit actor scope (node/audit/actor.h) and is kept as `by`.
//
// Thread safety: as the node's Store (one thread at a time).
#ifndef INBEELD_NODE_EXCHANGE_DECISION_H_
#define INBEELD_NODE_EXCHANGE_DECISION_H_

#include <string>
#include <string_view>

#include "base/error.h"
#include "node/datadir/node_dir.h"
#include "node/exchange/results_store.h"

namespace inbeeld::node::exchange {

// Errors: kNotFound for an unknown session or pair code; kFailedPrecondition
// for a certain or probable pair (nothing to decide).
Result<StoredMatch> DecidePair(UnlockedNode& node, const schema::wire::SessionId& session,
                               std::string_view pair_code, Decision decision,
                               const std::string& by);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_DECISION_H_
