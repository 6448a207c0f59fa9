#include "harness/score/f1.h"

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"

namespace dokpa {
namespace {

// numpy's pairwise summation (np.sum of a contiguous float64 array, which np.nanmean and so
// sklearn's macro average use): the mean then equals scikit-learn's to the last bit, not just
// to rounding (checked against numpy 2.3 on random arrays).
double pairwise_sum(std::span<const double> a) {
  if (a.size() < 8) {
    double sum = -0.0;
    for (double x : a) sum += x;
    return sum;
  }
  if (a.size() <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < a.size() - a.size() % 8; i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < a.size(); ++i) sum += a[i];
    return sum;
  }
  size_t half = a.size() / 2;
  half -= half % 8;
  return pairwise_sum(a.first(half)) + pairwise_sum(a.subspan(half));
}

}  // namespace

double macro_f1(std::span<const int> predictions, std::span<const int> golds) {
  if (predictions.size() != golds.size()) {
    throw Error("macro_f1", std::to_string(predictions.size()) + " predictions for " + std::to_string(golds.size()) +
                                " gold labels");
  }
  if (golds.empty()) return std::numeric_limits<double>::quiet_NaN();
  struct Counts {
    long true_positives = 0;
    long gold = 0;
    long predicted = 0;
  };
  std::map<int, Counts> labels;  // ordered by label, as sklearn's unique_labels
  for (size_t i = 0; i < golds.size(); ++i) {
    ++labels[golds[i]].gold;
    ++labels[predictions[i]].predicted;
    if (golds[i] == predictions[i]) ++labels[golds[i]].true_positives;
  }
  std::vector<double> f1;  // in label order, like sklearn's per-label scores
  for (const auto& [label, counts] : labels) {
    f1.push_back(2.0 * static_cast<double>(counts.true_positives) /
                 (static_cast<double>(counts.gold) + static_cast<double>(counts.predicted)));
  }
  return (0.0 + pairwise_sum(f1)) / static_cast<double>(f1.size());
}

}  // namespace dokpa
