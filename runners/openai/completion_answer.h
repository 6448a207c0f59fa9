#pragma once
// Reading the answers of an OpenAI-compatible server: prompt log-probabilities from
// /v1/completions with `echo`, and generated text from /v1/completions or /v1/chat/completions.
// Every missing or mistyped field is a dokpa::Error naming the URL and the field.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runners/runner.h"

namespace dokpa::openai {

// The `logprobs` object of choices[0]: one entry per token of the echoed prompt (then any
// generated token). The first prompt token has no log-probability (null).
struct EchoedTokens {
  std::vector<std::optional<double>> logprob;
  std::vector<std::optional<double>> top_max;  // the largest of top_logprobs[i]; null when absent
  std::vector<int64_t> text_offset;  // code points into the echoed text; empty if not sent
  std::vector<std::string> token;
};

// Parses `body` (the whole answer). `want_offsets`: text_offset must be present.
EchoedTokens parse_echoed_tokens(const std::string& body, bool want_offsets, const std::string& url);

// Sums entries [first, end) into a result; is_greedy when every token's log-prob is the largest
// of its top log-probs. Throws naming `url` if an entry has no log-prob (the first prompt token).
LoglikelihoodResult sum_continuation(const EchoedTokens& tokens, size_t first, size_t end, const std::string& url);

// Text prompts: the entries of the continuation when the prompt was context + continuation and
// the context is `context_code_points` long. A token that straddles the boundary belongs to the
// continuation (it holds some of it). Returns [first, end) over the prompt's own tokens.
std::pair<size_t, size_t> continuation_span(const EchoedTokens& tokens, int64_t context_code_points,
                                            int64_t prompt_code_points, const std::string& url);

// A generation answer: choices[0].text (completions) or choices[0].message.content (chat),
// finish_reason, usage.completion_tokens. The text is cut at the first stop string (servers
// differ in whether they cut), and finish_reason becomes stop (a stop string), eos or length.
GenerateResult parse_generation(const std::string& body, bool chat, const std::vector<std::string>& stop,
                                const std::string& url);

// Parses a server answer as a JSON object, or throws naming the URL ("not JSON: ...").
nlohmann::json parse_answer(const std::string& body, const std::string& url);

}  // namespace dokpa::openai
