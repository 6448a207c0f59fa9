#pragma once
// The SQLite ResultStore (private to harness/store; callers use open_result_store()).
// Split by job: sqlite_result_store.cpp (open, submissions, suites, runs, listings),
// store_rows.cpp (requests, results, scores), store_verify.cpp (the audit check),
// store_merge.cpp (copying a shard's run in).
#include "harness/store/result_store.h"
#include "harness/store/sqlite_db.h"

namespace dokpa::store_detail {

class SqliteResultStore final : public ResultStore {
 public:
  SqliteResultStore(std::filesystem::path path, StoreAccess access);

  int64_t put_submission(const SubmissionRecord& submission) override;
  int64_t put_suite(const std::string& name, const std::string& hash, const std::string& canonical_text) override;
  RunRecord begin_run(const RunStart& start) override;
  void put_requests(int64_t run_id, std::span<const RequestRow> requests) override;
  std::set<RequestKey> completed_requests(int64_t run_id) override;
  void put_results(int64_t run_id, std::span<const ResultRow> results) override;
  std::vector<ResultRow> results(int64_t run_id) override;
  void put_scores(int64_t run_id, std::span<const ItemScoreRow> item_scores,
                  std::span<const TaskMetricRow> task_metrics) override;
  void finish_run(int64_t run_id, RunStatus status, const std::string& timings_json) override;
  std::vector<RunSummary> list_runs(const std::optional<std::string>& suite_hash) override;
  std::vector<ItemScoreRow> item_scores(int64_t run_id) override;
  std::vector<TaskMetricRow> task_metrics(int64_t run_id) override;
  std::string provenance_json(int64_t run_id) override;
  std::vector<RequestRow> requests(int64_t run_id) override;
  SubmissionRecord run_submission(int64_t run_id) override;
  std::string suite_text(const std::string& suite_hash) override;
  std::string audit_head_hash() override;
  std::string run_digest(int64_t run_id) override;
  MergeOutcome merge_run_from(const std::filesystem::path& shard, const std::string& run_key) override;
  VerifyReport verify() override;
  const std::filesystem::path& path() const override { return path_; }

 private:
  // The run's status; throws naming the store if there is no such run.
  RunStatus run_status(int64_t run_id);
  // Throws unless the run is running (rows may only be added to a run in progress).
  void require_running(int64_t run_id, const char* operation);
  [[noreturn]] void fail(const std::string& message) const;

  std::filesystem::path path_;
  Database db_;
};

}  // namespace dokpa::store_detail
