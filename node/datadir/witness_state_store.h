// node/datadir/witness_state_store.h — the SQL of node/datadir/: moving what
// this node witnessed of a peer's log to the peer's new key when it accepts
// the peer's key rotation (key_rotation.h).
//
// Table: witnessed_checkpoints (node/store/store.cc), one row per peer key and
// checkpoint size; audit::AuditLog stores and reads it (LastWitnessed,
// WitnessedAtMost). Its rows are keyed by the peer's key fingerprint, not its
// name, so a rotation must re-key them or the next witnessing would start
// from nothing and miss a rollback or fork across the rotation.
//
// Thread safety: as the Store it wraps (one thread at a time).
#ifndef INBEELD_NODE_DATADIR_WITNESS_STATE_STORE_H_
#define INBEELD_NODE_DATADIR_WITNESS_STATE_STORE_H_

#include <string>

#include "base/error.h"
#include "node/store/store.h"

namespace inbeeld::node {

class WitnessStateStore {
 public:
  explicit WitnessStateStore(Store& store) : store_(store) {}

  // Re-keys every checkpoint witnessed under `old_key` to `new_key` (both
  // "ed25519:<hex>" fingerprints); where `new_key` already has a checkpoint
  // of the same size, the moved one replaces it. No checkpoint under
  // `old_key` is fine (nothing moves). Runs in the caller's transaction.
  // Errors: the store's.
  Status MoveToNewKey(const std::string& old_key, const std::string& new_key);

 private:
  Store& store_;
};

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_DATADIR_WITNESS_STATE_STORE_H_
