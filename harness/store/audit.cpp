#include "harness/store/audit.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/sha256.h"

namespace dokpa::store_detail {

namespace {

// For each audited table: the SELECT whose columns are hashed, and how many leading columns
// form the row's key. Columns come from the row itself and from its own run (run_key), so a
// row edited, moved to another run or re-keyed hashes differently. Timings are left out.
struct AuditedTable {
  const char* kind;
  const char* sql;
  int key_columns;
};

constexpr AuditedTable kAuditedTables[] = {
    {"results",
     "SELECT t.task, t.item_id, t.request_index, r.run_key, t.prompt_hash, t.logprob, t.is_greedy, t.n_tokens, "
     "t.response_text, t.finish_reason FROM results t JOIN runs r ON r.id = t.run_id "
     "WHERE t.audit_seq = ?1 ORDER BY t.task, t.item_id, t.request_index",
     3},
    {"scores",
     "SELECT 'item_scores', t.task, t.item_id, t.metric, r.run_key, t.value FROM item_scores t "
     "JOIN runs r ON r.id = t.run_id WHERE t.audit_seq = ?1 ORDER BY t.task, t.item_id, t.metric",
     4},
    {"scores",
     "SELECT 'task_metrics', t.task, t.metric, r.run_key, t.value, t.stderr, t.n FROM task_metrics t "
     "JOIN runs r ON r.id = t.run_id WHERE t.audit_seq = ?1 ORDER BY t.task, t.metric",
     3},
};

// Typed, length-prefixed: NULL, 1 (integer), 1.0 (real) and "1" (text) all hash differently.
// Reals are written in the shortest form that round-trips, so the digest is exact.
void add_column(Sha256& hash, const Statement& row, int column) {
  switch (row.column_type(column)) {
    case SQLITE_NULL:
      hash.add_field("n");
      break;
    case SQLITE_INTEGER:
      hash.add_field("i");
      hash.add_field(std::to_string(row.int64(column)));
      break;
    case SQLITE_FLOAT:
      hash.add_field("f");
      hash.add_field(fmt::format("{}", row.real(column)));
      break;
    default:
      hash.add_field("t");
      hash.add_field(row.text(column));
      break;
  }
}

std::string dump(const nlohmann::json& value) {
  // Replace: keys come from data files and may hold invalid UTF-8; the digest covers the bytes.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

namespace {

// The lines of `table`'s rows that audit entry `seq` committed.
void append_lines(Database& db, const AuditedTable& table, int64_t seq, std::vector<AuditLine>& lines) {
  Statement row(db, table.sql);
  row.bind(1, seq);
  while (row.step()) {
    nlohmann::json key = nlohmann::json::array();
    Sha256 hash;
    for (int column = 0; column < row.column_count(); ++column) {
      if (column < table.key_columns) {
        if (row.column_type(column) == SQLITE_INTEGER)
          key.push_back(row.int64(column));
        else
          key.push_back(row.text(column));
      }
      add_column(hash, row, column);
    }
    lines.push_back({dump(key), hash.hex_digest()});
  }
}

}  // namespace

std::vector<AuditLine> audit_lines(Database& db, const std::string& kind, int64_t seq) {
  std::vector<AuditLine> lines;
  for (const AuditedTable& table : kAuditedTables)
    if (kind == table.kind) append_lines(db, table, seq, lines);
  return lines;
}

std::string run_digest(Database& db, int64_t run_id) {
  // One hash stream over the same typed, length-prefixed columns the row hashes use: no per-row
  // hash or key text, so a run of a million rows takes about a second.
  Sha256 digest;
  digest.add_field("dokpa-run-digest-v1");
  for (const AuditedTable& table : kAuditedTables) {
    std::string sql = table.sql;
    sql.replace(sql.find("t.audit_seq"), std::string("t.audit_seq").size(), "t.run_id");
    Statement row(db, sql);
    row.bind(1, run_id);
    int64_t rows = 0;
    digest.add_field(table.kind);
    while (row.step()) {
      for (int column = 0; column < row.column_count(); ++column) add_column(digest, row, column);
      ++rows;
    }
    digest.add_field(std::to_string(rows));
  }
  return digest.hex_digest();
}

std::string audit_rows_json(const std::vector<AuditLine>& lines) {
  nlohmann::json rows = nlohmann::json::array();
  for (const AuditLine& line : lines) rows.push_back({nlohmann::json::parse(line.key), line.digest});
  return dump(rows);
}

std::vector<AuditLine> parse_audit_rows(const std::string& rows_json) {
  nlohmann::json rows = nlohmann::json::parse(rows_json);  // throws nlohmann::json::exception
  std::vector<AuditLine> lines;
  for (const nlohmann::json& row : rows) lines.push_back({dump(row.at(0)), row.at(1).get<std::string>()});
  return lines;
}

std::string audit_chain_hash(const std::string& prev_hash, const std::string& kind, const std::string& payload_sha256) {
  Sha256 hash;
  hash.add_field(prev_hash);
  hash.add_field(kind);
  hash.add_field(payload_sha256);
  return hash.hex_digest();
}

int64_t next_audit_seq(Database& db) {
  Statement last(db, "SELECT COALESCE(MAX(seq), 0) + 1 FROM audit");
  last.step();
  return last.int64(0);
}

void append_audit_entry(Database& db, int64_t seq, int64_t run_id, const std::string& kind) {
  std::string prev_hash = kGenesisHash;
  {
    Statement prev(db, "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (prev.step()) prev_hash = prev.text(0);
  }
  std::string rows = audit_rows_json(audit_lines(db, kind, seq));
  std::string payload_sha256 = sha256_hex(rows);
  Statement insert(db,
                   "INSERT INTO audit (seq, run_id, kind, rows, payload_sha256, prev_hash, hash, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  insert.bind(1, seq).bind(2, run_id).bind(3, kind).bind(4, rows).bind(5, payload_sha256).bind(6, prev_hash);
  insert.bind(7, audit_chain_hash(prev_hash, kind, payload_sha256));
  insert.run();
}

}  // namespace dokpa::store_detail
