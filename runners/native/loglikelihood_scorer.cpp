#include "runners/native/loglikelihood_scorer.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <map>
#include <numeric>

namespace dokpa {

PaddedChunk pad_right(const std::vector<std::vector<int32_t>>& rows, const std::vector<int64_t>& start,
                      const at::Device& device) {
  const int64_t batch = static_cast<int64_t>(rows.size());
  int64_t width = 1;  // at least one column, so an all-padding chunk still has a shape
  for (const auto& row : rows) width = std::max<int64_t>(width, static_cast<int64_t>(row.size()));
  at::Tensor ids = at::zeros({batch, width}, at::kLong);
  at::Tensor positions = at::zeros({batch, width}, at::kLong);
  at::Tensor valid = at::zeros({batch, width}, at::kBool);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto pos_a = positions.accessor<int64_t, 2>();
  auto valid_a = valid.accessor<bool, 2>();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < width; ++t) {
      bool real = t < static_cast<int64_t>(rows[b].size());
      ids_a[b][t] = real ? rows[b][t] : 0;
      pos_a[b][t] = start[b] + t;  // padding continues the positions; it is never attended to
      valid_a[b][t] = real;
    }
  }
  return {ids.to(device), positions.to(device), valid.to(device)};
}

namespace {

// One distinct context and the requests that continue it.
struct ContextGroup {
  const std::vector<int32_t>* prefix = nullptr;
  std::vector<size_t> requests;
};

// Groups requests by identical prefix tokens; groups ordered longest prefix first (ties by first
// request) so a batch holds similar lengths. Deterministic for the same input.
std::vector<ContextGroup> group_by_prefix(const std::vector<TokenizedContinuation>& requests) {
  std::map<std::vector<int32_t>, size_t> index_of;
  std::vector<ContextGroup> groups;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto [it, inserted] = index_of.emplace(requests[i].prefix, groups.size());
    if (inserted) groups.push_back({&requests[i].prefix, {}});  // points into `requests`, which outlive the groups
    groups[it->second].requests.push_back(i);
  }
  std::stable_sort(groups.begin(), groups.end(), [](const ContextGroup& a, const ContextGroup& b) {
    return a.prefix->size() > b.prefix->size();
  });
  return groups;
}

// Sums log p(continuation token) over its positions; `predictions` (L, V) are the log-probs that
// predict each continuation token in turn.
LoglikelihoodResult sum_continuation(const at::Tensor& predictions, const std::vector<int32_t>& tokens) {
  std::vector<int64_t> targets(tokens.begin(), tokens.end());
  at::Tensor target = at::tensor(targets, at::kLong).to(predictions.device());
  at::Tensor picked = predictions.gather(1, target.unsqueeze(1)).squeeze(1);  // (L)
  at::Tensor greedy = predictions.argmax(1);  // (L)
  LoglikelihoodResult result;
  result.logprob = picked.to(at::kDouble).sum().item<double>();
  result.is_greedy = greedy.eq(target).all().item<bool>();
  result.n_tokens = static_cast<int>(tokens.size());
  return result;
}

void score_batch(const LlamaModel& model, const std::vector<TokenizedContinuation>& requests,
                 const std::vector<ContextGroup>& batch, std::vector<LoglikelihoodResult>& results) {
  const at::Device device = model.weights().embed_tokens.device();

  // ---- pass 1: every context once ----
  std::vector<std::vector<int32_t>> prefixes;
  for (const ContextGroup& group : batch) prefixes.push_back(*group.prefix);
  PaddedChunk context = pad_right(prefixes, std::vector<int64_t>(batch.size(), 0), device);
  KVCache context_cache;
  at::Tensor context_hidden = model.forward(context.ids, context.positions, context.valid, context_cache);  // (G, P, C)

  // ---- pass 2: every continuation (minus its last token) on a copy of its context's cache ----
  std::vector<int64_t> row_group, row_start;
  std::vector<std::vector<int32_t>> inputs;
  std::vector<size_t> row_request;
  for (size_t g = 0; g < batch.size(); ++g) {
    for (size_t r : batch[g].requests) {
      const auto& cont = requests[r].continuation;
      row_group.push_back(static_cast<int64_t>(g));
      row_start.push_back(static_cast<int64_t>(batch[g].prefix->size()));
      inputs.emplace_back(cont.begin(), cont.end() - 1);
      row_request.push_back(r);
    }
  }
  at::Tensor rows = at::tensor(row_group, at::kLong).to(device);
  // Hidden state that predicts each row's first continuation token: the context's last position.
  std::vector<int64_t> last_positions;
  for (int64_t g : row_group) last_positions.push_back(static_cast<int64_t>(batch[g].prefix->size()) - 1);
  at::Tensor last = at::tensor(last_positions, at::kLong).to(device);
  at::Tensor first_hidden = context_hidden.index_select(0, rows)
                                .gather(1, last.view({-1, 1, 1}).expand({-1, 1, context_hidden.size(2)}))
                                .squeeze(1);  // (R, C)

  bool any_longer = std::any_of(inputs.begin(), inputs.end(), [](const auto& in) { return !in.empty(); });
  at::Tensor rest_hidden;  // (R, Lmax - 1, C)
  if (any_longer) {
    KVCache row_cache = context_cache.select_rows(rows);
    PaddedChunk chunk = pad_right(inputs, row_start, device);
    rest_hidden = model.forward(chunk.ids, chunk.positions, chunk.valid, row_cache);
  }

  // ---- log-probabilities only where a continuation token is predicted, in one LM-head call ----
  std::vector<at::Tensor> needed;
  for (size_t i = 0; i < row_request.size(); ++i) {
    const auto& cont = requests[row_request[i]].continuation;
    needed.push_back(first_hidden[static_cast<int64_t>(i)].unsqueeze(0));  // (1, C)
    if (cont.size() > 1)
      needed.push_back(rest_hidden[static_cast<int64_t>(i)].narrow(0, 0, static_cast<int64_t>(cont.size()) - 1));
  }
  at::Tensor log_probs = model.log_probs(at::cat(needed));  // (sum of L, V)
  int64_t offset = 0;
  for (size_t r : row_request) {
    const auto& cont = requests[r].continuation;
    int64_t length = static_cast<int64_t>(cont.size());
    results[r] = sum_continuation(log_probs.narrow(0, offset, length), cont);
    offset += length;
  }
}

}  // namespace

std::vector<LoglikelihoodResult> score_continuations(const LlamaModel& model,
                                                     const std::vector<TokenizedContinuation>& requests,
                                                     const ScoringOptions& options) {
  c10::InferenceMode inference_mode;
  std::vector<LoglikelihoodResult> results(requests.size());
  std::vector<ContextGroup> groups = group_by_prefix(requests);
  const size_t batch_size = static_cast<size_t>(std::max(1, options.batch_size));
  for (size_t begin = 0; begin < groups.size(); begin += batch_size) {
    size_t end = std::min(groups.size(), begin + batch_size);
    std::vector<ContextGroup> batch(groups.begin() + static_cast<std::ptrdiff_t>(begin),
                                    groups.begin() + static_cast<std::ptrdiff_t>(end));
    score_batch(model, requests, batch, results);
  }
  return results;
}

}  // namespace dokpa
