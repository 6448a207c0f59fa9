#pragma once
// What dokpa asks a server before it trusts it: which model it serves, its version, and whether
// its prompt log-probabilities mean what the OpenAI API says (entry i = log p(token i | tokens
// before i)). Some servers are known to get this wrong (llama-cpp-python's echo shifts it by one
// token: abetlen/llama-cpp-python#1983), which would silently corrupt every multiple-choice score.
#include <string>

#include "runners/openai/http_pool.h"

namespace dokpa::openai {

// The model the requests name: `wanted` if the server lists it, or the server's only model when
// `wanted` is empty. Throws naming the URL otherwise, listing what the server has.
std::string resolve_served_model(HttpPool& http, const std::string& wanted);

// The server's software and version, as far as it tells ("vllm 0.11.0", "sglang 0.5.4"), or
// "unknown (no /version or /get_server_info)".
std::string server_version(HttpPool& http);

struct LogprobCheck {
  enum class Outcome { Passed, Failed, Inconclusive } outcome = Outcome::Inconclusive;
  std::string detail;  // what was compared, or why log-likelihoods cannot be trusted
};

// The prompt log-probability check: greedily generate one token after a probe prompt, then
// score prompt + that token with echo; the echoed log-prob of the token must equal the one it
// was generated with (within 0.05 + 2% nats: the two come from different kernels on GPU
// servers). Failed: the caller refuses multiple-choice tasks with `detail`. Inconclusive: no
// probe's token came back as a token of its own, so nothing could be compared.
LogprobCheck check_prompt_logprobs(HttpPool& http, const std::string& model);

}  // namespace dokpa::openai
