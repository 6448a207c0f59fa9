#pragma once
// What a report says, computed once from the store (build_report) and written out by each
// renderer (reports/render/): HTML, Markdown, CSV, JSON and lm-eval's results layout. Plain data:
// renderers only format it, so every output states the same numbers.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/store/result_store.h"
#include "reports/stats/bootstrap.h"
#include "reports/stats/interval.h"

namespace dokpa::reports {

struct TaskSummary {
  std::string name;
  std::string output;  // multiple_choice, generate, generate_choice
  int fewshot = 0;
  std::vector<std::string> metrics;  // suite order; the first one with per-item values is the task's primary metric
  std::string protocol;  // one line: how the task is asked and scored
  std::string target_delimiter = " ";  // multiple choice: what precedes each choice's text
};

struct GroupSummary {
  std::string name;
  std::vector<std::string> tasks;
  std::vector<std::string> metrics;
  std::vector<std::string> averaging;  // "macro", "micro"
};

// The suite as the store holds it (its canonical text), not as a file on this machine says.
struct SuiteSummary {
  std::string name;
  std::string hash;
  int64_t version = 0;
  uint64_t seed = 0;
  std::vector<TaskSummary> tasks;
  std::vector<GroupSummary> groups;
};

// What a reader needs to know about how a run was obtained (from runs.provenance).
struct RunProvenance {
  std::string dokpa_version;
  std::string runner;  // native, openai
  std::string architecture;
  std::string dtype;
  std::string device;
  std::string plan_hash;
  int generation_cap = 0;  // dokpa run --generation-cap (0: the suite's own limits)
  uint64_t seed = 0;
  std::map<std::string, std::string> versions;  // libtorch, cuda, server, ...
  std::vector<DataFileRecord> data_files;
  std::vector<CheckpointFileRecord> checkpoint_files;
  std::string host;
};

struct ReportRun {
  RunSummary summary;
  std::string label;  // "team / model (run 3)"
  RunProvenance provenance;
  std::string digest;  // ResultStore::run_digest: `dokpa verify --digest` checks a store against it
};

struct ExcludedRun {
  RunSummary summary;
  std::string reason;
};

enum class IntervalMethod { Wilson, Bootstrap, None };
const char* to_string(IntervalMethod method);

struct Estimate {
  double value = std::numeric_limits<double>::quiet_NaN();
  Interval interval{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
};

// One paired test of run a against run b on the same items.
struct PairTest {
  size_t a = 0;  // indices into Report::runs
  size_t b = 0;
  double delta = 0.0;  // a - b
  double p = 1.0;  // raw two-sided p
  double p_adjusted = 1.0;  // Holm over the family the test belongs to
  bool significant = false;  // p_adjusted < alpha
  std::string test;  // "mcnemar-exact" or "paired-bootstrap"
  int64_t only_a = 0;  // binary metrics: items only a got right (b right -> wrong when a is the new one)
  int64_t only_b = 0;
};

// A leaderboard of one statistic over the report's runs: overall, a suite group, or one task.
struct Ranking {
  std::string name;  // "overall", a group or a task
  std::string metric;
  std::string averaging;  // "macro" or "micro" for averages over tasks; empty for a task
  size_t tasks = 0;
  size_t items = 0;
  IntervalMethod method = IntervalMethod::Bootstrap;
  // False for an average of a corpus metric (macro_f1): the stored values, with no interval, no
  // test and no rank (ranks are then 0).
  bool tested = true;
  std::vector<Estimate> runs;  // one per report run
  std::vector<int> ranks;  // stats/ranking.h; one per report run
  std::vector<PairTest> pairs;  // every pair, Holm over the pairs of this ranking
};

// One metric of one task for every run.
struct TaskRow {
  std::string task;
  std::string metric;
  bool primary = false;
  bool corpus = false;  // computed over the whole task (macro_f1): no per-item values, no interval
  bool binary = false;  // every per-item value is 0 or 1
  int64_t n = 0;
  IntervalMethod method = IntervalMethod::None;
  std::vector<Estimate> runs;
};

// Run a against run b on every task's primary metric, Holm over the tasks.
struct PairComparison {
  size_t a = 0;
  size_t b = 0;
  std::vector<std::string> tasks;
  std::vector<std::string> metrics;
  std::vector<PairTest> tests;  // one per task
  int a_better = 0;  // significant, a ahead
  int b_better = 0;
};

// Per-item values of one task, as stored (item_scores); item order is the store's (item id text).
struct TaskItems {
  std::string task;
  std::vector<std::string> item_ids;
  std::vector<std::string> metrics;  // the metrics with per-item values
  std::vector<ItemMatrix> values;  // one per metric: [item][run]
};

struct DrillItem {
  std::string item_id;
  std::string prompt;  // the rendered context or prompt as sent to the first run (chat templates differ per run)
  std::vector<std::string> choices;  // multiple choice: every continuation
  std::vector<std::string> answers;  // per run: the choice the metric picked (acc_norm: by length-normalised
                                     // log-likelihood) or the generated text
  std::vector<double> scores;  // per run: the primary metric
};

struct TaskDrill {
  std::string task;
  std::string metric;
  size_t differing = 0;  // items whose score is not the same for every run
  bool all_items = false;  // every item was selected, not only the differing ones
  size_t selected = 0;  // items selected before the limit
  std::vector<DrillItem> items;  // at most the limit
};

struct ReportOptions {
  std::optional<std::string> suite;  // name or hash prefix; default: the suite with most complete runs
  std::vector<int64_t> run_ids;  // default: every run of that suite
  size_t bootstrap_iterations = 1000;
  double alpha = 0.05;
  size_t drilldown_limit = 50;  // items per task in the drill-down
  bool drilldown_all_items = false;  // every item, not only those the runs score differently
};

struct Report {
  std::string store_path;  // as given, for error messages
  std::string store_file;  // its file name alone: what the outputs show, so they do not depend on the directory
  std::string audit_head;  // the store's audit head hash when the report was made
  SuiteSummary suite;
  std::vector<ReportRun> runs;
  std::vector<ExcludedRun> excluded;
  size_t bootstrap_iterations = 0;
  double alpha = 0.05;
  std::vector<Ranking> rankings;  // overall, then each group's (metric, averaging)
  std::vector<Ranking> task_rankings;  // each task's primary metric
  std::vector<TaskRow> tasks;  // suite order, metric order
  std::vector<PairComparison> pairs;  // (0,1), (0,2), ... (1,2), ...
  std::vector<TaskItems> items;
  std::vector<TaskDrill> drilldown;

  const TaskSummary* task_summary(const std::string& task) const;
  const Ranking* task_ranking(const std::string& task) const;  // null when the task has no per-item metric
};

// Reads the store (never writes) and computes the whole report. Throws dokpa::Error naming
// the store when no suite or run matches.
Report build_report(ResultStore& store, const ReportOptions& options);

}  // namespace dokpa::reports
