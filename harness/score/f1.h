#pragma once
// Macro-averaged F1, as lm-evaluation-harness's KoBEST tasks report it ("f1" with aggregation
// macro_f1_score in lm_eval/tasks/kobest/utils.py): sklearn.metrics.f1_score(golds, predictions,
// average="macro") over the task's (gold, prediction) pairs, with sklearn's defaults
// (labels=None, zero_division="warn").
//
// That is, over the label set = the union of the gold and predicted labels (sorted):
//   F1_label = 2·tp / (2·tp + fp + fn)   (= 2·tp / (#gold + #predicted) of that label)
// which is 0 for a label that is never predicted or never gold (precision or recall is 0 — the
// zero_division="warn" value — and F1 with a zero denominator cannot occur, since every label
// in the set is gold or predicted at least once); the result is the unweighted mean over
// the label set. scikit-learn 1.7 computes F1 from the counts this way, not as 2PR/(P+R).
// F1 is symmetric in golds and predictions. Empty input gives NaN, as sklearn does. Agreement
// with scikit-learn 1.7.2 is tested to 1e-12 (tests/reference/macro_f1_reference.py).
#include <span>

namespace dokpa {

// Throws dokpa::Error if the spans differ in length.
double macro_f1(std::span<const int> predictions, std::span<const int> golds);

}  // namespace dokpa
