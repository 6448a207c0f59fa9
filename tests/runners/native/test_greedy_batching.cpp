// Continuous batching of greedy generation: the same outputs whatever the batch size (slots are
// refilled as sequences finish, so batch size changes which sequences share a step), stop strings
// found incrementally, and the KV-cache row/column helpers it relies on.
#include "tests/runners/native/native_test_support.h"

#include "runners/native/kv_cache_ops.h"
#include "runners/runner.h"
#include "tests/runners/native/smollm2_runner.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

// Prompts of varied lengths and budgets, so sequences finish at different steps and refills
// happen mid-batch; some end by a stop string, some by EOS, some by budget.
std::vector<GenerateRequest> mixed_prompts() {
  return {
      {"<|im_start|>user\nSay hello.<|im_end|>\n<|im_start|>assistant\n", {}, 16, {}},
      {"대한민국의 수도는", {}, 12, {}},
      {"def fibonacci(n):\n", {}, 20, {}},
      {"Count: 1, 2, 3, 4,", {","}, 16, {}},
      {"The capital of France is", {"."}, 18, {}},
      {"", {}, 5, {}},
      {"<|im_start|>user\n한국의 전통 음식을 하나 소개해 주세요.<|im_end|>\n<|im_start|>assistant\n", {"\n\n"}, 16, {}},
      {"Question: What is 12 times 12?\nAnswer:", {"\n"}, 10, {}},
      {"Once upon a time, in a small village by the sea, there lived an old fisherman who", {}, 16, {}},
      {"1. apples\n2. pears\n3.", {"5."}, 16, {}},
      {"import numpy as np\n", {}, 3, {}},
  };
}

}  // namespace

TEST_CASE("greedy generation is the same for batch sizes 1, 3 and 8", "[native][smollm2][greedy][determinism]") {
  std::vector<GenerateRequest> requests = mixed_prompts();
  std::vector<GenerateResult> one = smollm2(1)->generate(requests);
  for (int batch_size : {3, 8}) {
    std::vector<GenerateResult> other = smollm2(batch_size)->generate(requests);
    REQUIRE(other.size() == requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      INFO("batch size " << batch_size << ", request " << i << ": " << requests[i].prompt);
      CHECK(other[i].text == one[i].text);
      CHECK(other[i].n_tokens == one[i].n_tokens);
      CHECK(other[i].finish_reason == one[i].finish_reason);
    }
  }
  // The mix really exercises every way of finishing.
  int stops = 0, lengths = 0;
  for (const GenerateResult& r : one) {
    stops += r.finish_reason == "stop";
    lengths += r.finish_reason == "length";
  }
  CHECK(stops >= 2);
  CHECK(lengths >= 2);
}

TEST_CASE("greedy generation finds stop strings that span tokens, as a full decode would", "[native][smollm2][greedy]") {
  auto runner = smollm2(3);
  // Without stops first; then each stop is a piece of that text that spans several tokens
  // (Korean syllables are split across byte-level tokens).
  std::vector<GenerateRequest> plain = {{"Count: 1, 2, 3, 4,", {}, 16, {}},
                                        {"대한민국의 수도는", {}, 12, {}},
                                        {"def fibonacci(n):\n", {}, 20, {}}};
  std::vector<GenerateResult> full = runner->generate(plain);
  std::vector<GenerateRequest> stopped = plain;
  for (size_t i = 0; i < plain.size(); ++i) {
    const std::string& text = full[i].text;
    REQUIRE(text.size() > 8);
    // a stop of 5 bytes starting about mid-text, moved back to a UTF-8 character boundary
    size_t at = text.size() / 2;
    while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
    size_t end = std::min(text.size(), at + 5);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    stopped[i].stop = {"<never>", text.substr(at, end - at)};
  }
  std::vector<GenerateResult> cut = runner->generate(stopped);
  for (size_t i = 0; i < plain.size(); ++i) {
    INFO("request " << i << ", stop '" << stopped[i].stop[1] << "' in '" << full[i].text << "'");
    CHECK(cut[i].finish_reason == "stop");
    CHECK(cut[i].text == full[i].text.substr(0, full[i].text.find(stopped[i].stop[1])));
    CHECK(cut[i].n_tokens <= full[i].n_tokens);
  }
}

TEST_CASE("KV cache rows join right-aligned and all-padding columns are compacted away", "[native][greedy][kv_cache]") {
  c10::InferenceMode inference_mode;
  // one layer, Hkv = 1, D = 1: a key's value names its row and column so moves are visible
  auto cache_of = [](std::vector<std::vector<float>> rows, std::vector<std::vector<bool>> valid) {
    KVCache cache;
    const int64_t B = static_cast<int64_t>(rows.size()), S = static_cast<int64_t>(rows[0].size());
    at::Tensor keys = at::zeros({B, 1, S, 1});
    at::Tensor ok = at::zeros({B, S}, at::kBool);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t s = 0; s < S; ++s) {
        keys[b][0][s][0] = rows[b][s];
        ok[b][s] = static_cast<bool>(valid[b][s]);
      }
    cache.keys = {keys};
    cache.values = {keys * 10};
    cache.key_valid = ok;
    return cache;
  };
  KVCache batch = cache_of({{0, 11, 12}}, {{false, true, true}});  // one row, real keys in its suffix
  KVCache fresh = cache_of({{21, 22, 23, 24}, {31, 0, 0, 0}}, {{true, true, true, true}, {true, false, false, false}});
  append_cache_rows(batch, fresh, {4, 1});
  REQUIRE(batch.length() == 4);
  at::Tensor expected_keys = at::tensor(std::vector<float>{0, 0, 11, 12, 21, 22, 23, 24, 0, 0, 0, 31}).view({3, 1, 4, 1});
  CHECK(at::equal(batch.keys[0], expected_keys));
  CHECK(at::equal(batch.values[0], expected_keys * 10));
  at::Tensor expected_valid =
      at::tensor(std::vector<int>{0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1}, at::kInt).to(at::kBool).view({3, 4});
  CHECK(at::equal(batch.key_valid, expected_valid));

  // The long row leaves: only the last two columns are still used by anyone.
  batch = keep_cache_rows(batch, {2, 0});
  compact_cache_columns(batch);
  REQUIRE(batch.length() == 2);
  CHECK(at::equal(batch.keys[0], at::tensor(std::vector<float>{0, 31, 11, 12}).view({2, 1, 2, 1})));
  CHECK(at::equal(batch.key_valid, at::tensor(std::vector<int>{0, 1, 1, 1}, at::kInt).to(at::kBool).view({2, 2})));
  CHECK(keep_cache_rows(batch, {}).length() == 0);
}
