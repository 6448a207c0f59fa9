#include "reports/render/svg_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "reports/render/text_format.h"

namespace dokpa::reports {

namespace {

// Colour-blind-safe (Okabe-Ito) palette.
constexpr std::array<const char*, 8> kPalette = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                 "#56B4E9", "#D55E00", "#F0E442", "#000000"};

// Metrics here are rates in [0, 1]; a larger value widens the axis to fit.
double axis_max(const Ranking& ranking) {
  double top = 1.0;
  for (const Estimate& estimate : ranking.runs) {
    if (!std::isnan(estimate.value)) top = std::max(top, estimate.value);
    if (!std::isnan(estimate.interval.high)) top = std::max(top, estimate.interval.high);
  }
  return top;
}

}  // namespace

std::string run_colour(size_t run) { return kPalette[run % kPalette.size()]; }

std::string interval_bar_chart(const Report& report, const Ranking& ranking) {
  const double label_width = 260, plot_width = 420, row_height = 26, top = 10;
  const double height = top + row_height * static_cast<double>(report.runs.size()) + 30;
  const double scale = plot_width / axis_max(ranking);
  auto x = [&](double value) { return label_width + std::max(0.0, value) * scale; };
  std::string svg = fmt::format(
      "<svg class=\"chart bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" "
      "aria-label=\"{} {}\">\n",
      label_width + plot_width + 80, height, html_escape(ranking.name), html_escape(ranking.metric));
  for (double tick = 0.0; tick <= axis_max(ranking) + 1e-9; tick += 0.25) {
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.0f}\" y2=\"{2:.0f}\" class=\"grid\"/>", x(tick), top,
                       height - 25);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\" class=\"tick\">{:.2f}</text>\n", x(tick), height - 10, tick);
  }
  for (size_t run = 0; run < report.runs.size(); ++run) {
    const Estimate& estimate = ranking.runs[run];
    double y = top + row_height * static_cast<double>(run);
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"label\">{}</text>", label_width - 8, y + 17,
                       html_escape(report.runs[run].label));
    if (std::isnan(estimate.value)) continue;
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"{}\"/>", label_width, y + 4,
                       x(estimate.value) - label_width, row_height - 8, run_colour(run));
    if (!std::isnan(estimate.interval.low)) {
      double mid = y + row_height / 2;
      svg += fmt::format(
          "<path class=\"whisker\" d=\"M{0:.1f} {1:.1f} H{2:.1f} M{0:.1f} {3:.1f} V{4:.1f} M{2:.1f} {3:.1f} V{4:.1f}\"/>",
          x(estimate.interval.low), mid, x(estimate.interval.high), mid - 6, mid + 6);
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.0f}\" class=\"value\">{}</text>\n",
                       std::max(x(estimate.value), x(estimate.interval.high)) + 6, y + 17, format_value(estimate.value));
  }
  return svg + "</svg>\n";
}

std::string profile_chart(const Report& report) {
  // Categories: the first (metric, averaging) ranking of each group, else each task's.
  std::vector<const Ranking*> categories;
  for (const Ranking& ranking : report.rankings) {
    if (ranking.name == "overall") continue;
    if (std::none_of(categories.begin(), categories.end(), [&](const Ranking* r) { return r->name == ranking.name; }))
      categories.push_back(&ranking);
  }
  if (categories.empty())
    for (const Ranking& ranking : report.task_rankings) categories.push_back(&ranking);
  if (categories.empty()) return "";
  const double left = 50, top = 20, plot_height = 240, step = std::max(40.0, 640.0 / static_cast<double>(categories.size()));
  const double plot_width = step * static_cast<double>(categories.size());
  const double legend_top = top + plot_height + 150;
  const double height = legend_top + 20 * static_cast<double>(report.runs.size()) + 10;
  auto y = [&](double value) { return top + plot_height * (1.0 - std::clamp(value, 0.0, 1.0)); };
  auto x = [&](size_t category) { return left + step * (static_cast<double>(category) + 0.5); };
  std::string svg = fmt::format(
      "<svg class=\"chart profile\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" role=\"img\" "
      "aria-label=\"profile across categories\">\n",
      left + plot_width + 20, height);
  for (double tick = 0.0; tick <= 1.0 + 1e-9; tick += 0.25) {
    svg += fmt::format("<line x1=\"{:.0f}\" x2=\"{:.0f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>", left,
                       left + plot_width, y(tick), y(tick));
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" class=\"label\">{:.2f}</text>\n", left - 6, y(tick) + 4, tick);
  }
  for (size_t c = 0; c < categories.size(); ++c)
    svg += fmt::format("<text transform=\"translate({:.1f},{:.0f}) rotate(-40)\" class=\"label\">{}</text>\n", x(c) + 4,
                       top + plot_height + 14, html_escape(categories[c]->name));
  for (size_t run = 0; run < report.runs.size(); ++run) {
    std::string points;
    for (size_t c = 0; c < categories.size(); ++c) {
      double value = categories[c]->runs[run].value;
      if (std::isnan(value)) continue;
      points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x(c), y(value));
    }
    svg += fmt::format("<polyline class=\"series\" fill=\"none\" stroke=\"{}\" points=\"{}\"/>\n", run_colour(run), points);
    for (size_t c = 0; c < categories.size(); ++c) {
      double value = categories[c]->runs[run].value;
      if (std::isnan(value)) continue;
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>{}: {} {}</title></circle>", x(c),
                         y(value), run_colour(run), html_escape(report.runs[run].label), html_escape(categories[c]->name),
                         format_value(value));
    }
    double legend_y = legend_top + 20 * static_cast<double>(run);
    svg += fmt::format("\n<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"12\" height=\"12\" fill=\"{}\"/>", left, legend_y - 10,
                       run_colour(run));
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"legend\">{}</text>\n", left + 18, legend_y,
                       html_escape(report.runs[run].label));
  }
  return svg + "</svg>\n";
}

}  // namespace dokpa::reports
