#pragma once
// Number and text formatting shared by the report writers, so every output prints a value,
// an interval or a p-value the same way.
#include <string>
#include <string_view>
#include <vector>

#include "reports/model/report.h"

namespace dokpa::reports {

std::string format_value(double value);  // 4 decimals; "-" for NaN
std::string format_interval(const Interval& interval);  // "[0.1234, 0.5678]"; "-" for NaN
std::string format_p(double p);  // 4 significant digits, "<1e-12" below that
std::string format_delta(double delta);  // signed, 4 decimals

std::string html_escape(std::string_view text);
std::string csv_field(std::string_view text);  // RFC 4180 quoting when needed
std::string markdown_cell(std::string_view text);  // pipes and HTML escaped, newlines as spaces

// True when another run shares this run's rank (shown as "1 (tie)").
bool rank_is_shared(const Ranking& ranking, size_t run);
// "2", "1 (tie)", or "-" for a ranking without tests.
std::string format_rank(const Ranking& ranking, size_t run);

// Run indices ordered by value, best first (NaN last); equal values keep run order.
std::vector<size_t> runs_by_value(const Ranking& ranking);

}  // namespace dokpa::reports
