#include "runners/openai/server_checks.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "runners/openai/completion_answer.h"
#include "runners/openai/request_body.h"

namespace dokpa::openai {

namespace {

using nlohmann::json;

std::string server_root(const std::string& base_url) {
  std::string root = base_url;
  if (root.size() >= 3 && root.compare(root.size() - 3, 3, "/v1") == 0) root.resize(root.size() - 3);
  return root;
}

}  // namespace

std::string resolve_served_model(HttpPool& http, const std::string& wanted) {
  const std::string url = http.base_url() + "/models";
  json answer = parse_answer(http.get("/models").body, url);
  std::vector<std::string> ids;
  if (answer.contains("data") && answer["data"].is_array())
    for (const json& model : answer["data"])
      if (model.is_object() && model.contains("id") && model["id"].is_string()) ids.push_back(model["id"]);
  if (ids.empty()) throw Error(url, "the server lists no models");
  if (wanted.empty()) {
    if (ids.size() == 1) return ids.front();
    throw Error(url, fmt::format("the server has {} models ({}); name one with `served_model` in the submission",
                                 ids.size(), fmt::join(ids, ", ")));
  }
  for (const std::string& id : ids)
    if (id == wanted) return id;
  throw Error(url, fmt::format("the server does not serve '{}' (it has: {})", wanted, fmt::join(ids, ", ")));
}

std::string server_version(HttpPool& http) {
  const std::string root = server_root(http.base_url());
  // vLLM: GET /version -> {"version": "..."}; SGLang: GET /get_server_info -> {..., "version": "..."}.
  for (const auto& [path, software] : {std::pair{"/version", "vllm"}, std::pair{"/get_server_info", "sglang"}}) {
    try {
      json answer = parse_answer(http.get(root + path).body, root + path);
      if (answer.contains("version") && answer["version"].is_string())
        return fmt::format("{} {} ({})", software, answer["version"].get<std::string>(), path);
    } catch (const Error&) {
      // Not this kind of server.
    }
  }
  return "unknown (no /version or /get_server_info)";
}

LogprobCheck check_prompt_logprobs(HttpPool& http, const std::string& model) {
  const std::string url = http.base_url() + "/completions";
  LogprobCheck check;
  std::vector<std::string> inconclusive;
  for (const char* probe : {"The capital of France is", "1, 2, 3, 4, 5, 6,", "Monday, Tuesday, Wednesday,"}) {
    std::string prompt = probe;
    json generate{{"model", model}, {"prompt", prompt}, {"max_tokens", 1}, {"temperature", 0}, {"logprobs", 1}};
    std::string token;
    double generated_logprob = 0;
    try {
      std::string body = http.post("/completions", generate.dump()).body;
      EchoedTokens generated = parse_echoed_tokens(body, false, url);
      json answer = parse_answer(body, url);
      const json& text = answer["choices"][0]["text"];
      token = text.is_string() ? text.get<std::string>() : "";
      if (generated.logprob.empty() || !generated.logprob.back()) throw Error(url, "no log-prob for the generated token");
      generated_logprob = *generated.logprob.back();
    } catch (const Error& error) {
      check.outcome = LogprobCheck::Outcome::Failed;
      check.detail = fmt::format("the server cannot return log-probabilities from /v1/completions ({})", error.what());
      return check;
    }
    if (token.empty()) {
      inconclusive.push_back(fmt::format("'{}' generated nothing", probe));
      continue;
    }
    json echo{{"model", model}, {"prompt", prompt + token}, {"max_tokens", 1}, {"temperature", 0},
              {"logprobs", 1}, {"echo", true}};
    EchoedTokens echoed;
    try {
      echoed = parse_echoed_tokens(http.post("/completions", echo.dump()).body, true, url);
    } catch (const Error& error) {
      check.outcome = LogprobCheck::Outcome::Failed;
      check.detail = fmt::format("the server cannot echo prompt log-probabilities ({})", error.what());
      return check;
    }
    // The generated token must come back as one token of its own, starting where the probe ended.
    int64_t start = count_code_points(prompt), end = count_code_points(prompt + token);
    std::optional<size_t> at;
    for (size_t i = 0; i < echoed.text_offset.size(); ++i) {
      int64_t next = i + 1 < echoed.text_offset.size() ? echoed.text_offset[i + 1] : end;
      if (echoed.text_offset[i] == start && next >= end) at = i;
    }
    if (!at || !echoed.logprob[*at]) {
      inconclusive.push_back(fmt::format("'{}' + '{}' was not echoed with that token on its own", probe, token));
      continue;
    }
    double echoed_logprob = *echoed.logprob[*at];
    double gap = std::fabs(echoed_logprob - generated_logprob);
    check.detail = fmt::format("probe '{}': token '{}' generated with log-prob {:.4f}, echoed with {:.4f}", probe,
                               token, generated_logprob, echoed_logprob);
    if (gap <= 0.05 + 0.02 * std::fabs(generated_logprob)) {
      check.outcome = LogprobCheck::Outcome::Passed;
    } else {
      check.outcome = LogprobCheck::Outcome::Failed;
      check.detail += "; the echoed prompt log-probabilities do not mean log p(token | the tokens before it) (stock "
                      "llama-cpp-python shifts them by one token, abetlen/llama-cpp-python#1983), so "
                      "multiple-choice scores would be wrong";
    }
    return check;
  }
  check.detail = fmt::format("nothing to compare: {}", fmt::join(inconclusive, "; "));
  return check;
}

}  // namespace dokpa::openai
