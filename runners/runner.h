#pragma once
// The one seam every model backend plugs into (DESIGN.md, "The runner interface").
// The harness sees only this header and open_runner(); concrete runners stay private.
//
// Contract: requests arrive in plan order; a runner may reorder and batch them internally
// for speed, but returns results in request order, and no scheduling decision (batch size,
// which requests share a batch) may change a result beyond a documented, tested tolerance.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dokpa {

// Scores `continuation` given `context`, the way lm-evaluation-harness does: trailing
// whitespace of the context moves to the front of the continuation, then the pair is
// tokenised as a whole and the continuation is what follows the context's tokens.
struct LoglikelihoodRequest {
  std::string context;
  std::string continuation;
};

struct LoglikelihoodResult {
  double logprob = 0.0;  // sum of continuation token log-probabilities
  bool is_greedy = false;  // every continuation token was the argmax
  int n_tokens = 0;  // continuation tokens scored
};

struct GenerateRequest {
  std::string prompt;  // already rendered (chat templates are applied by the harness or runner)
  std::vector<std::string> stop;  // output is cut before the first occurrence of any
  int max_tokens = 256;
};

struct GenerateResult {
  std::string text;
  int n_tokens = 0;  // tokens generated (before cutting at a stop string)
  std::string finish_reason;  // "stop" (stop string), "eos" (end-of-sequence token), "length"
};

// What a runner reports about itself; stored as provenance with every run.
struct RunnerInfo {
  std::string runner;  // "native", "openai", ...
  std::string architecture;  // e.g. "LlamaForCausalLM"
  int64_t parameters = 0;
  std::string dtype;
  std::string device;
  std::string tokenizer;  // kind and file
  std::map<std::string, std::string> versions;  // libtorch, CUDA, ...
  std::map<std::string, std::string> settings;  // every setting that can change a result
};

struct RunnerOptions {
  std::string kind = "native";
  std::string checkpoint;  // folder in Hugging Face layout (native)
  std::string dtype = "float32";  // float32 | bfloat16 | float16
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  int batch_size = 8;
  int threads = 0;  // 0: the library default
  int max_length = 0;  // context window (left-truncated beyond); 0: the model's max_position_embeddings, as lm-eval
};

class Runner {
 public:
  virtual ~Runner() = default;
  virtual std::vector<LoglikelihoodResult> loglikelihood(std::span<const LoglikelihoodRequest> requests) = 0;
  virtual std::vector<GenerateResult> generate(std::span<const GenerateRequest> requests) = 0;
  virtual RunnerInfo info() const = 0;
};

// Opens the runner named by options.kind; throws dokpa::Error naming the checkpoint on failure.
std::unique_ptr<Runner> open_runner(const RunnerOptions& options);

// The checkpoint families the runner `kind` can load, as config.json model_type with the
// architecture class, e.g. "qwen3 (Qwen3ForCausalLM)", in a fixed order.
std::vector<std::string> supported_models(const std::string& kind = "native");

}  // namespace dokpa
