#include "harness/cli/score_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "common/error.h"

namespace dokpa::cli {

namespace {

RunSummary find_run(ResultStore& store, int64_t run_id) {
  for (const RunSummary& run : store.list_runs())
    if (run.id == run_id) return run;
  throw Error(store.path().string(), fmt::format("no run with id {}", run_id));
}

// Group averages are stored as rows whose metric ends in _macro or _micro (run_scoring.h); no
// task metric is named that way.
bool is_group_row(const TaskMetricRow& row) {
  auto ends_with = [&](const std::string& suffix) {
    return row.metric.size() > suffix.size() && row.metric.compare(row.metric.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with("_macro") || ends_with("_micro");
}

// Macro average over tasks: every task that reports the metric weighs the same, whatever its size.
std::map<std::string, std::pair<double, int>> macro_averages(const std::vector<TaskMetricRow>& rows) {
  std::map<std::string, std::pair<double, int>> sums;
  for (const TaskMetricRow& row : rows) {
    if (is_group_row(row) || std::isnan(row.value)) continue;
    sums[row.metric].first += row.value;
    sums[row.metric].second += 1;
  }
  return sums;
}

}  // namespace

void print_run_table(ResultStore& store, int64_t run_id, std::ostream& out) {
  RunSummary run = find_run(store, run_id);
  std::vector<TaskMetricRow> rows = store.task_metrics(run_id);
  out << fmt::format("run {}  {} / {}  suite {} ({})  {}\n", run.id, run.team, run.model, run.suite_name,
                     run.suite_hash.substr(0, 12), to_string(run.status));
  out << fmt::format("{:<32} {:<18} {:>8} {:>8} {:>6}\n", "task", "metric", "value", "stderr", "n");
  for (bool groups : {false, true}) {
    if (groups && std::any_of(rows.begin(), rows.end(), is_group_row))
      out << fmt::format("{:<32} {:<18} {:>8} {:>8} {:>6}\n", "group", "average", "value", "", "items");
    for (const TaskMetricRow& row : rows) {
      if (is_group_row(row) != groups) continue;
      out << fmt::format("{:<32} {:<18} {:>8.4f} {:>8} {:>6}\n", row.task, row.metric, row.value,
                         row.stderr_value ? fmt::format("{:.4f}", *row.stderr_value) : "-", row.n);
    }
  }
  for (const auto& [metric, sum] : macro_averages(rows))
    out << fmt::format("{:<32} {:<18} {:>8.4f} {:>8} {:>6}\n", "macro average over tasks", metric,
                       sum.first / sum.second, "-", sum.second);
}

void print_suite_table(ResultStore& store, const std::string& suite_hash, std::ostream& out) {
  std::vector<RunSummary> runs = store.list_runs(suite_hash);
  if (runs.empty()) {
    out << "no runs of this suite in " << store.path().string() << "\n";
    return;
  }
  // rows: (task, metric) in first-seen order; columns: runs
  std::vector<std::pair<std::string, std::string>> keys;
  std::map<std::pair<std::string, std::string>, std::map<int64_t, double>> values;
  for (const RunSummary& run : runs) {
    for (const TaskMetricRow& row : store.task_metrics(run.id)) {
      auto key = std::make_pair(row.task, row.metric);
      if (!values.count(key)) keys.push_back(key);
      values[key][run.id] = row.value;
    }
  }
  out << fmt::format("suite {} ({}): {} runs\n", runs.front().suite_name, suite_hash.substr(0, 12), runs.size());
  for (const RunSummary& run : runs)
    out << fmt::format("  run {}: {} / {} ({}), checkpoint {}\n", run.id, run.team, run.model, to_string(run.status),
                       run.checkpoint_sha256.substr(0, 12));
  std::string header = fmt::format("{:<32} {:<18}", "task", "metric");
  for (const RunSummary& run : runs) header += fmt::format(" {:>9}", fmt::format("run {}", run.id));
  out << header << "\n";
  for (const auto& key : keys) {
    std::string line = fmt::format("{:<32} {:<18}", key.first, key.second);
    for (const RunSummary& run : runs) {
      auto it = values[key].find(run.id);
      line += it == values[key].end() ? fmt::format(" {:>9}", "-") : fmt::format(" {:>9.4f}", it->second);
    }
    out << line << "\n";
  }
}

}  // namespace dokpa::cli
