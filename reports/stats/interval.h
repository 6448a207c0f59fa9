#pragma once
// Confidence intervals for one proportion, and the normal quantile they use.
#include <cstdint>

namespace dokpa::reports {

// scipy.stats.norm.ppf(0.975): the z of a two-sided 95% interval.
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

// Wilson score interval for `successes` out of `n` (statsmodels proportion_confint(method="wilson")).
// Unlike the normal approximation it stays inside [0, 1] and is not empty at 0% or 100%.
// n == 0 gives NaN bounds.
Interval wilson_interval(int64_t successes, int64_t n, double z = kZ95);

}  // namespace dokpa::reports
