// The canonical form of a suite: what is hashed (the suite hash) and what the store keeps.
// Built from the parsed config with every default filled in, so two files that mean the same
// suite hash the same. nlohmann::json objects are std::map based: keys come out sorted.
#include <nlohmann/json.hpp>

#include "harness/suite/suite_config.h"

namespace dokpa {
namespace {

nlohmann::json source_json(const DataSource& source) {
  nlohmann::json out = {{"format", to_string(source.format)}, {"path", source.path}};
  if (!source.sha256.empty()) out["sha256"] = source.sha256;
  return out;
}

nlohmann::json task_json(const TaskConfig& task) {
  bool mc = task.output == OutputType::MultipleChoice;
  nlohmann::json out = {
      {"name", task.name},
      {"output", mc ? "multiple_choice" : "generate"},
      {"dataset", source_json(task.dataset)},
      {"prompt", task.prompt},
      {"target_delimiter", task.target_delimiter},
      {"fewshot_delimiter", task.fewshot_delimiter},
      {"metrics", task.metrics},
  };
  nlohmann::json fewshot = {{"count", task.fewshot.count}, {"sampler", to_string(task.fewshot.sampler)}};
  if (task.fewshot.has_source) fewshot["source"] = source_json(task.fewshot.source);
  out["fewshot"] = fewshot;
  if (mc) {
    if (task.choices_field.empty()) out["choices"] = task.choices;
    else out["choices_field"] = task.choices_field;
    out["gold"] = {{"field", task.gold.field}, {"base", task.gold.base}};
  } else {
    out["gold"] = {{"field", task.gold.field}};
    out["generation"] = {{"until", task.generation.until}, {"max_tokens", task.generation.max_tokens}};
  }
  return out;
}

}  // namespace

std::string canonical_suite_json(const SuiteConfig& suite) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const TaskConfig& task : suite.tasks) tasks.push_back(task_json(task));
  nlohmann::json out = {
      {"format", "dokpa-suite-v1"},
      {"name", suite.name},
      {"version", suite.version},
      {"seed", suite.seed},
      {"description", suite.description},
      {"tasks", tasks},
  };
  // ensure_ascii=false keeps UTF-8 as is; strict error handling (the default) rejects bad UTF-8.
  return out.dump(-1, ' ', false);
}

}  // namespace dokpa
