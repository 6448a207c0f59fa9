#include "reports/model/suite_summary.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace dokpa::reports {

namespace {

std::string quoted_list(const nlohmann::json& strings) {
  std::vector<std::string> out;
  for (const auto& text : strings) out.push_back(nlohmann::json(text).dump());
  return fmt::format("[{}]", fmt::join(out, ", "));
}

// One line a reader can check against the benchmark's published protocol.
std::string protocol_of(const nlohmann::json& task) {
  std::string output = task.value("output", "");
  std::string format = task.contains("prompt_format") ? fmt::format(", {} prompt", task["prompt_format"].get<std::string>()) : "";
  if (output == "multiple_choice") {
    std::string choices = task.contains("choices") ? fmt::format("{} choices", task["choices"].size())
                                                   : fmt::format("choices from '{}'", task.value("choices_field", ""));
    return fmt::format("log-likelihood of {}, target delimiter {}{}", choices,
                       nlohmann::json(task.value("target_delimiter", " ")).dump(), format);
  }
  const nlohmann::json& generation = task.contains("generation") ? task["generation"] : nlohmann::json::object();
  std::string limits = fmt::format("greedy, max {} tokens, stop at {}", generation.value("max_tokens", 256),
                                   quoted_list(generation.value("until", nlohmann::json::array())));
  if (output == "generate_choice") {
    bool circular = task.value("circular", false);
    return fmt::format("generation, {}; label extracted from {} options{}{}", limits,
                       task.value("labels", nlohmann::json::array()).size(), circular ? ", circular (every rotation)" : "",
                       format);
  }
  std::string extract;
  if (task.contains("answer")) extract = fmt::format("; answer {}", task["answer"].dump());
  return fmt::format("generation, {}{}{}", limits, extract, format);
}

}  // namespace

SuiteSummary parse_suite_summary(const std::string& canonical_text, const std::string& hash, const std::string& source) {
  SuiteSummary suite;
  suite.hash = hash;
  try {
    nlohmann::json json = nlohmann::json::parse(canonical_text);
    suite.name = json.at("name").get<std::string>();
    suite.version = json.value("version", int64_t{0});
    suite.seed = json.value("seed", uint64_t{0});
    for (const nlohmann::json& task : json.at("tasks")) {
      TaskSummary summary;
      summary.name = task.at("name").get<std::string>();
      summary.output = task.at("output").get<std::string>();
      if (task.contains("fewshot")) summary.fewshot = task["fewshot"].value("count", 0);
      summary.metrics = task.at("metrics").get<std::vector<std::string>>();
      summary.protocol = protocol_of(task);
      summary.target_delimiter = task.value("target_delimiter", " ");
      suite.tasks.push_back(std::move(summary));
    }
    for (const nlohmann::json& group : json.value("groups", nlohmann::json::array())) {
      GroupSummary summary;
      summary.name = group.at("name").get<std::string>();
      summary.tasks = group.at("tasks").get<std::vector<std::string>>();
      summary.metrics = group.at("metrics").get<std::vector<std::string>>();
      summary.averaging = group.value("averaging", std::vector<std::string>{"macro", "micro"});
      suite.groups.push_back(std::move(summary));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(source, fmt::format("stored suite {} is not canonical suite JSON: {}", hash.substr(0, 12), e.what()));
  }
  return suite;
}

}  // namespace dokpa::reports
