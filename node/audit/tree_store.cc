#include "node/audit/tree_store.h"

#include <bit>

#include "node/store/sqlite_util.h"

namespace inbeeld::node::audit {
namespace {

uint64_t LargestPowerOfTwoBelow(uint64_t n) {  // REQUIRES: n > 1
  return std::bit_floor(n - 1);
}

Result<crypto::Hash> ReadHash(const Statement& s, int col) {
  auto view = s.ColumnBlobView(col);
  crypto::Hash h{};
  if (view.size() != h.size())
    return Fail(ErrorCode::kDataLoss, "a stored audit hash is malformed");
  std::copy(view.begin(), view.end(), h.begin());
  return h;
}

}  // namespace

Result<uint64_t> TreeStore::Size() {
  // max(idx) walks the rowid tree; count(*) would scan the whole log.
  auto s =
      Statement::Prepare(store_.handle(), "SELECT coalesce(max(idx) + 1, 0) FROM audit_leaves");
  if (!s) return std::unexpected(s.error());
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  return static_cast<uint64_t>(s->ColumnInt(0));
}

Status TreeStore::AppendInTransaction(const std::vector<std::string>& leaves,
                                      const std::vector<LeafIndex>& index) {
  if (leaves.size() != index.size())
    return Fail(ErrorCode::kInternal, "audit leaves and index differ");
  auto size = Size();
  if (!size) return std::unexpected(size.error());
  auto insert = Statement::Prepare(
      store_.handle(),
      "INSERT INTO audit_leaves(idx, record, leaf_hash, trace_id, subject, time_ms) "
      "VALUES(?,?,?,?,?,?)");
  if (!insert) return std::unexpected(insert.error());
  auto block =
      Statement::Prepare(store_.handle(), "INSERT INTO audit_blocks(idx, hash) VALUES(?,?)");
  if (!block) return std::unexpected(block.error());
  // Leaf hashes of the block being filled; the first part may already be stored.
  uint64_t n = *size;
  std::vector<crypto::Hash> pending;
  if (n % kBlockLeaves != 0) {
    auto head = LeafHashes(n - n % kBlockLeaves, n);
    if (!head) return std::unexpected(head.error());
    pending = std::move(*head);
  }
  for (size_t i = 0; i < leaves.size(); ++i, ++n) {
    const std::string& leaf = leaves[i];
    crypto::Hash hash =
        crypto::LeafHash(std::span(reinterpret_cast<const uint8_t*>(leaf.data()), leaf.size()));
    INBEELD_RETURN_IF_ERROR(insert->Bind(1, static_cast<int64_t>(n)));
    INBEELD_RETURN_IF_ERROR(insert->Bind(2, leaf));
    INBEELD_RETURN_IF_ERROR(insert->BindBlob(3, hash));
    INBEELD_RETURN_IF_ERROR(insert->Bind(4, index[i].trace_id));
    INBEELD_RETURN_IF_ERROR(index[i].subject.empty() ? insert->BindNull(5)
                                                     : insert->Bind(5, index[i].subject));
    INBEELD_RETURN_IF_ERROR(insert->Bind(6, index[i].time_ms));
    INBEELD_RETURN_IF_ERROR(insert->Run());
    pending.push_back(hash);
    if (pending.size() == kBlockLeaves) {
      crypto::Hash root = crypto::RootFromLeafHashes(pending);
      INBEELD_RETURN_IF_ERROR(block->Bind(1, static_cast<int64_t>(n / kBlockLeaves)));
      INBEELD_RETURN_IF_ERROR(block->BindBlob(2, root));
      INBEELD_RETURN_IF_ERROR(block->Run());
      pending.clear();
    }
  }
  return {};
}

Result<std::vector<crypto::Hash>> TreeStore::LeafHashes(uint64_t begin, uint64_t end) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT idx, leaf_hash FROM audit_leaves WHERE idx >= ? AND idx < ? "
                              "ORDER BY idx");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(begin)));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, static_cast<int64_t>(end)));
  std::vector<crypto::Hash> out;
  out.reserve(end - begin);
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    if (static_cast<uint64_t>(s->ColumnInt(0)) != begin + out.size()) {
      return Fail(ErrorCode::kDataLoss,
                  "the audit log has a gap at record " + std::to_string(begin + out.size()));
    }
    auto h = ReadHash(*s, 1);
    if (!h) return std::unexpected(h.error());
    out.push_back(*h);
  }
  if (out.size() != end - begin) {
    return Fail(ErrorCode::kDataLoss,
                "the audit log is shorter than " + std::to_string(end) + " records");
  }
  return out;
}

Result<crypto::Hash> TreeStore::SubtreeHash(uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 0) return crypto::EmptyRoot();
  // A perfect, aligned subtree of whole blocks: combine stored block hashes.
  if (std::has_single_bit(n) && n >= kBlockLeaves && begin % n == 0) {
    auto s = Statement::Prepare(store_.handle(),
                                "SELECT idx, hash FROM audit_blocks WHERE idx >= ? AND idx < ? "
                                "ORDER BY idx");
    if (!s) return std::unexpected(s.error());
    INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(begin / kBlockLeaves)));
    INBEELD_RETURN_IF_ERROR(s->Bind(2, static_cast<int64_t>(end / kBlockLeaves)));
    std::vector<crypto::Hash> blocks;
    while (true) {
      auto row = s->Step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      auto h = ReadHash(*s, 1);
      if (!h) return std::unexpected(h.error());
      blocks.push_back(*h);
    }
    if (blocks.size() != n / kBlockLeaves) {
      return Fail(ErrorCode::kDataLoss, "the audit log's block hashes are incomplete");
    }
    // The blocks are equal perfect subtrees and their count is a power of two:
    // fold them pairwise (RootFromLeafHashes would re-hash them as leaves).
    while (blocks.size() > 1) {
      for (size_t i = 0; i < blocks.size() / 2; ++i) {
        blocks[i] = crypto::NodeHash(blocks[2 * i], blocks[2 * i + 1]);
      }
      blocks.resize(blocks.size() / 2);
    }
    return blocks[0];
  }
  if (n <= kBlockLeaves) {
    auto leaves = LeafHashes(begin, end);
    if (!leaves) return std::unexpected(leaves.error());
    return crypto::RootFromLeafHashes(*leaves);
  }
  uint64_t k = LargestPowerOfTwoBelow(n);
  auto left = SubtreeHash(begin, begin + k);
  if (!left) return left;
  auto right = SubtreeHash(begin + k, end);
  if (!right) return right;
  return crypto::NodeHash(*left, *right);
}

Result<crypto::Hash> TreeStore::RootAt(uint64_t size) {
  auto n = Size();
  if (!n) return std::unexpected(n.error());
  if (size > *n) {
    return Fail(ErrorCode::kInvalidArgument, "the audit log holds " + std::to_string(*n) +
                                                 " records, not " + std::to_string(size));
  }
  return SubtreeHash(0, size);
}

// RFC 9162 2.1.3.1: PATH(m, D[begin:end]).
Status TreeStore::Path(uint64_t index, uint64_t begin, uint64_t end,
                       std::vector<crypto::Hash>& out) {
  uint64_t n = end - begin;
  if (n <= 1) return {};
  uint64_t k = LargestPowerOfTwoBelow(n);
  if (index < begin + k) {
    INBEELD_RETURN_IF_ERROR(Path(index, begin, begin + k, out));
    auto h = SubtreeHash(begin + k, end);
    if (!h) return std::unexpected(h.error());
    out.push_back(*h);
  } else {
    INBEELD_RETURN_IF_ERROR(Path(index, begin + k, end, out));
    auto h = SubtreeHash(begin, begin + k);
    if (!h) return std::unexpected(h.error());
    out.push_back(*h);
  }
  return {};
}

// RFC 9162 2.1.4.1: SUBPROOF(m, D[begin:end], b).
Status TreeStore::SubProof(uint64_t old_size, uint64_t begin, uint64_t end, bool complete,
                           std::vector<crypto::Hash>& out) {
  uint64_t n = end - begin;
  if (old_size == n) {
    if (!complete) {
      auto h = SubtreeHash(begin, end);
      if (!h) return std::unexpected(h.error());
      out.push_back(*h);
    }
    return {};
  }
  uint64_t k = LargestPowerOfTwoBelow(n);
  if (old_size <= k) {
    INBEELD_RETURN_IF_ERROR(SubProof(old_size, begin, begin + k, complete, out));
    auto h = SubtreeHash(begin + k, end);
    if (!h) return std::unexpected(h.error());
    out.push_back(*h);
  } else {
    INBEELD_RETURN_IF_ERROR(SubProof(old_size - k, begin + k, end, false, out));
    auto h = SubtreeHash(begin, begin + k);
    if (!h) return std::unexpected(h.error());
    out.push_back(*h);
  }
  return {};
}

Result<std::vector<crypto::Hash>> TreeStore::InclusionProof(uint64_t index, uint64_t size) {
  auto n = Size();
  if (!n) return std::unexpected(n.error());
  if (size > *n || index >= size) {
    return Fail(ErrorCode::kInvalidArgument,
                "no record " + std::to_string(index) + " in a tree of " + std::to_string(size));
  }
  std::vector<crypto::Hash> out;
  INBEELD_RETURN_IF_ERROR(Path(index, 0, size, out));
  return out;
}

Result<std::vector<crypto::Hash>> TreeStore::ConsistencyProof(uint64_t old_size,
                                                              uint64_t new_size) {
  auto n = Size();
  if (!n) return std::unexpected(n.error());
  if (new_size > *n || old_size > new_size) {
    return Fail(ErrorCode::kInvalidArgument, "no consistency proof from " +
                                                 std::to_string(old_size) + " to " +
                                                 std::to_string(new_size));
  }
  std::vector<crypto::Hash> out;
  if (old_size == 0 || old_size == new_size) return out;
  INBEELD_RETURN_IF_ERROR(SubProof(old_size, 0, new_size, true, out));
  return out;
}

Result<std::string> TreeStore::Leaf(uint64_t index) {
  auto s = Statement::Prepare(store_.handle(), "SELECT record FROM audit_leaves WHERE idx = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(index)));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kNotFound, "no audit record " + std::to_string(index));
  return s->ColumnText(0);
}

}  // namespace inbeeld::node::audit
