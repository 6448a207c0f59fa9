#include "harness/run/run_suite.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/file_io.h"
#include "harness/plan/plan_builder.h"
#include "harness/run/chat_rendering.h"
#include "harness/provenance/provenance.h"
#include "harness/run/progress.h"
#include "harness/run/run_scoring.h"
#include "harness/store/result_store.h"
#include "harness/suite/submission.h"
#include "harness/suite/suite_config.h"
#include "runners/runner.h"

namespace dokpa {

namespace {

struct Inputs {
  SuiteConfig suite;
  SubmissionConfig submission;
  Plan plan;
};

Inputs load_inputs(const RunSettings& settings) {
  Inputs in{load_suite(settings.suite_file), load_submission(settings.submission_file), {}};
  RunnerOptions& runner = in.submission.runner;
  if (settings.batch_size) runner.batch_size = *settings.batch_size;
  if (settings.threads) runner.threads = *settings.threads;
  if (settings.device) runner.device = *settings.device;
  if (settings.dtype) runner.dtype = *settings.dtype;
  PlanOptions options;
  if (settings.data_root) options.data_root = *settings.data_root;
  options.allow_changed_data = settings.allow_changed_data;
  options.only_tasks = settings.only_tasks;
  options.generation_cap = settings.generation_cap;
  options.prompt_format = in.submission.chat.format;
  options.system_prompt = in.submission.chat.system_prompt;
  options.render_chat = chat_renderer(in.submission);
  in.plan = build_plan(in.suite, options);
  return in;
}

std::string request_json(const PlannedRequest& request) {
  nlohmann::json j;
  j["type"] = to_string(request.type);
  if (request.type == OutputType::MultipleChoice) {
    j["context"] = request.context;
    j["continuation"] = request.continuation;
  } else {
    j["prompt"] = request.prompt;
    j["stop"] = request.stop;
    j["max_tokens"] = request.max_tokens;
  }
  return j.dump();
}

// What the store records about a run, computed in full before anything is written.
struct RunRecordInputs {
  SubmissionRecord submission;
  RunStart start;
  std::vector<RequestRow> requests;
};

RunRecordInputs prepare_run_record(const Inputs& in, const RunnerInfo& info, const RunSettings& settings) {
  std::vector<FileDigest> checkpoint_files =
      hash_files(in.submission.checkpoint, list_checkpoint_files(in.submission.checkpoint));
  SubmissionRecord submission{in.submission.team, in.submission.model, in.submission.kind,
                              in.submission.checkpoint_as_written, checkpoint_sha256(checkpoint_files),
                              read_file(settings.submission_file), {}};
  for (const FileDigest& f : checkpoint_files)
    submission.files.push_back({f.path, f.sha256, static_cast<int64_t>(f.bytes)});

  ProvenanceInputs provenance{checkpoint_files, {}, in.plan.suite_name, in.plan.suite_hash, info,
                              in.submission.runner.threads, in.plan.seed, in.plan.hash};
  RunKeyInputs key{submission.checkpoint_sha256, in.plan.suite_hash, {}, runner_settings_json(info), in.plan.seed,
                   in.plan.hash};
  RunStart start;
  for (const PlannedDataFile& f : in.plan.data_files) {
    provenance.data_files.push_back({f.path, f.sha256, f.bytes});
    key.data_sha256.push_back(f.sha256);
    start.data_files.push_back({f.path, f.sha256});
  }
  start.run_key = run_key(key);
  start.provenance_json = collect_provenance(provenance).dump();

  RunRecordInputs record{std::move(submission), std::move(start), {}};
  for (size_t i = 0; i < in.plan.requests.size(); ++i) {
    const PlannedRequest& r = in.plan.requests[i];
    record.requests.push_back({{r.task, r.item_id, r.request_index}, static_cast<int64_t>(i), r.prompt_hash, request_json(r)});
  }
  return record;
}

// Records submission, suite and run; returns the run (new, or the one this run key resumes).
RunRecord record_run(ResultStore& store, const Inputs& in, RunRecordInputs& record) {
  record.start.submission_id = store.put_submission(record.submission);
  record.start.suite_id = store.put_suite(in.suite.name, in.suite.hash, canonical_suite_json(in.suite));
  RunRecord run = store.begin_run(record.start);
  if (run.status == RunStatus::Complete) return run;  // same run key: same plan, nothing to add
  store.put_requests(run.id, record.requests);
  return run;
}

// Marks the run failed without letting a second error hide the first.
void mark_failed(ResultStore& store, int64_t run_id) {
  try {
    store.finish_run(run_id, RunStatus::Failed, "{}");  // committed chunks stay; a re-run resumes
  } catch (...) {
  }
}

void check_result_count(size_t got, size_t expected) {
  if (got != expected)
    throw Error("runner", fmt::format("returned {} results for {} requests", got, expected));
}

// Runs the requests of one chunk that have no stored result and commits them in one transaction.
size_t execute_chunk(Runner& runner, ResultStore& store, int64_t run_id, std::span<const PlannedRequest> chunk,
                     const std::set<RequestKey>& completed) {
  std::vector<const PlannedRequest*> pending;
  for (const PlannedRequest& r : chunk)
    if (!completed.count(RequestKey{r.task, r.item_id, r.request_index})) pending.push_back(&r);
  if (pending.empty()) return 0;

  auto started = std::chrono::steady_clock::now();
  std::vector<ResultRow> rows(pending.size());
  if (pending.front()->type == OutputType::MultipleChoice) {
    std::vector<LoglikelihoodRequest> requests;
    for (const PlannedRequest* r : pending) requests.push_back({r->context, r->continuation});
    std::vector<LoglikelihoodResult> results = runner.loglikelihood(requests);
    check_result_count(results.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!std::isfinite(results[i].logprob))  // e.g. fp16 overflow; SQLite would store NaN as NULL
        throw Error(pending[i]->task, "item " + pending[i]->item_id + ": the runner returned a non-finite log-probability");
      rows[i].logprob = results[i].logprob;
      rows[i].is_greedy = results[i].is_greedy;
      rows[i].n_tokens = results[i].n_tokens;
    }
  } else {
    std::vector<GenerateRequest> requests;
    for (const PlannedRequest* r : pending) requests.push_back({r->prompt, r->stop, r->max_tokens});
    std::vector<GenerateResult> results = runner.generate(requests);
    check_result_count(results.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      rows[i].response_text = results[i].text;
      rows[i].finish_reason = results[i].finish_reason;
      rows[i].n_tokens = results[i].n_tokens;
    }
  }
  double elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  for (size_t i = 0; i < rows.size(); ++i) {
    const PlannedRequest& r = *pending[i];
    rows[i].key = {r.task, r.item_id, r.request_index};
    rows[i].prompt_hash = r.prompt_hash;
    rows[i].latency_ms = elapsed_ms / static_cast<double>(rows.size());  // the batch's time, shared out
  }
  store.put_results(run_id, rows);
  return rows.size();
}

size_t execute_pending(Runner& runner, ResultStore& store, int64_t run_id, const Plan& plan,
                       const RunSettings& settings, std::ostream& log) {
  std::set<RequestKey> completed = store.completed_requests(run_id);
  size_t executed = 0;
  const size_t chunk_items = static_cast<size_t>(std::max(1, settings.chunk_items));
  for (const PlannedTask& task : plan.tasks) {
    Progress progress(log, task.name, task.items.size(), settings.progress_on_terminal);
    for (size_t begin = 0; begin < task.items.size(); begin += chunk_items) {
      size_t end = std::min(task.items.size(), begin + chunk_items);
      const PlannedItem& first = task.items[begin];
      const PlannedItem& last = task.items[end - 1];
      std::span<const PlannedRequest> chunk(plan.requests.data() + first.first_request,
                                            last.first_request + last.request_count - first.first_request);
      executed += execute_chunk(runner, store, run_id, chunk, completed);
      progress.advance(end - begin);
    }
    progress.finish();
  }
  return executed;
}

}  // namespace

RunOutcome run_suite(const RunSettings& settings, std::ostream& log) {
  auto started = std::chrono::steady_clock::now();
  // ---- 1. everything that can reject the inputs, before the store is touched ----
  Inputs in = load_inputs(settings);
  for (const PlannedDataFile& file : in.plan.data_files) {
    if (!file.pinned_sha256.empty() && file.pinned_sha256 != file.sha256)
      log << fmt::format("warning: {} changed (sha256 {}, the suite pins {}); running it as told\n", file.resolved_path,
                         file.sha256, file.pinned_sha256);
  }
  log << fmt::format("suite {} ({} tasks, {} requests), submission {} / {}\n", in.plan.suite_name,
                     in.plan.tasks.size(), in.plan.requests.size(), in.submission.team, in.submission.model);
  std::unique_ptr<Runner> runner = open_runner(in.submission.runner);
  RunnerInfo info = runner->info();
  // Chunks decide which requests share a runner call, so they are part of the run's identity.
  info.settings["chunk_items"] = std::to_string(std::max(1, settings.chunk_items));
  log << fmt::format("model {} ({} parameters) on {} in {}\n", info.architecture, info.parameters, info.device,
                     info.dtype);

  RunRecordInputs record = prepare_run_record(in, info, settings);  // hashes every checkpoint file

  // ---- 2. record the run (or find the one to resume) ----
  std::unique_ptr<ResultStore> store = open_result_store(settings.store_file);
  RunRecord run = record_run(*store, in, record);
  RunOutcome outcome{run.id, run.run_key, run.resumed, in.plan.requests.size(), 0};
  if (run.status == RunStatus::Complete) {
    log << fmt::format("run {} is already complete in {}; nothing to do\n", run.id, settings.store_file.string());
    return outcome;
  }
  if (run.resumed) log << fmt::format("resuming run {} ({})\n", run.id, to_string(run.status));

  try {
    // ---- 3. execute what is not stored yet ----
    auto executing = std::chrono::steady_clock::now();
    outcome.requests_executed = execute_pending(*runner, *store, run.id, in.plan, settings, log);

    // ---- 4. score and finish ----
    ScoredPlan scored = score_plan(in.plan, store->results(run.id), settings.store_file.string());
    store->put_scores(run.id, scored.item_rows, scored.task_rows);
    auto seconds = [](auto from) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
    };
    nlohmann::json timings{{"total_s", seconds(started)},
                           {"execute_s", seconds(executing)},
                           {"requests_executed", outcome.requests_executed}};
    store->finish_run(run.id, RunStatus::Complete, timings.dump());
  } catch (...) {
    mark_failed(*store, run.id);
    throw;
  }
  return outcome;
}

}  // namespace dokpa
