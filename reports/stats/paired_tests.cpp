#include "reports/stats/paired_tests.h"

#include <algorithm>
#include <cmath>

namespace dokpa::reports {

namespace {

double log_choose(int64_t n, int64_t k) {
  return std::lgamma(static_cast<double>(n) + 1.0) - std::lgamma(static_cast<double>(k) + 1.0) -
         std::lgamma(static_cast<double>(n - k) + 1.0);
}

// P[X <= m], X ~ Binomial(n, 1/2), summed in log space so that n in the tens of thousands
// neither underflows nor loses the tail.
double binomial_half_cdf(int64_t m, int64_t n) {
  double log_half_n = static_cast<double>(n) * std::log(0.5);
  double largest = -INFINITY;
  std::vector<double> terms;
  terms.reserve(static_cast<size_t>(m + 1));
  for (int64_t k = 0; k <= m; ++k) {
    terms.push_back(log_choose(n, k) + log_half_n);
    largest = std::max(largest, terms.back());
  }
  double sum = 0.0;
  for (double term : terms) sum += std::exp(term - largest);
  return std::exp(largest + std::log(sum));
}

}  // namespace

double mcnemar_exact_p(int64_t only_a, int64_t only_b) {
  int64_t n = only_a + only_b;
  if (n == 0) return 1.0;
  return std::min(1.0, 2.0 * binomial_half_cdf(std::min(only_a, only_b), n));
}

double bootstrap_p_value(std::span<const double> deltas) {
  if (deltas.empty()) return 1.0;
  // An undefined difference (a NaN item value) is no evidence either way: no p-value.
  if (std::any_of(deltas.begin(), deltas.end(), [](double d) { return std::isnan(d); })) return NAN;
  size_t at_most_zero = 0, at_least_zero = 0;
  for (double delta : deltas) {
    if (delta <= 0.0) ++at_most_zero;
    if (delta >= 0.0) ++at_least_zero;
  }
  double tail = static_cast<double>(1 + std::min(at_most_zero, at_least_zero));
  return std::min(1.0, 2.0 * tail / static_cast<double>(deltas.size() + 1));
}

std::vector<double> holm_adjusted(std::span<const double> p) {
  // NaN p-values (no test possible) stay NaN and are not counted among the m tests.
  std::vector<size_t> order;
  for (size_t i = 0; i < p.size(); ++i)
    if (!std::isnan(p[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> adjusted(p.size(), NAN);
  double running_max = 0.0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    double scaled = std::min(1.0, static_cast<double>(order.size() - rank) * p[order[rank]]);
    running_max = std::max(running_max, scaled);
    adjusted[order[rank]] = running_max;
  }
  return adjusted;
}

}  // namespace dokpa::reports
