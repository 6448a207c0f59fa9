#include "runners/openai/completion_answer.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dokpa::openai {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& url, const std::string& what) {
  throw Error(url, "unexpected answer from the server: " + what);
}

const json& field(const json& object, const char* name, const std::string& where, const std::string& url) {
  if (!object.is_object()) bad(url, where + " is not an object");
  auto it = object.find(name);
  if (it == object.end()) bad(url, fmt::format("{} has no '{}'", where, name));
  return *it;
}

const json& first_choice(const json& answer, const std::string& url) {
  const json& choices = field(answer, "choices", "the answer", url);
  if (!choices.is_array() || choices.empty()) bad(url, "'choices' is not a non-empty array");
  return choices.front();
}

std::optional<double> optional_number(const json& value, const std::string& where, const std::string& url) {
  if (value.is_null()) return std::nullopt;
  if (!value.is_number()) bad(url, where + " is not a number");
  return value.get<double>();
}

}  // namespace

json parse_answer(const std::string& body, const std::string& url) {
  json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) {
    std::string start = body.substr(0, 120);
    std::replace(start.begin(), start.end(), '\n', ' ');
    bad(url, fmt::format("not JSON ({} bytes, starting '{}')", body.size(), start));
  }
  if (!answer.is_object()) bad(url, "not a JSON object");
  if (answer.contains("error") && !answer["error"].is_null()) bad(url, "an error object: " + answer["error"].dump());
  return answer;
}

EchoedTokens parse_echoed_tokens(const std::string& body, bool want_offsets, const std::string& url) {
  json answer = parse_answer(body, url);
  const json& logprobs = field(first_choice(answer, url), "logprobs", "choices[0]", url);
  if (logprobs.is_null())
    bad(url, "choices[0].logprobs is null: the server returned no log-probabilities (for llama.cpp, start it with "
             "all logits enabled)");
  const json& token_logprobs = field(logprobs, "token_logprobs", "choices[0].logprobs", url);
  const json& top_logprobs = field(logprobs, "top_logprobs", "choices[0].logprobs", url);
  if (!token_logprobs.is_array() || !top_logprobs.is_array() || top_logprobs.size() != token_logprobs.size())
    bad(url, "token_logprobs and top_logprobs are not arrays of one length");

  EchoedTokens out;
  for (size_t i = 0; i < token_logprobs.size(); ++i) {
    out.logprob.push_back(optional_number(token_logprobs[i], fmt::format("token_logprobs[{}]", i), url));
    const json& top = top_logprobs[i];
    std::optional<double> top_max;
    if (top.is_object()) {
      for (const auto& [token, value] : top.items()) {
        std::optional<double> v = optional_number(value, fmt::format("top_logprobs[{}]", i), url);
        if (v && (!top_max || *v > *top_max)) top_max = v;
      }
    } else if (!top.is_null()) {
      bad(url, fmt::format("top_logprobs[{}] is neither an object nor null", i));
    }
    out.top_max.push_back(top_max);
  }
  if (logprobs.contains("tokens") && logprobs["tokens"].is_array())
    for (const json& token : logprobs["tokens"]) out.token.push_back(token.is_string() ? token.get<std::string>() : "");
  if (want_offsets) {
    const json& offsets = field(logprobs, "text_offset", "choices[0].logprobs", url);
    if (!offsets.is_array() || offsets.size() != token_logprobs.size())
      bad(url, "text_offset is not an array as long as token_logprobs");
    for (const json& offset : offsets) {
      if (!offset.is_number_integer()) bad(url, "text_offset holds a non-integer");
      out.text_offset.push_back(offset.get<int64_t>());
    }
  }
  return out;
}

LoglikelihoodResult sum_continuation(const EchoedTokens& tokens, size_t first, size_t end, const std::string& url) {
  if (first >= end || end > tokens.logprob.size())
    bad(url, fmt::format("{} log-probabilities do not cover continuation tokens [{}, {})", tokens.logprob.size(),
                         first, end));
  LoglikelihoodResult result;
  result.is_greedy = true;
  for (size_t i = first; i < end; ++i) {
    if (!tokens.logprob[i])
      bad(url, fmt::format("prompt token {} has no log-probability, but it is part of the continuation (only the "
                           "first prompt token may lack one)",
                           i));
    result.logprob += *tokens.logprob[i];
    // Both values come from the same row of log-probs, so the top token compares exactly equal.
    if (!tokens.top_max[i] || *tokens.logprob[i] < *tokens.top_max[i]) result.is_greedy = false;
  }
  result.n_tokens = static_cast<int>(end - first);
  return result;
}

std::pair<size_t, size_t> continuation_span(const EchoedTokens& tokens, int64_t context_code_points,
                                            int64_t prompt_code_points, const std::string& url) {
  const std::vector<int64_t>& offset = tokens.text_offset;
  // The prompt's own tokens start before its end (a generated token starts at the end).
  size_t prompt_end = 0;
  while (prompt_end < offset.size() && offset[prompt_end] < prompt_code_points) ++prompt_end;
  size_t first = prompt_end;
  for (size_t i = 0; i < prompt_end; ++i) {
    int64_t token_end = i + 1 < prompt_end ? offset[i + 1] : prompt_code_points;
    if (offset[i] >= context_code_points || token_end > context_code_points) {
      first = i;
      break;
    }
  }
  if (first >= prompt_end)
    bad(url, fmt::format("no echoed token covers the continuation (context {} code points, prompt {})",
                         context_code_points, prompt_code_points));
  return {first, prompt_end};
}

GenerateResult parse_generation(const std::string& body, bool chat, const std::vector<std::string>& stop,
                                const std::string& url) {
  json answer = parse_answer(body, url);
  const json& choice = first_choice(answer, url);
  const json& text = chat ? field(field(choice, "message", "choices[0]", url), "content", "choices[0].message", url)
                          : field(choice, "text", "choices[0]", url);
  if (!text.is_string() && !text.is_null()) bad(url, "the generated text is not a string");
  GenerateResult result;
  result.text = text.is_string() ? text.get<std::string>() : "";
  const json& finish = field(choice, "finish_reason", "choices[0]", url);
  std::string reason = finish.is_string() ? finish.get<std::string>() : "";
  // vLLM and SGLang name the stop string that ended the text (null for the end-of-sequence token).
  bool stopped_by_string = choice.contains("stop_reason") && choice["stop_reason"].is_string();
  if (reason == "length") result.finish_reason = "length";
  else if (reason == "stop") result.finish_reason = stopped_by_string ? "stop" : "eos";
  else bad(url, fmt::format("finish_reason '{}' is not stop or length", reason));
  size_t cut = std::string::npos;
  for (const std::string& s : stop)
    if (!s.empty()) cut = std::min(cut, result.text.find(s));
  if (cut != std::string::npos) {
    result.text.resize(cut);
    result.finish_reason = "stop";
  }
  const json& usage = field(answer, "usage", "the answer", url);
  const json& completion_tokens = field(usage, "completion_tokens", "usage", url);
  if (!completion_tokens.is_number_integer()) bad(url, "usage.completion_tokens is not an integer");
  result.n_tokens = completion_tokens.get<int>();
  return result;
}

}  // namespace dokpa::openai
