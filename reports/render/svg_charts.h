#pragma once
// Charts as inline SVG text (no script, no fonts to fetch): the HTML report embeds them.
#include <string>

#include "reports/model/report.h"

namespace dokpa::reports {

// The fill colour of run `run` (a fixed palette, so a run keeps its colour in every chart).
std::string run_colour(size_t run);

// Horizontal bars, one per run, with the 95% interval drawn as a whisker.
std::string interval_bar_chart(const Report& report, const Ranking& ranking);

// One line per run across the suite's categories (each group's first metric and averaging;
// the tasks' primary metrics when the suite has no groups).
std::string profile_chart(const Report& report);

}  // namespace dokpa::reports
