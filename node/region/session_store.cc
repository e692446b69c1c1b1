#include "node/region/session_store.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "crypto/bytes.h"
#include "node/clock/timestamp.h"
#include "node/store/sqlite_util.h"

namespace inbeeld::node::region {

using json = nlohmann::json;  // the figures as stored, not on the wire

Status RegionSessionStore::Record(const StartedRegionCount& count) {
  auto id = crypto::HexDecode(count.id_hex);
  if (!id) return std::unexpected(id.error());
  auto s = Statement::Prepare(store_.handle(),
                              "INSERT INTO region_sessions(id, role, coordinator, purpose, "
                              "participants, started_at, status, list_version, own_list_size) "
                              "VALUES(?,?,?,?,?,?,'running',?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, *id));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, count.role));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, count.coordinator));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, count.purpose));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, static_cast<int64_t>(count.participants)));
  INBEELD_RETURN_IF_ERROR(s->Bind(6, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(s->Bind(7, count.list_version));
  INBEELD_RETURN_IF_ERROR(s->Bind(8, int64_t{count.own_list_size}));
  if (auto ran = s->Run(); !ran) {
    if (LastErrorWasUniqueViolation(store_.handle())) {
      return Fail(ErrorCode::kFailedPrecondition, "region session id was used before");
    }
    return ran;
  }
  return {};
}

Status RegionSessionStore::Finish(const std::string& id_hex, const std::string& error,
                                  const RegionalCounts* counts) {
  auto id = crypto::HexDecode(id_hex);
  if (!id) return std::unexpected(id.error());
  auto s = Statement::Prepare(store_.handle(),
                              "UPDATE region_sessions SET finished_at = ?, status = ?, error = ?, "
                              "distinct_children = ?, single_list = ?, list_sizes = ? "
                              "WHERE id = ? AND status = 'running'");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, NowIso(store_.clock())));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, counts ? "completed" : "failed"));
  INBEELD_RETURN_IF_ERROR(error.empty() ? s->BindNull(3) : s->Bind(3, error));
  if (counts) {
    INBEELD_RETURN_IF_ERROR(s->Bind(4, static_cast<int64_t>(counts->distinct)));
    INBEELD_RETURN_IF_ERROR(s->Bind(5, static_cast<int64_t>(counts->single_list)));
    INBEELD_RETURN_IF_ERROR(s->Bind(6, json{{"participants", counts->participants},
                                            {"list_sizes", counts->list_sizes},
                                            {"possible", counts->possible},
                                            {"by_category", counts->by_category}}
                                           .dump()));
  } else {
    for (int c : {4, 5, 6}) INBEELD_RETURN_IF_ERROR(s->BindNull(c));
  }
  INBEELD_RETURN_IF_ERROR(s->BindBlob(7, *id));
  return s->Run();
}

Result<int64_t> RegionSessionStore::CountStartedSince(const std::string& coordinator,
                                                      const std::string& since) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT COUNT(*) FROM region_sessions WHERE coordinator = ? "
                              "AND started_at >= ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, coordinator));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, since));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, "region session count returned no row");
  return s->ColumnInt(0);
}

Result<std::vector<DatedRegionalCounts>> RegionSessionStore::Completed(size_t limit) {
  auto s = Statement::Prepare(store_.handle(),
                              "SELECT id, distinct_children, single_list, list_sizes, finished_at "
                              "FROM region_sessions WHERE status = 'completed' ORDER BY "
                              "finished_at DESC, rowid DESC LIMIT ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, static_cast<int64_t>(limit)));
  std::vector<DatedRegionalCounts> out;
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    RegionalCounts c;
    c.session = crypto::HexEncode(s->ColumnBlobView(0));
    c.distinct = static_cast<uint64_t>(s->ColumnInt(1));
    c.single_list = static_cast<uint64_t>(s->ColumnInt(2));
    // Written by Finish; a row that does not read back is damage, not a
    // reason to throw.
    json extra = json::parse(s->ColumnText(3), nullptr, false);
    try {
      if (!extra.is_object()) throw json::other_error::create(0, "not an object", nullptr);
      c.participants = extra.value("participants", std::vector<std::string>{});
      c.list_sizes = extra.value("list_sizes", std::vector<uint64_t>{});
      c.possible = extra.value("possible", uint64_t{0});
      c.by_category = extra.value("by_category", std::vector<uint64_t>{});
    } catch (const json::exception&) {
      return Fail(ErrorCode::kDataLoss, "stored regional count is unreadable");
    }
    out.push_back({std::move(c), s->ColumnText(4)});
  }
  return out;
}

}  // namespace inbeeld::node::region
