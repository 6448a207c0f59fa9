// Requests, results and scores: the per-item rows of a run.
#include <fmt/format.h>

#include "common/error.h"
#include "harness/store/audit.h"
#include "harness/store/sqlite_result_store.h"

namespace dokpa::store_detail {

namespace {

std::string describe(const RequestKey& key) {
  return fmt::format("task '{}' item '{}' request {}", key.task, key.item_id, key.request_index);
}

void bind_key(Statement& statement, int64_t run_id, const RequestKey& key) {
  statement.bind(1, run_id).bind(2, key.task).bind(3, key.item_id).bind(4, key.request_index);
}

}  // namespace

void SqliteResultStore::put_requests(int64_t run_id, std::span<const RequestRow> requests) {
  Transaction transaction(db_);
  require_running(run_id, "add requests");
  Statement insert(db_,
                   "INSERT INTO requests (run_id, task, item_id, request_index, plan_order, prompt_hash, request) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING");
  Statement stored(db_,
                   "SELECT prompt_hash, plan_order FROM requests "
                   "WHERE run_id = ?1 AND task = ?2 AND item_id = ?3 AND request_index = ?4");
  for (const RequestRow& request : requests) {
    bind_key(insert, run_id, request.key);
    insert.bind(5, request.plan_order).bind(6, request.prompt_hash).bind(7, request.request_json);
    insert.run();
    insert.reset();
    if (db_.changes() == 1) continue;
    // Already planned (a resumed run): it must be the same request at the same place.
    bind_key(stored, run_id, request.key);
    if (!stored.step())
      fail(
          fmt::format("run {}: plan position {} of {} is already taken by another request; the plan changed "
                      "under a resumed run",
                      run_id, request.plan_order, describe(request.key)));
    if (stored.text(0) != request.prompt_hash || stored.int64(1) != request.plan_order)
      fail(fmt::format(
          "run {}: {} was planned with prompt hash {} at position {}, now {} at position {}; the "
          "plan changed under a resumed run (start a new run)",
          run_id, describe(request.key), stored.text(0), stored.int64(1), request.prompt_hash, request.plan_order));
    stored.reset();
  }
  transaction.commit();
}

std::set<RequestKey> SqliteResultStore::completed_requests(int64_t run_id) {
  Statement query(db_, "SELECT task, item_id, request_index FROM results WHERE run_id = ?1");
  query.bind(1, run_id);
  std::set<RequestKey> keys;
  while (query.step()) keys.insert({query.text(0), query.text(1), static_cast<int>(query.int64(2))});
  return keys;
}

void SqliteResultStore::put_results(int64_t run_id, std::span<const ResultRow> results) {
  if (results.empty()) return;
  Transaction transaction(db_);
  require_running(run_id, "add results");
  int64_t seq = next_audit_seq(db_);
  Statement planned(db_,
                    "SELECT prompt_hash, EXISTS (SELECT 1 FROM results t WHERE t.run_id = q.run_id AND "
                    "t.task = q.task AND t.item_id = q.item_id AND t.request_index = q.request_index) "
                    "FROM requests q WHERE run_id = ?1 AND task = ?2 AND item_id = ?3 AND request_index = ?4");
  // A plain INSERT: a duplicate is an error, never silently ignored or replaced.
  Statement insert(db_,
                   "INSERT INTO results (run_id, task, item_id, request_index, prompt_hash, logprob, is_greedy, "
                   "n_tokens, response_text, finish_reason, latency_ms, audit_seq, attempts) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  for (const ResultRow& result : results) {
    bind_key(planned, run_id, result.key);
    if (!planned.step())
      fail(fmt::format("run {}: result for {}, which is not a planned request", run_id, describe(result.key)));
    if (planned.text(0) != result.prompt_hash)
      fail(fmt::format("run {}: result for {} has prompt hash {}, the plan has {}", run_id, describe(result.key),
                       result.prompt_hash, planned.text(0)));
    if (planned.int64(1) != 0)
      fail(fmt::format("run {}: result for {} is already stored; nothing of this batch was written", run_id,
                       describe(result.key)));
    planned.reset();
    bind_key(insert, run_id, result.key);
    insert.bind(5, result.prompt_hash).bind(6, result.logprob);
    if (result.is_greedy)
      insert.bind(7, *result.is_greedy ? 1 : 0);
    else
      insert.bind(7, std::nullopt);
    insert.bind(8, result.n_tokens).bind(9, result.response_text).bind(10, result.finish_reason);
    insert.bind(11, result.latency_ms).bind(12, seq).bind(13, result.attempts);
    insert.run();
    insert.reset();
  }
  append_audit_entry(db_, seq, run_id, "results");
  transaction.commit();
}

std::vector<ResultRow> SqliteResultStore::results(int64_t run_id) {
  Statement query(db_,
                  "SELECT t.task, t.item_id, t.request_index, t.prompt_hash, t.logprob, t.is_greedy, t.n_tokens, "
                  "t.response_text, t.finish_reason, t.latency_ms, t.attempts FROM results t JOIN requests q "
                  "ON q.run_id = t.run_id AND q.task = t.task AND q.item_id = t.item_id AND "
                  "q.request_index = t.request_index WHERE t.run_id = ?1 ORDER BY q.plan_order");
  query.bind(1, run_id);
  std::vector<ResultRow> rows;
  while (query.step()) {
    ResultRow row;
    row.key = {query.text(0), query.text(1), static_cast<int>(query.int64(2))};
    row.prompt_hash = query.text(3);
    row.logprob = query.optional_real(4);
    if (auto greedy = query.optional_int64(5)) row.is_greedy = *greedy != 0;
    row.n_tokens = static_cast<int>(query.int64(6));
    row.response_text = query.optional_text(7);
    row.finish_reason = query.optional_text(8);
    row.latency_ms = query.real(9);
    row.attempts = static_cast<int>(query.int64(10));
    rows.push_back(std::move(row));
  }
  return rows;
}

void SqliteResultStore::put_scores(int64_t run_id, std::span<const ItemScoreRow> item_scores,
                                   std::span<const TaskMetricRow> task_metrics) {
  Transaction transaction(db_);
  run_status(run_id);  // exists; scores may be recomputed for a finished run
  int64_t seq = next_audit_seq(db_);
  for (const char* sql : {"DELETE FROM item_scores WHERE run_id = ?1", "DELETE FROM task_metrics WHERE run_id = ?1"}) {
    Statement clear(db_, sql);
    clear.bind(1, run_id);
    clear.run();
  }
  Statement item(db_,
                 "INSERT INTO item_scores (run_id, task, item_id, metric, value, audit_seq) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (const ItemScoreRow& score : item_scores) {
    item.bind(1, run_id).bind(2, score.task).bind(3, score.item_id).bind(4, score.metric);
    item.bind(5, score.value).bind(6, seq);
    item.run();
    item.reset();
  }
  Statement metric(db_,
                   "INSERT INTO task_metrics (run_id, task, metric, value, stderr, n, audit_seq) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const TaskMetricRow& row : task_metrics) {
    metric.bind(1, run_id).bind(2, row.task).bind(3, row.metric).bind(4, row.value);
    metric.bind(5, row.stderr_value).bind(6, row.n).bind(7, seq);
    metric.run();
    metric.reset();
  }
  append_audit_entry(db_, seq, run_id, "scores");
  transaction.commit();
}

std::vector<ItemScoreRow> SqliteResultStore::item_scores(int64_t run_id) {
  Statement query(db_,
                  "SELECT task, item_id, metric, value FROM item_scores WHERE run_id = ?1 "
                  "ORDER BY task, item_id, metric");
  query.bind(1, run_id);
  std::vector<ItemScoreRow> rows;
  while (query.step()) rows.push_back({query.text(0), query.text(1), query.text(2), query.real(3)});
  return rows;
}

std::vector<TaskMetricRow> SqliteResultStore::task_metrics(int64_t run_id) {
  Statement query(db_,
                  "SELECT task, metric, value, stderr, n FROM task_metrics WHERE run_id = ?1 ORDER BY task, metric");
  query.bind(1, run_id);
  std::vector<TaskMetricRow> rows;
  while (query.step())
    rows.push_back({query.text(0), query.text(1), query.real(2), query.optional_real(3), query.int64(4)});
  return rows;
}

std::vector<RequestRow> SqliteResultStore::requests(int64_t run_id) {
  Statement query(db_,
                  "SELECT task, item_id, request_index, plan_order, prompt_hash, request FROM requests "
                  "WHERE run_id = ?1 ORDER BY plan_order");
  query.bind(1, run_id);
  std::vector<RequestRow> rows;
  while (query.step()) {
    RequestKey key{query.text(0), query.text(1), static_cast<int>(query.int64(2))};
    rows.push_back({std::move(key), query.int64(3), query.text(4), query.text(5)});
  }
  return rows;
}

std::string SqliteResultStore::suite_text(const std::string& suite_hash) {
  Statement query(db_, "SELECT canonical_text FROM suites WHERE hash = ?1");
  query.bind(1, suite_hash);
  if (!query.step()) fail(fmt::format("no suite with hash {}", suite_hash));
  return query.text(0);
}

std::string SqliteResultStore::audit_head_hash() {
  Statement query(db_, "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1");
  return query.step() ? query.text(0) : std::string();
}

std::string SqliteResultStore::run_digest(int64_t run_id) {
  run_status(run_id);  // exists
  return store_detail::run_digest(db_, run_id);
}

}  // namespace dokpa::store_detail
