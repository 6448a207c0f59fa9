#pragma once
// Scores a plan from its stored results: per item, per task, and the suite's group averages.
#include <span>
#include <vector>

#include "harness/plan/plan.h"
#include "harness/score/score.h"
#include "harness/store/result_store.h"

namespace dokpa {

struct ScoredPlan {
  std::vector<ItemScore> items;  // plan order
  std::vector<TaskScore> tasks;  // suite order
  std::vector<GroupScore> groups;  // suite order (score_groups)
  std::vector<ItemScoreRow> item_rows;  // the same, as store rows
  std::vector<TaskMetricRow> task_rows;
};

// `results` must hold one row per planned request (throws dokpa::Error naming the store otherwise).
ScoredPlan score_plan(const Plan& plan, std::span<const ResultRow> results, const std::string& store_name);

}  // namespace dokpa
