#include "reports/model/analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/stats/paired_tests.h"
#include "reports/stats/ranking.h"

namespace dokpa::reports {

namespace {

bool is_binary(const ItemMatrix& matrix) {
  return std::all_of(matrix.values.begin(), matrix.values.end(), [](double v) { return v == 0.0 || v == 1.0; });
}

double column_mean(const ItemMatrix& matrix, size_t run) {
  double sum = 0.0;
  for (size_t i = 0; i < matrix.items; ++i) sum += matrix.at(i, run);
  return matrix.items ? sum / static_cast<double>(matrix.items) : NAN;
}

std::vector<double> run_replicates(const Replicates& replicates, size_t run) {
  std::vector<double> out(replicates.iterations);
  for (size_t b = 0; b < replicates.iterations; ++b) out[b] = replicates.at(b, run);
  return out;
}

// One metric of one task, with what the tests need.
struct MetricData {
  std::string task;
  std::string metric;
  const ItemMatrix* matrix = nullptr;
  Replicates replicates;
  bool binary = false;
};

// Raw (unadjusted) paired test of runs a and b on one task metric.
PairTest raw_test(const MetricData& data, size_t a, size_t b) {
  PairTest test;
  test.a = a;
  test.b = b;
  test.delta = column_mean(*data.matrix, a) - column_mean(*data.matrix, b);
  if (data.binary) {
    for (size_t i = 0; i < data.matrix->items; ++i) {
      bool right_a = data.matrix->at(i, a) == 1.0, right_b = data.matrix->at(i, b) == 1.0;
      test.only_a += right_a && !right_b;
      test.only_b += right_b && !right_a;
    }
    test.test = "mcnemar-exact";
    test.p = mcnemar_exact_p(test.only_a, test.only_b);
  } else {
    std::vector<double> deltas(data.replicates.iterations);
    for (size_t k = 0; k < deltas.size(); ++k) deltas[k] = data.replicates.at(k, a) - data.replicates.at(k, b);
    test.test = "paired-bootstrap";
    test.p = bootstrap_p_value(deltas);
  }
  return test;
}

// Holm over `tests`, then significance at alpha.
void adjust(std::vector<PairTest>& tests, double alpha) {
  std::vector<double> p;
  for (const PairTest& test : tests) p.push_back(test.p);
  std::vector<double> adjusted = holm_adjusted(p);
  for (size_t k = 0; k < tests.size(); ++k) {
    tests[k].p_adjusted = adjusted[k];
    tests[k].significant = adjusted[k] < alpha;
  }
}

void rank(Ranking& ranking, size_t n_runs, double alpha) {
  adjust(ranking.pairs, alpha);
  std::vector<bool> better(n_runs * n_runs, false);
  for (const PairTest& test : ranking.pairs) {
    if (!test.significant) continue;
    if (test.delta > 0) better[test.a * n_runs + test.b] = true;
    if (test.delta < 0) better[test.b * n_runs + test.a] = true;
  }
  ranking.ranks = significance_ranks(n_runs, better);
}

// A ranking of an average over several task metrics, from the per-task replicates.
Ranking average_ranking(const std::string& name, const std::string& metric, const std::string& averaging,
                        const std::vector<const MetricData*>& parts, size_t n_runs, double alpha) {
  Ranking ranking;
  ranking.name = name;
  ranking.metric = metric;
  ranking.averaging = averaging;
  ranking.tasks = parts.size();
  ranking.method = IntervalMethod::Bootstrap;
  double total_items = 0.0;
  for (const MetricData* part : parts) total_items += static_cast<double>(part->matrix->items);
  ranking.items = static_cast<size_t>(total_items);
  // weight of each task: 1/T (macro) or n_t/N (micro)
  std::vector<double> weights;
  for (const MetricData* part : parts)
    weights.push_back(averaging == "micro" ? static_cast<double>(part->matrix->items) / total_items : 1.0 / static_cast<double>(parts.size()));
  size_t iterations = parts.front()->replicates.iterations;
  std::vector<std::vector<double>> replicates(n_runs, std::vector<double>(iterations, 0.0));
  for (size_t run = 0; run < n_runs; ++run) {
    Estimate estimate{0.0, {}};
    for (size_t t = 0; t < parts.size(); ++t) {
      estimate.value += weights[t] * column_mean(*parts[t]->matrix, run);
      for (size_t b = 0; b < iterations; ++b) replicates[run][b] += weights[t] * parts[t]->replicates.at(b, run);
    }
    estimate.interval = percentile_interval(replicates[run]);
    ranking.runs.push_back(estimate);
  }
  for (size_t a = 0; a < n_runs; ++a)
    for (size_t b = a + 1; b < n_runs; ++b) {
      PairTest test;
      test.a = a;
      test.b = b;
      test.delta = ranking.runs[a].value - ranking.runs[b].value;
      std::vector<double> deltas(iterations);
      for (size_t k = 0; k < iterations; ++k) deltas[k] = replicates[a][k] - replicates[b][k];
      test.test = "paired-bootstrap";
      test.p = bootstrap_p_value(deltas);
      ranking.pairs.push_back(test);
    }
  rank(ranking, n_runs, alpha);
  return ranking;
}

}  // namespace

const char* to_string(IntervalMethod method) {
  switch (method) {
    case IntervalMethod::Wilson: return "wilson";
    case IntervalMethod::Bootstrap: return "bootstrap-percentile";
    case IntervalMethod::None: return "none";
  }
  return "none";
}

void analyze(Report& report, const std::vector<std::vector<TaskMetricRow>>& stored) {
  const size_t n_runs = report.runs.size();
  std::vector<MetricData> data;  // every (task, per-item metric)
  std::map<std::string, std::map<std::string, size_t>> index;  // task -> metric -> data index
  for (const TaskItems& items : report.items) {
    std::vector<const ItemMatrix*> matrices;
    for (const ItemMatrix& matrix : items.values) matrices.push_back(&matrix);
    std::vector<Replicates> replicates =
        bootstrap_means(matrices, report.bootstrap_iterations, bootstrap_seed(report.suite.seed, items.task));
    for (size_t m = 0; m < items.metrics.size(); ++m) {
      index[items.task][items.metrics[m]] = data.size();
      data.push_back({items.task, items.metrics[m], &items.values[m], std::move(replicates[m]), is_binary(items.values[m])});
    }
  }

  // Per-task rows, in suite order; corpus metrics from the stored task metrics.
  std::map<std::string, const MetricData*> primary;
  for (const TaskSummary& task : report.suite.tasks) {
    auto task_data = index.find(task.name);
    bool any_stored = std::any_of(stored.begin(), stored.end(), [&](const auto& rows) {
      return std::any_of(rows.begin(), rows.end(), [&](const TaskMetricRow& row) { return row.task == task.name; });
    });
    if (task_data == index.end() && !any_stored) continue;  // not in this plan
    for (const std::string& metric : task.metrics) {
      TaskRow row;
      row.task = task.name;
      row.metric = metric;
      if (task_data != index.end() && task_data->second.count(metric)) {
        const MetricData& metric_data = data[task_data->second.at(metric)];
        row.binary = metric_data.binary;
        row.n = static_cast<int64_t>(metric_data.matrix->items);
        row.method = row.binary ? IntervalMethod::Wilson : IntervalMethod::Bootstrap;
        if (!primary.count(task.name)) {
          primary[task.name] = &metric_data;
          row.primary = true;
        }
        for (size_t run = 0; run < n_runs; ++run) {
          Estimate estimate;
          estimate.value = column_mean(*metric_data.matrix, run);
          if (row.binary)
            estimate.interval = wilson_interval(std::llround(estimate.value * static_cast<double>(row.n)), row.n);
          else
            estimate.interval = percentile_interval(run_replicates(metric_data.replicates, run));
          row.runs.push_back(estimate);
        }
      } else {
        row.corpus = true;
        for (size_t run = 0; run < n_runs; ++run) {
          Estimate estimate;
          for (const TaskMetricRow& stored_row : stored[run])
            if (stored_row.task == task.name && stored_row.metric == metric) {
              estimate.value = stored_row.value;
              row.n = stored_row.n;
            }
          row.runs.push_back(estimate);
        }
      }
      report.tasks.push_back(std::move(row));
    }
  }

  // Each task's ranking on its primary metric: the pairs of runs are the family.
  std::vector<std::string> task_order;
  for (const TaskSummary& task : report.suite.tasks)
    if (primary.count(task.name)) task_order.push_back(task.name);
  std::map<std::string, std::vector<PairTest>> raw_pairs;  // task -> every pair, raw p
  for (const std::string& task : task_order) {
    const MetricData& metric_data = *primary[task];
    Ranking ranking;
    ranking.name = task;
    ranking.metric = metric_data.metric;
    ranking.tasks = 1;
    ranking.items = metric_data.matrix->items;
    ranking.method = metric_data.binary ? IntervalMethod::Wilson : IntervalMethod::Bootstrap;
    for (const TaskRow& row : report.tasks)
      if (row.task == task && row.metric == metric_data.metric) ranking.runs = row.runs;
    for (size_t a = 0; a < n_runs; ++a)
      for (size_t b = a + 1; b < n_runs; ++b) ranking.pairs.push_back(raw_test(metric_data, a, b));
    raw_pairs[task] = ranking.pairs;
    rank(ranking, n_runs, report.alpha);
    report.task_rankings.push_back(std::move(ranking));
  }

  // Overall: macro mean of every task's primary metric; then each group's averages.
  if (!task_order.empty()) {
    std::vector<const MetricData*> parts;
    for (const std::string& task : task_order) parts.push_back(primary[task]);
    report.rankings.push_back(average_ranking("overall", "primary metric of each task", "macro", parts, n_runs, report.alpha));
  }
  for (const GroupSummary& group : report.suite.groups)
    for (const std::string& metric : group.metrics)
      for (const std::string& averaging : group.averaging) {
        std::vector<const MetricData*> parts;
        for (const std::string& task : group.tasks) {
          auto task_data = index.find(task);
          if (task_data != index.end() && task_data->second.count(metric)) parts.push_back(&data[task_data->second.at(metric)]);
        }
        if (!parts.empty()) {
          report.rankings.push_back(average_ranking(group.name, metric, averaging, parts, n_runs, report.alpha));
          continue;
        }
        // A corpus metric has no per-item values to resample: show the averages scoring stored.
        Ranking stored_average;
        stored_average.name = group.name;
        stored_average.metric = metric;
        stored_average.averaging = averaging;
        stored_average.method = IntervalMethod::None;
        stored_average.tested = false;
        stored_average.ranks.assign(n_runs, 0);
        bool found = false;
        for (size_t run = 0; run < n_runs; ++run) {
          Estimate estimate;
          for (const TaskMetricRow& row : stored[run])
            if (row.task == group.name && row.metric == metric + "_" + averaging) {
              estimate.value = row.value;
              stored_average.items = static_cast<size_t>(row.n);
              found = true;
            }
          stored_average.runs.push_back(estimate);
        }
        for (const std::string& task : group.tasks)
          stored_average.tasks += index.count(task) || std::any_of(report.tasks.begin(), report.tasks.end(),
                                                                   [&](const TaskRow& row) { return row.task == task; });
        if (found) report.rankings.push_back(std::move(stored_average));
      }

  // Team against team (or checkpoint against checkpoint): the tasks are the family.
  for (size_t a = 0; a < n_runs; ++a)
    for (size_t b = a + 1; b < n_runs; ++b) {
      PairComparison pair;
      pair.a = a;
      pair.b = b;
      size_t pair_index = 0;  // position of (a, b) in each task's pair list
      for (size_t i = 0; i < a; ++i) pair_index += n_runs - 1 - i;
      pair_index += b - a - 1;
      for (const std::string& task : task_order) {
        pair.tasks.push_back(task);
        pair.metrics.push_back(primary[task]->metric);
        pair.tests.push_back(raw_pairs[task][pair_index]);
      }
      adjust(pair.tests, report.alpha);
      for (const PairTest& test : pair.tests) {
        pair.a_better += test.significant && test.delta > 0;
        pair.b_better += test.significant && test.delta < 0;
      }
      report.pairs.push_back(std::move(pair));
    }
}

}  // namespace dokpa::reports
