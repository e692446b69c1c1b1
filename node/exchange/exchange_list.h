// node/exchange/exchange_list.h — the current list version, shaped for a PSI
// session: each row's key family (schema/match_keys.h) derived from its
// unsealed PGN, name parts and birth date into PsiInput, subjects in a
// parallel vector.
//
// Only the label fields in `label_mask` and the keys of the types in
// `key_mask` are filled in, so a label or a PGN the policy does not allow
// never reaches the session. (The store unseals a row's fields together, so a
// name-keyed load decrypts the PGN too; it is dropped with the row.)
//
// Thread safety: uses the Store; callers serialise access to it.
#ifndef INBEELD_NODE_EXCHANGE_EXCHANGE_LIST_H_
#define INBEELD_NODE_EXCHANGE_EXCHANGE_LIST_H_

#include <vector>

#include "base/error.h"
#include "node/exchange/results_store.h"
#include "node/psi/session.h"
#include "node/store/store.h"

namespace inbeeld::node::exchange {

struct ExchangeList {
  ListVersion version;
  std::vector<psi::PsiInput> inputs;
  std::vector<Subject> subjects;  // subjects[i] belongs to inputs[i]
};

// kFailedPrecondition when no list has been imported yet.
Result<ExchangeList> LoadExchangeList(Store& store, const crypto::SecretBytes& field_key,
                                      uint8_t label_mask, uint8_t key_mask);

// `key_mask` narrowed to the key types at least one record of `list` has: a
// list of PGNs only costs one slot a record, not six. When the list has none
// of them, `key_mask` itself (every slot a filler: nothing will match).
uint8_t NarrowToPresentKeys(const ExchangeList& list, uint8_t key_mask);

}  // namespace inbeeld::node::exchange

#endif  // INBEELD_NODE_EXCHANGE_EXCHANGE_LIST_H_
