// Parity of the native decoder with transformers 4.57.6 (fp32, CPU) for qwen2, qwen3, mistral,
// exaone4, yarn RoPE, qwen3_moe and mixtral, on tiny random checkpoints that
// tests/reference/architecture_reference.py writes. Per family:
//   logits         max |Δ| / max |ref| ≤ 1e-4, each sequence alone and all right-padded in one batch;
//   KV cache       a prefix pass then the rest on top of the cache gives the same logits, also in a
//                  batch whose rows have different prefix lengths (padding inside the cache, so key
//                  columns and positions differ: the sliding window must use positions);
//   generation     32 greedy tokens, decoded one at a time through the cache, identical to
//                  model.generate(do_sample=False), each prompt alone and both in one padded batch.
#include "tests/runners/native/native_test_support.h"  // first: see its note on CHECK

#include "runners/native/loglikelihood_scorer.h"
#include "runners/native/torch_weights.h"
#include "tests/runners/native/checkpoint/checkpoint_test_support.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

constexpr double kTolerance = 1e-4;
const at::Device kCpu(at::kCPU);

std::filesystem::path variant_dir(const std::string& variant) {
  return reference_output("architecture_reference.py", "architectures", "complete") / variant;
}

std::vector<int32_t> to_ids(const at::Tensor& ids) {
  std::vector<int32_t> out;
  for (int64_t i = 0; i < ids.size(0); ++i) out.push_back(static_cast<int32_t>(ids[i].item<int64_t>()));
  return out;
}

std::vector<int32_t> slice(const std::vector<int32_t>& ids, size_t begin, size_t end) {
  return {ids.begin() + static_cast<std::ptrdiff_t>(begin), ids.begin() + static_cast<std::ptrdiff_t>(end)};
}

// logits (B, T, V) of one chunk appended to `cache`; row b starts at position start[b].
at::Tensor chunk_logits(const LlamaModel& model, const std::vector<std::vector<int32_t>>& rows,
                        const std::vector<int64_t>& start, KVCache& cache) {
  PaddedChunk chunk = pad_right(rows, start, kCpu);
  return model.logits(model.forward(chunk.ids, chunk.positions, chunk.valid, cache));
}

struct Variant {
  LoadedLlama loaded;
  std::vector<std::vector<int32_t>> sequences;
  std::vector<at::Tensor> expected;  // (T, V) per sequence
  std::vector<std::vector<int32_t>> prompts;
  std::vector<std::vector<int32_t>> generated;  // 32 tokens per prompt
};

Variant load_variant(const std::string& name) {
  std::filesystem::path folder = variant_dir(name);
  SafetensorsFile reference = SafetensorsFile::open(folder / "reference.safetensors");
  Variant v;
  v.loaded = load_llama_checkpoint(folder, kCpu, at::kFloat);
  for (int j = 0; reference.find("ids_" + std::to_string(j)); ++j) {
    v.sequences.push_back(to_ids(reference_tensor(reference, "ids_" + std::to_string(j))));
    v.expected.push_back(reference_tensor(reference, "logits_" + std::to_string(j)));
  }
  for (int j = 0; reference.find("gen_prompt_" + std::to_string(j)); ++j) {
    v.prompts.push_back(to_ids(reference_tensor(reference, "gen_prompt_" + std::to_string(j))));
    v.generated.push_back(to_ids(reference_tensor(reference, "gen_tokens_" + std::to_string(j))));
  }
  REQUIRE(v.sequences.size() == 4);
  REQUIRE(v.sequences[1].size() == 40);
  REQUIRE(v.prompts.size() == 2);
  return v;
}

// Each sequence alone, then all of them right-padded into one batch. Returns the worst error.
double check_logits(const Variant& v) {
  const LlamaModel& model = *v.loaded.model;
  double worst = 0;
  for (size_t j = 0; j < v.sequences.size(); ++j) {
    KVCache cache;
    worst = std::max(worst, relative_max_error(chunk_logits(model, {v.sequences[j]}, {0}, cache)[0], v.expected[j]));
  }
  KVCache cache;
  at::Tensor batch = chunk_logits(model, v.sequences, std::vector<int64_t>(v.sequences.size(), 0), cache);
  for (size_t j = 0; j < v.sequences.size(); ++j) {
    at::Tensor row = batch[static_cast<int64_t>(j)].narrow(0, 0, static_cast<int64_t>(v.sequences[j].size()));
    worst = std::max(worst, relative_max_error(row, v.expected[j]));
  }
  return worst;
}

// Prefix then the rest through the cache, for sequence 1 (40 tokens) alone and for sequences 1
// and 3 in one batch with prefixes of 13 and 5 tokens (row 1's cache then has 8 padding columns).
double check_two_chunks(const Variant& v) {
  const LlamaModel& model = *v.loaded.model;
  const std::vector<int32_t>& a = v.sequences[1];
  const std::vector<int32_t>& b = v.sequences[3];
  double worst = 0;

  KVCache cache;
  at::Tensor first = chunk_logits(model, {slice(a, 0, 13)}, {0}, cache)[0];
  at::Tensor rest = chunk_logits(model, {slice(a, 13, a.size())}, {13}, cache)[0];
  KVCache one_pass_cache;
  at::Tensor one_pass = chunk_logits(model, {a}, {0}, one_pass_cache)[0];
  CHECK(relative_max_error(at::cat({first, rest}), one_pass) <= 1e-5);
  worst = std::max(worst, relative_max_error(at::cat({first, rest}), v.expected[1]));

  KVCache batch_cache;
  at::Tensor prefixes = chunk_logits(model, {slice(a, 0, 13), slice(b, 0, 5)}, {0, 0}, batch_cache);
  at::Tensor rests = chunk_logits(model, {slice(a, 13, a.size()), slice(b, 5, b.size())}, {13, 5}, batch_cache);
  at::Tensor row_a = at::cat({prefixes[0].narrow(0, 0, 13), rests[0].narrow(0, 0, 27)});
  at::Tensor row_b = at::cat({prefixes[1].narrow(0, 0, 5), rests[1].narrow(0, 0, 18)});
  worst = std::max(worst, relative_max_error(row_a, v.expected[1]));
  worst = std::max(worst, relative_max_error(row_b, v.expected[3]));
  return worst;
}

// Greedy decoding of every prompt in `rows`, together, one token per step through the cache.
std::vector<std::vector<int32_t>> greedy(const LlamaModel& model, const std::vector<std::vector<int32_t>>& rows,
                                         size_t new_tokens) {
  KVCache cache;
  at::Tensor logits = chunk_logits(model, rows, std::vector<int64_t>(rows.size(), 0), cache);  // (B, P, V)
  std::vector<std::vector<int32_t>> out(rows.size());
  std::vector<int64_t> length;
  for (const auto& row : rows) length.push_back(static_cast<int64_t>(row.size()));
  std::vector<std::vector<int32_t>> next(rows.size());
  for (size_t b = 0; b < rows.size(); ++b)
    next[b] = {static_cast<int32_t>(logits[static_cast<int64_t>(b)][length[b] - 1].argmax().item<int64_t>())};
  for (size_t step = 0; step < new_tokens; ++step) {
    for (size_t b = 0; b < rows.size(); ++b) out[b].push_back(next[b][0]);
    if (step + 1 == new_tokens) break;
    logits = chunk_logits(model, next, length, cache);  // (B, 1, V)
    for (size_t b = 0; b < rows.size(); ++b) {
      ++length[b];
      next[b] = {static_cast<int32_t>(logits[static_cast<int64_t>(b)][0].argmax().item<int64_t>())};
    }
  }
  return out;
}

void check_generation(const Variant& v) {
  const LlamaModel& model = *v.loaded.model;
  for (size_t j = 0; j < v.prompts.size(); ++j) {
    INFO("prompt " << j << " alone");
    CHECK(greedy(model, {v.prompts[j]}, 32)[0] == v.generated[j]);
  }
  std::vector<std::vector<int32_t>> together = greedy(model, v.prompts, 32);
  for (size_t j = 0; j < v.prompts.size(); ++j) {
    INFO("prompt " << j << " in a padded batch");
    CHECK(together[j] == v.generated[j]);
  }
}

void check_variant(const std::string& name) {
  Variant v = load_variant(name);
  c10::InferenceMode inference_mode;
  double logits_error = check_logits(v);
  double chunk_error = check_two_chunks(v);
  WARN(name << ": max|Δ|/max|ref| " << logits_error << " (alone and batched), " << chunk_error
            << " (two chunks through the KV cache)");
  CHECK(logits_error <= kTolerance);
  CHECK(chunk_error <= kTolerance);
  check_generation(v);
}

}  // namespace

TEST_CASE("qwen2 parity: q/k/v biases, tied embeddings", "[native][parity][architectures]") { check_variant("qwen2"); }
TEST_CASE("qwen2 parity: use_sliding_window from max_window_layers", "[native][parity][architectures]") {
  check_variant("qwen2_sliding");
}
TEST_CASE("qwen3 parity: q/k norms, head_dim independent of hidden size, attention bias",
          "[native][parity][architectures]") {
  check_variant("qwen3");
}
TEST_CASE("mistral parity: sliding window of 8 on 40-token sequences", "[native][parity][architectures]") {
  check_variant("mistral_sliding");
}
TEST_CASE("exaone4 parity: post-block norms, hybrid sliding and global layers, global layers without RoPE",
          "[native][parity][architectures]") {
  check_variant("exaone4_hybrid");
}
TEST_CASE("yarn rope parity (qwen3)", "[native][parity][architectures]") { check_variant("qwen3_yarn"); }
TEST_CASE("qwen3_moe parity: top-2 of 8 experts, not renormalised, one dense layer",
          "[native][parity][architectures]") {
  check_variant("qwen3_moe");
}
TEST_CASE("mixtral parity: top-2 of 4 experts, renormalised", "[native][parity][architectures]") {
  check_variant("mixtral");
}

TEST_CASE("a cache without key positions takes each real key's rank as its position", "[native][architectures]") {
  // kv_cache_ops reshapes caches without carrying key_positions; the sliding window must still hold.
  Variant v = load_variant("mistral_sliding");
  c10::InferenceMode inference_mode;
  const LlamaModel& model = *v.loaded.model;
  const std::vector<int32_t>& a = v.sequences[1];
  KVCache cache;
  at::Tensor first = chunk_logits(model, {slice(a, 0, 20)}, {0}, cache)[0];
  cache.key_positions = at::Tensor();
  at::Tensor rest = chunk_logits(model, {slice(a, 20, a.size())}, {20}, cache)[0];
  CHECK(relative_max_error(at::cat({first, rest}), v.expected[1]) <= kTolerance);
  REQUIRE(cache.key_positions.defined());
  CHECK(cache.key_positions[0].equal(at::arange(40, at::kLong)));
}
