// Logits parity of the native decoder with transformers (fp32, CPU): max |Δ| / max |ref| ≤ 1e-4,
// for tiny random llama configs built by transformers and for the SmolLM2 default model.
#include "tests/runners/native/native_test_support.h"  // first: see its note on CHECK

#include "runners/native/loglikelihood_scorer.h"
#include "runners/native/torch_weights.h"

using namespace dokpa;
using namespace dokpa::test;

namespace {

constexpr double kTolerance = 1e-4;

std::filesystem::path checkpoint_of(const std::string& variant) {
  std::filesystem::path folder = reference_dir() / "native" / variant;
  if (variant == "smollm2") return read_file(folder / "checkpoint.txt");
  return folder;
}

std::vector<int32_t> to_ids(const at::Tensor& ids) {
  std::vector<int32_t> out;
  for (int64_t i = 0; i < ids.size(0); ++i) out.push_back(static_cast<int32_t>(ids[i].item<int64_t>()));
  return out;
}

// Each reference sequence alone, and all of them right-padded into one batch.
void check_variant(const std::string& variant) {
  std::filesystem::path folder = reference_dir() / "native" / variant;
  SafetensorsFile reference = SafetensorsFile::open(folder / "reference.safetensors");
  LoadedLlama loaded = load_llama_checkpoint(checkpoint_of(variant), at::Device(at::kCPU), at::kFloat);
  c10::InferenceMode inference_mode;

  std::vector<std::vector<int32_t>> rows;
  std::vector<at::Tensor> expected;
  for (int j = 0; reference.find("ids_" + std::to_string(j)); ++j) {
    rows.push_back(to_ids(reference_tensor(reference, "ids_" + std::to_string(j))));
    expected.push_back(reference_tensor(reference, "logits_" + std::to_string(j)));
  }
  REQUIRE(rows.size() >= 3);

  double worst_alone = 0, worst_batched = 0;
  for (size_t j = 0; j < rows.size(); ++j) {
    PaddedChunk chunk = pad_right({rows[j]}, {0}, at::Device(at::kCPU));
    KVCache cache;
    at::Tensor logits = loaded.model->logits(loaded.model->forward(chunk.ids, chunk.positions, chunk.valid, cache))[0];
    worst_alone = std::max(worst_alone, relative_max_error(logits, expected[j]));
  }
  PaddedChunk batch = pad_right(rows, std::vector<int64_t>(rows.size(), 0), at::Device(at::kCPU));
  KVCache cache;
  at::Tensor logits = loaded.model->logits(loaded.model->forward(batch.ids, batch.positions, batch.valid, cache));
  for (size_t j = 0; j < rows.size(); ++j) {
    at::Tensor row = logits[static_cast<int64_t>(j)].narrow(0, 0, static_cast<int64_t>(rows[j].size()));
    worst_batched = std::max(worst_batched, relative_max_error(row, expected[j]));
  }
  WARN(variant << ": max|Δ|/max|ref| alone " << worst_alone << ", right-padded batch " << worst_batched);
  CHECK(worst_alone <= kTolerance);
  CHECK(worst_batched <= kTolerance);
}

}  // namespace

TEST_CASE("llama parity: grouped-query attention, tied embeddings", "[native][parity]") { check_variant("gqa_tied"); }
TEST_CASE("llama parity: llama3 rope scaling, untied head, multi-query", "[native][parity]") {
  check_variant("llama3_rope_untied");
}
TEST_CASE("llama parity: head_dim differs from hidden/heads, biases", "[native][parity]") {
  check_variant("head_dim_bias");
}
TEST_CASE("llama parity: linear rope in the rope_parameters config form", "[native][parity]") {
  check_variant("linear_rope_parameters");
}
TEST_CASE("llama parity: SmolLM2-135M-Instruct default model", "[native][parity][smollm2]") {
  check_variant("smollm2");
}

TEST_CASE("KV cache: decoding a sequence in chunks gives the one-pass logits", "[native]") {
  std::filesystem::path folder = reference_dir() / "native" / "gqa_tied";
  SafetensorsFile reference = SafetensorsFile::open(folder / "reference.safetensors");
  LoadedLlama loaded = load_llama_checkpoint(folder, at::Device(at::kCPU), at::kFloat);
  c10::InferenceMode inference_mode;
  std::vector<int32_t> ids = to_ids(reference_tensor(reference, "ids_1"));  // 40 tokens
  at::Tensor expected = reference_tensor(reference, "logits_1");
  KVCache cache;
  std::vector<at::Tensor> pieces;
  for (size_t begin = 0; begin < ids.size(); begin += 13) {
    size_t end = std::min(ids.size(), begin + 13);
    std::vector<int32_t> part(ids.begin() + static_cast<std::ptrdiff_t>(begin), ids.begin() + static_cast<std::ptrdiff_t>(end));
    PaddedChunk chunk = pad_right({part}, {static_cast<int64_t>(begin)}, at::Device(at::kCPU));
    pieces.push_back(loaded.model->logits(loaded.model->forward(chunk.ids, chunk.positions, chunk.valid, cache))[0]);
  }
  CHECK(relative_max_error(at::cat(pieces), expected) <= kTolerance);
}

TEST_CASE("bfloat16 on CPU stays close to the fp32 reference", "[native][bf16]") {
  std::filesystem::path folder = reference_dir() / "native" / "smollm2";
  SafetensorsFile reference = SafetensorsFile::open(folder / "reference.safetensors");
  LoadedLlama loaded = load_llama_checkpoint(checkpoint_of("smollm2"), at::Device(at::kCPU), at::kBFloat16);
  c10::InferenceMode inference_mode;
  std::vector<int32_t> ids = to_ids(reference_tensor(reference, "ids_0"));
  at::Tensor expected = reference_tensor(reference, "logits_0");
  PaddedChunk chunk = pad_right({ids}, {0}, at::Device(at::kCPU));
  KVCache cache;
  at::Tensor logits = loaded.model->logits(loaded.model->forward(chunk.ids, chunk.positions, chunk.valid, cache))[0];
  double error = relative_max_error(logits, expected);
  double agree = logits.argmax(-1).eq(expected.argmax(-1)).to(at::kDouble).mean().item<double>();
  WARN("bf16 vs fp32 reference: max|Δ|/max|ref| " << error << ", top-1 agreement " << agree);
  CHECK(error < 0.25);  // bf16 keeps ~3 significant digits over 30 layers; this bounds gross errors only
  CHECK(agree >= 0.8);
}
