#include "reports/render/text_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace dokpa::reports {

std::string format_value(double value) { return std::isnan(value) ? "-" : fmt::format("{:.4f}", value); }

std::string format_interval(const Interval& interval) {
  if (std::isnan(interval.low) || std::isnan(interval.high)) return "-";
  return fmt::format("[{:.4f}, {:.4f}]", interval.low, interval.high);
}

std::string format_p(double p) {
  if (std::isnan(p)) return "-";
  if (p < 1e-12) return "<1e-12";
  return fmt::format("{:.4g}", p);
}

std::string format_delta(double delta) {
  if (std::isnan(delta)) return "-";
  return fmt::format("{:+.4f}", std::abs(delta) < 5e-5 ? 0.0 : delta);  // no "-0.0000"
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '<') out += "&lt;";  // Markdown viewers render raw HTML
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '\n') out += ' ';
    else if (c != '\r') out += c;
  }
  return out;
}

bool rank_is_shared(const Ranking& ranking, size_t run) {
  for (size_t other = 0; other < ranking.ranks.size(); ++other)
    if (other != run && ranking.ranks[other] == ranking.ranks[run]) return true;
  return false;
}

std::string format_rank(const Ranking& ranking, size_t run) {
  if (!ranking.tested) return "-";
  return fmt::format("{}{}", ranking.ranks[run], rank_is_shared(ranking, run) ? " (tie)" : "");
}

std::vector<size_t> runs_by_value(const Ranking& ranking) {
  std::vector<size_t> order(ranking.runs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    double va = ranking.runs[a].value, vb = ranking.runs[b].value;
    if (std::isnan(vb)) return !std::isnan(va);
    return !std::isnan(va) && va > vb;
  });
  return order;
}

}  // namespace dokpa::reports
