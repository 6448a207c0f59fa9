#include "harness/store/sqlite_db.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <filesystem>

#include "common/crash_point.h"
#include "common/error.h"

namespace dokpa::store_detail {

namespace {
// Long enough for another process's batch commit (or a migration) to finish.
constexpr int kBusyTimeoutMs = 120'000;

// A path as the path part of an SQLite file: URI (RFC 3986 percent-encoding of what is not plain).
std::string uri_path(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("/-._~", c)) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}
}  // namespace

Database::Database(std::string path, Access access) : path_(std::move(path)) {
  if (access == Access::ReadOnly) {
    open(SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, path_);
    try {
      configure(access);
    } catch (const Error&) {
      // A WAL store on a read-only file system: SQLite cannot create the -shm index there.
      // Nobody can write such a file, so it is safe to read it as immutable, unless its log
      // holds commits that never reached the main file (immutable reads would not see them).
      sqlite3_close(db_);
      db_ = nullptr;
      std::error_code ec;
      if (std::filesystem::file_size(path_ + "-wal", ec) > 0 && !ec)
        throw Error(path_, "cannot open store: its write-ahead log (" + path_ +
                               "-wal) holds commits not yet in the main file, and SQLite cannot read it here; copy "
                               "the store with its -wal and -shm files to a writable place");
      open(SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, "file:" + uri_path(path_) + "?immutable=1");
      configure(access);
    }
    return;
  }
  open(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, path_);
  if (sqlite3_db_readonly(db_, "main") == 1) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(path_, "the store is read-only (its file or file system cannot be written); this command writes to "
                       "it. Commands that only read (results, report, verify) open it as it is");
  }
  configure(access);
}

void Database::open(int flags, const std::string& uri_or_path) {
  int rc = sqlite3_open_v2(uri_or_path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(path_, "cannot open store: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

void Database::configure(Access access) {
  try {
    // The first read also tells us whether this is a database at all.
    if (access == Access::ReadOnly) {
      Statement probe(*this, "SELECT count(*) FROM sqlite_schema");
      probe.step();
      return;
    }
    Statement mode(*this, "PRAGMA journal_mode=WAL");
    if (!mode.step() || mode.text(0) != "wal") fail("cannot switch the store to WAL mode");
    // FULL: a committed batch survives power loss, not just a killed process.
    exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Database::~Database() { sqlite3_close(db_); }

void Database::fail(std::string_view what) const {
  if (!db_) throw Error(path_, fmt::format("{}: no connection", what));
  std::string message = sqlite3_errmsg(db_);
  switch (sqlite3_errcode(db_) & 0xff) {  // the primary code of an extended one
    case SQLITE_FULL:
      message += " — the disk holding the store is full. This write was rolled back; everything committed before it "
                 "is kept. Free space and run the same command again to resume";
      break;
    case SQLITE_READONLY:
      message += " — the store cannot be written (read-only file or file system). This write was rolled back; "
                 "everything committed before it is kept";
      break;
    case SQLITE_IOERR:
      message += " — the file system reported an I/O error. This write was rolled back; run `dokpa verify` on the "
                 "store before trusting it";
      break;
    default: break;
  }
  throw Error(path_, fmt::format("{}: {}", what, message));
}

void Database::exec(std::string_view sql) {
  std::string owned(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    sqlite3_free(message);
    fail(fmt::format("SQL failed ({})", owned.substr(0, 60)));
  }
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::Statement(Database& db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    db_.fail(fmt::format("cannot prepare SQL ({})", sql.substr(0, 60)));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.fail("bind failed");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_.fail("bind failed");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    db_.fail("bind failed");
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_.fail("bind failed");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
  sqlite3_reset(stmt_);  // so the connection's error message is the step's, and the statement is reusable
  db_.fail(fmt::format("SQL failed ({})", sql.substr(0, 60)));
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }
int Statement::column_type(int column) const { return sqlite3_column_type(stmt_, column); }
bool Statement::is_null(int column) const { return column_type(column) == SQLITE_NULL; }
int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size)) : std::string();
}

std::optional<double> Statement::optional_real(int column) const {
  if (is_null(column)) return std::nullopt;
  return real(column);
}
std::optional<int64_t> Statement::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}
std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  crash_point("store.commit");  // the crash-safety tests kill the process here, mid-transaction
  db_.exec("COMMIT");
  done_ = true;
  crash_point("store.committed");
}

ReadTransaction::ReadTransaction(Database& db) : db_(db) { db_.exec("BEGIN DEFERRED"); }
ReadTransaction::~ReadTransaction() { sqlite3_exec(db_.handle(), "COMMIT", nullptr, nullptr, nullptr); }

}  // namespace dokpa::store_detail
