#pragma once
// The JSON bodies dokpa sends to an OpenAI-compatible server (docs/serving.md, "The exact
// requests dokpa sends"), built in one place so the documentation and the tests can name them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runners/runner.h"

namespace dokpa::openai {

// Code points in UTF-8 `text`: the unit of the API's text_offset.
int64_t count_code_points(std::string_view text);

// "data:<mime>;base64,<bytes>": an image inlined into a chat message.
std::string image_data_url(const RequestImage& image);

struct GenerationBodyOptions {
  std::string model;
  bool chat = false;  // /v1/chat/completions with messages, else /v1/completions with the prompt
  uint64_t seed = 0;
};

// /v1/completions with echo: `prompt` is a JSON string or an array of token ids, already dumped.
std::string loglikelihood_body(const std::string& model, const std::string& prompt_json);

// A generation request: temperature 0, the seed, max_tokens and stop strings; chat messages
// whose images become image_url parts. Throws dokpa::Error when `chat` is set and the request
// has no messages (a raw prompt format).
std::string generation_body(const GenerateRequest& request, const GenerationBodyOptions& options);

}  // namespace dokpa::openai
