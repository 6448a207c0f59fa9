#include "reports/compare/run_comparison.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "reports/render/text_format.h"

namespace dokpa::reports {

namespace {

size_t run_index(const Report& report, int64_t run_id) {
  for (size_t run = 0; run < report.runs.size(); ++run)
    if (report.runs[run].summary.id == run_id) return run;
  for (const ExcludedRun& excluded : report.excluded)
    if (excluded.summary.id == run_id)
      throw Error(report.store_path, fmt::format("run {} cannot be compared: {}", run_id, excluded.reason));
  throw Error(report.store_path, fmt::format("run {} is not in the comparison", run_id));
}

// The prompt on one line, cut to its last `limit` bytes (the question comes last, after any shots).
std::string prompt_excerpt(const std::string& prompt, size_t limit) {
  std::string text = prompt;
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() <= limit) return text;
  size_t start = text.size() - limit;
  while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;  // not inside a UTF-8 sequence
  return "..." + text.substr(start);
}

}  // namespace

std::vector<const TaskChange*> Comparison::regressions(double threshold) const {
  std::vector<const TaskChange*> out;
  for (const TaskChange& change : tasks)
    if (change.test.significant && change.delta < -threshold) out.push_back(&change);
  return out;
}

Comparison compare_runs(const Report& report, int64_t baseline_run, int64_t candidate_run) {
  if (baseline_run == candidate_run) throw Error(report.store_path, fmt::format("compare needs two different runs, got {} twice", baseline_run));
  Comparison comparison;
  comparison.baseline = run_index(report, baseline_run);
  comparison.candidate = run_index(report, candidate_run);
  if (report.pairs.empty()) throw Error(report.store_path, "the comparison has fewer than two runs");
  const PairComparison& pair = report.pairs.front();
  bool flipped = pair.a != comparison.candidate;  // the pair's delta is a - b
  for (size_t t = 0; t < pair.tests.size(); ++t) {
    TaskChange change;
    change.task = pair.tasks[t];
    change.metric = pair.metrics[t];
    change.test = pair.tests[t];
    change.delta = flipped ? -change.test.delta : change.test.delta;
    change.right_to_wrong = flipped ? change.test.only_a : change.test.only_b;
    change.wrong_to_right = flipped ? change.test.only_b : change.test.only_a;
    if (const Ranking* ranking = report.task_ranking(change.task)) {
      change.baseline = ranking->runs[comparison.baseline].value;
      change.candidate = ranking->runs[comparison.candidate].value;
    }
    comparison.better += change.test.significant && change.delta > 0;
    comparison.worse += change.test.significant && change.delta < 0;
    comparison.tasks.push_back(std::move(change));
  }
  return comparison;
}

std::string comparison_summary(const Report& report, const Comparison& comparison) {
  std::vector<std::string> worse;
  for (const TaskChange& change : comparison.tasks)
    if (change.test.significant && change.delta < 0) worse.push_back(fmt::format("{} {}", change.task, format_delta(change.delta)));
  std::string worse_list;
  for (const std::string& item : worse) worse_list += (worse_list.empty() ? " (" : ", ") + item;
  if (!worse_list.empty()) worse_list += ")";
  return fmt::format("run {} vs run {}: {} task(s) significantly better, {} significantly worse{}, {} without significant change",
                     report.runs[comparison.candidate].summary.id, report.runs[comparison.baseline].summary.id,
                     comparison.better, comparison.worse, worse_list,
                     comparison.tasks.size() - static_cast<size_t>(comparison.better + comparison.worse));
}

void write_comparison(const Report& report, const Comparison& comparison, size_t items_per_task, std::ostream& out) {
  const ReportRun& baseline = report.runs[comparison.baseline];
  const ReportRun& candidate = report.runs[comparison.candidate];
  out << fmt::format("baseline  {}  checkpoint {}\ncandidate {}  checkpoint {}\nsuite {} ({}); p adjusted by Holm over {} tasks, alpha {}\n\n",
                     baseline.label, baseline.summary.checkpoint_sha256.substr(0, 12), candidate.label,
                     candidate.summary.checkpoint_sha256.substr(0, 12), report.suite.name, report.suite.hash.substr(0, 12),
                     comparison.tasks.size(), report.alpha);
  out << fmt::format("{:<32} {:<12} {:>9} {:>9} {:>9} {:>10} {:>10}  {}\n", "task", "metric", "baseline", "candidate", "delta",
                     "p", "p (Holm)", "right->wrong / wrong->right");
  for (const TaskChange& change : comparison.tasks) {
    bool binary = change.test.test == "mcnemar-exact";
    out << fmt::format("{:<32} {:<12} {:>9} {:>9} {:>9} {:>10} {:>10}  {}{}\n", change.task, change.metric,
                       format_value(change.baseline), format_value(change.candidate), format_delta(change.delta),
                       format_p(change.test.p), format_p(change.test.p_adjusted),
                       binary ? fmt::format("{} / {}", change.right_to_wrong, change.wrong_to_right) : "-",
                       change.test.significant ? (change.delta < 0 ? "  WORSE" : "  better") : "");
  }
  for (const TaskDrill& drill : report.drilldown) {
    for (bool got_worse : {true, false}) {
      std::vector<const DrillItem*> flips;
      for (const DrillItem& item : drill.items)
        if ((item.scores[comparison.candidate] < item.scores[comparison.baseline]) == got_worse) flips.push_back(&item);
      if (flips.empty()) continue;
      out << fmt::format("\n{}: {} item(s) scored {} by the candidate{}; showing {}\n", drill.task, flips.size(),
                         got_worse ? "lower" : "higher", drill.metric == "exact_match" || drill.metric.rfind("acc", 0) == 0
                                                             ? (got_worse ? " (right -> wrong)" : " (wrong -> right)") : "",
                         std::min(flips.size(), items_per_task));
      for (size_t k = 0; k < std::min(flips.size(), items_per_task); ++k) {
        const DrillItem& item = *flips[k];
        out << fmt::format("  item {}: {}\n    baseline: {:?} ({})  candidate: {:?} ({})\n", item.item_id,
                           prompt_excerpt(item.prompt, 160), item.answers[comparison.baseline],
                           format_value(item.scores[comparison.baseline]), item.answers[comparison.candidate],
                           format_value(item.scores[comparison.candidate]));
      }
    }
  }
  out << "\n" << comparison_summary(report, comparison) << "\n";
}

}  // namespace dokpa::reports
