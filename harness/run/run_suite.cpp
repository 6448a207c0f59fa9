#include "harness/run/run_suite.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/file_io.h"
#include "harness/plan/plan_builder.h"
#include "harness/provenance/provenance.h"
#include "harness/run/chat_rendering.h"
#include "harness/run/plan_chunks.h"
#include "harness/run/progress.h"
#include "harness/run/run_scoring.h"
#include "harness/run/stored_request.h"
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
  nlohmann::json provenance_json = collect_provenance(provenance);
  // A capped run answers with shorter generations than the protocol: reports must not rank it
  // with full runs (the plan hash, which covers the cap, also covers each team's chat template).
  if (settings.generation_cap > 0) provenance_json["generation_cap"] = settings.generation_cap;
  if (settings.shard.count > 1)
    provenance_json["shard"] = std::to_string(settings.shard.index) + "/" + std::to_string(settings.shard.count);
  start.provenance_json = provenance_json.dump();

  RunRecordInputs record{std::move(submission), std::move(start), {}};
  for (size_t i = 0; i < in.plan.requests.size(); ++i) {
    const PlannedRequest& r = in.plan.requests[i];
    record.requests.push_back(
        {{r.task, r.item_id, r.request_index}, static_cast<int64_t>(i), r.prompt_hash, stored_request_json(r)});
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

bool run_is_complete(ResultStore& store, int64_t run_id) {
  for (const RunSummary& summary : store.list_runs())
    if (summary.id == run_id) return summary.status == RunStatus::Complete;
  return false;
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

// The store row of one result (the caller adds the planned request's key and hash).
ResultRow timed_row(int n_tokens, const ResultTiming& timing) {
  ResultRow row;
  row.n_tokens = n_tokens;
  row.attempts = timing.attempts;
  row.latency_ms = timing.latency_ms;
  return row;
}

ResultRow result_row(const PlannedRequest& r, const LoglikelihoodResult& result) {
  if (!std::isfinite(result.logprob))  // e.g. fp16 overflow; SQLite would store NaN as NULL
    throw Error(r.task, "item " + r.item_id + ": the runner returned a non-finite log-probability");
  ResultRow row = timed_row(result.n_tokens, result.timing);
  row.logprob = result.logprob;
  row.is_greedy = result.is_greedy;
  return row;
}

ResultRow result_row(const PlannedRequest&, const GenerateResult& result) {
  ResultRow row = timed_row(result.n_tokens, result.timing);
  row.response_text = result.text;
  row.finish_reason = result.finish_reason;
  return row;
}

LoglikelihoodRequest runner_request(const PlannedRequest& r, const LoglikelihoodResult*) {
  return {r.context, r.continuation};
}

GenerateRequest runner_request(const PlannedRequest& r, const GenerateResult*) {
  GenerateRequest request{r.prompt, r.stop, r.max_tokens, {}};
  for (const auto& [role, content] : r.messages) request.messages.push_back({role, content, {}});
  return request;
}

std::vector<LoglikelihoodResult> call_runner(Runner& runner, std::span<const LoglikelihoodRequest> requests,
                                             const ResultSink<LoglikelihoodResult>& sink) {
  return runner.loglikelihood(requests, sink);
}

std::vector<GenerateResult> call_runner(Runner& runner, std::span<const GenerateRequest> requests,
                                        const ResultSink<GenerateResult>& sink) {
  return runner.generate(requests, sink);
}

// Runs `pending` (one output type) and stores every result: each batch the runner delivers
// early in its own transaction, the rest when the call returns. Returns how many were stored.
template <typename Result>
size_t execute_requests(Runner& runner, ResultStore& store, int64_t run_id,
                        const std::vector<const PlannedRequest*>& pending, Progress& progress) {
  using Request = decltype(runner_request(*pending.front(), static_cast<const Result*>(nullptr)));
  std::vector<Request> requests;
  for (const PlannedRequest* r : pending) requests.push_back(runner_request(*r, static_cast<const Result*>(nullptr)));
  std::vector<bool> stored(pending.size(), false);
  auto started = std::chrono::steady_clock::now();
  auto store_rows = [&](std::span<const size_t> indices, std::span<const Result> results) {
    std::vector<ResultRow> rows;
    for (size_t k = 0; k < indices.size(); ++k) {
      size_t i = indices[k];
      if (i >= pending.size() || stored[i]) throw Error("runner", "delivered a result twice or out of range");
      const PlannedRequest& r = *pending[i];
      ResultRow row = result_row(r, results[k]);
      row.key = {r.task, r.item_id, r.request_index};
      row.prompt_hash = r.prompt_hash;
      rows.push_back(std::move(row));
    }
    store.put_results(run_id, rows);
    for (size_t i : indices) stored[i] = true;
    progress.set_detail(runner.status_line());
    progress.advance(0);
  };
  std::vector<Result> results;
  try {
    results = call_runner(runner, requests, store_rows);
  } catch (const Error& error) {
    // Say where in the plan it happened; what was answered before is stored already.
    std::string message = std::string(error.what()).substr(error.source().size() + 2);
    throw Error(error.source(), fmt::format("{} (while running task '{}', items '{}' to '{}')", message,
                                            pending.front()->task, pending.front()->item_id, pending.back()->item_id));
  }
  check_result_count(results.size(), pending.size());
  // What the runner did not deliver early: its time is the call's, shared out.
  double elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  std::vector<size_t> rest;
  std::vector<Result> rest_results;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (stored[i]) continue;
    rest.push_back(i);
    rest_results.push_back(results[i]);
    if (rest_results.back().timing.latency_ms <= 0)
      rest_results.back().timing.latency_ms = elapsed_ms / static_cast<double>(pending.size());
  }
  if (!rest.empty()) store_rows(rest, rest_results);
  return pending.size();
}

// Runs the requests of one chunk that have no stored result.
size_t execute_chunk(Runner& runner, ResultStore& store, int64_t run_id, std::span<const PlannedRequest> chunk,
                     const std::set<RequestKey>& completed, Progress& progress) {
  std::vector<const PlannedRequest*> pending;
  for (const PlannedRequest& r : chunk)
    if (!completed.count(RequestKey{r.task, r.item_id, r.request_index})) pending.push_back(&r);
  if (pending.empty()) return 0;
  if (pending.front()->type == OutputType::MultipleChoice)
    return execute_requests<LoglikelihoodResult>(runner, store, run_id, pending, progress);
  return execute_requests<GenerateResult>(runner, store, run_id, pending, progress);
}

// Runs every chunk of the plan (plan_chunks.h) that belongs to this shard: chunk c belongs to
// shard c mod N. So a shard's runner calls are exactly those of an unsharded run, and sharded
// results equal unsharded ones bit for bit.
size_t execute_pending(Runner& runner, ResultStore& store, int64_t run_id, const Plan& plan, size_t chunk_items,
                       const RunSettings& settings, std::ostream& log) {
  std::set<RequestKey> completed = store.completed_requests(run_id);
  std::vector<size_t> items_per_task;
  for (const PlannedTask& task : plan.tasks) items_per_task.push_back(task.items.size());
  const std::vector<ItemChunk> chunks = plan_chunks(items_per_task, chunk_items);
  size_t executed = 0;
  auto next = chunks.begin();
  for (size_t t = 0; t < plan.tasks.size(); ++t) {
    const PlannedTask& task = plan.tasks[t];
    auto task_end = std::find_if(next, chunks.end(), [&](const ItemChunk& c) { return c.task != t; });
    size_t mine = 0;
    for (auto c = next; c != task_end; ++c)
      if (settings.shard.owns(c->number)) mine += c->end - c->begin;
    Progress progress(log, task.name, mine, settings.progress_on_terminal);
    for (; next != task_end; ++next) {
      if (!settings.shard.owns(next->number)) continue;
      const PlannedItem& first = task.items[next->begin];
      const PlannedItem& last = task.items[next->end - 1];
      std::span<const PlannedRequest> chunk(plan.requests.data() + first.first_request,
                                            last.first_request + last.request_count - first.first_request);
      executed += execute_chunk(runner, store, run_id, chunk, completed, progress);
      progress.advance(next->end - next->begin);
    }
    progress.finish();
  }
  return executed;
}

}  // namespace

Plan plan_for(const RunSettings& settings) { return load_inputs(settings).plan; }

ShardSpec parse_shard(const std::string& text) {
  ShardSpec shard;
  char slash = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &shard.index, &slash, &shard.count, &extra) != 3 || slash != '/' ||
      shard.count < 1 || shard.count > 4096 || shard.index < 1 || shard.index > shard.count)
    throw Error("--shard", "expected i/N with 1 <= i <= N <= 4096, got '" + text + "'");
  return shard;
}

RunOutcome run_suite(const RunSettings& settings, std::ostream& log) {
  auto started = std::chrono::steady_clock::now();
  // ---- 1. everything that can reject the inputs, before the store is touched ----
  Inputs in = load_inputs(settings);
  for (const PlannedDataFile& file : in.plan.data_files) {
    if (!file.pinned_sha256.empty() && file.pinned_sha256 != file.sha256)
      log << fmt::format("warning: {} changed (sha256 {}, the suite pins {}); running it as told\n", file.resolved_path,
                         file.sha256, file.pinned_sha256);
  }
  // An existing store that cannot be written is refused now, not after loading the model.
  std::unique_ptr<ResultStore> store;
  if (std::filesystem::exists(settings.store_file)) store = open_result_store(settings.store_file);
  log << fmt::format("suite {} ({} tasks, {} requests), submission {} / {}\n", in.plan.suite_name,
                     in.plan.tasks.size(), in.plan.requests.size(), in.submission.team, in.submission.model);
  std::unique_ptr<Runner> runner = open_runner(in.submission.runner);
  RunnerInfo info = runner->info();
  // Chunks decide which requests share a runner call, so they are part of the run's identity.
  const size_t chunk_items =
      static_cast<size_t>(settings.chunk_items > 0 ? settings.chunk_items : std::max(1, runner->preferred_chunk_items()));
  info.settings["chunk_items"] = std::to_string(chunk_items);
  log << fmt::format("model {} ({} parameters) on {} in {}\n", info.architecture, info.parameters, info.device,
                     info.dtype);

  RunRecordInputs record = prepare_run_record(in, info, settings);  // hashes every checkpoint file

  // ---- 2. record the run (or find the one to resume; shards of one run share it) ----
  if (!store) store = open_result_store(settings.store_file);
  RunRecord run = record_run(*store, in, record);
  RunOutcome outcome{run.id, run.run_key, run.resumed, in.plan.requests.size(), 0, true};
  if (run.status == RunStatus::Complete) {
    log << fmt::format("run {} is already complete in {}; nothing to do\n", run.id, settings.store_file.string());
    return outcome;
  }
  if (run.resumed) log << fmt::format("resuming run {} ({})\n", run.id, to_string(run.status));
  if (settings.shard.count > 1)
    log << fmt::format("shard {}/{}: chunks c with c mod {} = {}\n", settings.shard.index, settings.shard.count,
                       settings.shard.count, settings.shard.index - 1);

  try {
    // ---- 3. execute what is not stored yet ----
    auto executing = std::chrono::steady_clock::now();
    outcome.requests_executed = execute_pending(*runner, *store, run.id, in.plan, chunk_items, settings, log);

    // ---- 4. score and finish, once every shard's results are in ----
    std::vector<ResultRow> results = store->results(run.id);
    if (results.size() < in.plan.requests.size()) {
      outcome.complete = false;
      log << fmt::format("shard {}/{} is done; run {} waits for {} results of other shards (then `dokpa merge`, or "
                         "the last shard on a shared store, scores it)\n",
                         settings.shard.index, settings.shard.count, run.id,
                         in.plan.requests.size() - results.size());
      return outcome;
    }
    ScoredPlan scored = score_plan(in.plan, results, settings.store_file.string());
    try {
      store->put_scores(run.id, scored.item_rows, scored.task_rows);
    } catch (const Error&) {
      // Two shards on one store can both see the last result arrive; the first scores the run.
      if (settings.shard.count > 1 && run_is_complete(*store, run.id)) {
        log << fmt::format("run {} was scored by another shard\n", run.id);
        return outcome;
      }
      throw;
    }
    auto seconds = [](auto from) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
    };
    nlohmann::json timings{{"total_s", seconds(started)},
                           {"execute_s", seconds(executing)},
                           {"requests_executed", outcome.requests_executed}};
    std::string runner_status = runner->status_line();
    if (!runner_status.empty()) timings["runner"] = runner_status;
    store->finish_run(run.id, RunStatus::Complete, timings.dump());
  } catch (...) {
    // Other shards may still be writing to this run: only an unsharded run is marked failed.
    if (settings.shard.count == 1) mark_failed(*store, run.id);
    throw;
  }
  return outcome;
}

}  // namespace dokpa
