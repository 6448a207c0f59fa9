#pragma once
// A thin RAII layer over the SQLite C API for the store (private to harness/store).
// Every error becomes dokpa::Error naming the store file, so callers never see raw codes.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dokpa::store_detail {

class Database;

// One prepared statement; bind() takes 1-based indices like sqlite3_bind_*.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullopt_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  // Steps once: true while a row is available, false when done. Throws on any error,
  // including constraint violations (the caller's transaction guard then rolls back).
  bool step();
  // step() for statements that return no rows.
  void run();
  void reset();

  int column_count() const;
  int column_type(int column) const;  // SQLITE_NULL, SQLITE_INTEGER, ...
  bool is_null(int column) const;
  int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::optional<double> optional_real(int column) const;
  std::optional<int64_t> optional_int64(int column) const;
  std::optional<std::string> optional_text(int column) const;

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

enum class Access { ReadWrite, ReadOnly };

class Database {
 public:
  // ReadWrite opens (creating if missing) with WAL, foreign keys and a busy timeout, so several
  // processes can share the file: writers queue on the lock instead of failing. A file that
  // cannot be written (permissions, a read-only file system) is refused with that reason.
  // ReadOnly never writes the file, and also opens a store on a read-only file system.
  explicit Database(std::string path, Access access = Access::ReadWrite);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  // Throws dokpa::Error(path, "<what>: <sqlite message>"), with what it means for the store
  // when the disk is full or the file cannot be written.
  [[noreturn]] void fail(std::string_view what) const;

 private:
  void open(int flags, const std::string& uri_or_path);
  void configure(Access access);

  std::string path_;
  sqlite3* db_ = nullptr;
};

// Write transaction guard. BEGIN IMMEDIATE takes the write lock up front, so two processes
// never both read then both try to upgrade (which SQLite answers with SQLITE_BUSY at once).
// The destructor rolls back unless commit() ran: an exception leaves nothing half-written.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// Read transaction: one consistent snapshot across several SELECTs (WAL readers never block).
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Database& db_;
};

}  // namespace dokpa::store_detail
