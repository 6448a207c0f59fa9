// verify(): recomputes the audit chain and every entry's rows from the tables (audit.h).
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/sha256.h"
#include "harness/store/audit.h"
#include "harness/store/sqlite_result_store.h"

namespace dokpa::store_detail {

namespace {

constexpr size_t kMaxProblems = 100;

struct Entry {
  int64_t seq;
  int64_t run_id;
  std::string kind, rows, payload_sha256, prev_hash, hash;
};

// Names every row that differs between what the entry committed and what is stored now, in key
// order: each edited, deleted or added row once.
std::vector<std::string> row_differences(const std::vector<AuditLine>& committed, const std::vector<AuditLine>& stored,
                                         const std::string& table) {
  std::map<std::string, std::string> now;
  for (const AuditLine& line : stored) now[line.key] = line.digest;
  std::vector<std::string> differences;
  for (const AuditLine& line : committed) {
    auto it = now.find(line.key);
    if (it == now.end()) {
      differences.push_back(fmt::format("{} row {} was deleted", table, line.key));
      continue;
    }
    if (it->second != line.digest) differences.push_back(fmt::format("{} row {} was changed after it was committed", table, line.key));
    now.erase(it);
  }
  for (const auto& [key, digest] : now) differences.push_back(fmt::format("{} row {} was added without an audit entry", table, key));
  return differences;
}

}  // namespace

VerifyReport SqliteResultStore::verify() {
  ReadTransaction snapshot(db_);  // one consistent view while writers carry on
  VerifyReport report;
  auto problem = [&](int64_t seq, int64_t run_id, std::string message) {
    ++report.problems_found;
    if (report.problems.size() < kMaxProblems) report.problems.push_back({seq, run_id, std::move(message)});
  };

  std::vector<Entry> entries;
  {
    Statement query(db_, "SELECT seq, run_id, kind, rows, payload_sha256, prev_hash, hash FROM audit ORDER BY seq");
    while (query.step())
      entries.push_back(
          {query.int64(0), query.int64(1), query.text(2), query.text(3), query.text(4), query.text(5), query.text(6)});
  }
  // Only a run's latest scores entry still has rows: put_scores replaces earlier ones.
  std::map<int64_t, int64_t> latest_scores;
  for (const Entry& entry : entries)
    if (entry.kind == "scores") latest_scores[entry.run_id] = entry.seq;

  std::string prev_hash = kGenesisHash;
  for (const Entry& entry : entries) {
    ++report.entries;
    if (entry.prev_hash != prev_hash)
      problem(entry.seq, entry.run_id,
              fmt::format("audit entry {}: prev_hash does not match the hash of the entry "
                          "before it (an entry was removed or reordered)",
                          entry.seq));
    if (entry.hash != audit_chain_hash(entry.prev_hash, entry.kind, entry.payload_sha256))
      problem(entry.seq, entry.run_id, fmt::format("audit entry {}: hash does not match its contents", entry.seq));
    if (entry.payload_sha256 != sha256_hex(entry.rows))
      problem(entry.seq, entry.run_id, fmt::format("audit entry {}: rows do not match payload_sha256", entry.seq));
    prev_hash = entry.hash;

    std::vector<AuditLine> stored = audit_lines(db_, entry.kind, entry.seq);
    bool superseded = entry.kind == "scores" && latest_scores[entry.run_id] != entry.seq;
    std::vector<AuditLine> committed;
    if (!superseded) {
      try {
        committed = parse_audit_rows(entry.rows);
      } catch (const nlohmann::json::exception&) {
        problem(entry.seq, entry.run_id, fmt::format("audit entry {}: rows are not valid JSON", entry.seq));
        continue;
      }
    }
    std::string table = entry.kind == "results" ? "results" : "scores";
    for (const std::string& difference : row_differences(committed, stored, table))
      problem(entry.seq, entry.run_id,
              fmt::format("audit entry {} ({} of run {}): {}", entry.seq, entry.kind, entry.run_id, difference));
  }
  report.head_hash = prev_hash;

  // Rows that name no audit entry of their own kind and run were never committed through the store.
  constexpr const char* kOrphans[][2] = {
      {"results",
       "SELECT run_id, task || '/' || item_id || '/' || request_index FROM results t WHERE NOT EXISTS "
       "(SELECT 1 FROM audit a WHERE a.seq = t.audit_seq AND a.kind = 'results' AND a.run_id = t.run_id)"},
      {"item_scores",
       "SELECT run_id, task || '/' || item_id || '/' || metric FROM item_scores t WHERE NOT EXISTS "
       "(SELECT 1 FROM audit a WHERE a.seq = t.audit_seq AND a.kind = 'scores' AND a.run_id = t.run_id)"},
      {"task_metrics",
       "SELECT run_id, task || '/' || metric FROM task_metrics t WHERE NOT EXISTS "
       "(SELECT 1 FROM audit a WHERE a.seq = t.audit_seq AND a.kind = 'scores' AND a.run_id = t.run_id)"},
  };
  for (const auto& [table, sql] : kOrphans) {
    Statement orphans(db_, sql);
    while (orphans.step())
      problem(0, orphans.int64(0),
              fmt::format("{} row {} of run {} is covered by no audit entry of its run", table, orphans.text(1),
                          orphans.int64(0)));
  }
  return report;
}

}  // namespace dokpa::store_detail
