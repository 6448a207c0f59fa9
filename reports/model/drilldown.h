#pragma once
// Item-level drill-down: for each task, the items the runs score differently (or every item),
// with the prompt and each run's answer and score.
#include <vector>

#include "reports/model/report.h"

namespace dokpa::reports {

// Reads the requests of the first run (the runs share the plan, so the prompts are the same)
// and every run's results for the selected items.
std::vector<TaskDrill> build_drilldown(ResultStore& store, const Report& report, const ReportOptions& options);

}  // namespace dokpa::reports
