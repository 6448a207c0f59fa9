#pragma once
// The one seam every model backend plugs into (DESIGN.md, "The runner interface").
// The harness sees only this header and open_runner(); concrete runners stay private.
//
// Contract: requests arrive in plan order; a runner may reorder and batch them internally
// for speed, but returns results in request order, and no scheduling decision (batch size,
// which requests share a batch) may change a result beyond a documented, tested tolerance.
#include <cstdint>
#include <functional>
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

// How one result was obtained, for the store's timing columns (not part of the audited result).
struct ResultTiming {
  int attempts = 1;  // tries it took: an HTTP runner retries on 429, 5xx and broken connections
  double latency_ms = 0.0;  // this request's own time; 0: the runner only knows its batch's time
};

struct LoglikelihoodResult {
  double logprob = 0.0;  // sum of continuation token log-probabilities
  bool is_greedy = false;  // every continuation token was the argmax
  int n_tokens = 0;  // continuation tokens scored
  ResultTiming timing;
};

// One chat message of a chat-format prompt, kept beside its rendered text so that a server's
// chat endpoint can be given the messages themselves.
// An image shown with a chat message (the vision suites); servers get it as an image_url data URL.
struct RequestImage {
  std::string mime;  // image/png, image/jpeg, ...
  std::string bytes;  // the encoded file
};

struct RequestMessage {
  std::string role;  // system | user | assistant
  std::string content;
  std::vector<RequestImage> images;  // after the text; none for text-only prompts
};

struct GenerateRequest {
  std::string prompt;  // already rendered (chat templates are applied by the harness)
  std::vector<std::string> stop;  // output is cut before the first occurrence of any
  int max_tokens = 256;
  std::vector<RequestMessage> messages;  // the messages `prompt` was rendered from; empty for raw prompts
};

struct GenerateResult {
  std::string text;
  int n_tokens = 0;  // tokens generated (before cutting at a stop string)
  std::string finish_reason;  // "stop" (stop string), "eos" (end-of-sequence token), "length"
  ResultTiming timing;
};

// Receives results while a runner call is still working, so the caller can store each one as it
// arrives: `indices` into the call's requests, with their results. Called on the caller's
// thread, at most once per request; the call's return value still holds every result.
template <typename Result>
using ResultSink = std::function<void(std::span<const size_t> indices, std::span<const Result> results)>;

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

// The `openai` runner: an OpenAI-compatible server (vLLM, SGLang, llama.cpp), see docs/serving.md.
struct OpenAIOptions {
  std::string base_url;  // e.g. http://10.0.0.5:8000/v1
  std::string served_model;  // the `model` field of every request; empty: the server's only model
  std::string api_key_env;  // name of the environment variable holding the key; empty: no key
  std::string generation_endpoint = "completions";  // completions | chat
  std::string prompt_tokens = "auto";  // auto | ids | text: how log-likelihood prompts are sent
  int max_in_flight = 32;  // requests in flight at once
  double request_timeout_s = 600;  // per request, each try
  int max_retries = 6;  // after the first try, on 429, 5xx, timeouts and connection errors
  double initial_backoff_s = 0.5;  // doubled per retry (capped at max_backoff_s), with jitter
  double max_backoff_s = 30;
  uint64_t seed = 1234;  // sent with generation requests
};

struct RunnerOptions {
  std::string kind = "native";
  std::string checkpoint;  // folder in Hugging Face layout (native); tokenizer files (openai, optional)
  std::string dtype = "float32";  // float32 | bfloat16 | float16
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  int batch_size = 8;
  int threads = 0;  // 0: the library default
  int max_length = 0;  // context window (left-truncated beyond); 0: the model's max_position_embeddings, as lm-eval
  OpenAIOptions openai;  // kind == "openai"
};

class Runner {
 public:
  virtual ~Runner() = default;
  // `sink` (may be empty) is told of results as they arrive; see ResultSink.
  virtual std::vector<LoglikelihoodResult> loglikelihood(std::span<const LoglikelihoodRequest> requests,
                                                         const ResultSink<LoglikelihoodResult>& sink) = 0;
  virtual std::vector<GenerateResult> generate(std::span<const GenerateRequest> requests,
                                               const ResultSink<GenerateResult>& sink) = 0;
  virtual RunnerInfo info() const = 0;
  // Items the harness should hand over per call: enough to keep the runner busy (a batch for
  // the native runner, the requests in flight for a server).
  virtual int preferred_chunk_items() const { return 8; }
  // One line on the runner's own progress (requests in flight, retries), or empty.
  virtual std::string status_line() const { return {}; }

  std::vector<LoglikelihoodResult> loglikelihood(std::span<const LoglikelihoodRequest> requests) {
    return loglikelihood(requests, {});
  }
  std::vector<GenerateResult> generate(std::span<const GenerateRequest> requests) { return generate(requests, {}); }
};

// Opens the runner named by options.kind; throws dokpa::Error naming the checkpoint on failure.
std::unique_ptr<Runner> open_runner(const RunnerOptions& options);

// The checkpoint families the runner `kind` can load, as config.json model_type with the
// architecture class, e.g. "qwen3 (Qwen3ForCausalLM)", in a fixed order.
std::vector<std::string> supported_models(const std::string& kind = "native");

}  // namespace dokpa
