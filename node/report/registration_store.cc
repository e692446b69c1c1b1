#include "node/report/registration_store.h"

#include <algorithm>

#include "node/store/sqlite_util.h"

namespace inbeeld::node::report {
namespace {

Result<schema::Date> ReadDate(const std::string& text) {
  auto date = schema::ParseDate(text);
  if (!date) return Fail(ErrorCode::kDataLoss, "a stored registration date is not a date");
  return *date;
}

}  // namespace

Result<std::vector<Registration>> RegistrationStore::All() {
  auto s = Statement::Prepare(
      store_.handle(),
      "SELECT id, subject, row_number, first_quarter, listed_from, start_date, end_date, "
      "category, sector FROM report_registrations ORDER BY row_number, listed_from, id");
  if (!s) return std::unexpected(s.error());
  std::vector<Registration> out;
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    Registration r;
    r.id = s->ColumnInt(0);
    auto subject = s->ColumnBlobView(1);
    if (subject.size() != r.subject.size()) {
      return Fail(ErrorCode::kDataLoss, "a stored registration has a malformed subject");
    }
    std::copy(subject.begin(), subject.end(), r.subject.begin());
    r.row_number = s->ColumnInt(2);
    r.first_quarter = s->ColumnText(3);
    auto listed_from = ReadDate(s->ColumnText(4));
    if (!listed_from) return std::unexpected(listed_from.error());
    r.listed_from = *listed_from;
    auto start = ReadDate(s->ColumnText(5));
    if (!start) return std::unexpected(start.error());
    r.start = *start;
    if (!s->ColumnIsNull(6)) {
      auto end = ReadDate(s->ColumnText(6));
      if (!end) return std::unexpected(end.error());
      r.end = *end;
    }
    const int64_t category = s->ColumnInt(7);
    if (category < 0 || category > static_cast<int64_t>(schema::Category::kDreigend)) {
      return Fail(ErrorCode::kDataLoss, "a stored registration has an unknown category");
    }
    r.category = static_cast<schema::Category>(category);
    r.sector = s->ColumnText(8);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<ProcessedVersion>> RegistrationStore::Processed() {
  auto s = Statement::Prepare(
      store_.handle(), "SELECT version_id, list_date FROM report_versions ORDER BY version_id");
  if (!s) return std::unexpected(s.error());
  std::vector<ProcessedVersion> out;
  while (true) {
    auto row = s->Step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    auto date = ReadDate(s->ColumnText(1));
    if (!date) return std::unexpected(date.error());
    out.push_back({s->ColumnInt(0), *date});
  }
  return out;
}

Status RegistrationStore::Insert(Registration& r) {
  auto s = Statement::Prepare(
      store_.handle(),
      "INSERT INTO report_registrations(subject, row_number, first_quarter, listed_from, "
      "start_date, end_date, category, sector) VALUES(?,?,?,?,?,?,?,?) RETURNING id");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->BindBlob(1, r.subject));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, r.row_number));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, r.first_quarter));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, schema::FormatIso(r.listed_from)));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, schema::FormatIso(r.start)));
  if (r.end) {
    INBEELD_RETURN_IF_ERROR(s->Bind(6, schema::FormatIso(*r.end)));
  } else {
    INBEELD_RETURN_IF_ERROR(s->BindNull(6));
  }
  INBEELD_RETURN_IF_ERROR(s->Bind(7, static_cast<int64_t>(r.category)));
  INBEELD_RETURN_IF_ERROR(s->Bind(8, r.sector));
  auto row = s->Step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return Fail(ErrorCode::kInternal, "inserting a registration returned no id");
  r.id = s->ColumnInt(0);
  auto done = s->Step();
  if (!done) return std::unexpected(done.error());
  return {};
}

Status RegistrationStore::Update(const Registration& r) {
  auto s = Statement::Prepare(store_.handle(),
                              "UPDATE report_registrations SET start_date = ?, end_date = ?, "
                              "category = ?, sector = ? WHERE id = ?");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, schema::FormatIso(r.start)));
  if (r.end) {
    INBEELD_RETURN_IF_ERROR(s->Bind(2, schema::FormatIso(*r.end)));
  } else {
    INBEELD_RETURN_IF_ERROR(s->BindNull(2));
  }
  INBEELD_RETURN_IF_ERROR(s->Bind(3, static_cast<int64_t>(r.category)));
  INBEELD_RETURN_IF_ERROR(s->Bind(4, r.sector));
  INBEELD_RETURN_IF_ERROR(s->Bind(5, r.id));
  return s->Run();
}

Status RegistrationStore::MarkProcessed(const ProcessedVersion& version, const std::string& at) {
  auto s = Statement::Prepare(
      store_.handle(),
      "INSERT INTO report_versions(version_id, list_date, processed_at) VALUES(?,?,?)");
  if (!s) return std::unexpected(s.error());
  INBEELD_RETURN_IF_ERROR(s->Bind(1, version.version_id));
  INBEELD_RETURN_IF_ERROR(s->Bind(2, schema::FormatIso(version.list_date)));
  INBEELD_RETURN_IF_ERROR(s->Bind(3, at));
  return s->Run();
}

Status RegistrationStore::InTransaction(const std::function<Status()>& body) {
  auto tx = Transaction::Begin(store_.handle());
  if (!tx) return std::unexpected(tx.error());
  INBEELD_RETURN_IF_ERROR(body());
  return tx->Commit();
}

}  // namespace inbeeld::node::report
