#pragma once
// Ranks that show ties where the data do not separate the runs.
#include <cstddef>
#include <vector>

namespace dokpa::reports {

// rank[i] = 1 + the number of runs significantly better than run i, where
// better_than[j * n + i] says run j is significantly better than run i (n = scores.size()).
// Runs that no test separates share a rank: if A and B are not separated but both beat C,
// A and B are 1 and C is 3 (as in competition ranking). The caller orders rows by score.
std::vector<int> significance_ranks(size_t n, const std::vector<bool>& better_than);

}  // namespace dokpa::reports
