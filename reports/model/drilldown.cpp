#include "reports/model/drilldown.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/data/unicode_text.h"

namespace dokpa::reports {

namespace {

using ItemKey = std::pair<std::string, std::string>;  // (task, item id)

struct Selected {
  TaskDrill* drill;
  size_t position;  // in drill->items
};

// Unicode code points of a choice's text without the target delimiter: acc_norm's length
// (harness/score/score.h).
double choice_length(const std::string& continuation, const std::string& delimiter) {
  std::string_view text = continuation;
  if (text.substr(0, delimiter.size()) == delimiter) text.remove_prefix(delimiter.size());
  return static_cast<double>(std::max<size_t>(count_code_points(text), 1));
}

std::string text_of(const nlohmann::json& request, const char* key) {
  return request.contains(key) && request[key].is_string() ? request[key].get<std::string>() : std::string();
}

}  // namespace

std::vector<TaskDrill> build_drilldown(ResultStore& store, const Report& report, const ReportOptions& options) {
  const size_t n_runs = report.runs.size();
  std::vector<TaskDrill> drills;
  drills.reserve(report.task_rankings.size());
  std::map<ItemKey, Selected> selected;
  for (const Ranking& ranking : report.task_rankings) {
    auto items = std::find_if(report.items.begin(), report.items.end(), [&](const TaskItems& t) { return t.task == ranking.name; });
    if (items == report.items.end()) continue;
    size_t m = static_cast<size_t>(std::find(items->metrics.begin(), items->metrics.end(), ranking.metric) - items->metrics.begin());
    const ItemMatrix& matrix = items->values[m];
    TaskDrill drill;
    drill.task = ranking.name;
    drill.metric = ranking.metric;
    drill.all_items = options.drilldown_all_items;
    for (size_t i = 0; i < matrix.items; ++i) {
      bool differs = false;
      for (size_t run = 1; run < n_runs; ++run) differs = differs || matrix.at(i, run) != matrix.at(i, 0);
      drill.differing += differs;
      if (!differs && !options.drilldown_all_items) continue;
      ++drill.selected;
      if (drill.items.size() >= options.drilldown_limit) continue;
      DrillItem item;
      item.item_id = items->item_ids[i];
      item.answers.assign(n_runs, "");
      for (size_t run = 0; run < n_runs; ++run) item.scores.push_back(matrix.at(i, run));
      drill.items.push_back(std::move(item));
    }
    drills.push_back(std::move(drill));
  }
  for (TaskDrill& drill : drills)
    for (size_t k = 0; k < drill.items.size(); ++k) selected[{drill.task, drill.items[k].item_id}] = {&drill, k};
  if (selected.empty()) return drills;

  // Prompts and choices from the plan.
  for (const RequestRow& row : store.requests(report.runs.front().summary.id)) {
    auto it = selected.find({row.key.task, row.key.item_id});
    if (it == selected.end()) continue;
    DrillItem& item = it->second.drill->items[it->second.position];
    nlohmann::json request = nlohmann::json::parse(row.request_json);
    if (request.contains("continuation")) {
      if (row.key.request_index == 0) item.prompt = text_of(request, "context");
      item.choices.push_back(text_of(request, "continuation"));
    } else if (row.key.request_index == 0) {
      item.prompt = text_of(request, "prompt");
    }
  }
  // Answers: the choice the drilled metric picks (the highest log-likelihood, first on ties, as
  // acc scores it; divided by the choice's length for acc_norm), or the generated text of the
  // item's first request.
  for (size_t run = 0; run < n_runs; ++run) {
    std::map<ItemKey, std::pair<double, int>> best;
    for (const ResultRow& row : store.results(report.runs[run].summary.id)) {
      auto it = selected.find({row.key.task, row.key.item_id});
      if (it == selected.end()) continue;
      DrillItem& item = it->second.drill->items[it->second.position];
      if (row.logprob) {
        double score = *row.logprob;
        size_t index = static_cast<size_t>(row.key.request_index);
        if (it->second.drill->metric == "acc_norm" && index < item.choices.size()) {
          const TaskSummary* summary = report.task_summary(row.key.task);
          score /= choice_length(item.choices[index], summary ? summary->target_delimiter : " ");
        }
        auto [current, found] = best.try_emplace(it->first, score, row.key.request_index);
        if (!found && score > current->second.first) current->second = {score, row.key.request_index};
      } else if (row.key.request_index == 0 && row.response_text) {
        item.answers[run] = *row.response_text;
      }
    }
    for (const auto& [key, choice] : best) {
      const Selected& where = selected.at(key);
      DrillItem& item = where.drill->items[where.position];
      size_t index = static_cast<size_t>(choice.second);
      item.answers[run] = index < item.choices.size() ? item.choices[index] : std::to_string(index);
    }
  }
  return drills;
}

}  // namespace dokpa::reports
