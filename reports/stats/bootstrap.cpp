#include "reports/stats/bootstrap.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/python_random.h"
#include "common/sha256.h"

namespace dokpa::reports {

uint64_t bootstrap_seed(uint64_t suite_seed, std::string_view task) {
  std::string digest = sha256_hex(fmt::format("dokpa-bootstrap\n{}\n{}", suite_seed, task));
  return std::stoull(digest.substr(0, 16), nullptr, 16);
}

std::vector<Replicates> bootstrap_means(std::span<const ItemMatrix* const> matrices, size_t iterations, uint64_t seed) {
  std::vector<Replicates> out;
  for (const ItemMatrix* matrix : matrices)
    out.push_back({matrix->runs, iterations, std::vector<double>(iterations * matrix->runs, 0.0)});
  if (matrices.empty() || matrices.front()->items == 0) return out;
  size_t items = matrices.front()->items;
  PythonRandom random(seed);
  for (size_t b = 0; b < iterations; ++b) {
    // One set of draws per iteration, summed into every matrix's runs.
    for (size_t m = 0; m < matrices.size(); ++m) std::fill_n(out[m].means.begin() + b * matrices[m]->runs, matrices[m]->runs, 0.0);
    for (size_t i = 0; i < items; ++i) {
      size_t item = static_cast<size_t>(random.randbelow(items));
      for (size_t m = 0; m < matrices.size(); ++m) {
        const ItemMatrix& matrix = *matrices[m];
        const double* row = matrix.values.data() + item * matrix.runs;
        double* sum = out[m].means.data() + b * matrix.runs;
        for (size_t run = 0; run < matrix.runs; ++run) sum[run] += row[run];
      }
    }
    for (size_t m = 0; m < matrices.size(); ++m)
      for (size_t run = 0; run < matrices[m]->runs; ++run) out[m].means[b * matrices[m]->runs + run] /= static_cast<double>(items);
  }
  return out;
}

double percentile_of_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return NAN;
  double position = q / 100.0 * static_cast<double>(sorted.size() - 1);
  size_t below = static_cast<size_t>(std::floor(position));
  size_t above = std::min(below + 1, sorted.size() - 1);
  double fraction = position - static_cast<double>(below);
  // numpy's _lerp: a + (b - a) * t, switched to b - (b - a) * (1 - t) for t >= 0.5.
  double a = sorted[below], b = sorted[above], diff = b - a;
  return fraction >= 0.5 ? b - diff * (1.0 - fraction) : a + diff * fraction;
}

Interval percentile_interval(std::vector<double> replicates, double level) {
  // A NaN item value (a metric undefined for some item) makes the interval undefined too; it
  // must not reach std::sort, whose ordering NaN would break.
  if (std::any_of(replicates.begin(), replicates.end(), [](double v) { return std::isnan(v); })) return {NAN, NAN};
  std::sort(replicates.begin(), replicates.end());
  double tail = 50.0 - 50.0 * level;  // 2.5 exactly for 0.95
  return {percentile_of_sorted(replicates, tail), percentile_of_sorted(replicates, 100.0 - tail)};
}

}  // namespace dokpa::reports
