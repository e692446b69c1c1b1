// node/exchange/exchange_list.h — the current list version, shaped for a PSI
// session: identifiers unsealed into PsiInput, subjects in a parallel vector.
// Rows without a PGN are left out: protocol v1 matches on the PGN only.
//
// Only the label fields in `label_mask` are filled in, so a label the policy
// does not allow is never even in the session's memory.
//
// Thread safety: uses the Store; callers serialise access to it.
#ifndef INBEELD_NODE_EXCHANGE_EXCHANGE_LIST_H_
#define INBEELD_NODE_EXCHANGE_EXCHANGE_LIST_H_

#include <vector>

#include "base/error.h"
#include "node/exchange/results_store.h"
#include "node/psi/session.h"
#include "node/store.h"

namespace inbeeld::node::exchange {

struct ExchangeList {
  ListVersion version;
  std::vector<psi::PsiInput> inputs;
  std::vector<Subject> subjects;  // subjects[i] belongs to inputs[i]
};

// kFailedPrecondition when no list has been imported yet.
Result<ExchangeList> LoadExchangeList(Store& store, const crypto::SecretBytes& field_key,
                                      uint8_t label_mask);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_EXCHANGE_LIST_H_
