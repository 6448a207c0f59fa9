// `dokpa merge`: copying one run of another store (a shard's) into this one with SQL over an
// ATTACHed database, in one transaction: nothing is half-merged.
#include <fmt/format.h>

#include "common/error.h"
#include "harness/store/audit.h"
#include "harness/store/sqlite_result_store.h"

namespace dokpa::store_detail {

namespace {

// Detaches the shard whatever happens (ATTACH/DETACH cannot run inside a transaction).
struct Attached {
  Database& db;
  Attached(Database& database, const std::filesystem::path& file) : db(database) {
    Statement attach(db, "ATTACH DATABASE ?1 AS shard");
    attach.bind(1, file.string());
    attach.run();
  }
  ~Attached() { sqlite3_exec(db.handle(), "DETACH DATABASE shard", nullptr, nullptr, nullptr); }
};

int64_t count(Database& db, const std::string& sql, int64_t a, int64_t b = 0) {
  Statement query(db, sql);
  query.bind(1, a);
  if (sql.find("?2") != std::string::npos) query.bind(2, b);
  query.step();
  return query.int64(0);
}

}  // namespace

MergeOutcome SqliteResultStore::merge_run_from(const std::filesystem::path& shard_file, const std::string& run_key) {
  {
    auto shard = open_result_store(shard_file);  // a dokpa store, migrated to this schema version
  }
  const std::string shard_name = shard_file.string();
  Attached attached(db_, shard_file);
  Transaction transaction(db_);
  Statement run(db_, "SELECT id, submission_id, suite_id, provenance, started_at FROM shard.runs WHERE run_key = ?1");
  run.bind(1, run_key);
  if (!run.step()) throw Error(shard_name, "holds no run with key " + run_key);
  const int64_t shard_run = run.int64(0);
  const int64_t shard_submission = run.int64(1);
  const int64_t shard_suite = run.int64(2);
  const std::string provenance = run.text(3);
  const std::string started_at = run.text(4);
  run.reset();

  // ---- submission and suite: found by identity, or copied ----
  Statement submission(db_,
                       "SELECT m.id FROM submissions m JOIN shard.submissions s ON s.team = m.team AND "
                       "s.model = m.model AND s.checkpoint_sha256 = m.checkpoint_sha256 WHERE s.id = ?1");
  submission.bind(1, shard_submission);
  int64_t submission_id = 0;
  if (submission.step()) {
    submission_id = submission.int64(0);
  } else {
    Statement copy(db_,
                   "INSERT INTO submissions (team, model, kind, checkpoint_path, checkpoint_sha256, manifest_yaml, "
                   "created_at) SELECT team, model, kind, checkpoint_path, checkpoint_sha256, manifest_yaml, "
                   "created_at FROM shard.submissions WHERE id = ?1");
    copy.bind(1, shard_submission).run();
    submission_id = db_.last_insert_rowid();
    Statement files(db_,
                    "INSERT INTO checkpoint_files (submission_id, path, sha256, bytes) SELECT ?1, path, sha256, "
                    "bytes FROM shard.checkpoint_files WHERE submission_id = ?2");
    files.bind(1, submission_id).bind(2, shard_submission).run();
  }
  Statement suite(db_, "SELECT name, hash, canonical_text FROM shard.suites WHERE id = ?1");
  suite.bind(1, shard_suite);
  if (!suite.step()) throw Error(shard_name, fmt::format("run {} names a suite that is not stored", shard_run));
  std::string suite_name = suite.text(0), suite_hash = suite.text(1), suite_text = suite.text(2);
  suite.reset();
  transaction.commit();  // put_suite takes its own transaction
  int64_t suite_id = put_suite(suite_name, suite_hash, suite_text);

  Transaction merge(db_);
  // ---- the run: found by key (then it must be the same submission and suite), or copied ----
  Statement find(db_, "SELECT id, submission_id, suite_id FROM runs WHERE run_key = ?1");
  find.bind(1, run_key);
  int64_t run_id = 0;
  if (find.step()) {
    run_id = find.int64(0);
    if (find.int64(1) != submission_id || find.int64(2) != suite_id)
      fail(fmt::format("run key {} belongs to another submission or suite here than in {}", run_key, shard_name));
  } else {
    Statement insert(db_,
                     "INSERT INTO runs (submission_id, suite_id, run_key, status, provenance, started_at) "
                     "VALUES (?1, ?2, ?3, 'running', ?4, ?5)");
    insert.bind(1, submission_id).bind(2, suite_id).bind(3, run_key).bind(4, provenance).bind(5, started_at).run();
    run_id = db_.last_insert_rowid();
    Statement files(db_,
                    "INSERT INTO data_files (run_id, position, path, sha256) SELECT ?1, position, path, sha256 "
                    "FROM shard.data_files WHERE run_id = ?2");
    files.bind(1, run_id).bind(2, shard_run).run();
  }
  if (run_status(run_id) == RunStatus::Complete)
    fail(fmt::format("run {} ({}) is already complete here; merging into it would change a finished run", run_id,
                     run_key));
  // Each shard session's provenance, renumbered after the attempts already here.
  Statement attempts(db_,
                     "INSERT INTO run_attempts (run_id, attempt, started_at, provenance) SELECT ?1, "
                     "(SELECT COALESCE(MAX(attempt), 0) FROM run_attempts WHERE run_id = ?1) + attempt, started_at, "
                     "provenance FROM shard.run_attempts WHERE run_id = ?2 ORDER BY attempt");
  attempts.bind(1, run_id).bind(2, shard_run).run();

  // ---- planned requests: the same plan, or refused ----
  Statement requests(db_,
                     "INSERT INTO requests (run_id, task, item_id, request_index, plan_order, prompt_hash, request) "
                     "SELECT ?1, task, item_id, request_index, plan_order, prompt_hash, request FROM shard.requests "
                     "WHERE run_id = ?2 ORDER BY plan_order ON CONFLICT DO NOTHING");
  requests.bind(1, run_id).bind(2, shard_run).run();
  int64_t differing = count(db_,
                            "SELECT count(*) FROM shard.requests s LEFT JOIN requests m ON m.run_id = ?1 AND "
                            "m.task = s.task AND m.item_id = s.item_id AND m.request_index = s.request_index "
                            "WHERE s.run_id = ?2 AND (m.prompt_hash IS NOT s.prompt_hash OR m.plan_order IS NOT "
                            "s.plan_order)",
                            run_id, shard_run);
  int64_t here = count(db_, "SELECT count(*) FROM requests WHERE run_id = ?1", run_id);
  int64_t there = count(db_, "SELECT count(*) FROM shard.requests WHERE run_id = ?1", shard_run);
  if (differing != 0 || here != there)
    fail(fmt::format("{} plans run {} differently ({} requests differ, {} planned there, {} here): not a shard of "
                     "the same run",
                     shard_name, run_key, differing, there, here));

  // ---- results: new ones copied under one audit entry; ones already here must be identical ----
  int64_t conflicting = count(db_,
                              "SELECT count(*) FROM shard.results s JOIN results m ON m.run_id = ?1 AND "
                              "m.task = s.task AND m.item_id = s.item_id AND m.request_index = s.request_index "
                              "WHERE s.run_id = ?2 AND (m.prompt_hash IS NOT s.prompt_hash OR m.logprob IS NOT "
                              "s.logprob OR m.is_greedy IS NOT s.is_greedy OR m.n_tokens IS NOT s.n_tokens OR "
                              "m.response_text IS NOT s.response_text OR m.finish_reason IS NOT s.finish_reason)",
                              run_id, shard_run);
  if (conflicting != 0)
    fail(fmt::format("{} has {} results of run {} that differ from the ones stored here; refusing to choose", shard_name,
                     conflicting, run_key));
  int64_t seq = next_audit_seq(db_);
  Statement results(db_,
                    "INSERT INTO results (run_id, task, item_id, request_index, prompt_hash, logprob, is_greedy, "
                    "n_tokens, response_text, finish_reason, latency_ms, audit_seq, attempts) "
                    "SELECT ?1, s.task, s.item_id, s.request_index, s.prompt_hash, s.logprob, s.is_greedy, s.n_tokens, "
                    "s.response_text, s.finish_reason, s.latency_ms, ?3, s.attempts FROM shard.results s "
                    "JOIN shard.requests q ON q.run_id = s.run_id AND q.task = s.task AND q.item_id = s.item_id AND "
                    "q.request_index = s.request_index WHERE s.run_id = ?2 AND NOT EXISTS (SELECT 1 FROM results m "
                    "WHERE m.run_id = ?1 AND m.task = s.task AND m.item_id = s.item_id AND "
                    "m.request_index = s.request_index) ORDER BY q.plan_order");
  results.bind(1, run_id).bind(2, shard_run).bind(3, seq).run();
  MergeOutcome outcome{run_id, db_.changes()};
  if (outcome.results_added > 0) append_audit_entry(db_, seq, run_id, "results");
  merge.commit();
  return outcome;
}

}  // namespace dokpa::store_detail
