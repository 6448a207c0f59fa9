// The native runner end to end on the SmolLM2 default model: log-likelihoods against a
// transformers reference computed the lm-evaluation-harness way, batch-size independence, and
// greedy generation with stop strings.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>

#include "runners/runner.h"
#include "tests/test_support.h"
#include "tests/runners/native/smollm2_runner.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

std::vector<LoglikelihoodRequest> mixed_requests() {
  return {
      {"대한민국의 수도는", " 서울"},
      {"대한민국의 수도는", " 부산"},
      {"대한민국의 수도는 ", "서울입니다"},  // trailing space moves to the continuation
      {"Question: What is 2 + 2?\nAnswer:", " 4"},
      {"Question: What is 2 + 2?\nAnswer:", " five"},
      {"", "Hello"},  // empty context: the prefix token stands in
      {"정답：", " A"},
      {"정답：", " B"},
      {"The quick brown fox jumps over the lazy", " dog.\n\nThe end"},
  };
}

}  // namespace

TEST_CASE("native loglikelihood equals the transformers lm-eval-way reference", "[native][smollm2]") {
  std::vector<LoglikelihoodRequest> requests = mixed_requests();
  std::filesystem::path dir = scratch_dir("native_loglikelihood");
  nlohmann::json input = nlohmann::json::array();
  for (const auto& r : requests) input.push_back({{"context", r.context}, {"continuation", r.continuation}});
  std::ofstream(dir / "requests.json") << input.dump();
  run_reference_script("lm_eval_way_loglikelihood.py",
                       "--model " + shell_quote(default_model_dir().string()) + " --requests " +
                           shell_quote((dir / "requests.json").string()) + " --out " +
                           shell_quote((dir / "reference.json").string()));
  nlohmann::json reference = nlohmann::json::parse(read_file(dir / "reference.json"));

  std::vector<LoglikelihoodResult> results = smollm2(4)->loglikelihood(requests);
  REQUIRE(results.size() == requests.size());
  double worst = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    INFO("request " << i << ": " << requests[i].context << " | " << requests[i].continuation);
    double delta = std::abs(results[i].logprob - reference[i]["logprob"].get<double>());
    worst = std::max(worst, delta);
    CHECK(delta <= 1e-4);
    CHECK(results[i].is_greedy == reference[i]["is_greedy"].get<bool>());
    CHECK(results[i].n_tokens == reference[i]["n_tokens"].get<int>());
  }
  WARN("largest |Δ logprob| against transformers: " << worst);
}

TEST_CASE("native loglikelihood does not depend on batch size", "[native][smollm2][determinism]") {
  std::vector<LoglikelihoodRequest> requests = mixed_requests();
  std::vector<LoglikelihoodResult> one = smollm2(1)->loglikelihood(requests);
  std::vector<LoglikelihoodResult> eight = smollm2(8)->loglikelihood(requests);
  double worst = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    worst = std::max(worst, std::abs(one[i].logprob - eight[i].logprob));
    CHECK(one[i].is_greedy == eight[i].is_greedy);
    CHECK(one[i].n_tokens == eight[i].n_tokens);
  }
  WARN("largest |Δ logprob| between batch size 1 and 8: " << worst);
  CHECK(worst <= 1e-4);
}

TEST_CASE("native greedy generation equals transformers and honours stop strings and budgets",
          "[native][smollm2]") {
  auto runner = smollm2(2);
  std::vector<GenerateRequest> requests = {
      {"<|im_start|>user\nSay hello.<|im_end|>\n<|im_start|>assistant\n", {}, 24, {}},
      {"대한민국의 수도는", {}, 12, {}},
      {"def fibonacci(n):\n", {}, 20, {}},
      {"Count: 1, 2, 3, 4,", {","}, 16, {}},
  };
  std::vector<GenerateResult> results = runner->generate(requests);
  REQUIRE(results.size() == requests.size());

  // Budget-limited requests must equal transformers' greedy text token for token.
  std::filesystem::path dir = scratch_dir("native_generate");
  nlohmann::json input = nlohmann::json::array();
  for (size_t i = 0; i < 3; ++i) input.push_back({{"prompt", requests[i].prompt}, {"max_tokens", requests[i].max_tokens}});
  std::ofstream(dir / "requests.json") << input.dump();
  run_reference_script("greedy_reference.py", "--model " + shell_quote(default_model_dir().string()) + " --requests " +
                                                  shell_quote((dir / "requests.json").string()) + " --out " +
                                                  shell_quote((dir / "reference.json").string()));
  nlohmann::json reference = nlohmann::json::parse(read_file(dir / "reference.json"));
  for (size_t i = 0; i < 3; ++i) {
    INFO("request " << i);
    CHECK(results[i].text == reference[i]["text"].get<std::string>());
    CHECK(results[i].n_tokens == reference[i]["n_tokens"].get<int>());
    CHECK(results[i].finish_reason == (reference[i]["ended_with_eos"].get<bool>() ? "eos" : "length"));
  }
  // A stop string cuts the text before it.
  CHECK(results[3].finish_reason == "stop");
  CHECK(results[3].text.find(',') == std::string::npos);
  // The same request alone (batch of one) gives the same greedy text.
  auto single = smollm2(1)->generate(std::vector<GenerateRequest>{requests[1]});
  CHECK(single[0].text == results[1].text);
}
