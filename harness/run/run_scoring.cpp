#include "harness/run/run_scoring.h"

#include <map>

#include "common/error.h"

namespace dokpa {

ScoredPlan score_plan(const Plan& plan, std::span<const ResultRow> results, const std::string& store_name) {
  std::map<RequestKey, const ResultRow*> by_key;
  for (const ResultRow& row : results) by_key[row.key] = &row;
  auto result_of = [&](const PlannedRequest& request) -> const ResultRow& {
    auto it = by_key.find(RequestKey{request.task, request.item_id, request.request_index});
    if (it == by_key.end())
      throw Error(store_name, "no stored result for " + request.task + " item " + request.item_id + " request " +
                                  std::to_string(request.request_index));
    return *it->second;
  };

  ScoredPlan scored;
  for (const PlannedTask& task : plan.tasks) {
    std::vector<ItemScore> task_items;
    for (const PlannedItem& item : task.items) {
      std::span<const PlannedRequest> requests(plan.requests.data() + item.first_request, item.request_count);
      if (task.type == OutputType::MultipleChoice) {
        std::vector<LoglikelihoodResult> choices;
        for (const PlannedRequest& request : requests) {
          const ResultRow& row = result_of(request);
          if (!row.logprob)
            throw Error(store_name, "stored result for " + request.task + " item " + request.item_id +
                                        " has no log-probability");
          choices.push_back({*row.logprob, row.is_greedy.value_or(false), row.n_tokens, {}});
        }
        task_items.push_back(score_multiple_choice(task, item, choices));
      } else {
        std::vector<GenerateResult> generated;
        for (const PlannedRequest& request : requests) {
          const ResultRow& row = result_of(request);
          generated.push_back({row.response_text.value_or(""), row.n_tokens, row.finish_reason.value_or(""), {}});
        }
        if (task.type == OutputType::GenerateChoice) task_items.push_back(score_generate_choice(task, item, generated));
        else task_items.push_back(score_generate(task, item, generated.front()));
      }
    }
    TaskScore task_score = summarize_task(task, task_items);
    for (const MetricSummary& metric : task_score.metrics)
      scored.task_rows.push_back({task.name, metric.name, metric.mean, metric.standard_error,
                                  static_cast<int64_t>(metric.n)});
    for (const ItemScore& item : task_items)
      for (const MetricValue& metric : item.metrics)
        scored.item_rows.push_back({item.task, item.item_id, metric.name, metric.value});
    scored.items.insert(scored.items.end(), task_items.begin(), task_items.end());
    scored.tasks.push_back(std::move(task_score));
  }
  // Group averages are stored beside the task rows: task = the group's name (never a task's),
  // metric = "<metric>_macro" or "<metric>_micro", no stderr, n = the items averaged over.
  for (const GroupScore& group : score_groups(plan.groups, scored.tasks)) {
    scored.task_rows.push_back({group.group, group.metric + "_" + to_string(group.averaging), group.value,
                                std::nullopt, static_cast<int64_t>(group.items)});
    scored.groups.push_back(group);
  }
  return scored;
}

}  // namespace dokpa
