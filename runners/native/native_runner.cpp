#include "runners/native/native_runner.h"

#include <torch/version.h>

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <nlohmann/json.hpp>

#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "runners/native/checkpoint/model_config.h"
#include "runners/native/greedy_generator.h"
#include "runners/native/host_allocator.h"
#include "runners/native/loglikelihood_scorer.h"
#include "runners/native/tokenizer/request_tokenization.h"
#include "runners/native/torch_weights.h"

namespace dokpa {

namespace {

at::Device pick_device(const std::string& device, const std::string& checkpoint) {
  if (device == "auto") return at::hasCUDA() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  if (device == "cpu") return at::Device(at::kCPU);
  if (device.rfind("cuda", 0) == 0) {
    if (!at::hasCUDA()) throw Error(checkpoint, "device '" + device + "' requested but no CUDA device is present");
    return at::Device(device);
  }
  throw Error(checkpoint, "unknown device '" + device + "' (expected auto, cpu, cuda or cuda:N)");
}

at::ScalarType pick_dtype(const std::string& dtype, const std::string& checkpoint) {
  if (dtype == "float32") return at::kFloat;
  if (dtype == "bfloat16") return at::kBFloat16;
  if (dtype == "float16") return at::kHalf;
  throw Error(checkpoint, "unknown dtype '" + dtype + "' (expected float32, bfloat16 or float16)");
}

// End-of-sequence ids for generation: config.json's, plus generation_config.json's where the
// checkpoint has one (instruct models often list their end-of-turn token only there).
std::vector<int32_t> generation_eos_ids(const std::string& checkpoint, const ModelConfig& config) {
  std::set<int64_t> ids(config.eos_token_ids.begin(), config.eos_token_ids.end());
  std::filesystem::path file = std::filesystem::path(checkpoint) / "generation_config.json";
  if (std::filesystem::exists(file)) {
    nlohmann::json generation = nlohmann::json::parse(read_file(file), nullptr, /*allow_exceptions=*/false);
    if (generation.is_discarded()) throw Error(file.string(), "not valid JSON");
    const nlohmann::json& eos = generation.value("eos_token_id", nlohmann::json());
    if (eos.is_number_integer()) ids.insert(eos.get<int64_t>());
    for (const nlohmann::json& id : eos.is_array() ? eos : nlohmann::json::array())
      if (id.is_number_integer()) ids.insert(id.get<int64_t>());
  }
  return std::vector<int32_t>(ids.begin(), ids.end());
}

class NativeRunner final : public Runner {
 public:
  explicit NativeRunner(const RunnerOptions& options) : options_(options) {
    if (options.threads > 0) at::set_num_threads(options.threads);
    keep_freed_host_memory();
    device_ = pick_device(options.device, options.checkpoint);
    dtype_ = pick_dtype(options.dtype, options.checkpoint);
    std::error_code error;
    if (!std::filesystem::is_directory(options.checkpoint, error))
      throw Error(options.checkpoint, "checkpoint folder not found");
    loaded_ = load_llama_checkpoint(options.checkpoint, device_, dtype_);
    tokenizer_ = load_checkpoint_tokenizer(options.checkpoint);
    const ModelConfig& config = loaded_.config;
    check_tokenizer_fits(config);
    rules_.max_length = options.max_length > 0 ? options.max_length : config.max_position_embeddings;
    // lm-eval's prefix token for an empty context: BOS, else EOS.
    int64_t prefix = config.bos_token_id.value_or(config.eos_token_ids.empty() ? -1 : config.eos_token_ids.front());
    rules_.prefix_token_id = static_cast<int32_t>(prefix);
    if (prefix >= config.vocab_size) {
      throw Error((std::filesystem::path(options.checkpoint) / "config.json").string(),
                  (config.bos_token_id ? "bos_token_id " : "eos_token_id ") + std::to_string(prefix) +
                      ", the token before an empty context, is outside the vocabulary (vocab_size " +
                      std::to_string(config.vocab_size) + ")");
    }
    eos_ids_ = generation_eos_ids(options.checkpoint, config);
    rules_.add_special_tokens = false;
  }

  using Runner::generate;
  using Runner::loglikelihood;

  // The native runner computes a call's results together, so it does not use the sink: the
  // harness stores them when the call returns.
  std::vector<LoglikelihoodResult> loglikelihood(std::span<const LoglikelihoodRequest> requests,
                                                 const ResultSink<LoglikelihoodResult>& /*sink*/) override {
    return translate_torch_errors([&] {
      std::vector<TokenizedContinuation> tokenized;
      tokenized.reserve(requests.size());
      for (const LoglikelihoodRequest& r : requests)
        tokenized.push_back(tokenize_loglikelihood(*tokenizer_, r.context, r.continuation, rules_));
      return score_continuations(*loaded_.model, tokenized, ScoringOptions{options_.batch_size});
    });
  }

  std::vector<GenerateResult> generate(std::span<const GenerateRequest> requests,
                                       const ResultSink<GenerateResult>& /*sink*/) override {
    for (const GenerateRequest& r : requests)
      for (const RequestMessage& m : r.messages)
        if (!m.images.empty()) throw Error(options_.checkpoint, "the native runner is text-only: a prompt has images");
    return translate_torch_errors([&] {
      GenerationOptions generation{options_.batch_size, rules_.max_length, eos_ids_, rules_.prefix_token_id};
      return generate_greedy(*loaded_.model, *tokenizer_, std::vector<GenerateRequest>(requests.begin(), requests.end()),
                             generation);
    });
  }

  RunnerInfo info() const override {
    RunnerInfo info;
    info.runner = "native";
    info.architecture = loaded_.config.architecture;
    info.parameters = loaded_.parameters;
    info.dtype = options_.dtype;
    info.device = device_.str();
    info.tokenizer = tokenizer_->describe();
    info.versions["libtorch"] = TORCH_VERSION;
    info.versions["cuda_available"] = at::hasCUDA() ? "yes" : "no";
    info.settings["dtype"] = options_.dtype;
    info.settings["device"] = device_.str();
    info.settings["batch_size"] = std::to_string(options_.batch_size);
    info.settings["threads"] = std::to_string(at::get_num_threads());
    info.settings["max_length"] = std::to_string(rules_.max_length);
    info.settings["prefix_token_id"] = std::to_string(rules_.prefix_token_id);
    info.settings["add_special_tokens"] = rules_.add_special_tokens ? "true" : "false";
    std::string eos;
    for (int32_t id : eos_ids_) {
      if (!eos.empty()) eos += ',';
      eos += std::to_string(id);
    }
    info.settings["eos_token_ids"] = eos;
    return info;
  }

 private:
  // Every id the tokenizer can produce must index the embedding: beyond it a CPU lookup fails
  // mid-run and a CUDA one kills the process with a device-side assert.
  void check_tokenizer_fits(const ModelConfig& config) const {
    if (tokenizer_->vocab_size() <= config.vocab_size) return;
    std::filesystem::path dir(options_.checkpoint);
    std::filesystem::path file =
        std::filesystem::exists(dir / "tokenizer.json") ? dir / "tokenizer.json" : dir / "tokenizer.model";
    throw Error(file.string(), "has token ids up to " + std::to_string(tokenizer_->vocab_size() - 1) +
                                   " but config.json's vocab_size is " + std::to_string(config.vocab_size) +
                                   " (the model has no embedding for the ids from " +
                                   std::to_string(config.vocab_size) + " on)");
  }

  // libtorch errors become dokpa errors naming the checkpoint (DESIGN.md: translated at the runner boundary).
  template <typename F>
  auto translate_torch_errors(F&& work) -> decltype(work()) {
    try {
      return work();
    } catch (const c10::Error& e) {
      throw Error(options_.checkpoint, std::string("libtorch: ") + e.what_without_backtrace());
    }
  }

  RunnerOptions options_;
  at::Device device_ = at::Device(at::kCPU);
  at::ScalarType dtype_ = at::kFloat;
  LoadedLlama loaded_;
  std::unique_ptr<Tokenizer> tokenizer_;
  TokenizationRules rules_;
  std::vector<int32_t> eos_ids_;
};

}  // namespace

std::unique_ptr<Runner> open_native_runner(const RunnerOptions& options) {
  try {
    return std::make_unique<NativeRunner>(options);
  } catch (const c10::Error& e) {
    throw Error(options.checkpoint, std::string("libtorch: ") + e.what_without_backtrace());
  }
}

}  // namespace dokpa
