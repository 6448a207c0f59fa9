#pragma once
// The result store: one SQLite file holding submissions, suites, runs, every planned request,
// every result, scores, task metrics and an append-only audit chain (docs/store-schema.md).
//
// A small seam (like leveldb's DB): callers see this abstract class and open_result_store();
// the SQLite implementation stays in its .cpp. Every write is one transaction: an exception
// rolls it back, so the store is never half-written. Several processes may write to one
// store at once (WAL, busy timeout, BEGIN IMMEDIATE); none loses or duplicates a row.
// Every error is a dokpa::Error whose source is the store file.
#include <compare>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"  // every store error is a dokpa::Error naming the file

namespace dokpa {

// The schema version this code writes (PRAGMA user_version). Older stores are migrated on
// open; newer ones are refused.
int result_store_schema_version();

struct CheckpointFileRecord {
  std::string path;  // relative to the checkpoint folder
  std::string sha256;
  int64_t bytes = 0;
};

struct SubmissionRecord {
  std::string team;
  std::string model;
  std::string kind;               // "llm", "vlm", "vla"
  std::string checkpoint_path;    // as given in the manifest (informational)
  std::string checkpoint_sha256;  // hash over the file hashes (provenance.h, checkpoint_sha256)
  std::string manifest_yaml;      // the submission manifest, verbatim
  std::vector<CheckpointFileRecord> files;
};

struct DataFileRecord {
  std::string path;
  std::string sha256;
};

enum class RunStatus { Running, Complete, Failed };
const char* to_string(RunStatus status);
RunStatus run_status_from_string(const std::string& text);  // throws dokpa::Error

struct RunStart {
  int64_t submission_id = 0;               // from put_submission
  int64_t suite_id = 0;                    // from put_suite
  std::string run_key;                     // provenance.h, run_key()
  std::string provenance_json;             // provenance.h, collect_provenance().dump()
  std::vector<DataFileRecord> data_files;  // in suite order
};

struct RunRecord {
  int64_t id = 0;
  std::string run_key;
  RunStatus status = RunStatus::Running;  // the status before this begin_run
  bool resumed = false;                   // the run_key existed already
  int attempt = 1;                        // 1 for a new run, 2.. for each resume (see run_attempts)
};

// Stable request id within a run (DESIGN.md, "Plan").
struct RequestKey {
  std::string task;
  std::string item_id;
  int request_index = 0;
  auto operator<=>(const RequestKey&) const = default;
};

struct RequestRow {
  RequestKey key;
  int64_t plan_order = 0;  // position in Plan::requests; results() come back in this order
  std::string prompt_hash;
  std::string request_json;  // the rendered request (context/continuation or prompt, stop, ...)
};

// One runner result. Loglikelihood results set logprob and is_greedy; generate results set
// response_text and finish_reason; the others stay empty (NULL in SQLite).
struct ResultRow {
  RequestKey key;
  std::string prompt_hash;  // must equal the planned request's
  std::optional<double> logprob;
  std::optional<bool> is_greedy;
  int n_tokens = 0;
  std::optional<std::string> response_text;
  std::optional<std::string> finish_reason;
  double latency_ms = 0.0;  // timing: stored, but not part of the audit payload
  int attempts = 1;  // tries the runner needed (retries + 1); like latency, not audited
};

struct ItemScoreRow {
  std::string task;
  std::string item_id;
  std::string metric;
  double value = 0.0;
};

struct TaskMetricRow {
  std::string task;
  std::string metric;
  double value = 0.0;
  std::optional<double> stderr_value;  // standard error, when the metric has one
  int64_t n = 0;                       // items the metric is over
};

struct RunSummary {
  int64_t id = 0;
  std::string run_key;
  std::string team;
  std::string model;
  std::string checkpoint_sha256;
  std::string suite_name;
  std::string suite_hash;
  RunStatus status = RunStatus::Running;
  std::string started_at;  // ISO-8601 UTC
  std::optional<std::string> finished_at;
  int64_t n_requests = 0;
  int64_t n_results = 0;
};

struct VerifyProblem {
  int64_t seq = 0;  // audit entry (0: a row no audit entry covers)
  int64_t run_id = 0;
  std::string message;  // names the table and row
};

struct VerifyReport {
  bool ok() const { return problems.empty(); }
  int64_t entries = 0;                  // audit entries checked
  std::string head_hash;                // hash of the last entry; publish it to anchor the chain
  std::vector<VerifyProblem> problems;  // in chain order: problems.front() is the first broken link
  int64_t problems_found = 0;           // all of them; `problems` keeps the first 100
};

struct MergeOutcome {
  int64_t run_id = 0;  // the run in this store
  int64_t results_added = 0;
};

class ResultStore {
 public:
  virtual ~ResultStore() = default;

  // Idempotent by (team, model, checkpoint_sha256): returns the existing id if present.
  virtual int64_t put_submission(const SubmissionRecord& submission) = 0;
  // Idempotent by hash; the same hash with a different canonical text is an error.
  virtual int64_t put_suite(const std::string& name, const std::string& hash, const std::string& canonical_text) = 0;

  // Creates the run, or resumes the one with this run_key: a running/failed run is set back
  // to running (a new attempt row records this session's provenance); a complete run is
  // returned unchanged, so the caller can treat it as a no-op.
  virtual RunRecord begin_run(const RunStart& start) = 0;
  // Planned requests, idempotent. A stored row with a different prompt_hash or plan_order is
  // an error: the plan changed under a resumed run.
  virtual void put_requests(int64_t run_id, std::span<const RequestRow> requests) = 0;
  virtual std::set<RequestKey> completed_requests(int64_t run_id) = 0;
  // One transaction and one audit entry per call. Every row must be a planned request with
  // the same prompt_hash; a row already stored is an error and nothing of the call is kept.
  virtual void put_results(int64_t run_id, std::span<const ResultRow> results) = 0;
  // In plan order.
  virtual std::vector<ResultRow> results(int64_t run_id) = 0;
  // Replaces the run's previous scores and metrics, in one transaction with one audit entry.
  virtual void put_scores(int64_t run_id, std::span<const ItemScoreRow> item_scores,
                          std::span<const TaskMetricRow> task_metrics) = 0;
  // Sets the final status, finished_at and the timings JSON (wall time, rates, ...).
  virtual void finish_run(int64_t run_id, RunStatus status, const std::string& timings_json) = 0;

  // Ordered by id; only runs of that suite hash when given.
  virtual std::vector<RunSummary> list_runs(const std::optional<std::string>& suite_hash = std::nullopt) = 0;
  virtual std::vector<ItemScoreRow> item_scores(int64_t run_id) = 0;    // by task, item, metric
  virtual std::vector<TaskMetricRow> task_metrics(int64_t run_id) = 0;  // by task, metric
  virtual std::string provenance_json(int64_t run_id) = 0;
  // The planned requests, in plan order (reports show their prompts).
  virtual std::vector<RequestRow> requests(int64_t run_id) = 0;
  // The submission the run evaluated: manifest verbatim, checkpoint sha256 and its files in path
  // order (`dokpa verify --recompute` re-hashes and re-runs it). Throws if there is no such run.
  virtual SubmissionRecord run_submission(int64_t run_id) = 0;
  // The canonical suite text stored under `suite_hash`; throws if there is none.
  virtual std::string suite_text(const std::string& suite_hash) = 0;
  // Hash of the last audit entry (what `dokpa verify` prints to publish), or empty for a new store.
  virtual std::string audit_head_hash() = 0;
  // The run's digest: sha256 over every stored result, item score and task metric of the run,
  // each row hashed as the audit chain hashes it (with the run key), in key order. It does not
  // depend on batches, shards, merge order or other runs, so a digest recorded outside the store
  // (printed by `dokpa run`, in the report) detects an edit even when the chain was rebuilt.
  virtual std::string run_digest(int64_t run_id) = 0;

  // Copies run `run_key` of the store `shard` into this one (`dokpa merge`): submission, suite,
  // run (each shard session as a run attempt), planned requests, and the results not here yet,
  // under one new audit entry. Refuses a run planned differently, a result that differs from
  // the one stored here, or a run already complete here. One transaction per call.
  virtual MergeOutcome merge_run_from(const std::filesystem::path& shard, const std::string& run_key) = 0;

  // Recomputes the audit chain and every entry's payload from the stored rows.
  virtual VerifyReport verify() = 0;

  virtual const std::filesystem::path& path() const = 0;
};

enum class StoreAccess {
  ReadWrite,  // creates a missing store and migrates an older schema; refuses a file it cannot write
  ReadOnly,   // never writes (reports, results, verify): a store on a read-only file system opens too;
              // every write method then throws
};

// Opens (or, read-write, creates) the store at `path`. Throws dokpa::Error naming the file if it
// is not a dokpa store, is newer than this code, or cannot be opened as asked.
std::unique_ptr<ResultStore> open_result_store(const std::filesystem::path& path,
                                               StoreAccess access = StoreAccess::ReadWrite);

}  // namespace dokpa
