#include <fmt/format.h>

#include <iostream>

#include "harness/cli/commands.h"
#include "common/file_io.h"
#include "reports/model/report.h"
#include "reports/render/text_format.h"
#include "reports/compare/run_comparison.h"
#include "reports/render/writers.h"

namespace dokpa::cli {

namespace {

const std::vector<std::string> kFormats = {"html", "md", "csv", "json", "lm-eval"};

void add_statistics_options(CLI::App* cmd, reports::ReportOptions& options) {
  cmd->add_option("--bootstrap-iters", options.bootstrap_iterations, "bootstrap resamples for intervals and paired tests")
      ->default_val(1000);
  cmd->add_option("--alpha", options.alpha, "significance level (after Holm's correction)")->default_val(0.05)->check(CLI::Range(0.0, 0.5));
}

// Names of the files written, in order.
std::vector<std::string> write_report(const reports::Report& report, const std::filesystem::path& folder,
                                      const std::vector<std::string>& formats) {
  std::filesystem::create_directories(folder);
  std::vector<std::string> written;
  auto want = [&](const std::string& format) { return std::find(formats.begin(), formats.end(), format) != formats.end(); };
  auto write = [&](const std::string& name, const std::function<void(std::ostream&)>& writer) {
    write_file_atomically(folder / name, writer);
    written.push_back((folder / name).string());
  };
  if (want("html")) write("report.html", [&](std::ostream& out) { reports::write_html_report(report, out); });
  if (want("md")) write("report.md", [&](std::ostream& out) { reports::write_markdown_report(report, out); });
  if (want("json")) write("report.json", [&](std::ostream& out) { reports::write_json_report(report, out); });
  if (want("csv")) {
    reports::write_csv_report(report, folder);
    for (const char* name : {"leaderboard.csv", "tasks.csv", "pairs.csv", "items.csv"}) written.push_back((folder / name).string());
  }
  if (want("lm-eval")) {
    std::filesystem::create_directories(folder / "lm-eval");
    for (size_t run = 0; run < report.runs.size(); ++run)
      write(fmt::format("lm-eval/results_run{}.json", report.runs[run].summary.id),
            [&](std::ostream& out) { reports::write_lm_eval_results(report, run, out); });
  }
  return written;
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto store_file = std::make_shared<std::string>();
  auto folder = std::make_shared<std::string>();
  auto formats = std::make_shared<std::vector<std::string>>(kFormats);
  auto suite = std::make_shared<std::string>();
  auto options = std::make_shared<reports::ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Leaderboard, per-task and run-against-run tables with intervals and significance, read from the store");
  cmd->add_option("--store", *store_file, "SQLite store")->default_val("dokpa.db");
  cmd->add_option("--out", *folder, "folder for the report files")->default_val("report");
  cmd->add_option("--format", *formats, "formats to write: html, md, csv, json, lm-eval (default: all)")
      ->delimiter(',')
      ->check(CLI::IsMember(kFormats));
  cmd->add_option("--suite", *suite, "suite name or hash prefix (default: the suite with the most complete runs)");
  cmd->add_option("--runs", options->run_ids, "run ids to compare (default: every run of the suite)")->delimiter(',');
  add_statistics_options(cmd, *options);
  cmd->add_option("--drilldown-limit", options->drilldown_limit, "items per task in the drill-down")->default_val(50);
  cmd->add_flag("--drilldown-all", options->drilldown_all_items, "drill down into every item, not only those scored differently");
  cmd->callback([=] {
    if (!std::filesystem::exists(*store_file)) throw Error(*store_file, "store not found");
    if (!suite->empty()) options->suite = *suite;
    auto store = open_result_store(*store_file, StoreAccess::ReadOnly);
    reports::Report report = reports::build_report(*store, *options);
    for (const std::string& file : write_report(report, *folder, *formats)) std::cerr << "wrote " << file << "\n";
    std::cout << fmt::format("suite {} ({}): {} runs compared, {} left out\n", report.suite.name,
                             report.suite.hash.substr(0, 12), report.runs.size(), report.excluded.size());
    for (const reports::ExcludedRun& run : report.excluded)
      std::cout << fmt::format("  left out: run {} ({} / {}): {}\n", run.summary.id, run.summary.team, run.summary.model, run.reason);
    if (!report.rankings.empty()) {
      const reports::Ranking& overall = report.rankings.front();
      for (size_t run = 0; run < report.runs.size(); ++run)
        std::cout << fmt::format("  rank {:<3} {:<48} {} {}\n", overall.ranks[run], report.runs[run].label,
                                 reports::format_value(overall.runs[run].value), reports::format_interval(overall.runs[run].interval));
    }
  });
}

void add_compare_command(CLI::App& app) {
  auto store_file = std::make_shared<std::string>();
  auto baseline = std::make_shared<int64_t>(0);
  auto candidate = std::make_shared<int64_t>(0);
  auto threshold = std::make_shared<double>(-1.0);
  auto items = std::make_shared<size_t>(10);
  auto json_file = std::make_shared<std::string>();
  auto options = std::make_shared<reports::ReportOptions>();
  CLI::App* cmd = app.add_subcommand("compare", "Compare run B (candidate) against run A (baseline): per-task deltas, "
                                                "paired significance and the items that flipped");
  cmd->add_option("--store", *store_file, "SQLite store")->default_val("dokpa.db");
  cmd->add_option("baseline", *baseline, "run id of the baseline (A)")->required();
  cmd->add_option("candidate", *candidate, "run id of the candidate (B)")->required();
  cmd->add_option("--fail-on-regression", *threshold,
                  "exit with status 3 when a task drops significantly by more than THRESHOLD (metric units: 0.02 = 2 points)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--show-items", *items, "flipped items shown per task and direction")->default_val(10);
  cmd->add_option("--json", *json_file, "also write the comparison as JSON (the report JSON of the two runs)");
  add_statistics_options(cmd, *options);
  cmd->callback([=] {
    if (!std::filesystem::exists(*store_file)) throw Error(*store_file, "store not found");
    auto store = open_result_store(*store_file, StoreAccess::ReadOnly);
    options->run_ids = {*baseline, *candidate};
    options->drilldown_limit = std::numeric_limits<size_t>::max();
    reports::Report report = reports::build_report(*store, *options);
    reports::Comparison comparison = reports::compare_runs(report, *baseline, *candidate);
    reports::write_comparison(report, comparison, *items, std::cout);
    if (!json_file->empty()) write_file_atomically(*json_file, [&](std::ostream& out) { reports::write_json_report(report, out); });
    if (*threshold >= 0.0) {
      auto regressions = comparison.regressions(*threshold);
      if (!regressions.empty()) {
        std::cerr << fmt::format("dokpa: regression: {} task(s) dropped significantly by more than {}\n", regressions.size(), *threshold);
        throw CLI::RuntimeError(3);
      }
    }
  });
}

}  // namespace dokpa::cli
