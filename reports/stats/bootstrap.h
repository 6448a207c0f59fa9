#pragma once
// The seeded bootstrap behind every interval that has no closed form and every paired test of a
// non-binary metric or of a group average.
//
// Resampling is joint: one resample of a task's items (n draws with replacement) is applied to
// every run at once, so replicate b of run A and replicate b of run B are over the same items —
// that is what makes differences of replicates a paired bootstrap. Draws come from
// PythonRandom (CPython's random.Random) seeded per task with bootstrap_seed(), in the order
// `for b in range(B): for i in range(n): idx = rng.randrange(n)`, so a Python script redraws
// every replicate exactly (tests/reference/report_stats_reference.py does).
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "reports/stats/interval.h"

namespace dokpa::reports {

// First 8 bytes (big-endian) of sha256("dokpa-bootstrap\n<seed>\n<task>"): stable, independent
// per task, so adding a task to a suite does not move the others' resamples.
uint64_t bootstrap_seed(uint64_t suite_seed, std::string_view task);

// Per-item values of one task for R runs, item-major: values[item * runs + run].
struct ItemMatrix {
  size_t runs = 0;
  size_t items = 0;
  std::vector<double> values;
  double at(size_t item, size_t run) const { return values[item * runs + run]; }
};

// Replicate means: means[b * runs + run] is run's mean over resample b of the task's items.
struct Replicates {
  size_t runs = 0;
  size_t iterations = 0;
  std::vector<double> means;
  double at(size_t b, size_t run) const { return means[b * runs + run]; }
};

// B joint resamples of the items of one task. Several metrics of a task share one resample:
// pass them all and get one Replicates per matrix (all matrices must have the same item count).
std::vector<Replicates> bootstrap_means(std::span<const ItemMatrix* const> matrices, size_t iterations, uint64_t seed);

// numpy.percentile(values, q) with its default linear interpolation; `sorted` ascending, q in [0, 100].
double percentile_of_sorted(std::span<const double> sorted, double q);

// Percentile interval (2.5th and 97.5th percentiles for level 0.95) of bootstrap replicates.
Interval percentile_interval(std::vector<double> replicates, double level = 0.95);

}  // namespace dokpa::reports
