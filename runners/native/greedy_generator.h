#pragma once
// Greedy decoding with stop strings, end-of-sequence tokens and a token budget, continuously
// batched: up to batch_size sequences decode together, and a sequence that finishes hands its
// slot to the next waiting prompt at once (no slot idles until the longest sequence ends).
#include <cstdint>
#include <vector>

#include "runners/native/llama_model.h"
#include "runners/native/tokenizer/tokenizer.h"
#include "runners/runner.h"

namespace dokpa {

struct GenerationOptions {
  int batch_size = 8;  // sequences decoded together
  int64_t max_length = 2048;  // prompt is left-truncated to max_length - max_tokens
  std::vector<int32_t> eos_ids;  // any of these ends a sequence (finish_reason "eos")
  int32_t prefix_token_id = -1;  // stands in for a prompt that encodes to no tokens
};

// Results come back in the order of `requests`. As lm-evaluation-harness does for causal models:
// prompts are encoded without special tokens; stop strings are watched for in the text decoded
// with special tokens (so a special-token stop such as "<|im_end|>" fires); the returned text is
// decoded without special tokens and cut before the first stop string it contains.
std::vector<GenerateResult> generate_greedy(const LlamaModel& model, const Tokenizer& tokenizer,
                                            const std::vector<GenerateRequest>& requests,
                                            const GenerationOptions& options);

}  // namespace dokpa
