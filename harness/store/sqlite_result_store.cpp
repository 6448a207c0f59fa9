#include "harness/store/sqlite_result_store.h"

#include <fmt/format.h>

#include "common/error.h"
#include "harness/store/schema.h"

namespace dokpa {

namespace {
constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
}  // namespace

int result_store_schema_version() { return store_detail::latest_schema_version(); }

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Running:
      return "running";
    case RunStatus::Complete:
      return "complete";
    case RunStatus::Failed:
      return "failed";
  }
  return "unknown";
}

RunStatus run_status_from_string(const std::string& text) {
  if (text == "running") return RunStatus::Running;
  if (text == "complete") return RunStatus::Complete;
  if (text == "failed") return RunStatus::Failed;
  throw Error("run status", fmt::format("unknown status '{}' (expected running, complete or failed)", text));
}

std::unique_ptr<ResultStore> open_result_store(const std::filesystem::path& path, StoreAccess access) {
  if (access == StoreAccess::ReadOnly && !std::filesystem::exists(path)) throw Error(path.string(), "store not found");
  return std::make_unique<store_detail::SqliteResultStore>(path, access);
}

namespace store_detail {

SqliteResultStore::SqliteResultStore(std::filesystem::path path, StoreAccess access)
    : path_(std::move(path)),
      db_(path_.string(), access == StoreAccess::ReadOnly ? Access::ReadOnly : Access::ReadWrite) {
  if (access == StoreAccess::ReadOnly) check_readable_schema(db_);
  else migrate(db_);
}

void SqliteResultStore::fail(const std::string& message) const { throw Error(path_.string(), message); }

RunStatus SqliteResultStore::run_status(int64_t run_id) {
  Statement query(db_, "SELECT status FROM runs WHERE id = ?1");
  query.bind(1, run_id);
  if (!query.step()) fail(fmt::format("no run with id {}", run_id));
  return run_status_from_string(query.text(0));
}

void SqliteResultStore::require_running(int64_t run_id, const char* operation) {
  RunStatus status = run_status(run_id);
  if (status != RunStatus::Running)
    fail(fmt::format("cannot {} for run {}: it is {} (begin_run resumes it)", operation, run_id, to_string(status)));
}

int64_t SqliteResultStore::put_submission(const SubmissionRecord& submission) {
  Transaction transaction(db_);
  Statement find(db_, "SELECT id FROM submissions WHERE team = ?1 AND model = ?2 AND checkpoint_sha256 = ?3");
  find.bind(1, submission.team).bind(2, submission.model).bind(3, submission.checkpoint_sha256);
  if (find.step()) return find.int64(0);  // already there; the guard ends the empty transaction

  Statement insert(db_, fmt::format("INSERT INTO submissions (team, model, kind, checkpoint_path, checkpoint_sha256, "
                                    "manifest_yaml, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, {})",
                                    kNow));
  insert.bind(1, submission.team).bind(2, submission.model).bind(3, submission.kind);
  insert.bind(4, submission.checkpoint_path).bind(5, submission.checkpoint_sha256).bind(6, submission.manifest_yaml);
  insert.run();
  int64_t id = db_.last_insert_rowid();
  Statement file(db_, "INSERT INTO checkpoint_files (submission_id, path, sha256, bytes) VALUES (?1, ?2, ?3, ?4)");
  for (const CheckpointFileRecord& record : submission.files) {
    file.bind(1, id).bind(2, record.path).bind(3, record.sha256).bind(4, record.bytes);
    file.run();
    file.reset();
  }
  transaction.commit();
  return id;
}

int64_t SqliteResultStore::put_suite(const std::string& name, const std::string& hash,
                                     const std::string& canonical_text) {
  Transaction transaction(db_);
  Statement find(db_, "SELECT id, canonical_text FROM suites WHERE hash = ?1");
  find.bind(1, hash);
  if (find.step()) {
    if (find.text(1) != canonical_text)
      fail(fmt::format("suite '{}': hash {} is stored with a different canonical text", name, hash));
    return find.int64(0);
  }
  Statement insert(db_, "INSERT INTO suites (name, hash, canonical_text) VALUES (?1, ?2, ?3)");
  insert.bind(1, name).bind(2, hash).bind(3, canonical_text);
  insert.run();
  int64_t id = db_.last_insert_rowid();
  transaction.commit();
  return id;
}

RunRecord SqliteResultStore::begin_run(const RunStart& start) {
  Transaction transaction(db_);
  RunRecord record;
  record.run_key = start.run_key;
  Statement find(db_, "SELECT id, submission_id, suite_id, status FROM runs WHERE run_key = ?1");
  find.bind(1, start.run_key);
  if (find.step()) {
    record.id = find.int64(0);
    record.status = run_status_from_string(find.text(3));
    record.resumed = true;
    if (find.int64(1) != start.submission_id || find.int64(2) != start.suite_id)
      fail(
          fmt::format("run key {} already belongs to run {} of submission {} and suite {}, not submission {} "
                      "and suite {}",
                      start.run_key, record.id, find.int64(1), find.int64(2), start.submission_id, start.suite_id));
    Statement attempts(db_, "SELECT COALESCE(MAX(attempt), 0) FROM run_attempts WHERE run_id = ?1");
    attempts.bind(1, record.id);
    attempts.step();
    record.attempt = static_cast<int>(attempts.int64(0));
    if (record.status == RunStatus::Complete) return record;  // nothing to do: a no-op rerun
    record.attempt += 1;
    Statement reopen(db_, "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?1");
    reopen.bind(1, record.id);
    reopen.run();
  } else {
    Statement insert(db_, fmt::format("INSERT INTO runs (submission_id, suite_id, run_key, status, provenance, "
                                      "started_at) VALUES (?1, ?2, ?3, 'running', ?4, {})",
                                      kNow));
    insert.bind(1, start.submission_id).bind(2, start.suite_id).bind(3, start.run_key).bind(4, start.provenance_json);
    insert.run();
    record.id = db_.last_insert_rowid();
    Statement file(db_, "INSERT INTO data_files (run_id, position, path, sha256) VALUES (?1, ?2, ?3, ?4)");
    for (size_t i = 0; i < start.data_files.size(); ++i) {
      file.bind(1, record.id).bind(2, static_cast<int64_t>(i));
      file.bind(3, start.data_files[i].path).bind(4, start.data_files[i].sha256);
      file.run();
      file.reset();
    }
  }
  Statement attempt(db_, fmt::format("INSERT INTO run_attempts (run_id, attempt, started_at, provenance) "
                                     "VALUES (?1, ?2, {}, ?3)",
                                     kNow));
  attempt.bind(1, record.id).bind(2, record.attempt).bind(3, start.provenance_json);
  attempt.run();
  transaction.commit();
  return record;
}

void SqliteResultStore::finish_run(int64_t run_id, RunStatus status, const std::string& timings_json) {
  Transaction transaction(db_);
  run_status(run_id);  // exists
  Statement update(db_, fmt::format("UPDATE runs SET status = ?2, timings = ?3, finished_at = {} WHERE id = ?1", kNow));
  update.bind(1, run_id).bind(2, to_string(status)).bind(3, timings_json);
  update.run();
  transaction.commit();
}

std::vector<RunSummary> SqliteResultStore::list_runs(const std::optional<std::string>& suite_hash) {
  Statement query(db_,
                  "SELECT r.id, r.run_key, s.team, s.model, s.checkpoint_sha256, u.name, u.hash, r.status, "
                  "r.started_at, r.finished_at, "
                  "(SELECT count(*) FROM requests q WHERE q.run_id = r.id), "
                  "(SELECT count(*) FROM results t WHERE t.run_id = r.id) "
                  "FROM runs r JOIN submissions s ON s.id = r.submission_id JOIN suites u ON u.id = r.suite_id "
                  "WHERE ?1 IS NULL OR u.hash = ?1 ORDER BY r.id");
  query.bind(1, suite_hash);
  std::vector<RunSummary> runs;
  while (query.step()) {
    RunSummary run;
    run.id = query.int64(0);
    run.run_key = query.text(1);
    run.team = query.text(2);
    run.model = query.text(3);
    run.checkpoint_sha256 = query.text(4);
    run.suite_name = query.text(5);
    run.suite_hash = query.text(6);
    run.status = run_status_from_string(query.text(7));
    run.started_at = query.text(8);
    run.finished_at = query.optional_text(9);
    run.n_requests = query.int64(10);
    run.n_results = query.int64(11);
    runs.push_back(std::move(run));
  }
  return runs;
}

std::string SqliteResultStore::provenance_json(int64_t run_id) {
  Statement query(db_, "SELECT provenance FROM runs WHERE id = ?1");
  query.bind(1, run_id);
  if (!query.step()) fail(fmt::format("no run with id {}", run_id));
  return query.text(0);
}

SubmissionRecord SqliteResultStore::run_submission(int64_t run_id) {
  Statement query(db_,
                  "SELECT s.id, s.team, s.model, s.kind, s.checkpoint_path, s.checkpoint_sha256, s.manifest_yaml "
                  "FROM runs r JOIN submissions s ON s.id = r.submission_id WHERE r.id = ?1");
  query.bind(1, run_id);
  if (!query.step()) fail(fmt::format("no run with id {}", run_id));
  SubmissionRecord submission{query.text(1), query.text(2), query.text(3), query.text(4),
                              query.text(5), query.text(6), {}};
  Statement files(db_, "SELECT path, sha256, bytes FROM checkpoint_files WHERE submission_id = ?1 ORDER BY path");
  files.bind(1, query.int64(0));
  while (files.step()) submission.files.push_back({files.text(0), files.text(1), files.int64(2)});
  return submission;
}

}  // namespace store_detail
}  // namespace dokpa
