#pragma once
// Scoring (DESIGN.md, data flow step 4): per-item scores from runner results, per-task means
// with standard errors, and group averages named macro or micro, never mixed.
//
// Metrics follow lm-evaluation-harness exactly:
//   acc         1 if argmax_i logprob_i == gold (ties -> lowest index, like numpy.argmax)
//   acc_norm    1 if argmax_i logprob_i / len(choice_i) == gold, where len counts Unicode code
//               points of the choice text without the target delimiter (lm-eval's completion_len)
//   exact_match 1 if NFC(strip(prediction)) == NFC(strip(gold)) (strip = Python str.strip);
//               with answer extraction (PlannedTask::extract) the extracted answer is compared,
//               and with AnswerCompare::Numeric the comparison is numeric_answers_match()
//   generate_choice exact_match: 1 if the label extracted from the response (extract_choice,
//               after strip_reasoning) is the gold label; circular_exact_match: 1 if that holds
//               for every rotation of the options (exact_match is then rotation 0's)
//   macro_f1    sklearn f1_score(golds, predictions, average="macro") over the task's items
//               (lm-eval's kobest); a corpus metric: no per-item value, stderr NaN
//   stderr      sqrt(sample variance (ddof=1) / n), lm-eval's mean_stderr; NaN when n < 2
#include <span>
#include <string>
#include <vector>

#include "harness/plan/plan.h"
#include "runners/runner.h"

namespace dokpa {

struct MetricValue {
  std::string name;  // acc, acc_norm, exact_match
  double value = 0.0;
};

struct ItemScore {
  std::string task;
  std::string item_id;
  int predicted_index = -1;  // multiple_choice: argmax of logprob (acc's choice); generate_choice:
                             // the extracted label's index (rotation 0), -1 when none was found
  int gold_index = -1;  // multiple_choice, generate_choice
  std::string prediction;  // the predicted choice's text, the extracted answer, or the generated text
  std::vector<MetricValue> metrics;  // in the task's metric order

  // The named metric's value; throws dokpa::Error if the item has no such metric.
  double metric(const std::string& name) const;
};

// `results` are the item's requests' results in request order (one per choice).
ItemScore score_multiple_choice(const PlannedTask& task, const PlannedItem& item,
                                std::span<const LoglikelihoodResult> results);
ItemScore score_generate(const PlannedTask& task, const PlannedItem& item, const GenerateResult& result);
// `results`: one per request of the item (one, or one per rotation in circular mode).
ItemScore score_generate_choice(const PlannedTask& task, const PlannedItem& item,
                                std::span<const GenerateResult> results);

// Index of the largest value, first one on ties; a NaN wins (as numpy.argmax). Empty -> -1.
int argmax(std::span<const double> values);

// exact_match's comparison, exposed for extractors and tests.
bool answers_match(const std::string& prediction, const std::string& gold);

struct MetricSummary {
  std::string name;
  double mean = 0.0;
  double standard_error = 0.0;  // of the mean (lm-eval: "<metric>_stderr")
  size_t n = 0;
};

// lm-eval's mean and mean_stderr over per-item values.
MetricSummary summarize_metric(const std::string& name, std::span<const double> values);

struct TaskScore {
  std::string task;
  std::vector<MetricSummary> metrics;  // in the task's metric order
  const MetricSummary* find(const std::string& metric) const;
};

// Per-task summary of its items' scores (all of `items` must belong to `task`).
TaskScore summarize_task(const PlannedTask& task, std::span<const ItemScore> items);

// True for metrics computed over a whole task (macro_f1) rather than averaged over items.
bool is_corpus_metric(const std::string& metric);

enum class Averaging { Macro, Micro };
const char* to_string(Averaging averaging);

// A group average of one metric over several tasks:
//   macro: the mean of the task means (each task weighs the same) — KMMLU paper style;
//   micro: the mean over all items (each item weighs the same) — lm-eval group style.
struct GroupScore {
  std::string group;
  std::string metric;
  Averaging averaging = Averaging::Macro;
  double value = 0.0;
  size_t tasks = 0;
  size_t items = 0;
};

// Tasks lacking `metric` are skipped; throws dokpa::Error when none has it.
GroupScore average_tasks(const std::string& group, const std::string& metric, Averaging averaging,
                         std::span<const TaskScore> tasks);

// Every average a suite's groups ask for, in group order, then metric order, macro before micro.
std::vector<GroupScore> score_groups(std::span<const PlannedGroup> groups, std::span<const TaskScore> tasks);

}  // namespace dokpa
