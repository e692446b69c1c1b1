#include "node/audit/list_commitments.h"

#include <algorithm>
#include <cstring>

#include "crypto/bytes.h"
#include "node/audit/exchange_records.h"
#include "node/store/sqlite_util.h"

namespace inbeeld::node::audit {
namespace {

constexpr size_t kPseudonymLetters = 64;
constexpr size_t kPseudonymBytes = kPseudonymLetters / 2;

// Audit pseudonyms are stored as their 32 bytes, written as letters a–p.
std::vector<uint8_t> PseudonymBytes(std::string_view letters) {
  std::vector<uint8_t> out(letters.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(((letters[2 * i] - 'a') << 4) | (letters[2 * i + 1] - 'a'));
  }
  return out;
}

std::string PseudonymLetters(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(static_cast<char>('a' + (b >> 4)));
    out.push_back(static_cast<char>('a' + (b & 0x0f)));
  }
  return out;
}

constexpr const char* kListColumns = "l.id, l.root, l.list_version, l.size, l.record_idx";

Result<CommittedList> ReadList(const Statement& s) {
  CommittedList list;
  list.id = s.ColumnInt(0);
  auto root = s.ColumnBlobView(1);
  if (root.size() != list.root.size())
    return Fail(ErrorCode::kDataLoss, "a stored list root is malformed");
  std::copy(root.begin(), root.end(), list.root.begin());
  list.list_version = s.ColumnInt(2);
  list.size = static_cast<uint64_t>(s.ColumnInt(3));
  list.record_index = static_cast<uint64_t>(s.ColumnInt(4));
  return list;
}

Result<std::vector<CommittedList>> ReadLists(Statement& s) {
  std::vector<CommittedList> out;
  while (true) {
    auto row = s.Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    auto list = ReadList(s);
    if (!list) return std::unexpected(list.error());
    out.push_back(*list);
  }
}

crypto::Hash LeafOf(const std::string& pseudonym) {
  return crypto::LeafHash(
      std::span(reinterpret_cast<const uint8_t*>(pseudonym.data()), pseudonym.size()));
}

}  // namespace

crypto::Hash ListRoot(const std::vector<std::string>& sorted_pseudonyms) {
  crypto::CompactRange range;
  for (const auto& p : sorted_pseudonyms) range.Append(LeafOf(p));
  return range.Root();
}

std::string ListFileName(const crypto::Hash& root) { return crypto::HexEncode(root) + ".txt"; }

bool IsPseudonym(std::string_view text) {
  return text.size() == kPseudonymLetters &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'p'; });
}

Result<CommittedList> CommitListInTransaction(AuditLog& log, int64_t list_version,
                                              const std::vector<std::string>& sorted_pseudonyms) {
  for (size_t i = 0; i < sorted_pseudonyms.size(); ++i) {
    if (!IsPseudonym(sorted_pseudonyms[i]) ||
        (i > 0 && sorted_pseudonyms[i - 1] >= sorted_pseudonyms[i])) {
      return Fail(ErrorCode::kInternal, "a list to commit is not sorted distinct audit pseudonyms");
    }
  }
  const crypto::Hash root = ListRoot(sorted_pseudonyms);
  sqlite3* db = log.store().handle();
  auto existing = Statement::Prepare(
      db, std::string("SELECT ") + kListColumns + " FROM audit_lists l WHERE l.root = ?");
  if (!existing) return std::unexpected(existing.error());
  INBEELD_RETURN_IF_ERROR(existing->BindBlob(1, root));
  auto found = ReadLists(*existing);
  if (!found) return std::unexpected(found.error());
  if (!found->empty()) return found->front();

  auto size = log.Size();
  if (!size) return std::unexpected(size.error());
  CommittedList list{0, root, list_version, sorted_pseudonyms.size(), *size};
  INBEELD_RETURN_IF_ERROR(log.AppendInTransaction(
      {EventRecord(log.store().clock(), std::string(kListCommittedRecord), true,
                   {{"inbeeld.list_version", std::to_string(list_version)},
                    {"inbeeld.list_root", crypto::HexEncode(root)},
                    {"inbeeld.list_size", std::to_string(list.size)}})}));
  std::vector<uint8_t> members;
  members.reserve(sorted_pseudonyms.size() * kPseudonymBytes);
  for (const auto& p : sorted_pseudonyms) {
    auto bytes = PseudonymBytes(p);
    members.insert(members.end(), bytes.begin(), bytes.end());
  }
  auto insert =
      Statement::Prepare(db,
                         "INSERT INTO audit_lists(root, list_version, size, record_idx, members) "
                         "VALUES(?,?,?,?,?) RETURNING id");
  if (!insert) return std::unexpected(insert.error());
  INBEELD_RETURN_IF_ERROR(insert->BindBlob(1, root));
  INBEELD_RETURN_IF_ERROR(insert->Bind(2, list_version));
  INBEELD_RETURN_IF_ERROR(insert->Bind(3, static_cast<int64_t>(list.size)));
  INBEELD_RETURN_IF_ERROR(insert->Bind(4, static_cast<int64_t>(list.record_index)));
  INBEELD_RETURN_IF_ERROR(insert->BindBlob(5, members));
  auto row = insert->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, "a committed list got no id");
  list.id = insert->ColumnInt(0);
  if (auto done = insert->Step(); !done) return std::unexpected(done.error());

  return list;
}

Status RecordListUseInTransaction(AuditLog& log, int64_t list_id, uint64_t parent_index) {
  auto s = Statement::Prepare(log.store().handle(),
                              "INSERT OR IGNORE INTO audit_list_uses(list_id, idx) VALUES(?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, list_id));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, static_cast<int64_t>(parent_index)));
  return s->Run();
}

Result<std::vector<CommittedList>> ListsContaining(AuditLog& log, const std::string& pseudonym) {
  std::vector<CommittedList> out;
  if (!IsPseudonym(pseudonym)) return out;
  const std::vector<uint8_t> wanted = PseudonymBytes(pseudonym);
  auto s =
      Statement::Prepare(log.store().handle(), std::string("SELECT ") + kListColumns +
                                                   ", l.members FROM audit_lists l ORDER BY l.id");
  if (!s) return std::unexpected(s.error());
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    auto members = s->ColumnBlobView(5);
    if (members.size() % kPseudonymBytes != 0) {
      return Fail(ErrorCode::kDataLoss, "a committed list's members are malformed");
    }
    // Sorted fixed-width entries: a binary search over them.
    size_t lo = 0, hi = members.size() / kPseudonymBytes;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      const int c =
          std::memcmp(members.data() + mid * kPseudonymBytes, wanted.data(), kPseudonymBytes);
      if (c == 0) {
        auto list = ReadList(*s);
        if (!list) return std::unexpected(list.error());
        out.push_back(*list);
        break;
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
  }
}

Result<std::vector<CommittedList>> CommittedLists(AuditLog& log) {
  auto s = Statement::Prepare(log.store().handle(), std::string("SELECT ") + kListColumns +
                                                        " FROM audit_lists l ORDER BY l.id");
  if (!s) return std::unexpected(s.error());
  return ReadLists(*s);
}

Status ForEachListMember(AuditLog& log, int64_t list_id,
                         const std::function<Status(const std::string&)>& visit) {
  auto s = Statement::Prepare(log.store().handle(), "SELECT members FROM audit_lists WHERE id = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, list_id));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kNotFound, "no such committed list");
  auto members = s->ColumnBlob(0);
  if (members.size() % kPseudonymBytes != 0) {
    return Fail(ErrorCode::kDataLoss, "a committed list's members are malformed");
  }
  for (size_t at = 0; at < members.size(); at += kPseudonymBytes) {
    INBEELD_RETURN_IF_ERROR(
        visit(PseudonymLetters(std::span(members).subspan(at, kPseudonymBytes))));
  }
  return {};
}

Result<ListMembership> ProveListMembership(AuditLog& log, const CommittedList& list,
                                           const std::string& pseudonym) {
  std::vector<crypto::Hash> leaves;
  leaves.reserve(list.size);
  std::optional<uint64_t> index;
  INBEELD_RETURN_IF_ERROR(ForEachListMember(log, list.id, [&](const std::string& p) -> Status {
    if (p == pseudonym) index = leaves.size();
    leaves.push_back(LeafOf(p));
    return {};
  }));
  if (!index) return Fail(ErrorCode::kNotFound, "the child is not on this list");
  if (leaves.size() != list.size || crypto::RootFromLeafHashes(leaves) != list.root) {
    return Fail(ErrorCode::kDataLoss, "a committed list no longer matches its root (list version " +
                                          std::to_string(list.list_version) + ")");
  }
  auto proof = crypto::InclusionProof(leaves, *index);
  if (!proof) return std::unexpected(proof.error());
  return ListMembership{*index, std::move(*proof)};
}

Status ForgetListsBeforeInTransaction(AuditLog& log, uint64_t end) {
  sqlite3* db = log.store().handle();
  auto uses = Statement::Prepare(db, "DELETE FROM audit_list_uses WHERE idx < ?");
  if (!uses) return std::unexpected(uses.error());
  INBEELD_RETURN_IF_ERROR(uses->Bind(1, static_cast<int64_t>(end)));
  INBEELD_RETURN_IF_ERROR(uses->Run());
  auto lists = Statement::Prepare(
      db,
      "DELETE FROM audit_lists WHERE record_idx < ? AND id NOT IN (SELECT list_id FROM "
      "audit_list_uses)");
  if (!lists) return std::unexpected(lists.error());
  INBEELD_RETURN_IF_ERROR(lists->Bind(1, static_cast<int64_t>(end)));
  return lists->Run();
}

}  // namespace inbeeld::node::audit
