#include "harness/run/recompute.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/error.h"
#include "harness/provenance/provenance.h"
#include "harness/run/plan_chunks.h"
#include "harness/run/recompute_checkpoint.h"
#include "harness/run/recompute_sample.h"
#include "harness/run/stored_request.h"
#include "harness/suite/submission.h"
#include "runners/runner.h"

namespace dokpa {

namespace {

using nlohmann::json;

RunSummary pick_run(ResultStore& store, int64_t wanted) {
  std::vector<RunSummary> runs = store.list_runs();
  if (wanted > 0) {
    for (const RunSummary& run : runs)
      if (run.id == wanted) return run;
    throw Error(store.path().string(), fmt::format("no run with id {}", wanted));
  }
  if (runs.empty()) throw Error(store.path().string(), "the store has no runs to recompute");
  if (runs.size() > 1) {
    std::string ids;
    for (const RunSummary& run : runs) ids += (ids.empty() ? "" : ", ") + std::to_string(run.id);
    throw Error(store.path().string(),
                fmt::format("the store has {} runs (ids {}): choose one with --run", runs.size(), ids));
  }
  return runs.front();
}

std::string text_at(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

// What the run ran with: the manifest's runner, then the settings the run recorded (which include
// `dokpa run` overrides such as --batch-size and --dtype), then the evaluator's overrides.
RunnerOptions runner_options(const SubmissionConfig& manifest, const json& recorded, const RecomputeOptions& options,
                             const std::filesystem::path& checkpoint, const std::string& source) {
  RunnerOptions runner = manifest.runner;
  runner.checkpoint = checkpoint.string();
  if (runner.kind == "native") {
    const json settings = recorded.value("settings", json::object());
    if (!text_at(recorded, "dtype").empty()) runner.dtype = text_at(recorded, "dtype");
    if (!text_at(recorded, "device").empty()) runner.device = text_at(recorded, "device");
    try {
      if (!text_at(settings, "batch_size").empty()) runner.batch_size = std::stoi(text_at(settings, "batch_size"));
      if (!text_at(settings, "max_length").empty()) runner.max_length = std::stoi(text_at(settings, "max_length"));
    } catch (const std::exception&) {
      throw Error(source, "the run's provenance has a malformed batch_size or max_length");
    }
  }
  if (options.device) runner.device = *options.device;
  if (options.threads) runner.threads = *options.threads;
  return runner;
}

// Settings that can change a result and differ from the run's: worth a note (the comparison decides).
void note_setting_changes(const json& recorded, const RunnerInfo& now, const RecomputeOptions& options,
                          std::ostream& log) {
  const json settings = recorded.value("settings", json::object());
  for (const auto& [key, value] : now.settings) {
    if (key == "threads" || (key == "device" && options.device)) continue;
    std::string before = text_at(settings, key.c_str());
    if (!before.empty() && before != value)
      log << fmt::format("note: runner setting {} is {} now, the run had {}\n", key, value, before);
  }
}

// How each multiple-choice task of the suite picks its answer (from the stored canonical suite).
std::map<std::string, ChoiceRule> choice_rules(ResultStore& store, const RunSummary& run) {
  std::map<std::string, ChoiceRule> rules;
  json suite = json::parse(store.suite_text(run.suite_hash), nullptr, false);
  if (!suite.is_object() || !suite.contains("tasks") || !suite["tasks"].is_array()) return rules;
  for (const json& task : suite["tasks"]) {
    ChoiceRule rule;
    if (task.contains("target_delimiter") && task["target_delimiter"].is_string())
      rule.target_delimiter = task["target_delimiter"].get<std::string>();
    if (task.contains("metrics") && task["metrics"].is_array())
      for (const json& metric : task["metrics"]) rule.acc_norm = rule.acc_norm || metric == "acc_norm";
    rules[text_at(task, "name")] = rule;
  }
  return rules;
}

// One item of a replayed chunk, parsed back into the requests the run sent; compared when drawn.
struct ChunkItem {
  std::vector<PlannedRequest> requests;
  std::vector<ResultRow> stored;  // drawn items: their stored results
  bool drawn = false;
  std::optional<ItemCheck> unusable;  // its stored request text was edited: not sent; reported when drawn
};

// One chunk of the run (plan_chunks.h) holding a drawn item: every item of it, in plan order.
struct Replay {
  std::vector<ChunkItem> items;
  size_t requests() const {
    size_t n = 0;
    for (const ChunkItem& item : items) n += item.unusable ? 0 : item.requests.size();
    return n;
  }
};

// Replays one chunk in one runner call, as `dokpa run` sent it, and checks its drawn items
// against their stored results.
class ChunkChecker {
 public:
  ChunkChecker(Runner& runner, LogprobTolerance tolerance, std::map<std::string, ChoiceRule> rules)
      : runner_(runner), tolerance_(tolerance), rules_(std::move(rules)) {}

  // One check per drawn item, plan order.
  std::vector<ItemCheck> check(const Replay& chunk) {
    std::vector<const ChunkItem*> sent;
    std::vector<PlannedRequest> requests;
    for (const ChunkItem& item : chunk.items) {
      if (item.unusable) continue;
      sent.push_back(&item);
      requests.insert(requests.end(), item.requests.begin(), item.requests.end());
    }
    std::vector<ItemCheck> checks;
    if (!requests.empty())
      checks = requests.front().type == OutputType::MultipleChoice ? check_loglikelihood(sent, requests)
                                                                   : check_generate(sent, requests);
    // Put the drawn items that could not be sent back in their place.
    std::vector<ItemCheck> ordered;
    auto next = checks.begin();
    for (const ChunkItem& item : chunk.items) {
      if (!item.drawn) continue;
      ordered.push_back(item.unusable ? *item.unusable : std::move(*next++));
    }
    return ordered;
  }

 private:
  template <typename Result, typename Compare>
  std::vector<ItemCheck> split(const std::vector<const ChunkItem*>& sent, const std::vector<Result>& results,
                               size_t expected, Compare compare) {
    if (results.size() != expected)
      throw Error("runner", fmt::format("returned {} results for {} requests", results.size(), expected));
    std::vector<ItemCheck> checks;
    size_t at = 0;
    for (const ChunkItem* item : sent) {
      std::span<const Result> mine(results.data() + at, item->requests.size());
      if (item->drawn) checks.push_back(compare(*item, mine));
      at += item->requests.size();
    }
    return checks;
  }

  std::vector<ItemCheck> check_loglikelihood(const std::vector<const ChunkItem*>& sent,
                                             const std::vector<PlannedRequest>& requests) {
    std::vector<LoglikelihoodRequest> calls;
    for (const PlannedRequest& r : requests) calls.push_back({r.context, r.continuation});
    return split(sent, runner_.loglikelihood(calls), calls.size(),
                 [&](const ChunkItem& item, std::span<const LoglikelihoodResult> results) {
                   auto rule = rules_.find(item.requests.front().task);
                   return compare_multiple_choice(item.requests, item.stored, results, tolerance_,
                                                  rule == rules_.end() ? ChoiceRule{} : rule->second);
                 });
  }

  std::vector<ItemCheck> check_generate(const std::vector<const ChunkItem*>& sent,
                                        const std::vector<PlannedRequest>& requests) {
    std::vector<GenerateRequest> calls;
    for (const PlannedRequest& r : requests) calls.push_back({r.prompt, r.stop, r.max_tokens, {}});
    return split(sent, runner_.generate(calls), calls.size(),
                 [&](const ChunkItem& item, std::span<const GenerateResult> results) {
                   return compare_generate(item.requests, item.stored, results);
                 });
  }

  Runner& runner_;
  LogprobTolerance tolerance_;
  std::map<std::string, ChoiceRule> rules_;
};

// The drawn items of the run and their chunks (those holding a drawn item, plan order), with every
// item's requests and the drawn items' stored results.
struct Draw {
  std::vector<Replay> chunks;
  size_t items_in_run = 0;  // answered items the draw was over
  size_t drawn = 0;
  size_t drawn_requests = 0;
};

Draw load_draw(ResultStore& store, const RunSummary& run, const RecomputeOptions& options, size_t chunk_items,
               std::ostream& log) {
  const std::string source = store.path().string();
  std::vector<RequestRow> rows = store.requests(run.id);
  std::map<RequestKey, ResultRow> results;
  std::set<RequestKey> answered;
  for (ResultRow& row : store.results(run.id)) {
    answered.insert(row.key);
    results.emplace(row.key, std::move(row));
  }
  // Every planned item, answered or not, decides the chunks; the draw is over the answered ones.
  const std::vector<StoredItem> items = stored_items(rows);
  std::vector<size_t> answered_index;  // into items
  for (size_t i = 0; i < items.size(); ++i)
    if (std::all_of(items[i].requests.begin(), items[i].requests.end(),
                    [&](size_t r) { return answered.count(rows[r].key) > 0; }))
      answered_index.push_back(i);
  Draw draw;
  draw.items_in_run = answered_index.size();
  if (answered_index.empty()) throw Error(source, fmt::format("run {} has no answered items to recompute", run.id));
  std::set<size_t> drawn;  // into items
  for (size_t index : draw_items(answered_index.size(), options.items, options.seed))
    drawn.insert(answered_index[index]);

  // The run's chunks over its items (tasks are contiguous in plan order).
  std::vector<size_t> items_per_task;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == 0 || items[i].task != items[i - 1].task) items_per_task.push_back(0);
    ++items_per_task.back();
  }
  size_t first_item_of_task = 0, task = 0;
  for (const ItemChunk& chunk : plan_chunks(items_per_task, chunk_items)) {
    if (chunk.task != task) first_item_of_task += items_per_task[task], task = chunk.task;
    const size_t begin = first_item_of_task + chunk.begin, end = first_item_of_task + chunk.end;
    if (drawn.lower_bound(begin) == drawn.lower_bound(end)) continue;  // nothing drawn in it
    Replay replay;
    for (size_t i = begin; i < end; ++i) {
      ChunkItem item;
      item.drawn = drawn.count(i) > 0;
      for (size_t r : items[i].requests) {
        try {
          item.requests.push_back(parse_stored_request(rows[r], source));
        } catch (const Error& error) {
          ItemCheck check{items[i].task, items[i].item_id, items[i].requests.size(), 0, {}};
          check.differences.push_back(std::string(error.what()).substr(error.source().size() + 2));
          item.unusable = check;
          if (!item.drawn)
            log << fmt::format(
                "note: task '{}' item '{}' has an edited stored request; its chunk is replayed "
                "without it, so that runner call is not the run's\n",
                items[i].task, items[i].item_id);
          break;
        }
        if (item.drawn) item.stored.push_back(results.at(rows[r].key));
      }
      if (item.drawn) ++draw.drawn, draw.drawn_requests += items[i].requests.size();
      replay.items.push_back(std::move(item));
    }
    draw.chunks.push_back(std::move(replay));
  }
  return draw;
}

}  // namespace

size_t RecomputeReport::mismatches() const {
  size_t n = 0;
  for (const ItemCheck& item : items) n += !item.ok();
  return n;
}

RecomputeReport recompute_run(ResultStore& store, const RecomputeOptions& options, std::ostream& out,
                              std::ostream& log) {
  const std::string store_name = store.path().string();
  if (options.items == 0) throw Error("--recompute", "needs at least 1 item");

  // ---- 1. the run, its submission and what it recorded ----
  RunSummary run = pick_run(store, options.run_id);
  SubmissionRecord submission = store.run_submission(run.id);
  const std::string manifest_source = fmt::format("{} (manifest of run {})", store_name, run.id);
  SubmissionConfig manifest = parse_submission(submission.manifest_yaml, manifest_source);
  json provenance = json::parse(store.provenance_json(run.id), nullptr, false);
  if (!provenance.is_object()) throw Error(store_name, fmt::format("run {}'s provenance is not JSON", run.id));
  const json recorded_runner = provenance.value("runner", json::object());

  // ---- 2. the checkpoint: the files the run evaluated, or nothing is run ----
  std::filesystem::path checkpoint =
      options.checkpoint ? *options.checkpoint : std::filesystem::path(manifest.checkpoint);
  check_checkpoint(checkpoint, submission, store_name, run.id);
  out << fmt::format("run {} ({} / {}, suite {}): checkpoint {} has the run's sha256 {}\n", run.id, run.team, run.model,
                     run.suite_name, checkpoint.string(), submission.checkpoint_sha256);

  // ---- 3. the run's chunking and the draw (before the runner: a bad store fails fast) ----
  RecomputeReport report;
  report.run_id = run.id;
  report.seed = options.seed;
  RunnerOptions runner_settings = runner_options(manifest, recorded_runner, options, checkpoint, manifest_source);
  std::optional<size_t> chunk_items;
  std::string recorded_chunk = text_at(recorded_runner.value("settings", json::object()), "chunk_items");
  try {
    if (!recorded_chunk.empty()) chunk_items = std::max<size_t>(1, std::stoul(recorded_chunk));
  } catch (const std::exception&) {
    throw Error(store_name, fmt::format("run {}'s provenance has a malformed chunk_items", run.id));
  }
  std::unique_ptr<Runner> runner;
  if (!chunk_items) {  // a run recorded before chunk_items was: it used the runner's preferred size
    runner = open_runner(runner_settings);
    chunk_items = static_cast<size_t>(std::max(1, runner->preferred_chunk_items()));
    log << fmt::format("note: run {} did not record chunk_items; replaying chunks of {} items\n", run.id, *chunk_items);
  }
  Draw draw = load_draw(store, run, options, *chunk_items, log);
  report.items_in_run = draw.items_in_run;
  if (runner_settings.kind == "openai" && runner_settings.openai.generation_endpoint == "chat")
    for (const Replay& chunk : draw.chunks)
      if (chunk.items.front().requests.front().type != OutputType::MultipleChoice)
        throw Error(manifest_source,
                    "generation through a chat endpoint cannot be recomputed: the store keeps the "
                    "rendered prompt, not the chat messages");

  // ---- 4. the runner, as the run had it ----
  if (!runner) runner = open_runner(runner_settings);
  RunnerInfo info = runner->info();
  note_setting_changes(recorded_runner, info, options, log);
  std::string version = text_at(provenance, "dokpa_version");
  if (!version.empty() && version != dokpa_version())
    log << fmt::format("note: the run was made by dokpa {}, this is {}\n", version, dokpa_version());
  report.device = info.device;
  report.dtype = text_at(recorded_runner, "dtype").empty() ? info.dtype : text_at(recorded_runner, "dtype");
  const LogprobTolerance tolerance = logprob_tolerance(report.dtype);
  if (report.dtype != "float32" && options.device && *options.device != text_at(recorded_runner, "device"))
    log << fmt::format(
        "note: {} results are exact only on the run's device ({}); on another one a difference "
        "may be the device's kernels, not another checkpoint (docs/store-schema.md, \"Re-execution "
        "spot check\")\n",
        report.dtype, text_at(recorded_runner, "device"));
  size_t replayed = 0;
  for (const Replay& chunk : draw.chunks) replayed += chunk.requests();
  out << fmt::format(
      "recomputing {} of {} items (seed {}) on {} in {}: replaying the run's runner call{} holding them ({} "
      "chunk{} of {} items, {} requests); log-likelihood tolerance |Δ| <= {:g} + {:g} per token\n",
      draw.drawn, report.items_in_run, options.seed, report.device, report.dtype, draw.chunks.size() == 1 ? "" : "s",
      draw.chunks.size(), draw.chunks.size() == 1 ? "" : "s", *chunk_items, replayed, tolerance.absolute,
      tolerance.per_token);

  // ---- 5. replay chunk by chunk, in plan order, one line per drawn item ----
  ChunkChecker checker(*runner, tolerance, choice_rules(store, run));
  report.requests = draw.drawn_requests;
  for (const Replay& chunk : draw.chunks) {
    for (ItemCheck& check : checker.check(chunk)) {
      out << format_item_check(check) << "\n" << std::flush;
      report.items.push_back(std::move(check));
    }
  }

  // ---- 6. summary ----
  out << fmt::format("recomputed {} items ({} requests) of run {}: {} agree, {} differ\n", report.items.size(),
                     report.requests, run.id, report.items.size() - report.mismatches(), report.mismatches());
  return report;
}

}  // namespace dokpa
