// The CSV report: one file per table, long format (one row per run and statistic), so that a
// spreadsheet or pandas can pivot it; items.csv holds every stored per-item score.
#include <fmt/format.h>

#include <cmath>

#include "common/file_io.h"
#include "reports/render/text_format.h"
#include "reports/render/writers.h"

namespace dokpa::reports {

namespace {

std::string number(double value) { return std::isnan(value) ? "" : fmt::format("{}", value); }

}  // namespace

void write_csv_report(const Report& report, const std::filesystem::path& folder) {
  auto run_columns = [&](size_t run) {
    const RunSummary& summary = report.runs[run].summary;
    return fmt::format("{},{},{}", summary.id, csv_field(summary.team), csv_field(summary.model));
  };
  write_file_atomically(folder / "leaderboard.csv", [&](std::ostream& out) {
    out << "ranking,metric,averaging,tasks,items,run_id,team,model,value,ci_low,ci_high,interval_method,rank\n";
    for (const Ranking& ranking : report.rankings)
      for (size_t run = 0; run < report.runs.size(); ++run)
        out << fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(ranking.name), csv_field(ranking.metric), ranking.averaging,
                           ranking.tasks, ranking.items, run_columns(run), number(ranking.runs[run].value),
                           number(ranking.runs[run].interval.low), number(ranking.runs[run].interval.high),
                           to_string(ranking.method), ranking.tested ? std::to_string(ranking.ranks[run]) : "");
  });
  write_file_atomically(folder / "tasks.csv", [&](std::ostream& out) {
    out << "task,fewshot,protocol,metric,primary,n,run_id,team,model,value,ci_low,ci_high,interval_method,rank\n";
    for (const TaskRow& row : report.tasks) {
      const TaskSummary* summary = report.task_summary(row.task);
      const Ranking* ranking = row.primary ? report.task_ranking(row.task) : nullptr;
      for (size_t run = 0; run < report.runs.size(); ++run)
        out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(row.task), summary ? summary->fewshot : 0,
                           csv_field(summary ? summary->protocol : ""), csv_field(row.metric), row.primary ? 1 : 0, row.n,
                           run_columns(run), number(row.runs[run].value), number(row.runs[run].interval.low),
                           number(row.runs[run].interval.high), row.corpus ? "none" : to_string(row.method),
                           ranking ? std::to_string(ranking->ranks[run]) : "");
    }
  });
  write_file_atomically(folder / "pairs.csv", [&](std::ostream& out) {
    out << "run_a,run_b,task,metric,delta,test,only_a,only_b,p,p_holm,significant\n";
    for (const PairComparison& pair : report.pairs)
      for (size_t t = 0; t < pair.tests.size(); ++t) {
        const PairTest& test = pair.tests[t];
        out << fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", report.runs[pair.a].summary.id, report.runs[pair.b].summary.id,
                           csv_field(pair.tasks[t]), csv_field(pair.metrics[t]), number(test.delta), test.test, test.only_a,
                           test.only_b, number(test.p), number(test.p_adjusted), test.significant ? 1 : 0);
      }
  });
  write_file_atomically(folder / "items.csv", [&](std::ostream& out) {
    out << "task,item_id,metric";
    for (const ReportRun& run : report.runs) out << ",run_" << run.summary.id;
    out << "\n";
    for (const TaskItems& items : report.items)
      for (size_t m = 0; m < items.metrics.size(); ++m)
        for (size_t i = 0; i < items.item_ids.size(); ++i) {
          out << csv_field(items.task) << ',' << csv_field(items.item_ids[i]) << ',' << csv_field(items.metrics[m]);
          for (size_t run = 0; run < report.runs.size(); ++run) out << ',' << number(items.values[m].at(i, run));
          out << '\n';
        }
  });
}

}  // namespace dokpa::reports
