#include "reports/stats/interval.h"

#include <cmath>
#include <limits>

namespace dokpa::reports {

Interval wilson_interval(int64_t successes, int64_t n, double z) {
  if (n <= 0) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  double count = static_cast<double>(n);
  double p = static_cast<double>(successes) / count;
  double z2 = z * z;
  double denominator = 1.0 + z2 / count;
  double center = (p + z2 / (2.0 * count)) / denominator;
  double half_width = z / denominator * std::sqrt(p * (1.0 - p) / count + z2 / (4.0 * count * count));
  return {center - half_width, center + half_width};
}

}  // namespace dokpa::reports
