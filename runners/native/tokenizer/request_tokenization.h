#pragma once
// Turns text requests into token sequences exactly the way lm-evaluation-harness's HF backend
// does, so dokpa's log-likelihoods can be checked against it item by item. No libtorch here.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runners/native/tokenizer/tokenizer.h"

namespace dokpa {

// One log-likelihood request in tokens: the model reads `prefix` then `continuation[:-1]` and is
// scored on predicting every token of `continuation`.
struct TokenizedContinuation {
  std::vector<int32_t> prefix;  // context tokens, left-truncated to fit max_length
  std::vector<int32_t> continuation;
};

struct TokenizationRules {
  int32_t prefix_token_id = -1;  // used as the context when the context is empty (BOS, else EOS)
  bool add_special_tokens = false;  // lm-eval's add_bos_token (false for causal models by default)
  int64_t max_length = 2048;  // model context window
};

// Python's str.isspace() for one code point (what str.rstrip() strips).
bool is_python_whitespace(char32_t code_point);

// Byte length of the trailing run of Python whitespace in UTF-8 `text` (what rstrip() removes).
size_t trailing_whitespace_bytes(std::string_view text);

// lm-eval `_encode_pair`: trailing whitespace of the context moves to the continuation, the pair
// is encoded whole, and the continuation is what follows the context's own encoding (a context
// that is empty, or only whitespace, becomes the prefix token). Then
// `(context + continuation)[-(max_length + 1):]` as in `_loglikelihood_tokens`.
TokenizedContinuation tokenize_loglikelihood(const Tokenizer& tokenizer, std::string_view context,
                                             std::string_view continuation, const TokenizationRules& rules);

}  // namespace dokpa
