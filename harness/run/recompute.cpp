#include "harness/run/recompute.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/error.h"
#include "harness/provenance/provenance.h"
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

// One drawn item, parsed back into the requests the run sent.
struct DrawnItem {
  std::vector<PlannedRequest> requests;
  std::vector<ResultRow> stored;
  std::optional<ItemCheck> unusable;  // its stored request text was edited: reported, not run
};

// Re-runs a chunk of items of one request type and checks each against its stored results.
class ChunkChecker {
 public:
  ChunkChecker(Runner& runner, LogprobTolerance tolerance, std::map<std::string, ChoiceRule> rules)
      : runner_(runner), tolerance_(tolerance), rules_(std::move(rules)) {}

  std::vector<ItemCheck> check(const std::vector<const DrawnItem*>& chunk) {
    std::vector<PlannedRequest> requests;
    for (const DrawnItem* item : chunk) requests.insert(requests.end(), item->requests.begin(), item->requests.end());
    return requests.front().type == OutputType::MultipleChoice ? check_loglikelihood(chunk, requests)
                                                               : check_generate(chunk, requests);
  }

 private:
  template <typename Result, typename Compare>
  std::vector<ItemCheck> split(const std::vector<const DrawnItem*>& chunk, const std::vector<Result>& results,
                               size_t expected, Compare compare) {
    if (results.size() != expected)
      throw Error("runner", fmt::format("returned {} results for {} requests", results.size(), expected));
    std::vector<ItemCheck> checks;
    size_t at = 0;
    for (const DrawnItem* item : chunk) {
      std::span<const Result> mine(results.data() + at, item->requests.size());
      checks.push_back(compare(*item, mine));
      at += item->requests.size();
    }
    return checks;
  }

  std::vector<ItemCheck> check_loglikelihood(const std::vector<const DrawnItem*>& chunk,
                                             const std::vector<PlannedRequest>& requests) {
    std::vector<LoglikelihoodRequest> calls;
    for (const PlannedRequest& r : requests) calls.push_back({r.context, r.continuation});
    return split(chunk, runner_.loglikelihood(calls), calls.size(),
                 [&](const DrawnItem& item, std::span<const LoglikelihoodResult> results) {
                   auto rule = rules_.find(item.requests.front().task);
                   return compare_multiple_choice(item.requests, item.stored, results, tolerance_,
                                                  rule == rules_.end() ? ChoiceRule{} : rule->second);
                 });
  }

  std::vector<ItemCheck> check_generate(const std::vector<const DrawnItem*>& chunk,
                                        const std::vector<PlannedRequest>& requests) {
    std::vector<GenerateRequest> calls;
    for (const PlannedRequest& r : requests) calls.push_back({r.prompt, r.stop, r.max_tokens, {}});
    return split(chunk, runner_.generate(calls), calls.size(),
                 [&](const DrawnItem& item, std::span<const GenerateResult> results) {
                   return compare_generate(item.requests, item.stored, results);
                 });
  }

  Runner& runner_;
  LogprobTolerance tolerance_;
  std::map<std::string, ChoiceRule> rules_;
};

// The drawn items with their requests and stored results, in plan order.
std::vector<DrawnItem> load_drawn_items(ResultStore& store, const RunSummary& run, const RecomputeOptions& options,
                                        size_t& items_in_run) {
  const std::string source = store.path().string();
  std::vector<RequestRow> rows = store.requests(run.id);
  std::map<RequestKey, ResultRow> results;
  std::set<RequestKey> answered;
  for (ResultRow& row : store.results(run.id)) {
    answered.insert(row.key);
    results.emplace(row.key, std::move(row));
  }
  std::vector<StoredItem> items = answered_items(rows, answered);
  items_in_run = items.size();
  if (items.empty()) throw Error(source, fmt::format("run {} has no answered items to recompute", run.id));
  std::vector<DrawnItem> drawn;
  for (size_t index : draw_items(items.size(), options.items, options.seed)) {
    DrawnItem item;
    for (size_t i : items[index].requests) {
      try {
        item.requests.push_back(parse_stored_request(rows[i], source));
      } catch (const Error& error) {
        ItemCheck check{items[index].task, items[index].item_id, items[index].requests.size(), 0, {}};
        check.differences.push_back(std::string(error.what()).substr(error.source().size() + 2));
        item.unusable = check;
        break;
      }
      item.stored.push_back(results.at(rows[i].key));
    }
    drawn.push_back(std::move(item));
  }
  return drawn;
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

  // ---- 3. the draw (before the runner: a bad store fails fast) ----
  RecomputeReport report;
  report.run_id = run.id;
  report.seed = options.seed;
  std::vector<DrawnItem> drawn = load_drawn_items(store, run, options, report.items_in_run);
  RunnerOptions runner_settings = runner_options(manifest, recorded_runner, options, checkpoint, manifest_source);
  if (runner_settings.kind == "openai" && runner_settings.openai.generation_endpoint == "chat")
    for (const DrawnItem& item : drawn)
      if (!item.requests.empty() && item.requests.front().type != OutputType::MultipleChoice)
        throw Error(manifest_source,
                    "generation through a chat endpoint cannot be recomputed: the store keeps the "
                    "rendered prompt, not the chat messages");

  // ---- 4. the runner, as the run had it ----
  std::unique_ptr<Runner> runner = open_runner(runner_settings);
  RunnerInfo info = runner->info();
  note_setting_changes(recorded_runner, info, options, log);
  std::string version = text_at(provenance, "dokpa_version");
  if (!version.empty() && version != dokpa_version())
    log << fmt::format("note: the run was made by dokpa {}, this is {}\n", version, dokpa_version());
  report.device = info.device;
  report.dtype = text_at(recorded_runner, "dtype").empty() ? info.dtype : text_at(recorded_runner, "dtype");
  const LogprobTolerance tolerance = logprob_tolerance(report.dtype);
  if (report.dtype != "float32")
    log << "note: " << report.dtype << " results depend on which requests share a batch (up to 0.76 between batch "
        << "sizes 1 and 8 on CPU, predictions included); a difference may be a batch effect, not another checkpoint "
        << "(docs/store-schema.md, \"Re-execution spot check\")\n";
  size_t chunk_items = static_cast<size_t>(std::max(1, runner->preferred_chunk_items()));
  std::string recorded_chunk = text_at(recorded_runner.value("settings", json::object()), "chunk_items");
  try {
    if (!recorded_chunk.empty()) chunk_items = std::max<size_t>(1, std::stoul(recorded_chunk));
  } catch (const std::exception&) {
    throw Error(store_name, fmt::format("run {}'s provenance has a malformed chunk_items", run.id));
  }
  out << fmt::format(
      "recomputing {} of {} items (seed {}) on {} in {}; log-likelihood tolerance |Δ| <= {:g} + {:g} "
      "per token\n",
      drawn.size(), report.items_in_run, options.seed, report.device, report.dtype, tolerance.absolute,
      tolerance.per_token);

  // ---- 5. re-run chunk by chunk (items of one request type), one line per item ----
  ChunkChecker checker(*runner, tolerance, choice_rules(store, run));
  std::vector<const DrawnItem*> chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    for (ItemCheck& check : checker.check(chunk)) {
      out << format_item_check(check) << "\n" << std::flush;
      report.items.push_back(std::move(check));
    }
    chunk.clear();
  };
  for (const DrawnItem& item : drawn) {
    report.requests += item.requests.size();
    if (item.unusable) {
      flush();
      out << format_item_check(*item.unusable) << "\n";
      report.items.push_back(*item.unusable);
      continue;
    }
    if (!chunk.empty() &&
        (chunk.size() >= chunk_items || chunk.front()->requests.front().type != item.requests.front().type))
      flush();
    chunk.push_back(&item);
  }
  flush();

  // ---- 6. summary ----
  out << fmt::format("recomputed {} items ({} requests) of run {}: {} agree, {} differ\n", report.items.size(),
                     report.requests, run.id, report.items.size() - report.mismatches(), report.mismatches());
  return report;
}

}  // namespace dokpa
