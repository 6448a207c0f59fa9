// The openai runner's reading of server answers (vLLM-shaped JSON written here) and its backoff.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "runners/openai/completion_answer.h"
#include "runners/openai/http_pool.h"
#include "runners/openai/request_body.h"

#include <nlohmann/json.hpp>

using namespace dokpa;
using namespace dokpa::openai;

namespace {

// "Answer: B" echoed as 4 tokens: "Answer", ":", " B", then one generated token " is".
const char* kEcho = R"({"choices": [{"text": "Answer: B is", "finish_reason": "length", "logprobs": {
  "tokens": ["Answer", ":", " B", " is"],
  "text_offset": [0, 6, 7, 9],
  "token_logprobs": [null, -0.5, -1.25, -2.0],
  "top_logprobs": [null, {":": -0.5}, {" A": -1.0, " B": -1.25}, {" is": -2.0}]}}],
  "usage": {"prompt_tokens": 3, "completion_tokens": 1}})";

}  // namespace

TEST_CASE("echoed prompt log-probs: the continuation of a text prompt, sums and greedy flags") {
  EchoedTokens tokens = parse_echoed_tokens(kEcho, true, "u");
  REQUIRE(tokens.logprob.size() == 4);
  // Context "Answer:" (7 code points), continuation " B": only " B" (offset 7) is scored; the
  // generated " is" (offset 9 = the prompt's end) is not part of the prompt.
  auto [first, end] = continuation_span(tokens, 7, 9, "u");
  CHECK(first == 2);
  CHECK(end == 3);
  LoglikelihoodResult result = sum_continuation(tokens, first, end, "u");
  CHECK(result.logprob == -1.25);
  CHECK(result.n_tokens == 1);
  CHECK_FALSE(result.is_greedy);  // " A" had -1.0
  CHECK(sum_continuation(tokens, 1, 2, "u").is_greedy);
  // A token that straddles the boundary belongs to the continuation: context "Answer" (6).
  CHECK(continuation_span(tokens, 5, 9, "u").first == 0);
  // The first prompt token has no log-prob: it can never be scored.
  CHECK_THROWS_WITH(sum_continuation(tokens, 0, 2, "u"), Catch::Contains("has no log-probability"));
}

TEST_CASE("bad answers name the URL and what is wrong") {
  CHECK_THROWS_WITH(parse_echoed_tokens("{\"choices\": [", true, "http://h/v1/completions"),
                    Catch::StartsWith("http://h/v1/completions: unexpected answer from the server: not JSON"));
  CHECK_THROWS_WITH(parse_echoed_tokens(R"({"choices": [{"logprobs": null}]})", true, "u"),
                    Catch::Contains("returned no log-probabilities"));
  CHECK_THROWS_WITH(parse_echoed_tokens(R"({"choices": []})", true, "u"), Catch::Contains("non-empty array"));
  CHECK_THROWS_WITH(
      parse_echoed_tokens(R"({"choices": [{"logprobs": {"token_logprobs": [null, "x"], "top_logprobs": [null, null]}}]})",
                          false, "u"),
      Catch::Contains("token_logprobs[1] is not a number"));
  CHECK_THROWS_WITH(parse_echoed_tokens(R"({"error": {"message": "overloaded"}})", true, "u"),
                    Catch::Contains("overloaded"));
}

TEST_CASE("generation answers: stop strings cut, finish reasons mapped") {
  const char* vllm = R"({"choices": [{"text": "서울\nQ:", "finish_reason": "stop", "stop_reason": "\n"}],
                         "usage": {"completion_tokens": 3}})";
  GenerateResult cut = parse_generation(vllm, false, {"\n"}, "u");
  CHECK(cut.text == "서울");
  CHECK(cut.finish_reason == "stop");
  CHECK(cut.n_tokens == 3);
  const char* eos = R"({"choices": [{"message": {"content": "42"}, "finish_reason": "stop"}], "usage": {"completion_tokens": 1}})";
  CHECK(parse_generation(eos, true, {}, "u").finish_reason == "eos");
  const char* length = R"({"choices": [{"text": "abc", "finish_reason": "length"}], "usage": {"completion_tokens": 8}})";
  CHECK(parse_generation(length, false, {}, "u").finish_reason == "length");
  CHECK_THROWS_WITH(parse_generation(R"({"choices": [{"text": "a", "finish_reason": "length"}]})", false, {}, "u"),
                    Catch::Contains("the answer has no 'usage'"));
}

TEST_CASE("retry backoff doubles, stays capped, and jitters the same way every run") {
  RetryPolicy policy{600, 6, 0.5, 4.0};
  for (size_t index : {0u, 1u, 77u}) {
    for (int retry = 1; retry <= 8; ++retry) {
      double nominal = std::min(0.5 * (1 << (retry - 1)), 4.0);
      double wait = backoff_seconds(policy, index, retry);
      CHECK(wait >= 0.5 * nominal);
      CHECK(wait < nominal);
      CHECK(wait == backoff_seconds(policy, index, retry));
    }
  }
  CHECK(backoff_seconds(policy, 0, 1) != backoff_seconds(policy, 1, 1));  // clients spread out
}

TEST_CASE("request bodies: echo log-likelihoods, generation, chat messages with image parts") {
  using nlohmann::json;
  json ll = json::parse(loglikelihood_body("m", "[1, 2, 3]"));
  CHECK(ll == json::parse(R"({"model": "m", "prompt": [1, 2, 3], "max_tokens": 1, "temperature": 0,
                              "logprobs": 1, "echo": true})"));
  CHECK(count_code_points("서울 A") == 4);

  GenerateRequest request{"<rendered>", {"\n"}, 16, {{"user", "이 그림은?", {{"image/png", "\x89PNG"}}}}};
  json chat = json::parse(generation_body(request, {"m", true, 7}));
  CHECK(chat["seed"] == 7);
  CHECK(chat["temperature"] == 0);
  CHECK(chat["stop"] == json::array({"\n"}));
  CHECK(chat["messages"][0]["content"][0] == json::parse(R"({"type": "text", "text": "이 그림은?"})"));
  CHECK(chat["messages"][0]["content"][1]["image_url"]["url"] == "data:image/png;base64,iVBORw==");
  CHECK_FALSE(chat.contains("prompt"));
  // /v1/completions takes the rendered prompt, and cannot carry the image.
  CHECK_THROWS_WITH(generation_body(request, {"m", false, 7}), Catch::Contains("with images needs"));
  request.messages.front().images.clear();
  CHECK(json::parse(generation_body(request, {"m", false, 7}))["prompt"] == "<rendered>");
  request.messages.clear();
  CHECK_THROWS_WITH(generation_body(request, {"m", true, 7}), Catch::Contains("needs a chat prompt_format"));
}
