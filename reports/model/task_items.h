#pragma once
// Per-item scores of the report's runs, aligned item by item. Runs must have scored the same
// (task, item, metric) keys to be compared; a run that scored others (a --tasks subset, an older
// scorer) is moved to `excluded` with the reason.
#include <vector>

#include "reports/model/report.h"

namespace dokpa::reports {

// Tasks in suite order; a task no run has item scores for is left out.
std::vector<TaskItems> load_task_items(ResultStore& store, std::vector<ReportRun>& runs, std::vector<ExcludedRun>& excluded,
                                       const SuiteSummary& suite);

}  // namespace dokpa::reports
