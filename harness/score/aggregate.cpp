// Per-task summaries and group averages.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "harness/score/f1.h"
#include "harness/score/score.h"

namespace dokpa {

const char* to_string(Averaging averaging) { return averaging == Averaging::Micro ? "micro" : "macro"; }

MetricSummary summarize_metric(const std::string& name, std::span<const double> values) {
  MetricSummary summary;
  summary.name = name;
  summary.n = values.size();
  if (values.empty()) {
    summary.mean = summary.standard_error = std::numeric_limits<double>::quiet_NaN();
    return summary;
  }
  double sum = 0.0;
  for (double v : values) sum += v;  // in item order, so the result is reproducible bit for bit
  double n = static_cast<double>(values.size());
  summary.mean = sum / n;
  if (values.size() < 2) {  // lm-eval divides by n - 1 = 0 here; NaN says "undefined"
    summary.standard_error = std::numeric_limits<double>::quiet_NaN();
    return summary;
  }
  double squares = 0.0;
  for (double v : values) squares += (v - summary.mean) * (v - summary.mean);
  summary.standard_error = std::sqrt(squares / (n - 1.0)) / std::sqrt(n);  // sample_stddev / sqrt(n)
  return summary;
}

const MetricSummary* TaskScore::find(const std::string& metric) const {
  for (const MetricSummary& summary : metrics) {
    if (summary.name == metric) return &summary;
  }
  return nullptr;
}

bool is_corpus_metric(const std::string& metric) { return metric == "macro_f1"; }

TaskScore summarize_task(const PlannedTask& task, std::span<const ItemScore> items) {
  TaskScore score;
  score.task = task.name;
  for (const ItemScore& item : items) {
    if (item.task != task.name) throw Error("task '" + task.name + "'", "item '" + item.item_id + "' belongs to task '" + item.task + "'");
  }
  for (const std::string& metric : task.metrics) {
    if (metric == "macro_f1") {
      std::vector<int> predictions, golds;
      for (const ItemScore& item : items) {
        predictions.push_back(item.predicted_index);
        golds.push_back(item.gold_index);
      }
      MetricSummary summary;
      summary.name = metric;
      summary.n = items.size();
      summary.mean = items.empty() ? std::numeric_limits<double>::quiet_NaN() : macro_f1(predictions, golds);
      summary.standard_error = std::numeric_limits<double>::quiet_NaN();  // lm-eval bootstraps it; dokpa does not
      score.metrics.push_back(summary);
      continue;
    }
    std::vector<double> values;
    values.reserve(items.size());
    for (const ItemScore& item : items) values.push_back(item.metric(metric));
    score.metrics.push_back(summarize_metric(metric, values));
  }
  return score;
}

GroupScore average_tasks(const std::string& group, const std::string& metric, Averaging averaging,
                         std::span<const TaskScore> tasks) {
  GroupScore out;
  out.group = group;
  out.metric = metric;
  out.averaging = averaging;
  double sum = 0.0;
  for (const TaskScore& task : tasks) {
    const MetricSummary* summary = task.find(metric);
    if (summary == nullptr) continue;
    ++out.tasks;
    out.items += summary->n;
    sum += averaging == Averaging::Macro ? summary->mean : summary->mean * static_cast<double>(summary->n);
  }
  if (out.tasks == 0) throw Error("group '" + group + "'", "no task has metric '" + metric + "'");
  out.value = averaging == Averaging::Macro ? sum / static_cast<double>(out.tasks) : sum / static_cast<double>(out.items);
  return out;
}

std::vector<GroupScore> score_groups(std::span<const PlannedGroup> groups, std::span<const TaskScore> tasks) {
  std::vector<GroupScore> out;
  for (const PlannedGroup& group : groups) {
    std::vector<TaskScore> members;
    for (const std::string& name : group.tasks) {
      auto found = std::find_if(tasks.begin(), tasks.end(), [&](const TaskScore& task) { return task.task == name; });
      if (found == tasks.end()) throw Error("group '" + group.name + "'", "task '" + name + "' has no scores");
      members.push_back(*found);
    }
    for (const std::string& metric : group.metrics) {
      if (group.macro) out.push_back(average_tasks(group.name, metric, Averaging::Macro, members));
      // A micro average of a corpus metric would need the items pooled; it is not defined here.
      if (group.micro && !is_corpus_metric(metric)) out.push_back(average_tasks(group.name, metric, Averaging::Micro, members));
    }
  }
  return out;
}

}  // namespace dokpa
