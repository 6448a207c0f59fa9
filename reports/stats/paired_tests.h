#pragma once
// Tests of two systems on the same items, and the correction for testing many of them.
#include <cstdint>
#include <span>
#include <vector>

namespace dokpa::reports {

// Exact McNemar test (statsmodels mcnemar(table, exact=True)): of the items the two systems
// disagree on, `only_a` were right for A alone and `only_b` for B alone. Two-sided p =
// min(1, 2 * P[X <= min(only_a, only_b)]) with X ~ Binomial(only_a + only_b, 1/2); 1 when they
// never disagree.
double mcnemar_exact_p(int64_t only_a, int64_t only_b);

// Two-sided p of a paired bootstrap: `deltas` are the resampled differences (A - B) of one
// statistic; p = min(1, 2 (1 + min(#delta <= 0, #delta >= 0)) / (B + 1)). The +1 keeps a finite
// number of resamples from claiming p = 0; identical systems get p = 1; NaN when a delta is NaN.
double bootstrap_p_value(std::span<const double> deltas);

// Holm-Bonferroni step-down adjustment (statsmodels multipletests(method="holm")): controls the
// chance of any false "significant" among the m tests at the level used. Same order as `p`;
// NaN entries stay NaN and do not count among the m tests.
std::vector<double> holm_adjusted(std::span<const double> p);

}  // namespace dokpa::reports
