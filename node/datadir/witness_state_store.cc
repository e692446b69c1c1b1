#include "node/datadir/witness_state_store.h"

#include "node/store/sqlite_util.h"

namespace inbeeld::node {

Status WitnessStateStore::MoveToNewKey(const std::string& old_key, const std::string& new_key) {
  auto move = Statement::Prepare(store_.handle(),
                                 "UPDATE OR REPLACE witnessed_checkpoints SET peer_key = ? "
                                 "WHERE peer_key = ?");
  if (!move) return std::unexpected(move.error());
  INBEELD_RETURN_IF_ERROR(move->Bind(1, new_key));
  INBEELD_RETURN_IF_ERROR(move->Bind(2, old_key));
  return move->Run();
}

}  // namespace inbeeld::node
