// node/audit/tree_store.h — the audit log's RFC 9162 Merkle tree, persisted in
// the node's store.
//
// Leaves are the canonical JSON lines of audit records, appended in order and
// never changed. Beside the leaf hashes, the hash of every complete aligned
// block of 256 leaves is stored, so the root at any size and any inclusion or
// consistency proof needs at most a few hundred leaf hashes plus n/256 block
// hashes, never the whole log.
//
// Thread safety: one thread at a time, like the Store.
#ifndef INBEELD_NODE_AUDIT_TREE_STORE_H_
#define INBEELD_NODE_AUDIT_TREE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"
#include "node/store/store.h"

namespace inbeeld::node::audit {

inline constexpr uint64_t kBlockLeaves = 256;

// What is stored beside a leaf for lookups; never part of the hash.
struct LeafIndex {
  std::string trace_id;
  std::string subject;  // audit pseudonym hex, or empty
  int64_t time_ms = 0;
};

class TreeStore {
 public:
  explicit TreeStore(Store& store) : store_(store) {}

  Result<uint64_t> Size();
  // Appends leaves in order. REQUIRES: the caller holds a transaction, so the
  // leaves commit together with whatever they record.
  Status AppendInTransaction(const std::vector<std::string>& leaves,
                             const std::vector<LeafIndex>& index);

  Result<crypto::Hash> RootAt(uint64_t size);
  Result<std::vector<crypto::Hash>> InclusionProof(uint64_t index, uint64_t size);
  Result<std::vector<crypto::Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size);

  // The leaf data (record line) at `index`.
  Result<std::string> Leaf(uint64_t index);

 private:
  Result<std::vector<crypto::Hash>> LeafHashes(uint64_t begin, uint64_t end);
  Result<crypto::Hash> SubtreeHash(uint64_t begin, uint64_t end);
  Status Path(uint64_t index, uint64_t begin, uint64_t end, std::vector<crypto::Hash>& out);
  Status SubProof(uint64_t old_size, uint64_t begin, uint64_t end, bool complete,
                  std::vector<crypto::Hash>& out);

  Store& store_;
};

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_TREE_STORE_H_
