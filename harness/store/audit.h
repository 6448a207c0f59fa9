#pragma once
// The audit chain (private to harness/store). Each committed results batch and each scores
// write appends one entry:
//   rows           canonical JSON [[key, row_sha256], ...], rows in key order, where
//                  row_sha256 hashes the row's typed, length-prefixed column values
//                  (every stored column but timings, plus the run's run_key);
//   payload_sha256 sha256(rows);
//   hash           sha256(add_field(prev_hash), add_field(kind), add_field(payload_sha256)),
//                  prev_hash being the previous entry's hash (64 zeros for the first).
// verify() recomputes `rows` from the tables with the same functions, so any later edit of
// a row names that row, and any edit of the audit table breaks the chain.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/store/sqlite_db.h"

namespace dokpa::store_detail {

inline constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

struct AuditLine {
  std::string key;  // JSON array naming the row, e.g. ["arc_ko","17",2]
  std::string digest;
};

// Recomputes an entry's lines from the rows that name it (audit_seq = seq).
std::vector<AuditLine> audit_lines(Database& db, const std::string& kind, int64_t seq);
std::string audit_rows_json(const std::vector<AuditLine>& lines);
// The run's digest (ResultStore::run_digest): the same row hashes, over all of the run's rows.
std::string run_digest(Database& db, int64_t run_id);
std::vector<AuditLine> parse_audit_rows(const std::string& rows_json);  // throws on bad JSON
std::string audit_chain_hash(const std::string& prev_hash, const std::string& kind, const std::string& payload_sha256);

// The seq the next entry will get; call inside the write transaction.
int64_t next_audit_seq(Database& db);
// Appends entry `seq` for the rows already written with that audit_seq; inside the write transaction.
void append_audit_entry(Database& db, int64_t seq, int64_t run_id, const std::string& kind);

}  // namespace dokpa::store_detail
