#include "harness/run/merge_shards.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "harness/run/run_scoring.h"
#include "harness/store/result_store.h"

namespace dokpa {

namespace {

// The key of the one run of `plan_hash` in the store at `file`.
std::string run_key_of_plan(const std::filesystem::path& file, const std::string& plan_hash) {
  if (!std::filesystem::exists(file)) throw Error(file.string(), "shard store does not exist");
  auto store = open_result_store(file);
  std::vector<std::string> keys;
  for (const RunSummary& run : store->list_runs()) {
    nlohmann::json provenance = nlohmann::json::parse(store->provenance_json(run.id), nullptr, false);
    if (provenance.is_object() && provenance.value("plan_hash", "") == plan_hash) keys.push_back(run.run_key);
  }
  if (keys.empty())
    throw Error(file.string(), "holds no run of this suite and submission's plan (plan hash " + plan_hash + ")");
  if (keys.size() > 1)
    throw Error(file.string(), fmt::format("holds {} runs of this plan (keys {}); merge stores of one run only",
                                           keys.size(), fmt::join(keys, ", ")));
  return keys.front();
}

}  // namespace

MergedRun merge_shards(const MergeSettings& settings, std::ostream& log) {
  if (settings.shards.empty()) throw Error("merge", "no shard stores given");
  // ---- 1. the plan, and the one run key every shard must hold (before anything is written) ----
  Plan plan = plan_for(settings.run);
  MergedRun merged;
  for (const std::filesystem::path& shard : settings.shards) {
    std::string key = run_key_of_plan(shard, plan.hash);
    if (merged.run_key.empty()) merged.run_key = key;
    if (key != merged.run_key)
      throw Error(shard.string(), fmt::format("its run has key {}, {} has {}: not shards of one run (a different "
                                              "checkpoint, runner setting or data file)",
                                              key, settings.shards.front().string(), merged.run_key));
  }

  // ---- 2. copy each shard's run in ----
  auto store = open_result_store(settings.into);
  for (const std::filesystem::path& shard : settings.shards) {
    MergeOutcome outcome = store->merge_run_from(shard, merged.run_key);
    merged.run_id = outcome.run_id;
    merged.results_added += static_cast<size_t>(outcome.results_added);
    log << fmt::format("merged {}: {} results added\n", shard.string(), outcome.results_added);
  }

  // ---- 3. score, once every planned request has its result ----
  std::vector<ResultRow> results = store->results(merged.run_id);
  if (results.size() < plan.requests.size())
    throw Error(settings.into.string(), fmt::format("{} of {} planned requests still have no result after merging "
                                                    "{} stores: is a shard missing or unfinished?",
                                                    plan.requests.size() - results.size(), plan.requests.size(),
                                                    settings.shards.size()));
  ScoredPlan scored = score_plan(plan, results, settings.into.string());
  store->put_scores(merged.run_id, scored.item_rows, scored.task_rows);
  nlohmann::json timings{{"merged_from", nlohmann::json::array()}};
  for (const auto& shard : settings.shards) timings["merged_from"].push_back(shard.string());
  store->finish_run(merged.run_id, RunStatus::Complete, timings.dump());
  return merged;
}

}  // namespace dokpa
