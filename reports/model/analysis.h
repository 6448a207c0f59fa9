#pragma once
// The statistics of a report: per-task estimates with intervals, rankings with ties, and
// pairwise tests with Holm's correction (docs/reports.md, "Statistics").
#include <vector>

#include "reports/model/report.h"

namespace dokpa::reports {

// Fills report.tasks, report.task_rankings, report.rankings and report.pairs from report.items,
// report.suite and report.runs. `stored` holds each run's task_metrics rows (for corpus metrics,
// which have no per-item values).
void analyze(Report& report, const std::vector<std::vector<TaskMetricRow>>& stored);

}  // namespace dokpa::reports
