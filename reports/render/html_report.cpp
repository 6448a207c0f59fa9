// The HTML report: one self-contained file (inline CSS and SVG; no script, font or image to
// fetch), readable offline and archivable with the store.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "reports/render/svg_charts.h"
#include "reports/render/text_format.h"
#include "reports/render/writers.h"

namespace dokpa::reports {

namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.meta { color: #555; font-size: 0.9em; }
.sig { font-weight: bold; }
.right { background: #e6f4ea; }
.wrong { background: #fce8e6; }
pre { white-space: pre-wrap; margin: 0; max-width: 520px; font-size: 0.85em; }
svg text { font: 11px sans-serif; }
svg .label { text-anchor: end; }
svg .tick { text-anchor: middle; fill: #555; }
svg .legend { text-anchor: start; }
svg .grid { stroke: #ddd; }
svg .whisker { stroke: #222; stroke-width: 1.5; fill: none; }
svg .series { stroke-width: 2; }
details { margin: 0.3em 0; }
code { font-size: 0.9em; }
)";

void write_leaderboards(const Report& report, std::ostream& out) {
  out << "<section id=\"leaderboard\"><h2>Leaderboard</h2>\n";
  out << "<p>Rank = 1 + the number of runs significantly better (paired bootstrap on the same items, Holm over the "
         "pairs of runs, &alpha; = "
      << report.alpha << "); runs no test separates share a rank.</p>\n";
  for (const Ranking& ranking : report.rankings) {
    out << fmt::format("<h3>{} &mdash; {} ({} average over {} tasks, {} items)</h3>\n", html_escape(ranking.name),
                       html_escape(ranking.metric), ranking.averaging, ranking.tasks, ranking.items);
    out << "<table class=\"leaderboard\"><tr><th>rank</th><th>run</th><th>value</th><th>95% interval (" << to_string(ranking.method)
        << ")</th></tr>\n";
    for (size_t run : runs_by_value(ranking))
      out << fmt::format(
          "<tr class=\"leaderboard-row\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
          format_rank(ranking, run), html_escape(report.runs[run].label), format_value(ranking.runs[run].value),
          format_interval(ranking.runs[run].interval));
    out << "</table>\n" << interval_bar_chart(report, ranking);
  }
  std::string profile = profile_chart(report);
  if (!profile.empty()) out << "<h3>Profile across categories</h3>\n" << profile;
  out << "</section>\n";
}

void write_task_table(const Report& report, std::ostream& out) {
  out << "<section id=\"tasks\"><h2>Tasks</h2>\n<table class=\"tasks\"><tr><th>task</th><th>protocol</th><th>shots</th>"
         "<th>metric</th><th>n</th><th>interval</th>";
  for (const ReportRun& run : report.runs) out << "<th>" << html_escape(run.label) << "</th>";
  out << "</tr>\n";
  for (const TaskRow& row : report.tasks) {
    const TaskSummary* summary = report.task_summary(row.task);
    const Ranking* ranking = row.primary ? report.task_ranking(row.task) : nullptr;
    out << fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}{}</td><td class=\"num\">{}</td><td>{}</td>",
                       html_escape(row.task), html_escape(summary ? summary->protocol : ""), summary ? summary->fewshot : 0,
                       html_escape(row.metric), row.corpus ? " (corpus)" : "", row.n,
                       row.corpus ? "none (corpus metric)" : to_string(row.method));
    for (size_t run = 0; run < report.runs.size(); ++run)
      out << fmt::format("<td class=\"num\">{} {}{}</td>", format_value(row.runs[run].value),
                         format_interval(row.runs[run].interval),
                         ranking ? fmt::format("<br>rank {}", format_rank(*ranking, run)) : "");
    out << "</tr>\n";
  }
  out << "</table></section>\n";
}

void write_pairs(const Report& report, std::ostream& out) {
  if (report.pairs.empty()) return;
  out << "<section id=\"pairs\"><h2>Run against run</h2>\n<p>Each task's primary metric; McNemar's exact test for "
         "accuracy-like metrics, a paired bootstrap otherwise; p adjusted by Holm over the tasks of the pair.</p>\n";
  for (const PairComparison& pair : report.pairs) {
    const std::string& a = report.runs[pair.a].label;
    const std::string& b = report.runs[pair.b].label;
    out << fmt::format("<h3>{} vs {}</h3>\n<p>{} ahead on {} task(s), {} ahead on {}, no significant difference on {}.</p>\n",
                       html_escape(a), html_escape(b), html_escape(a), pair.a_better, html_escape(b), pair.b_better,
                       pair.tests.size() - static_cast<size_t>(pair.a_better + pair.b_better));
    out << "<table class=\"pair\"><tr><th>task</th><th>metric</th><th>&Delta; (first &minus; second)</th><th>test</th>"
           "<th>only first right</th><th>only second right</th><th>p</th><th>p (Holm)</th></tr>\n";
    for (size_t t = 0; t < pair.tests.size(); ++t) {
      const PairTest& test = pair.tests[t];
      bool binary = test.test == "mcnemar-exact";
      out << fmt::format(
          "<tr{}><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
          test.significant ? " class=\"sig\"" : "", html_escape(pair.tasks[t]), html_escape(pair.metrics[t]),
          format_delta(test.delta), test.test, binary ? std::to_string(test.only_a) : "-",
          binary ? std::to_string(test.only_b) : "-", format_p(test.p), format_p(test.p_adjusted));
    }
    out << "</table>\n";
  }
  out << "</section>\n";
}

void write_provenance(const Report& report, std::ostream& out) {
  out << "<section id=\"provenance\"><h2>Provenance</h2>\n<table class=\"provenance\"><tr><th>run</th><th>checkpoint "
         "sha256</th><th>dokpa</th><th>runner</th><th>versions</th><th>device / dtype</th><th>host</th><th>run key</th>"
         "<th>plan hash</th><th>finished</th><th>run digest (dokpa verify --digest)</th></tr>\n";
  for (const ReportRun& run : report.runs) {
    std::string versions;
    for (const auto& [name, value] : run.provenance.versions) versions += html_escape(name + " " + value) + "<br>";
    out << fmt::format(
        "<tr><td>{}</td><td><code>{}</code><br>{} files</td><td>{}</td><td>{} {}</td><td>{}</td><td>{} / {}</td><td>{}</td>"
        "<td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>\n",
        html_escape(run.label), run.summary.checkpoint_sha256, run.provenance.checkpoint_files.size(),
        html_escape(run.provenance.dokpa_version), html_escape(run.provenance.runner), html_escape(run.provenance.architecture),
        versions, html_escape(run.provenance.device), html_escape(run.provenance.dtype), html_escape(run.provenance.host),
        run.summary.run_key.substr(0, 16), html_escape(run.provenance.plan_hash.substr(0, 12)),
        html_escape(run.summary.finished_at.value_or("")), run.digest);
  }
  out << "</table>\n<h3>Data files (shared by every reported run)</h3>\n<table class=\"data\"><tr><th>file</th><th>sha256</th></tr>\n";
  for (const DataFileRecord& file : report.runs.front().provenance.data_files)
    out << fmt::format("<tr><td>{}</td><td><code>{}</code></td></tr>\n", html_escape(file.path), file.sha256);
  out << "</table>\n";
  if (!report.excluded.empty()) {
    out << "<h3 id=\"excluded\">Runs left out</h3>\n<table class=\"excluded\"><tr><th>run</th><th>suite</th><th>why</th></tr>\n";
    for (const ExcludedRun& run : report.excluded)
      out << fmt::format("<tr class=\"excluded-row\"><td>{} / {} (run {})</td><td>{}</td><td>{}</td></tr>\n",
                         html_escape(run.summary.team), html_escape(run.summary.model), run.summary.id,
                         html_escape(run.summary.suite_name), html_escape(run.reason));
    out << "</table>\n";
  }
  out << "</section>\n";
}

void write_drilldown(const Report& report, std::ostream& out) {
  out << "<section id=\"items\"><h2>Items</h2>\n<p>Per task, the items the runs score differently, with the prompt and each "
         "run's answer (the highest-likelihood choice, or the generated text) and score.</p>\n";
  for (const TaskDrill& drill : report.drilldown) {
    out << fmt::format("<details class=\"drill\"><summary>{} &mdash; {} of its items scored differently{}</summary>\n",
                       html_escape(drill.task), drill.differing,
                       drill.all_items && drill.items.size() == drill.selected ? "; every item shown"
                       : drill.items.size() < drill.selected
                           ? fmt::format("; showing the first {} of {} (dokpa report --drilldown-limit)", drill.items.size(), drill.selected)
                           : "");
    if (drill.items.empty()) {
      out << "</details>\n";
      continue;
    }
    out << "<table class=\"items\"><tr><th>item</th><th>prompt (as sent to " << html_escape(report.runs.front().label) << ")</th>";
    for (const ReportRun& run : report.runs) out << "<th>" << html_escape(run.label) << "</th>";
    out << "</tr>\n";
    for (const DrillItem& item : drill.items) {
      std::string choices;
      if (!item.choices.empty()) {
        choices = "<br>choices:";
        for (const std::string& choice : item.choices) choices += " <code>" + html_escape(choice) + "</code>";
      }
      out << fmt::format("<tr><td>{}</td><td><pre>{}</pre>{}</td>", html_escape(item.item_id), html_escape(item.prompt), choices);
      for (size_t run = 0; run < item.answers.size(); ++run)
        out << fmt::format("<td class=\"{}\"><pre>{}</pre>{} = {}</td>", item.scores[run] > 0 ? "right" : "wrong",
                           html_escape(item.answers[run]), html_escape(drill.metric), format_value(item.scores[run]));
      out << "</tr>\n";
    }
    out << "</table></details>\n";
  }
  out << "</section>\n";
}

void write_methods(const Report& report, std::ostream& out) {
  out << "<section id=\"methods\"><h2>Methods</h2><ul>\n"
      << "<li>Per-task intervals: Wilson score interval (95%) where every item scores 0 or 1; otherwise the percentile "
         "interval of a seeded bootstrap of the item mean ("
      << report.bootstrap_iterations
      << " resamples). Corpus metrics (macro F1) have no interval.</li>\n"
         "<li>Averages over tasks: macro = mean of the task means, micro = mean over all items; intervals from the same "
         "bootstrap, resampling items within each task.</li>\n"
         "<li>Paired tests on the same items: McNemar's exact test for 0/1 metrics, the paired bootstrap otherwise "
         "(two-sided p = 2 (1 + resamples on the far side of 0) / (B + 1)). Holm's correction over the pairs of a ranking, "
         "and over the tasks of a run-against-run table.</li>\n"
         "<li>Resamples are drawn with CPython's random.Random, seeded per task from the suite seed ("
      << report.suite.seed << "), so the numbers are reproducible and can be redrawn in Python.</li>\n"
      << "<li>Only complete runs with the same suite hash and data file hashes that scored the same items are compared "
         "(the plan hash differs between submissions with their own chat templates, and is not compared); a run made "
         "with --generation-cap is not compared with full runs.</li></ul></section>\n";
}

}  // namespace

void write_html_report(const Report& report, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>dokpa report: " << html_escape(report.suite.name) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  out << "<h1>dokpa report: " << html_escape(report.suite.name) << "</h1>\n";
  out << fmt::format(
      "<p class=\"meta\">suite <code>{}</code> (version {}) &middot; {} runs compared, {} left out &middot; store {} "
      "&middot; audit head <code>{}</code></p>\n",
      report.suite.hash, report.suite.version, report.runs.size(), report.excluded.size(), html_escape(report.store_file),
      report.audit_head.empty() ? "(none)" : report.audit_head);
  out << "<nav><a href=\"#leaderboard\">Leaderboard</a> &middot; <a href=\"#tasks\">Tasks</a> &middot; <a "
         "href=\"#pairs\">Run against run</a> &middot; <a href=\"#provenance\">Provenance</a> &middot; <a "
         "href=\"#items\">Items</a> &middot; <a href=\"#methods\">Methods</a></nav>\n";
  write_leaderboards(report, out);
  write_task_table(report, out);
  write_pairs(report, out);
  write_provenance(report, out);
  write_drilldown(report, out);
  write_methods(report, out);
  out << "</body>\n</html>\n";
}

}  // namespace dokpa::reports
