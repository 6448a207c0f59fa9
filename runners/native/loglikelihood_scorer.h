#pragma once
// Scores tokenised continuations with the decoder. Requests that share a context (the choices
// of one multiple-choice item) share one pass over it: the context is encoded once into the KV
// cache and every continuation is read on top of a copy of that cache.
#include <vector>

#include "runners/native/llama_model.h"
#include "runners/native/tokenizer/request_tokenization.h"
#include "runners/runner.h"

namespace dokpa {

struct ScoringOptions {
  int batch_size = 8;  // contexts per forward pass
};

// Results come back in the order of `requests`.
std::vector<LoglikelihoodResult> score_continuations(const LlamaModel& model,
                                                     const std::vector<TokenizedContinuation>& requests,
                                                     const ScoringOptions& options);

// Pads rows of token ids on the right into (B, T) int64 ids and a (B, T) validity mask, with
// positions starting per row at `start[b]`. Shared by scoring and generation.
struct PaddedChunk {
  at::Tensor ids, positions, valid;
};
PaddedChunk pad_right(const std::vector<std::vector<int32_t>>& rows, const std::vector<int64_t>& start,
                      const at::Device& device);

}  // namespace dokpa
