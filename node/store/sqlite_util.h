// node/store/sqlite_util.h — small RAII helpers over the SQLCipher C API.
//
// Statement wraps sqlite3_stmt with bind/step/column helpers whose failures come
// back as Status, so no SQLite return code goes unchecked. Messages name the
// operation, never bound values.
//
// Thread safety: like the connection they belong to (one thread at a time).
#ifndef INBEELD_NODE_STORE_SQLITE_UTIL_H_
#define INBEELD_NODE_STORE_SQLITE_UTIL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace inbeeld::node {

// Maps a SQLite result code to our vocabulary: NOTADB/CORRUPT → kDataLoss,
// FULL/NOMEM → kResourceExhausted, BUSY/LOCKED → kUnavailable, else kInternal.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

Status Exec(sqlite3* db, const char* sql);
// Rows changed by the last INSERT/UPDATE/DELETE on this connection.
int64_t Changes(sqlite3* db);
// True when the last failure on this connection was a UNIQUE/PRIMARY KEY clash.
bool LastErrorWasUniqueViolation(sqlite3* db);

class Statement {
 public:
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite.
  Status Bind(int index, int64_t value);
  Status Bind(int index, std::string_view text);
  Status BindBlob(int index, std::span<const uint8_t> blob);
  Status BindNull(int index);

  // Returns true when a row is available, false when done.
  Result<bool> Step();
  // Step() that must finish without a row (INSERT/UPDATE/DELETE).
  Status Run();
  Status Reset();

  int64_t ColumnInt(int col) const;
  std::string ColumnText(int col) const;
  std::vector<uint8_t> ColumnBlob(int col) const;
  std::span<const uint8_t> ColumnBlobView(int col) const;  // valid until next Step
  bool ColumnIsNull(int col) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() ran.
class Transaction {
 public:
  static Result<Transaction> Begin(sqlite3* db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace inbeeld::node

#endif  // INBEELD_NODE_STORE_SQLITE_UTIL_H_
