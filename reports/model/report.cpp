#include "reports/model/report.h"

#include <fmt/format.h>

#include "common/error.h"
#include "reports/model/analysis.h"
#include "reports/model/drilldown.h"
#include "reports/model/run_selection.h"
#include "reports/model/suite_summary.h"
#include "reports/model/task_items.h"

namespace dokpa::reports {

const TaskSummary* Report::task_summary(const std::string& task) const {
  for (const TaskSummary& summary : suite.tasks)
    if (summary.name == task) return &summary;
  return nullptr;
}

const Ranking* Report::task_ranking(const std::string& task) const {
  for (const Ranking& ranking : task_rankings)
    if (ranking.name == task) return &ranking;
  return nullptr;
}

Report build_report(ResultStore& store, const ReportOptions& options) {
  if (options.bootstrap_iterations < 100)
    throw Error(store.path().string(), fmt::format("--bootstrap-iters {} is too few for a 95% interval (at least 100)",
                                                   options.bootstrap_iterations));
  Report report;
  report.store_path = store.path().string();
  report.store_file = store.path().filename().string();
  report.audit_head = store.audit_head_hash();
  report.bootstrap_iterations = options.bootstrap_iterations;
  report.alpha = options.alpha;
  RunSelection selection = select_runs(store, options);
  report.suite = parse_suite_summary(store.suite_text(selection.suite_hash), selection.suite_hash, report.store_path);
  report.runs = std::move(selection.runs);
  report.excluded = std::move(selection.excluded);
  report.items = load_task_items(store, report.runs, report.excluded, report.suite);
  std::vector<std::vector<TaskMetricRow>> stored;
  for (const ReportRun& run : report.runs) stored.push_back(store.task_metrics(run.summary.id));
  analyze(report, stored);
  report.drilldown = build_drilldown(store, report, options);
  return report;
}

}  // namespace dokpa::reports
