// The Markdown report: the same tables as the HTML page, without charts or item drill-down
// (those are in the HTML and the CSV), for pasting into reviews and issue trackers.
#include <fmt/format.h>

#include "reports/render/text_format.h"
#include "reports/render/writers.h"

namespace dokpa::reports {

void write_markdown_report(const Report& report, std::ostream& out) {
  out << "# dokpa report: " << markdown_cell(report.suite.name) << "\n\n";
  out << fmt::format("Suite `{}` (version {}), {} runs compared, {} left out. Audit head `{}`. Intervals: 95%; "
                     "tests at alpha = {} with Holm's correction; {} bootstrap resamples.\n\n",
                     report.suite.hash, report.suite.version, report.runs.size(), report.excluded.size(),
                     report.audit_head.empty() ? "(none)" : report.audit_head, report.alpha, report.bootstrap_iterations);
  out << "## Leaderboard\n\nRank = 1 + the number of runs significantly better; runs no test separates share a rank.\n\n";
  for (const Ranking& ranking : report.rankings) {
    out << fmt::format("### {} — {} ({} average over {} tasks, {} items)\n\n| rank | run | value | 95% interval ({}) |\n|---|---|---:|---:|\n",
                       markdown_cell(ranking.name), markdown_cell(ranking.metric), ranking.averaging, ranking.tasks,
                       ranking.items, to_string(ranking.method));
    for (size_t run : runs_by_value(ranking))
      out << fmt::format("| {} | {} | {} | {} |\n",
                         format_rank(ranking, run),
                         markdown_cell(report.runs[run].label), format_value(ranking.runs[run].value),
                         format_interval(ranking.runs[run].interval));
    out << "\n";
  }
  out << "## Tasks\n\n| task | shots | metric | n | interval |";
  for (const ReportRun& run : report.runs) out << " " << markdown_cell(run.label) << " |";
  out << "\n|---|---:|---|---:|---|";
  for (size_t run = 0; run < report.runs.size(); ++run) out << "---:|";
  out << "\n";
  for (const TaskRow& row : report.tasks) {
    const TaskSummary* summary = report.task_summary(row.task);
    out << fmt::format("| {} | {} | {} | {} | {} |", markdown_cell(row.task), summary ? summary->fewshot : 0,
                       markdown_cell(row.metric), row.n, row.corpus ? "none (corpus)" : to_string(row.method));
    for (const Estimate& estimate : row.runs)
      out << " " << format_value(estimate.value) << " " << format_interval(estimate.interval) << " |";
    out << "\n";
  }
  if (!report.pairs.empty()) {
    out << "\n## Run against run\n\nEach task's primary metric; p adjusted by Holm over the tasks of the pair.\n\n";
    for (const PairComparison& pair : report.pairs) {
      out << fmt::format("### {} vs {}\n\n{} ahead on {} task(s), {} ahead on {}, no significant difference on {}.\n\n",
                         markdown_cell(report.runs[pair.a].label), markdown_cell(report.runs[pair.b].label),
                         markdown_cell(report.runs[pair.a].label), pair.a_better, markdown_cell(report.runs[pair.b].label),
                         pair.b_better, pair.tests.size() - static_cast<size_t>(pair.a_better + pair.b_better));
      out << "| task | metric | Δ | test | only first right | only second right | p | p (Holm) | significant |\n"
             "|---|---|---:|---|---:|---:|---:|---:|---|\n";
      for (size_t t = 0; t < pair.tests.size(); ++t) {
        bool binary = pair.tests[t].test == "mcnemar-exact";
        out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_cell(pair.tasks[t]), markdown_cell(pair.metrics[t]),
                           format_delta(pair.tests[t].delta), pair.tests[t].test,
                           binary ? std::to_string(pair.tests[t].only_a) : "-", binary ? std::to_string(pair.tests[t].only_b) : "-",
                           format_p(pair.tests[t].p),
                           format_p(pair.tests[t].p_adjusted), pair.tests[t].significant ? "yes" : "no");
      }
      out << "\n";
    }
  }
  out << "\n## Provenance\n\n| run | checkpoint sha256 | dokpa | runner | device / dtype | plan hash | run digest |\n|---|---|---|---|---|---|---|\n";
  for (const ReportRun& run : report.runs)
    out << fmt::format("| {} | `{}` | {} | {} | {} / {} | `{}` | `{}` |\n", markdown_cell(run.label), run.summary.checkpoint_sha256,
                       markdown_cell(run.provenance.dokpa_version), markdown_cell(run.provenance.runner),
                       markdown_cell(run.provenance.device), markdown_cell(run.provenance.dtype), run.provenance.plan_hash.substr(0, 12),
                       run.digest);
  if (!report.excluded.empty()) {
    out << "\n## Runs left out\n\n| run | why |\n|---|---|\n";
    for (const ExcludedRun& run : report.excluded)
      out << fmt::format("| {} / {} (run {}) | {} |\n", markdown_cell(run.summary.team), markdown_cell(run.summary.model),
                         run.summary.id, markdown_cell(run.reason));
  }
}

}  // namespace dokpa::reports
