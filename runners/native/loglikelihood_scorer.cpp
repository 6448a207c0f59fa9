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

// Rows of the LM head computed at once: bounds the (rows, vocabulary) float32 log-probs (~100 MiB at a
// 49k vocabulary, ~300 MiB at 152k) whatever the batch size.
constexpr int64_t kLmHeadRows = 512;

// Shortest context that may share a batch, as a share of the batch's longest.
constexpr double kMinBatchFill = 0.75;

// Per position, log p(target) and whether the target is the argmax, from hidden states (N, C) and
// targets (N). (logit[target] - logsumexp(logits) would skip the log-softmax's output, but
// at::logsumexp sums in a different order and moved results by up to 3e-5 per token.)
struct TokenScores {
  at::Tensor logprob;  // (N) float64
  at::Tensor is_greedy;  // (N) bool
};
TokenScores score_targets(const LlamaModel& model, const at::Tensor& hidden, const at::Tensor& targets) {
  std::vector<at::Tensor> logprobs, greedy;
  for (int64_t begin = 0; begin < hidden.size(0); begin += kLmHeadRows) {
    const int64_t rows = std::min(kLmHeadRows, hidden.size(0) - begin);
    at::Tensor log_probs = model.log_probs(hidden.narrow(0, begin, rows));  // (n, V) float32
    at::Tensor target = targets.narrow(0, begin, rows).unsqueeze(1);  // (n, 1)
    logprobs.push_back(log_probs.gather(1, target).squeeze(1).to(at::kDouble));
    greedy.push_back(log_probs.argmax(1).eq(target.squeeze(1)));
  }
  return {at::cat(logprobs).cpu(), at::cat(greedy).cpu()};
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

  // ---- log-probabilities only where a continuation token is predicted ----
  std::vector<at::Tensor> needed;
  std::vector<int64_t> targets;
  for (size_t i = 0; i < row_request.size(); ++i) {
    const auto& cont = requests[row_request[i]].continuation;
    needed.push_back(first_hidden[static_cast<int64_t>(i)].unsqueeze(0));  // (1, C)
    if (cont.size() > 1)
      needed.push_back(rest_hidden[static_cast<int64_t>(i)].narrow(0, 0, static_cast<int64_t>(cont.size()) - 1));
    targets.insert(targets.end(), cont.begin(), cont.end());
  }
  TokenScores scores = score_targets(model, at::cat(needed), at::tensor(targets, at::kLong).to(device));  // (sum of L)
  const double* logprob = scores.logprob.data_ptr<double>();
  const bool* is_greedy = scores.is_greedy.data_ptr<bool>();
  int64_t offset = 0;
  for (size_t r : row_request) {
    const int64_t length = static_cast<int64_t>(requests[r].continuation.size());
    LoglikelihoodResult& result = results[r];
    result.logprob = std::accumulate(logprob + offset, logprob + offset + length, 0.0);
    result.is_greedy = std::all_of(is_greedy + offset, is_greedy + offset + length, [](bool g) { return g; });
    result.n_tokens = static_cast<int>(length);
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
  for (size_t begin = 0; begin < groups.size();) {
    // Groups come longest first, so the batch is as wide as its first context. A context shorter
    // than kMinBatchFill of that width starts the next batch instead of joining as mostly padding
    // (measured: 16 contexts of 90..350 tokens in one batch took 1.4x as long as in length bands).
    const double width = static_cast<double>(groups[begin].prefix->size());
    size_t end = begin + 1;
    while (end < groups.size() && end - begin < batch_size &&
           static_cast<double>(groups[end].prefix->size()) >= kMinBatchFill * width)
      ++end;
    std::vector<ContextGroup> batch(groups.begin() + static_cast<std::ptrdiff_t>(begin),
                                    groups.begin() + static_cast<std::ptrdiff_t>(end));
    score_batch(model, requests, batch, results);
    begin = end;
  }
  return results;
}

}  // namespace dokpa
