#include "runners/openai/openai_runner.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "runners/native/tokenizer/request_tokenization.h"
#include "runners/native/tokenizer/tokenizer.h"
#include "runners/openai/completion_answer.h"
#include "runners/openai/http_pool.h"
#include "runners/openai/request_body.h"
#include "runners/openai/server_checks.h"

namespace dokpa {

namespace {

using nlohmann::json;
using openai::HttpAnswer;
using openai::HttpPool;

bool has_tokenizer(const std::string& folder) {
  if (folder.empty()) return false;
  std::filesystem::path dir(folder);
  return std::filesystem::exists(dir / "tokenizer.json") || std::filesystem::exists(dir / "tokenizer.model");
}

std::vector<std::string> auth_headers(const OpenAIOptions& options) {
  if (options.api_key_env.empty()) return {};
  const char* key = std::getenv(options.api_key_env.c_str());
  if (!key || !*key)
    throw Error("api_key_env", fmt::format("the environment variable {} (named by the submission) is not set",
                                           options.api_key_env));
  return {std::string("Authorization: Bearer ") + key};  // kept in memory only: never stored or logged
}

openai::RetryPolicy retry_policy(const OpenAIOptions& options) {
  return {options.request_timeout_s, options.max_retries, options.initial_backoff_s, options.max_backoff_s};
}

template <typename Result>
void deliver(const ResultSink<Result>& sink, std::vector<Result>& results, std::span<const size_t> indices,
             std::vector<Result> arrived) {
  for (size_t k = 0; k < indices.size(); ++k) results[indices[k]] = arrived[k];
  if (sink) sink(indices, arrived);
}

class OpenAIRunner final : public Runner {
 public:
  explicit OpenAIRunner(const RunnerOptions& options)
      : options_(options.openai),
        http_(options.openai.base_url, auth_headers(options.openai), options.openai.max_in_flight,
              retry_policy(options.openai)) {
    if (options_.base_url.empty()) throw Error("base_url", "the openai runner needs the server's base_url");
    model_ = openai::resolve_served_model(http_, options_.served_model);
    version_ = openai::server_version(http_);
    rules_.max_length = options.max_length > 0 ? options.max_length : std::numeric_limits<int32_t>::max() - 1;
    if (options_.prompt_tokens != "text" && has_tokenizer(options.checkpoint)) {
      tokenizer_ = load_checkpoint_tokenizer(options.checkpoint);
      rules_.prefix_token_id = prefix_token(options.checkpoint);
    }
    if (options_.prompt_tokens == "ids" && !tokenizer_)
      throw Error("prompt_tokens", "prompt_tokens: ids needs the model's tokenizer in the checkpoint folder '" +
                                       options.checkpoint + "'");
    // Both answers are part of what the run is (info().settings), so they are settled up front.
    logprob_check_ = openai::check_prompt_logprobs(http_, model_);
    use_ids_ = tokenizer_ && accepts_token_ids();
    http_.reset_counters();  // the probes' refusals (404 from /version, ...) are not the run's failures
  }

  using Runner::generate;
  using Runner::loglikelihood;

  std::vector<LoglikelihoodResult> loglikelihood(std::span<const LoglikelihoodRequest> requests,
                                                 const ResultSink<LoglikelihoodResult>& sink) override {
    require_prompt_logprobs();
    const std::string url = http_.base_url() + "/completions";
    std::vector<std::string> bodies;
    std::vector<std::pair<int64_t, int64_t>> spans;  // ids: (first, end) entries; text: code points
    for (const LoglikelihoodRequest& r : requests) {
      json prompt;
      if (use_ids_) {
        TokenizedContinuation t = tokenize_loglikelihood(*tokenizer_, r.context, r.continuation, rules_);
        std::vector<int32_t> ids = t.prefix;
        ids.insert(ids.end(), t.continuation.begin(), t.continuation.end());
        prompt = ids;
        spans.push_back({static_cast<int64_t>(t.prefix.size()), static_cast<int64_t>(ids.size())});
      } else {
        if (r.context.empty())
          throw Error(url, "an empty context needs token-id prompts (the model's tokenizer in the checkpoint folder)");
        prompt = r.context + r.continuation;
        // lm-eval moves the context's trailing whitespace into the continuation; so does the split.
        std::string_view stripped(r.context.data(), r.context.size() - trailing_whitespace_bytes(r.context));
        spans.push_back({openai::count_code_points(stripped),
                         openai::count_code_points(r.context) + openai::count_code_points(r.continuation)});
      }
      bodies.push_back(openai::loglikelihood_body(model_, prompt.dump()));
    }
    std::vector<LoglikelihoodResult> results(requests.size());
    http_.post_all("/completions", bodies, [&](std::span<const size_t> indices, std::span<HttpAnswer> answers) {
      std::vector<LoglikelihoodResult> arrived;
      for (size_t k = 0; k < indices.size(); ++k) {
        auto [a, b] = spans[indices[k]];
        openai::EchoedTokens tokens = openai::parse_echoed_tokens(answers[k].body, !use_ids_, url);
        auto [first, end] = use_ids_ ? std::pair<size_t, size_t>(a, b) : openai::continuation_span(tokens, a, b, url);
        LoglikelihoodResult result = openai::sum_continuation(tokens, first, end, url);
        result.timing = {answers[k].attempts, answers[k].latency_ms};
        arrived.push_back(result);
      }
      deliver(sink, results, indices, std::move(arrived));
    });
    return results;
  }

  std::vector<GenerateResult> generate(std::span<const GenerateRequest> requests,
                                       const ResultSink<GenerateResult>& sink) override {
    const bool chat = options_.generation_endpoint == "chat";
    const std::string path = chat ? "/chat/completions" : "/completions";
    std::vector<std::string> bodies;
    for (const GenerateRequest& r : requests) bodies.push_back(openai::generation_body(r, {model_, chat, options_.seed}));
    std::vector<GenerateResult> results(requests.size());
    const std::string url = http_.base_url() + path;
    http_.post_all(path, bodies, [&](std::span<const size_t> indices, std::span<HttpAnswer> answers) {
      std::vector<GenerateResult> arrived;
      for (size_t k = 0; k < indices.size(); ++k) {
        GenerateResult result = openai::parse_generation(answers[k].body, chat, requests[indices[k]].stop, url);
        result.timing = {answers[k].attempts, answers[k].latency_ms};
        arrived.push_back(std::move(result));
      }
      deliver(sink, results, indices, std::move(arrived));
    });
    return results;
  }

  RunnerInfo info() const override {
    RunnerInfo info;
    info.runner = "openai";
    info.architecture = fmt::format("served: {}", model_);
    info.dtype = "as served";
    info.device = http_.base_url();
    info.tokenizer = use_ids_ ? tokenizer_->describe() : "the server's (text prompts)";
    info.versions["server"] = version_;
    const char* outcome[] = {"passed", "failed", "inconclusive"};
    info.versions["prompt_logprobs_check"] =
        fmt::format("{}: {}", outcome[static_cast<int>(logprob_check_.outcome)], logprob_check_.detail);
    info.settings["base_url"] = options_.base_url;
    info.settings["served_model"] = model_;
    info.settings["generation_endpoint"] = options_.generation_endpoint;
    info.settings["prompt_tokens"] = use_ids_ ? "ids" : "text";
    info.settings["max_length"] = std::to_string(rules_.max_length);
    info.settings["seed"] = std::to_string(options_.seed);
    info.settings["temperature"] = std::string("0");  // (a std::string: GCC 12 warns falsely on assign(const char*) here)
    return info;
  }

  int preferred_chunk_items() const override { return std::max(8, options_.max_in_flight); }

  std::string status_line() const override {
    const openai::HttpCounters& c = http_.counters();
    return fmt::format("http: {} in flight, {} done, {} failed, {} retried", c.in_flight, c.done, c.failed,
                       c.retried);
  }

 private:
  // lm-eval's prefix token for an empty context: BOS, else EOS (from config.json when present).
  static int32_t prefix_token(const std::string& folder) {
    std::filesystem::path config = std::filesystem::path(folder) / "config.json";
    if (!std::filesystem::exists(config)) return -1;
    json j = json::parse(std::ifstream(config), nullptr, false);
    for (const char* key : {"bos_token_id", "eos_token_id"}) {
      if (!j.is_object() || !j.contains(key)) continue;
      const json& v = j[key].is_array() && !j[key].empty() ? j[key][0] : j[key];
      if (v.is_number_integer()) return v.get<int32_t>();
    }
    return -1;
  }

  void require_prompt_logprobs() const {
    if (logprob_check_.outcome == openai::LogprobCheck::Outcome::Failed)
      throw Error(http_.base_url(), "multiple-choice tasks need prompt log-probabilities, and this server's cannot "
                                    "be used: " + logprob_check_.detail +
                                    ". Generative tasks still run (select them with --tasks).");
  }

  // vLLM and SGLang take token ids as the prompt; llama-cpp-python answers 422.
  bool accepts_token_ids() {
    if (options_.prompt_tokens == "text") return false;
    json body{{"model", model_}, {"prompt", tokenizer_->encode("Hello")}, {"max_tokens", 1}, {"temperature", 0}};
    try {
      http_.post("/completions", body.dump());
      return true;
    } catch (const Error&) {
      if (options_.prompt_tokens == "ids") throw;
      return false;
    }
  }

  OpenAIOptions options_;
  HttpPool http_;
  std::string model_;
  std::string version_;
  std::unique_ptr<Tokenizer> tokenizer_;
  TokenizationRules rules_;
  bool use_ids_ = false;
  openai::LogprobCheck logprob_check_;
};

}  // namespace

std::unique_ptr<Runner> open_openai_runner(const RunnerOptions& options) {
  return std::make_unique<OpenAIRunner>(options);
}

}  // namespace dokpa
