// The JSON report (everything the other formats state, for programs) and the export in
// lm-evaluation-harness's results layout.
#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>

#include "reports/render/writers.h"

namespace dokpa::reports {

namespace {

// NaN is not JSON: it becomes null.
nlohmann::json number(double value) { return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value); }

nlohmann::json estimate_json(const Estimate& estimate) {
  return {{"value", number(estimate.value)}, {"ci_low", number(estimate.interval.low)}, {"ci_high", number(estimate.interval.high)}};
}

nlohmann::json test_json(const PairTest& test) {
  return {{"delta", number(test.delta)}, {"test", test.test}, {"only_a", test.only_a}, {"only_b", test.only_b},
          {"p", number(test.p)}, {"p_holm", number(test.p_adjusted)}, {"significant", test.significant}};
}

nlohmann::json ranking_json(const Report& report, const Ranking& ranking) {
  nlohmann::json runs = nlohmann::json::array();
  for (size_t run = 0; run < report.runs.size(); ++run) {
    nlohmann::json entry = estimate_json(ranking.runs[run]);
    entry["run_id"] = report.runs[run].summary.id;
    entry["rank"] = ranking.tested ? nlohmann::json(ranking.ranks[run]) : nlohmann::json(nullptr);
    runs.push_back(entry);
  }
  nlohmann::json pairs = nlohmann::json::array();
  for (const PairTest& test : ranking.pairs) {
    nlohmann::json entry = test_json(test);
    entry["run_a"] = report.runs[test.a].summary.id;
    entry["run_b"] = report.runs[test.b].summary.id;
    pairs.push_back(entry);
  }
  return {{"name", ranking.name}, {"metric", ranking.metric}, {"averaging", ranking.averaging}, {"tasks", ranking.tasks},
          {"items", ranking.items}, {"interval_method", to_string(ranking.method)}, {"runs", runs}, {"pairs", pairs}};
}

nlohmann::json run_json(const ReportRun& run) {
  const RunProvenance& p = run.provenance;
  nlohmann::json files = nlohmann::json::array();
  for (const CheckpointFileRecord& file : p.checkpoint_files) files.push_back({{"path", file.path}, {"sha256", file.sha256}, {"bytes", file.bytes}});
  nlohmann::json data = nlohmann::json::array();
  for (const DataFileRecord& file : p.data_files) data.push_back({{"path", file.path}, {"sha256", file.sha256}});
  return {{"run_id", run.summary.id}, {"label", run.label}, {"digest", run.digest}, {"team", run.summary.team}, {"model", run.summary.model},
          {"run_key", run.summary.run_key}, {"checkpoint_sha256", run.summary.checkpoint_sha256},
          {"started_at", run.summary.started_at}, {"finished_at", run.summary.finished_at.value_or("")},
          {"dokpa_version", p.dokpa_version}, {"runner", p.runner}, {"architecture", p.architecture}, {"dtype", p.dtype},
          {"device", p.device}, {"versions", p.versions}, {"host", p.host}, {"plan_hash", p.plan_hash}, {"seed", p.seed},
          {"checkpoint_files", files}, {"data_files", data}};
}

// Sample standard error of the mean (ddof = 1), lm-eval's mean_stderr; NaN below two items.
double mean_stderr(const ItemMatrix& matrix, size_t run) {
  if (matrix.items < 2) return NAN;
  double mean = 0.0;
  for (size_t i = 0; i < matrix.items; ++i) mean += matrix.at(i, run);
  mean /= static_cast<double>(matrix.items);
  double squares = 0.0;
  for (size_t i = 0; i < matrix.items; ++i) squares += (matrix.at(i, run) - mean) * (matrix.at(i, run) - mean);
  return std::sqrt(squares / static_cast<double>(matrix.items - 1) / static_cast<double>(matrix.items));
}

// ISO-8601 UTC text to seconds since the epoch (lm-eval's "date" is time.time()).
double epoch_seconds(const std::string& iso) {
  std::tm tm{};
  double seconds = 0.0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%lf", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &seconds) != 6)
    return 0.0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + seconds;
}

// One run's results in lm-evaluation-harness's layout (docs/reports.md, "Outputs").
nlohmann::json lm_eval_results_json(const Report& report, size_t run) {
  const ReportRun& reported = report.runs[run];
  nlohmann::json results = nlohmann::json::object(), versions = nlohmann::json::object(), n_shot = nlohmann::json::object();
  nlohmann::json higher = nlohmann::json::object(), samples = nlohmann::json::object(), configs = nlohmann::json::object();
  for (const TaskItems& items : report.items) {
    const TaskSummary* summary = report.task_summary(items.task);
    nlohmann::json entry = {{"alias", items.task}};
    for (size_t m = 0; m < items.metrics.size(); ++m) {
      const ItemMatrix& matrix = items.values[m];
      double mean = 0.0;
      for (size_t i = 0; i < matrix.items; ++i) mean += matrix.at(i, run);
      entry[items.metrics[m] + ",none"] = matrix.items ? mean / static_cast<double>(matrix.items) : 0.0;
      double stderr_value = mean_stderr(matrix, run);
      entry[items.metrics[m] + "_stderr,none"] = std::isnan(stderr_value) ? nlohmann::json("N/A") : nlohmann::json(stderr_value);
      higher[items.task][items.metrics[m]] = true;
    }
    for (const TaskRow& row : report.tasks)
      if (row.task == items.task && row.corpus) {
        entry[row.metric + ",none"] = number(row.runs[run].value);
        entry[row.metric + "_stderr,none"] = "N/A";
        higher[items.task][row.metric] = true;
      }
    results[items.task] = entry;
    versions[items.task] = report.suite.version;
    n_shot[items.task] = summary ? summary->fewshot : 0;
    samples[items.task] = {{"original", items.item_ids.size()}, {"effective", items.item_ids.size()}};
    configs[items.task] = {{"task", items.task}, {"num_fewshot", summary ? summary->fewshot : 0},
                           {"output_type", summary ? summary->output : ""}, {"dokpa_protocol", summary ? summary->protocol : ""}};
  }
  nlohmann::json groups = nlohmann::json::object(), group_subtasks = nlohmann::json::object();
  for (const GroupSummary& group : report.suite.groups) group_subtasks[group.name] = group.tasks;
  for (const Ranking& ranking : report.rankings) {
    if (ranking.name == "overall") continue;
    nlohmann::json& entry = groups[ranking.name];
    entry["alias"] = ranking.name;
    // lm-eval's groups weight by size (micro); the macro average gets its own key.
    std::string key = ranking.averaging == "micro" ? ranking.metric : ranking.metric + "_macro";
    entry[key + ",none"] = number(ranking.runs[run].value);
    entry[key + "_stderr,none"] = "N/A";
  }
  for (auto& [name, entry] : groups.items()) results[name] = entry;
  nlohmann::json json;
  json["results"] = results;
  if (!groups.empty()) json["groups"] = groups;
  json["group_subtasks"] = group_subtasks;
  json["configs"] = configs;
  json["versions"] = versions;
  json["n-shot"] = n_shot;
  json["higher_is_better"] = higher;
  json["n-samples"] = samples;
  json["config"] = {{"model", "dokpa-" + reported.provenance.runner},
                    {"model_args", {{"team", reported.summary.team}, {"model", reported.summary.model},
                                    {"checkpoint_sha256", reported.summary.checkpoint_sha256}}},
                    {"device", reported.provenance.device}, {"bootstrap_iters", 0}, {"random_seed", reported.provenance.seed}};
  json["git_hash"] = reported.provenance.dokpa_version;
  json["date"] = epoch_seconds(reported.summary.started_at);
  json["model_name"] = reported.summary.team + "/" + reported.summary.model;
  json["dokpa"] = {{"run_id", reported.summary.id}, {"run_key", reported.summary.run_key}, {"suite", report.suite.name},
                   {"suite_hash", report.suite.hash}, {"audit_head", report.audit_head}};
  return json;
}

}  // namespace

void write_json_report(const Report& report, std::ostream& out) {
  nlohmann::json json;
  json["format"] = "dokpa-report-v1";
  json["store"] = report.store_file;
  json["audit_head"] = report.audit_head;
  json["suite"] = {{"name", report.suite.name}, {"hash", report.suite.hash}, {"version", report.suite.version}, {"seed", report.suite.seed}};
  json["statistics"] = {{"alpha", report.alpha}, {"bootstrap_iterations", report.bootstrap_iterations},
                        {"correction", "holm"}, {"interval_level", 0.95}};
  for (const ReportRun& run : report.runs) json["runs"].push_back(run_json(run));
  json["excluded"] = nlohmann::json::array();
  for (const ExcludedRun& run : report.excluded)
    json["excluded"].push_back({{"run_id", run.summary.id}, {"team", run.summary.team}, {"model", run.summary.model},
                                {"suite", run.summary.suite_name}, {"reason", run.reason}});
  for (const Ranking& ranking : report.rankings) json["rankings"].push_back(ranking_json(report, ranking));
  for (const Ranking& ranking : report.task_rankings) json["task_rankings"].push_back(ranking_json(report, ranking));
  for (const TaskRow& row : report.tasks) {
    const TaskSummary* summary = report.task_summary(row.task);
    nlohmann::json runs = nlohmann::json::array();
    for (size_t run = 0; run < report.runs.size(); ++run) {
      nlohmann::json entry = estimate_json(row.runs[run]);
      entry["run_id"] = report.runs[run].summary.id;
      runs.push_back(entry);
    }
    json["tasks"].push_back({{"task", row.task}, {"metric", row.metric}, {"primary", row.primary}, {"corpus", row.corpus},
                             {"n", row.n}, {"fewshot", summary ? summary->fewshot : 0}, {"protocol", summary ? summary->protocol : ""},
                             {"interval_method", row.corpus ? "none" : to_string(row.method)}, {"runs", runs}});
  }
  json["pairs"] = nlohmann::json::array();
  for (const PairComparison& pair : report.pairs) {
    nlohmann::json tests = nlohmann::json::array();
    for (size_t t = 0; t < pair.tests.size(); ++t) {
      nlohmann::json entry = test_json(pair.tests[t]);
      entry["task"] = pair.tasks[t];
      entry["metric"] = pair.metrics[t];
      tests.push_back(entry);
    }
    json["pairs"].push_back({{"run_a", report.runs[pair.a].summary.id}, {"run_b", report.runs[pair.b].summary.id},
                             {"a_better", pair.a_better}, {"b_better", pair.b_better}, {"tests", tests}});
  }
  json["drilldown"] = nlohmann::json::array();
  for (const TaskDrill& drill : report.drilldown) {
    nlohmann::json items = nlohmann::json::array();
    for (const DrillItem& item : drill.items) {
      nlohmann::json scores = nlohmann::json::array();
      for (double score : item.scores) scores.push_back(number(score));
      items.push_back({{"item_id", item.item_id}, {"prompt", item.prompt}, {"choices", item.choices}, {"answers", item.answers}, {"scores", scores}});
    }
    json["drilldown"].push_back({{"task", drill.task}, {"metric", drill.metric}, {"differing", drill.differing},
                                 {"selected", drill.selected}, {"items", items}});
  }
  // Each run's results in lm-eval's layout too, keyed by run id (also written one file per run).
  json["lm_eval"] = nlohmann::json::object();
  for (size_t run = 0; run < report.runs.size(); ++run)
    json["lm_eval"][std::to_string(report.runs[run].summary.id)] = lm_eval_results_json(report, run);
  out << json.dump(1) << "\n";
}

void write_lm_eval_results(const Report& report, size_t run, std::ostream& out) {
  out << lm_eval_results_json(report, run).dump(2) << "\n";
}

}  // namespace dokpa::reports
