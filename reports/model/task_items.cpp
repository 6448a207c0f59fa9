#include "reports/model/task_items.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/error.h"
#include "common/sha256.h"

namespace dokpa::reports {

namespace {

// A digest of the sequence of (task, item, metric) keys a run scored.
std::string key_digest(const std::vector<ItemScoreRow>& rows) {
  std::string keys;
  for (const ItemScoreRow& row : rows) keys += row.task + '\x1f' + row.item_id + '\x1f' + row.metric + '\x1e';
  return sha256_hex(keys);
}

std::set<std::string> task_names(const std::vector<ItemScoreRow>& rows) {
  std::set<std::string> names;
  for (const ItemScoreRow& row : rows) names.insert(row.task);
  return names;
}

}  // namespace

std::vector<TaskItems> load_task_items(ResultStore& store, std::vector<ReportRun>& runs, std::vector<ExcludedRun>& excluded,
                                       const SuiteSummary& suite) {
  std::vector<std::vector<ItemScoreRow>> scores;
  std::vector<std::string> digests;
  std::map<std::string, int> votes;
  for (const ReportRun& run : runs) {
    scores.push_back(store.item_scores(run.summary.id));
    digests.push_back(key_digest(scores.back()));
    votes[digests.back()] += 1;
  }
  // The items most runs scored (the earliest run's on a tie) are the ones compared.
  size_t reference = 0;
  for (size_t r = 1; r < runs.size(); ++r)
    if (votes[digests[r]] > votes[digests[reference]]) reference = r;
  for (size_t r = runs.size(); r-- > 0;) {
    if (digests[r] == digests[reference]) continue;
    std::set<std::string> own = task_names(scores[r]), expected = task_names(scores[reference]);
    std::string reason = own == expected ? "it scored other items or metrics than the compared runs (another dokpa scorer?)"
                                         : fmt::format("it scored {} task(s), the compared runs {} (a --tasks subset?)",
                                                       own.size(), expected.size());
    excluded.push_back({runs[r].summary, reason});
    runs.erase(runs.begin() + static_cast<std::ptrdiff_t>(r));
    scores.erase(scores.begin() + static_cast<std::ptrdiff_t>(r));
  }
  std::sort(excluded.begin(), excluded.end(), [](const ExcludedRun& a, const ExcludedRun& b) { return a.summary.id < b.summary.id; });
  const size_t n_runs = runs.size();
  // task -> its rows' range in run 0's list
  std::map<std::string, std::pair<size_t, size_t>> ranges;
  static const std::vector<ItemScoreRow> kNone;
  const std::vector<ItemScoreRow>& rows = scores.empty() ? kNone : scores[0];
  for (size_t i = 0; i < rows.size();) {
    size_t end = i;
    while (end < rows.size() && rows[end].task == rows[i].task) ++end;
    ranges[rows[i].task] = {i, end};
    i = end;
  }
  std::vector<TaskItems> out;
  for (const TaskSummary& task : suite.tasks) {
    auto range = ranges.find(task.name);
    if (range == ranges.end()) continue;
    TaskItems items;
    items.task = task.name;
    std::map<std::string, size_t> metric_index;
    for (size_t i = range->second.first; i < range->second.second; ++i) {
      if (items.item_ids.empty() || items.item_ids.back() != rows[i].item_id) items.item_ids.push_back(rows[i].item_id);
      if (!metric_index.count(rows[i].metric)) metric_index[rows[i].metric] = 0;
    }
    // Metric order: the suite's, then any other the store has (sorted).
    for (const std::string& metric : task.metrics)
      if (metric_index.count(metric)) items.metrics.push_back(metric);
    for (const auto& [metric, unused] : metric_index)
      if (std::find(items.metrics.begin(), items.metrics.end(), metric) == items.metrics.end()) items.metrics.push_back(metric);
    for (size_t m = 0; m < items.metrics.size(); ++m) metric_index[items.metrics[m]] = m;
    items.values.assign(items.metrics.size(), ItemMatrix{n_runs, items.item_ids.size(), std::vector<double>(n_runs * items.item_ids.size(), 0.0)});
    for (size_t r = 0; r < n_runs; ++r) {
      size_t item = 0;
      for (size_t i = range->second.first; i < range->second.second; ++i) {
        if (i > range->second.first && scores[r][i].item_id != scores[r][i - 1].item_id) ++item;
        items.values[metric_index[scores[r][i].metric]].values[item * n_runs + r] = scores[r][i].value;
      }
    }
    out.push_back(std::move(items));
  }
  return out;
}

}  // namespace dokpa::reports
