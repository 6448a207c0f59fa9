// Per-item metrics from runner results.
#include <cmath>

#include "common/error.h"
#include "harness/data/unicode_text.h"
#include "harness/score/answer_extraction.h"
#include "harness/score/score.h"

namespace dokpa {

double ItemScore::metric(const std::string& name) const {
  for (const MetricValue& value : metrics) {
    if (value.name == name) return value.value;
  }
  throw Error("task '" + task + "'", "item '" + item_id + "' has no metric '" + name + "'");
}

int argmax(std::span<const double> values) {
  int best = -1;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) return static_cast<int>(i);  // numpy: the first NaN is the max
    if (best < 0 || values[i] > values[static_cast<size_t>(best)]) best = static_cast<int>(i);
  }
  return best;
}

bool answers_match(const std::string& prediction, const std::string& gold) {
  return nfc(python_strip(prediction)) == nfc(python_strip(gold));
}

ItemScore score_multiple_choice(const PlannedTask& task, const PlannedItem& item,
                                std::span<const LoglikelihoodResult> results) {
  if (results.size() != item.choices.size()) {
    throw Error("task '" + task.name + "'", "item '" + item.item_id + "' has " + std::to_string(item.choices.size()) +
                                                " choices but " + std::to_string(results.size()) + " results");
  }
  std::vector<double> logprobs;
  std::vector<double> normalised;
  for (size_t i = 0; i < results.size(); ++i) {
    logprobs.push_back(results[i].logprob);
    normalised.push_back(results[i].logprob / static_cast<double>(count_code_points(item.choices[i])));
  }
  ItemScore score;
  score.task = task.name;
  score.item_id = item.item_id;
  score.predicted_index = argmax(logprobs);
  score.gold_index = item.gold_index;
  score.prediction = item.choices[static_cast<size_t>(score.predicted_index)];
  for (const std::string& metric : task.metrics) {
    if (metric == "acc") score.metrics.push_back({metric, score.predicted_index == item.gold_index ? 1.0 : 0.0});
    else if (metric == "acc_norm") score.metrics.push_back({metric, argmax(normalised) == item.gold_index ? 1.0 : 0.0});
    else if (is_corpus_metric(metric)) continue;  // computed over the task (summarize_task)
    else throw Error("task '" + task.name + "'", "metric '" + metric + "' does not apply to multiple_choice");
  }
  return score;
}

ItemScore score_generate(const PlannedTask& task, const PlannedItem& item, const GenerateResult& result) {
  ItemScore score;
  score.task = task.name;
  score.item_id = item.item_id;
  // The stored response keeps any reasoning block; the answer is read from what follows it.
  score.prediction = strip_reasoning(result.text);
  if (task.extract == AnswerExtract::Boxed) score.prediction = extract_boxed(score.prediction).value_or("");
  bool correct = task.compare == AnswerCompare::Numeric ? numeric_answers_match(score.prediction, item.gold_text)
                                                        : answers_match(score.prediction, item.gold_text);
  if (task.extract == AnswerExtract::Boxed && score.prediction.empty()) correct = false;  // nothing boxed
  for (const std::string& metric : task.metrics) {
    if (metric == "exact_match") score.metrics.push_back({metric, correct ? 1.0 : 0.0});
    else throw Error("task '" + task.name + "'", "metric '" + metric + "' does not apply to generate");
  }
  return score;
}

ItemScore score_generate_choice(const PlannedTask& task, const PlannedItem& item,
                                std::span<const GenerateResult> results) {
  const int options = static_cast<int>(item.choices.size());
  if (results.empty() || (task.circular && static_cast<int>(results.size()) != options)) {
    throw Error("task '" + task.name + "'", "item '" + item.item_id + "' has " + std::to_string(results.size()) +
                                                " results for " + std::to_string(options) + " options");
  }
  ItemScore score;
  score.task = task.name;
  score.item_id = item.item_id;
  score.gold_index = item.gold_index;
  bool all_correct = true;
  for (size_t r = 0; r < results.size(); ++r) {
    int extracted = extract_choice(strip_reasoning(results[r].text), item.choices);
    if (r == 0) {
      score.predicted_index = extracted;
      score.prediction = extracted >= 0 ? item.choices[static_cast<size_t>(extracted)] : "";
    }
    all_correct = all_correct && extracted == rotated_gold(item.gold_index, static_cast<int>(r), options);
  }
  for (const std::string& metric : task.metrics) {
    if (metric == "exact_match") score.metrics.push_back({metric, score.predicted_index == item.gold_index ? 1.0 : 0.0});
    else if (metric == "circular_exact_match") score.metrics.push_back({metric, all_correct ? 1.0 : 0.0});
    else throw Error("task '" + task.name + "'", "metric '" + metric + "' does not apply to generate_choice");
  }
  return score;
}

}  // namespace dokpa
