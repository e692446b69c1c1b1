#include "node/audit/session_journal.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "node/audit/list_commitments.h"
#include "node/store/sqlite_util.h"

namespace inbeeld::node::audit {
namespace {

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot.
// The command name (field 2) is in parentheses and may hold spaces.
std::string StartTime(long pid) {
  std::string stat = ReadFirstLine("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) return field;
  }
  return "";
}

std::string BootId() { return ReadFirstLine("/proc/sys/kernel/random/boot_id"); }

}  // namespace

const std::string& CurrentProcessOwner() {
  static const std::string owner = [] {
    long pid = static_cast<long>(getpid());
    return BootId() + "/" + std::to_string(pid) + "/" + StartTime(pid);
  }();
  return owner;
}

bool OwnerAlive(const std::string& owner) {
  auto first = owner.find('/');
  auto second = first == std::string::npos ? std::string::npos : owner.find('/', first + 1);
  if (second == std::string::npos) return false;
  if (owner.substr(0, first) != BootId()) return false;  // a process of an earlier boot
  long pid = 0;
  try {
    pid = std::stol(owner.substr(first + 1, second - first - 1));
  } catch (...) {
    return false;
  }
  if (pid <= 0) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  // The pid runs; it is the same process only if it started at the same tick.
  return StartTime(pid) == owner.substr(second + 1);
}

Status SessionJournal::OpenInTransaction(const std::string& key, const schema::AuditRecord& opened,
                                         const schema::AuditRecord& interrupted,
                                         std::optional<int64_t> list_id) {
  auto insert = Statement::Prepare(
      store_.handle(),
      "INSERT INTO open_sessions(key, owner, opened_ms, interrupted, list_id) VALUES(?,?,?,?,?)");
  if (!insert) return std::unexpected(insert.error());
  INBEELD_RETURN_IF_ERROR(insert->Bind(1, key));
  INBEELD_RETURN_IF_ERROR(insert->Bind(2, CurrentProcessOwner()));
  INBEELD_RETURN_IF_ERROR(insert->Bind(3, opened.start_time_ms));
  INBEELD_RETURN_IF_ERROR(insert->Bind(4, schema::EncodeAuditRecord(interrupted)));
  INBEELD_RETURN_IF_ERROR(list_id ? insert->Bind(5, *list_id) : insert->BindNull(5));
  if (auto ran = insert->Run(); !ran) {
    if (LastErrorWasUniqueViolation(store_.handle())) {
      return Fail(ErrorCode::kAlreadyExists, "a session with this id is already open");
    }
    return ran;
  }
  // Only a closing record answers for the children on the list (`audit
  // subject`): the interrupted one is noted as naming it when it is written.
  return log_.AppendInTransaction({opened});
}

Status SessionJournal::CloseInTransaction(const std::string& key) {
  auto remove = Statement::Prepare(store_.handle(), "DELETE FROM open_sessions WHERE key = ?");
  if (!remove) return std::unexpected(remove.error());
  INBEELD_RETURN_IF_ERROR(remove->Bind(1, key));
  return remove->Run();
}

Result<size_t> SessionJournal::CloseAbandoned(int64_t now_ms) {
  size_t closed = 0;
  Status done = log_.InTransaction([&]() -> Status {
    auto select = Statement::Prepare(store_.handle(),
                                     "SELECT key, owner, interrupted, list_id FROM open_sessions "
                                     "ORDER BY opened_ms, key");
    if (!select) return std::unexpected(select.error());
    std::vector<std::string> keys;
    std::vector<schema::AuditRecord> records;
    std::vector<std::optional<int64_t>> lists;
    for (;;) {
      auto row = select->Step();
      if (!row) return std::unexpected(row.error());
      if (!*row) break;
      if (OwnerAlive(select->ColumnText(1))) continue;
      auto record = schema::DecodeAuditRecord(select->ColumnText(2));
      if (!record) {
        return Fail(ErrorCode::kDataLoss,
                    "an open session's journal entry is unreadable: " + record.error().message);
      }
      record->end_time_ms = std::max(now_ms, record->start_time_ms);
      keys.push_back(select->ColumnText(0));
      records.push_back(std::move(*record));
      lists.push_back(select->ColumnIsNull(3) ? std::nullopt
                                              : std::optional<int64_t>(select->ColumnInt(3)));
    }
    if (records.empty()) return {};
    auto first = log_.Size();
    if (!first) return std::unexpected(first.error());
    INBEELD_RETURN_IF_ERROR(log_.AppendInTransaction(std::move(records)));
    for (size_t i = 0; i < lists.size(); ++i) {
      if (lists[i]) {
        INBEELD_RETURN_IF_ERROR(RecordListUseInTransaction(log_, *lists[i], *first + i));
      }
    }
    for (const std::string& key : keys) INBEELD_RETURN_IF_ERROR(CloseInTransaction(key));
    closed = keys.size();
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return closed;
}

}  // namespace inbeeld::node::audit
