#pragma once
// `dokpa verify --recompute`: one re-run item against its stored results, and the tolerance
// (docs/store-schema.md, "Re-execution spot check").
//
// Generation (greedy): response text, finish reason and token count must be equal.
// Log-likelihood: is_greedy and n_tokens equal, and |Δ logprob| <= absolute + per_token × n_tokens
// of the dtype's tolerance; then the item's predicted choice (argmax of the log-probabilities, and
// of the length-normalised ones when the task scores acc_norm) must be the same.
// Every stored result's prompt hash must be its planned request's.
#include <span>
#include <string>
#include <vector>

#include "harness/plan/plan.h"
#include "harness/store/result_store.h"
#include "runners/runner.h"

namespace dokpa {

struct LogprobTolerance {
  double absolute = 0;
  double per_token = 0;  // per continuation token
  double allowed(int n_tokens) const { return absolute + per_token * static_cast<double>(n_tokens > 0 ? n_tokens : 1); }
};

// The documented tolerance of a run's dtype (float32, bfloat16, float16: the same since the
// recompute replays the run's runner calls).
LogprobTolerance logprob_tolerance(const std::string& dtype);

// How a multiple-choice task turns log-probabilities into its prediction.
struct ChoiceRule {
  std::string target_delimiter = " ";  // stripped from a continuation to get the choice's length
  bool acc_norm = false;               // the task scores acc_norm: compare the length-normalised argmax too
};

struct ItemCheck {
  std::string task;
  std::string item_id;
  size_t requests = 0;
  double max_logprob_delta = 0;          // log-likelihood items
  std::vector<std::string> differences;  // empty: the item agrees
  bool ok() const { return differences.empty(); }
};

ItemCheck compare_multiple_choice(std::span<const PlannedRequest> requests, std::span<const ResultRow> stored,
                                  std::span<const LoglikelihoodResult> recomputed, const LogprobTolerance& tolerance,
                                  const ChoiceRule& rule);
ItemCheck compare_generate(std::span<const PlannedRequest> requests, std::span<const ResultRow> stored,
                           std::span<const GenerateResult> recomputed);

// "ok    task item (...)" or "DIFFERS task item: what differs, with the stored and recomputed values".
std::string format_item_check(const ItemCheck& check);

}  // namespace dokpa
