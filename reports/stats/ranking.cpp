#include "reports/stats/ranking.h"

namespace dokpa::reports {

std::vector<int> significance_ranks(size_t n, const std::vector<bool>& better_than) {
  std::vector<int> ranks(n, 1);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (j != i && better_than[j * n + i]) ++ranks[i];
  return ranks;
}

}  // namespace dokpa::reports
