// node/audit/list_commitments.h — the log's commitment, once per list, to the
// children whose blinded identifiers left the node.
//
// A session sends a list version's children. Rather than one record per child
// in every session, the log commits to the list once and each session names
// it:
//
//   "inbeeld.list.committed" record  {inbeeld.list_version, inbeeld.list_root,
//                                      inbeeld.list_size}, own trace, appended
//                                      before the first session that sends it
//   list root                        RFC 9162 root (crypto/merkle.h) whose
//                                      leaves are the children's audit
//                                      pseudonyms (64 letters a–p, the leaf
//                                      data), sorted ascending, each once
//   exchange parent record           also names inbeeld.list_root and
//                                      inbeeld.list_size (exchange_records.h)
//
// The pseudonyms are kept with the list (audit_lists.members: 32 bytes each,
// sorted, never an identifier: 32 bytes a child per list version), so
// `audit subject` finds every list a child was on by a binary search in each
// and proves it with an inclusion proof, and `audit export` writes each list
// as lists/<ListFileName>: one pseudonym a line, in leaf order.
// audit_list_uses says which parent records name which list, for subject
// lookups and for retention, which forgets a list once no kept record names
// it.
//
// Thread safety: uses the Store; one thread at a time, like AuditLog.
#ifndef INBEELD_NODE_AUDIT_LIST_COMMITMENTS_H_
#define INBEELD_NODE_AUDIT_LIST_COMMITMENTS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "crypto/merkle.h"
#include "node/audit/audit_log.h"

namespace inbeeld::node::audit {

inline constexpr std::string_view kListCommittedRecord = "inbeeld.list.committed";

// The list root over pseudonyms already sorted ascending and distinct.
crypto::Hash ListRoot(const std::vector<std::string>& sorted_pseudonyms);
// "<64 lowercase hex of the root>.txt": the list's file under lists/.
std::string ListFileName(const crypto::Hash& root);
// True when `text` is an audit pseudonym: 64 letters a–p.
bool IsPseudonym(std::string_view text);

struct CommittedList {
  int64_t id = 0;
  crypto::Hash root{};
  int64_t list_version = 0;
  uint64_t size = 0;
  uint64_t record_index = 0;  // leaf index of its "inbeeld.list.committed" record
};

// The list of `sorted_pseudonyms` (ascending, distinct, IsPseudonym), committed
// now if the log has not committed it before (same root). A list version sent
// again reuses its commitment. REQUIRES: the caller holds a transaction.
Result<CommittedList> CommitListInTransaction(AuditLog& log, int64_t list_version,
                                              const std::vector<std::string>& sorted_pseudonyms);
// Notes that the record at `parent_index` names list `list_id`.
// REQUIRES: the caller holds a transaction.
Status RecordListUseInTransaction(AuditLog& log, int64_t list_id, uint64_t parent_index);

// Every list `pseudonym` is on, oldest first. Reads every kept list (a
// binary search in each): meant for access requests, not for a hot path.
Result<std::vector<CommittedList>> ListsContaining(AuditLog& log, const std::string& pseudonym);
// Every committed list the log still keeps, oldest first.
Result<std::vector<CommittedList>> CommittedLists(AuditLog& log);
// The list's pseudonyms in leaf order.
Status ForEachListMember(AuditLog& log, int64_t list_id,
                         const std::function<Status(const std::string&)>& visit);
struct ListMembership {
  uint64_t index = 0;               // leaf index within the list
  std::vector<crypto::Hash> proof;  // RFC 9162 inclusion proof against the list root
};
// kNotFound if `pseudonym` is not on the list.
Result<ListMembership> ProveListMembership(AuditLog& log, const CommittedList& list,
                                           const std::string& pseudonym);

// Retention: forgets the uses by records before `end` (being redacted) and
// every list whose own record is before `end` and that no kept record names.
// REQUIRES: the caller holds a transaction.
Status ForgetListsBeforeInTransaction(AuditLog& log, uint64_t end);

}  // namespace inbeeld::node::audit

#endif  // INBEELD_NODE_AUDIT_LIST_COMMITMENTS_H_
