#pragma once
// `dokpa compare A B`: a candidate run against a baseline run of the same suite, for
// regression tracking between checkpoints.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "reports/model/report.h"

namespace dokpa::reports {

struct TaskChange {
  std::string task;
  std::string metric;
  double baseline = 0.0;
  double candidate = 0.0;
  double delta = 0.0;  // candidate - baseline
  PairTest test;  // Holm over the tasks compared
  int64_t right_to_wrong = 0;  // binary metrics: items the baseline had right and the candidate wrong
  int64_t wrong_to_right = 0;
};

struct Comparison {
  size_t baseline = 0;  // indices into Report::runs
  size_t candidate = 0;
  std::vector<TaskChange> tasks;  // suite order
  int better = 0;  // significant, candidate ahead
  int worse = 0;

  // Tasks whose drop is significant and larger than `threshold` (in metric units: 0.02 = 2 points).
  std::vector<const TaskChange*> regressions(double threshold) const;
};

// `report` must have been built for exactly the two runs. Throws dokpa::Error when either run
// was left out of the report (then they are not comparable) or when they are the same run.
Comparison compare_runs(const Report& report, int64_t baseline_run, int64_t candidate_run);

// The text `dokpa compare` prints: per-task table, flipped items with their prompts (at most
// `items_per_task` per task and direction), and one summary line.
void write_comparison(const Report& report, const Comparison& comparison, size_t items_per_task, std::ostream& out);

// One line: "candidate vs baseline: N tasks better, M worse (...), K without significant change".
std::string comparison_summary(const Report& report, const Comparison& comparison);

}  // namespace dokpa::reports
