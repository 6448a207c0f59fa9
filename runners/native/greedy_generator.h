#pragma once
// Greedy decoding with stop strings, end-of-sequence tokens and a token budget.
#include <cstdint>
#include <vector>

#include "runners/native/llama_model.h"
#include "runners/native/tokenizer/tokenizer.h"
#include "runners/runner.h"

namespace dokpa {

struct GenerationOptions {
  int batch_size = 8;  // prompts decoded together
  int64_t max_length = 2048;  // prompt is left-truncated to max_length - max_tokens
  std::vector<int32_t> eos_ids;  // any of these ends a sequence (finish_reason "eos")
};

// Results come back in the order of `requests`. Prompts are encoded without special tokens,
// as lm-evaluation-harness does for causal models.
std::vector<GenerateResult> generate_greedy(const LlamaModel& model, const Tokenizer& tokenizer,
                                            const std::vector<GenerateRequest>& requests,
                                            const GenerationOptions& options);

}  // namespace dokpa
