#pragma once
// The report's output formats. Each writes the same Report; none reads the store. Output is a
// pure function of the report (no clock, no host), so one store gives byte-identical files.
#include <filesystem>
#include <ostream>

#include "reports/model/report.h"

namespace dokpa::reports {

// One self-contained page: inline CSS and SVG, no script, no external resource.
void write_html_report(const Report& report, std::ostream& out);
void write_markdown_report(const Report& report, std::ostream& out);
// leaderboard.csv, tasks.csv, pairs.csv, items.csv in `folder`.
void write_csv_report(const Report& report, const std::filesystem::path& folder);
// Everything the report states, as one JSON document.
void write_json_report(const Report& report, std::ostream& out);
// lm-evaluation-harness's results layout ("results", "versions", "n-shot", ...) for one run,
// so lm-eval's own tools (make_table) can read dokpa results.
void write_lm_eval_results(const Report& report, size_t run, std::ostream& out);

}  // namespace dokpa::reports
