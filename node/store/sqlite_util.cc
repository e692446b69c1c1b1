#include "node/store/sqlite_util.h"

#include <sqlite3.h>

namespace inbeeld::node {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = ErrorCode::kDataLoss;
      break;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      code = ErrorCode::kResourceExhausted;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      code = ErrorCode::kFailedPrecondition;
      break;
    default:
      break;
  }
  // sqlite3_errmsg describes the failure class ("database disk image is
  // malformed"); it never contains bound parameter values.
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error{code, std::string(what) + ": " + detail};
}

Status Exec(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, "database statement failed"));
  return {};
}

int64_t Changes(sqlite3* db) { return sqlite3_changes64(db); }

bool LastErrorWasUniqueViolation(sqlite3* db) {
  int rc = sqlite3_extended_errcode(db);
  return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
}

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, "preparing a database query"));
  return Statement(db, stmt);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

static Status CheckBind(sqlite3* db, int rc) {
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, "binding a query parameter"));
  return {};
}

Status Statement::Bind(int index, int64_t value) {
  return CheckBind(db_, sqlite3_bind_int64(stmt_, index, value));
}
Status Statement::Bind(int index, std::string_view text) {
  return CheckBind(db_, sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                                          SQLITE_TRANSIENT));
}
Status Statement::BindBlob(int index, std::span<const uint8_t> blob) {
  return CheckBind(db_, sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()),
                                          SQLITE_TRANSIENT));
}
Status Statement::BindNull(int index) { return CheckBind(db_, sqlite3_bind_null(stmt_, index)); }

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(SqliteError(db_, rc, "reading or writing the database"));
}

Status Statement::Run() {
  auto row = Step();
  if (!row) return std::unexpected(row.error());
  if (*row) return Fail(ErrorCode::kInternal, "a database write returned rows");
  return Reset();
}

Status Statement::Reset() {
  int rc = sqlite3_reset(stmt_);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db_, rc, "resetting a query"));
  sqlite3_clear_bindings(stmt_);
  return {};
}

int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), n);
}

std::span<const uint8_t> Statement::ColumnBlobView(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (data == nullptr) return {};
  return {static_cast<const uint8_t*>(data), static_cast<size_t>(n)};
}

std::vector<uint8_t> Statement::ColumnBlob(int col) const {
  auto view = ColumnBlobView(col);
  return {view.begin(), view.end()};
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Result<Transaction> Transaction::Begin(sqlite3* db) {
  INBEELD_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Commit() {
  INBEELD_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
  db_ = nullptr;
  return {};
}

}  // namespace inbeeld::node
