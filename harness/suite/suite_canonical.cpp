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

nlohmann::json gold_json(const GoldConfig& gold, OutputType output) {
  nlohmann::json out = {{"field", gold.field}};
  if (output == OutputType::Generate) return out;
  switch (gold.kind) {
    case GoldConfig::Kind::Index: out["base"] = gold.base; break;
    case GoldConfig::Kind::ChoiceText: out["match"] = "choices"; break;
    case GoldConfig::Kind::ListElement: out["match_field"] = gold.match_field; break;
    case GoldConfig::Kind::ValueList: out["values"] = gold.values; break;
  }
  return out;
}

// Keys added after the first suites were written appear only when they differ from their
// default, so those suites keep their hash.
nlohmann::json task_json(const TaskConfig& task) {
  nlohmann::json out = {
      {"name", task.name},
      {"output", to_string(task.output)},
      {"dataset", source_json(task.dataset)},
      {"prompt", task.prompt},
      {"target_delimiter", task.target_delimiter},
      {"fewshot_delimiter", task.fewshot_delimiter},
      {"metrics", task.metrics},
      {"gold", gold_json(task.gold, task.output)},
  };
  if (!task.preprocess.empty()) out["preprocess"] = task.preprocess;
  if (task.prompt_format) out["prompt_format"] = to_string(*task.prompt_format);
  nlohmann::json fewshot = {{"count", task.fewshot.count}, {"sampler", to_string(task.fewshot.sampler)}};
  if (task.fewshot.has_source) fewshot["source"] = source_json(task.fewshot.source);
  if (!task.fewshot.prompt.empty()) fewshot["prompt"] = task.fewshot.prompt;
  if (!task.fewshot.target) fewshot["target"] = false;
  out["fewshot"] = fewshot;
  nlohmann::json generation = {{"until", task.generation.until}, {"max_tokens", task.generation.max_tokens}};
  switch (task.output) {
    case OutputType::MultipleChoice:
      if (task.choices_field.empty()) out["choices"] = task.choices;
      else out["choices_field"] = task.choices_field;
      break;
    case OutputType::GenerateChoice:
      out["labels"] = task.labels;
      if (!task.option_fields.empty()) out["option_fields"] = task.option_fields;
      if (task.circular) out["circular"] = true;
      out["generation"] = generation;
      break;
    case OutputType::Generate:
      out["generation"] = generation;
      if (task.answer.extract != AnswerExtract::None || task.answer.compare != AnswerCompare::Exact) {
        out["answer"] = {{"extract", task.answer.extract == AnswerExtract::Boxed ? "boxed" : "none"},
                         {"compare", task.answer.compare == AnswerCompare::Numeric ? "numeric" : "exact"}};
      }
      break;
  }
  return out;
}

nlohmann::json group_json(const PlannedGroup& group) {
  nlohmann::json averaging = nlohmann::json::array();
  if (group.macro) averaging.push_back("macro");
  if (group.micro) averaging.push_back("micro");
  return {{"name", group.name}, {"tasks", group.tasks}, {"metrics", group.metrics}, {"averaging", averaging}};
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
  if (!suite.groups.empty()) {
    nlohmann::json groups = nlohmann::json::array();
    for (const PlannedGroup& group : suite.groups) groups.push_back(group_json(group));
    out["groups"] = groups;
  }
  // ensure_ascii=false keeps UTF-8 as is; strict error handling (the default) rejects bad UTF-8.
  return out.dump(-1, ' ', false);
}

}  // namespace dokpa
