#pragma once
// Which runs a report may put side by side. Runs are comparable only when they share the suite
// hash and the data file hashes, are complete, and scored the same items (task_items.h); every
// other run of the store is listed with the reason it was left out.
#include <string>
#include <vector>

#include "reports/model/report.h"

namespace dokpa::reports {

struct RunSelection {
  std::string suite_hash;
  std::vector<ReportRun> runs;  // by run id
  std::vector<ExcludedRun> excluded;  // by run id
};

RunSelection select_runs(ResultStore& store, const ReportOptions& options);

// Reads the fields a report shows from a run's provenance JSON.
RunProvenance parse_run_provenance(const std::string& provenance_json, const std::string& source);

}  // namespace dokpa::reports
