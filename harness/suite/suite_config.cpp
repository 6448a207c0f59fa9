// Suite YAML -> SuiteConfig, validated field by field (the format is documented in suite_config.h).
#include "harness/suite/suite_config.h"

#include <algorithm>
#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "common/sha256.h"
#include "harness/prompt/record_preprocessor.h"
#include "harness/suite/yaml_fields.h"

namespace dokpa {
namespace {

using yaml_fields::MappingReader;

bool is_name(const std::string& text) {
  return !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                              std::string::npos;
}

bool is_sha256_hex(const std::string& text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A data path names a file under the data root, whatever root an evaluator gives with
// --data-root: relative, and never climbing out of it with "..". (Symlinks are checked when the
// file is opened: resolve_data_path.)
void check_inside_data_root(const MappingReader& map, const std::string& path) {
  std::filesystem::path written(path);
  if (written.is_absolute()) map.fail("path", "'" + path + "' is absolute; data paths are relative to the data root");
  std::filesystem::path normal = written.lexically_normal();
  if (!normal.empty() && *normal.begin() == "..")
    map.fail("path", "'" + path + "' climbs out of the data root with '..'");
}

DataSource read_source(const MappingReader& parent, const std::string& key) {
  MappingReader map(parent.node(key), parent.source(), parent.nested(key), {"format", "path", "sha256"});
  DataSource source;
  std::string format = map.string("format");
  try {
    source.format = parse_data_format(format, map.source());
  } catch (const Error&) {
    map.fail("format", "unknown format '" + format + "'");
  }
  source.path = map.string("path");
  if (source.path.empty()) map.fail("path", "must not be empty");
  check_inside_data_root(map, source.path);
  source.sha256 = map.string_or("sha256", "");
  if (!source.sha256.empty() && !is_sha256_hex(source.sha256)) map.fail("sha256", "must be 64 lower-case hex digits");
  return source;
}

FewShotConfig read_fewshot(const MappingReader& task) {
  FewShotConfig fewshot;
  if (!task.has("fewshot")) return fewshot;
  MappingReader map(task.node("fewshot"), task.source(), task.nested("fewshot"),
                    {"count", "source", "sampler", "prompt", "target"});
  fewshot.count = static_cast<int>(map.integer_or("count", 0, 0, 1000));
  if (map.has("source")) {
    fewshot.has_source = true;
    fewshot.source = read_source(map, "source");
  }
  std::string sampler = map.string_or("sampler", "first_n");
  if (sampler == "first_n") fewshot.sampler = FewShotSamplerKind::FirstN;
  else if (sampler == "seeded") fewshot.sampler = FewShotSamplerKind::Seeded;
  else if (sampler == "lm_eval_random") fewshot.sampler = FewShotSamplerKind::LmEvalRandom;
  else map.fail("sampler", "must be first_n, seeded or lm_eval_random, got '" + sampler + "'");
  fewshot.prompt = map.string_or("prompt", "");
  if (map.has("target")) {
    std::string flag = map.string("target");
    if (flag != "true" && flag != "false") map.fail("target", "must be true or false");
    fewshot.target = flag == "true";
  }
  return fewshot;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

void read_metrics(const MappingReader& map, TaskConfig& task) {
  std::vector<std::string> allowed;
  switch (task.output) {
    case OutputType::MultipleChoice: allowed = {"acc", "acc_norm", "macro_f1"}; break;
    case OutputType::Generate: allowed = {"exact_match"}; break;
    case OutputType::GenerateChoice:
      allowed = task.circular ? std::vector<std::string>{"exact_match", "circular_exact_match"}
                              : std::vector<std::string>{"exact_match"};
      break;
  }
  if (!map.has("metrics")) {
    task.metrics = {allowed.front()};
    if (task.circular) task.metrics.push_back("circular_exact_match");
    return;
  }
  task.metrics = map.string_list("metrics");
  if (task.metrics.empty()) map.fail("metrics", "must not be empty");
  std::set<std::string> seen;
  for (const std::string& metric : task.metrics) {
    if (std::find(allowed.begin(), allowed.end(), metric) == allowed.end()) {
      map.fail("metrics", "'" + metric + "' is not a metric of output " + to_string(task.output) + " (" + join(allowed) + ")");
    }
    if (!seen.insert(metric).second) map.fail("metrics", "'" + metric + "' is listed twice");
  }
}

GoldConfig read_gold(const MappingReader& map, OutputType output) {
  MappingReader gold(map.node("gold"), map.source(), map.nested("gold"), {"field", "base", "match", "match_field", "values"});
  GoldConfig config;
  config.field = gold.string("field");
  if (output == OutputType::Generate) {
    for (const char* key : {"base", "match", "match_field", "values"})
      if (gold.has(key)) gold.fail(key, "does not apply to output: generate (the gold is the reference text)");
    return config;
  }
  int ways = gold.has("base") + gold.has("match") + gold.has("match_field") + gold.has("values");
  if (ways > 1) gold.fail_here("give at most one of 'base', 'match', 'match_field' and 'values'");
  if (gold.has("match")) {
    if (gold.string("match") != "choices") gold.fail("match", "must be 'choices' (the value is a choice's text)");
    config.kind = GoldConfig::Kind::ChoiceText;
  } else if (gold.has("values")) {
    config.kind = GoldConfig::Kind::ValueList;
    config.values = gold.string_list("values");
    if (config.values.size() < 2) gold.fail("values", "needs a value per choice");
  } else if (gold.has("match_field")) {
    config.kind = GoldConfig::Kind::ListElement;
    config.match_field = gold.string("match_field");
  } else {
    config.base = gold.integer_or("base", 0, -1000000, 1000000);
  }
  return config;
}

GenerationConfig read_generation(const MappingReader& map) {
  GenerationConfig generation;
  if (!map.has("generation")) return generation;
  MappingReader gen(map.node("generation"), map.source(), map.nested("generation"), {"until", "max_tokens"});
  if (gen.has("until")) generation.until = gen.string_list("until");
  for (const std::string& stop : generation.until) {
    if (stop.empty()) gen.fail("until", "stop strings must not be empty");
  }
  generation.max_tokens = static_cast<int>(gen.integer_or("max_tokens", 256, 1, 1 << 20));
  return generation;
}

AnswerConfig read_answer(const MappingReader& map) {
  AnswerConfig answer;
  if (!map.has("answer")) return answer;
  MappingReader reader(map.node("answer"), map.source(), map.nested("answer"), {"extract", "compare"});
  std::string extract = reader.string_or("extract", "none");
  if (extract == "none") answer.extract = AnswerExtract::None;
  else if (extract == "boxed") answer.extract = AnswerExtract::Boxed;
  else reader.fail("extract", "must be none or boxed, got '" + extract + "'");
  std::string compare = reader.string_or("compare", "exact");
  if (compare == "exact") answer.compare = AnswerCompare::Exact;
  else if (compare == "numeric") answer.compare = AnswerCompare::Numeric;
  else reader.fail("compare", "must be exact or numeric, got '" + compare + "'");
  return answer;
}

// Keys that belong to one output type only; a key of another type is an error naming it.
void refuse_keys_of_other_outputs(const MappingReader& map, OutputType output) {
  struct Owned {
    const char* key;
    std::vector<OutputType> outputs;
  };
  const std::vector<Owned> owned = {
      {"choices", {OutputType::MultipleChoice}},
      {"choices_field", {OutputType::MultipleChoice}},
      {"labels", {OutputType::GenerateChoice}},
      {"option_fields", {OutputType::GenerateChoice}},
      {"circular", {OutputType::GenerateChoice}},
      {"answer", {OutputType::Generate}},
      {"generation", {OutputType::Generate, OutputType::GenerateChoice}},
  };
  for (const Owned& entry : owned) {
    if (map.has(entry.key) && std::find(entry.outputs.begin(), entry.outputs.end(), output) == entry.outputs.end()) {
      std::string names;
      for (OutputType type : entry.outputs) names += (names.empty() ? "" : " or ") + std::string(to_string(type));
      map.fail(entry.key, "applies only to output: " + names);
    }
  }
}

TaskConfig read_task(const YAML::Node& node, const std::string& source, size_t index) {
  // Name the task in every message, so read the name before checking the other keys.
  std::string label = "task #" + std::to_string(index + 1);
  if (node.IsMap() && node["name"] && node["name"].IsScalar()) label = "task '" + node["name"].Scalar() + "'";
  MappingReader map(node, source, label,
                    {"name", "output", "dataset", "preprocess", "fewshot", "prompt", "choices", "choices_field",
                     "labels", "option_fields", "circular", "gold", "answer", "target_delimiter", "fewshot_delimiter",
                     "generation", "metrics", "prompt_format"});
  TaskConfig task;
  task.name = map.string("name");
  if (!is_name(task.name)) map.fail("name", "must match [A-Za-z0-9_.-]+");

  std::string output = map.string("output");
  if (output == "multiple_choice") task.output = OutputType::MultipleChoice;
  else if (output == "generate") task.output = OutputType::Generate;
  else if (output == "generate_choice") task.output = OutputType::GenerateChoice;
  else map.fail("output", "must be multiple_choice, generate or generate_choice, got '" + output + "'");
  refuse_keys_of_other_outputs(map, task.output);

  task.dataset = read_source(map, "dataset");
  if (map.has("preprocess")) {
    task.preprocess = map.string("preprocess");
    if (find_record_preprocessor(task.preprocess) == nullptr) {
      map.fail("preprocess", "no record preprocessor named '" + task.preprocess + "' (known: " +
                                 join(record_preprocessor_names()) + ")");
    }
  }
  task.fewshot = read_fewshot(map);
  task.prompt = map.string("prompt");
  task.target_delimiter = map.string_or("target_delimiter", " ");
  task.fewshot_delimiter = map.string_or("fewshot_delimiter", "\n\n");
  if (map.has("prompt_format")) {
    task.prompt_format = parse_prompt_format(map.string("prompt_format"));
    if (!task.prompt_format) map.fail("prompt_format", "must be raw, chat or chat_multiturn");
  }

  switch (task.output) {
    case OutputType::MultipleChoice:
      if (map.has("choices") == map.has("choices_field")) map.fail_here("give exactly one of 'choices' and 'choices_field'");
      if (map.has("choices")) {
        task.choices = map.string_list("choices");
        if (task.choices.size() < 2) map.fail("choices", "needs at least two choices");
      } else {
        task.choices_field = map.string("choices_field");
      }
      break;
    case OutputType::GenerateChoice: {
      task.labels = map.string_list("labels");
      if (task.labels.size() < 2) map.fail("labels", "needs at least two option labels");
      std::set<std::string> distinct(task.labels.begin(), task.labels.end());
      if (distinct.size() != task.labels.size() || distinct.count("")) map.fail("labels", "must be distinct and non-empty");
      if (map.has("option_fields")) {
        task.option_fields = map.string_list("option_fields");
        if (task.option_fields.size() != task.labels.size())
          map.fail("option_fields", "needs one field per label (" + std::to_string(task.labels.size()) + ")");
      }
      if (map.has("circular")) {
        YAML::Node flag = map.node("circular");
        if (!flag.IsScalar() || (flag.Scalar() != "true" && flag.Scalar() != "false"))
          map.fail("circular", "must be true or false");
        task.circular = flag.Scalar() == "true";
      }
      if (task.circular && task.option_fields.empty())
        map.fail("circular", "needs option_fields: the fields whose values are rotated");
      task.generation = read_generation(map);
      break;
    }
    case OutputType::Generate:
      task.generation = read_generation(map);
      task.answer = read_answer(map);
      break;
  }
  task.gold = read_gold(map, task.output);
  read_metrics(map, task);
  return task;
}

PlannedGroup read_group(const YAML::Node& node, const std::string& source, size_t index,
                        const std::vector<TaskConfig>& tasks) {
  std::string label = "group #" + std::to_string(index + 1);
  if (node.IsMap() && node["name"] && node["name"].IsScalar()) label = "group '" + node["name"].Scalar() + "'";
  MappingReader map(node, source, label, {"name", "tasks", "metrics", "averaging"});
  PlannedGroup group;
  group.name = map.string("name");
  if (!is_name(group.name)) map.fail("name", "must match [A-Za-z0-9_.-]+");
  for (const TaskConfig& task : tasks)
    if (task.name == group.name) map.fail("name", "is also a task's name");
  group.tasks = map.string_list("tasks");
  if (group.tasks.empty()) map.fail("tasks", "must not be empty");
  std::set<std::string> seen;
  for (const std::string& name : group.tasks) {
    bool known = std::any_of(tasks.begin(), tasks.end(), [&](const TaskConfig& task) { return task.name == name; });
    if (!known) map.fail("tasks", "'" + name + "' is not a task of this suite");
    if (!seen.insert(name).second) map.fail("tasks", "'" + name + "' is listed twice");
  }
  group.metrics = map.has("metrics") ? map.string_list("metrics") : std::vector<std::string>{"acc"};
  if (group.metrics.empty()) map.fail("metrics", "must not be empty");
  for (const std::string& metric : group.metrics) {
    bool reported = std::any_of(tasks.begin(), tasks.end(), [&](const TaskConfig& task) {
      return seen.count(task.name) && std::find(task.metrics.begin(), task.metrics.end(), metric) != task.metrics.end();
    });
    if (!reported) map.fail("metrics", "no task of the group reports '" + metric + "'");
  }
  if (map.has("averaging")) {
    std::vector<std::string> kinds = map.string_list("averaging");
    group.macro = group.micro = false;
    for (const std::string& kind : kinds) {
      if (kind == "macro") group.macro = true;
      else if (kind == "micro") group.micro = true;
      else map.fail("averaging", "must list macro and/or micro, got '" + kind + "'");
    }
    if (!group.macro && !group.micro) map.fail("averaging", "must not be empty");
  }
  return group;
}

}  // namespace

SuiteConfig parse_suite(std::string_view yaml_text, const std::string& source, const std::filesystem::path& base_dir) {
  YAML::Node root = yaml_fields::parse_yaml(std::string(yaml_text), source);
  if (!root || root.IsNull()) throw Error(source, "empty suite file");
  MappingReader map(root, source, "", {"name", "version", "seed", "description", "data_root", "tasks", "groups"});
  SuiteConfig suite;
  suite.source = source;
  suite.name = map.string("name");
  if (!is_name(suite.name)) map.fail("name", "must match [A-Za-z0-9_.-]+");
  suite.version = map.integer("version", 0, INT64_MAX);
  suite.seed = map.unsigned_integer("seed");
  suite.description = map.string_or("description", "");
  suite.data_root = (base_dir / map.string_or("data_root", ".")).lexically_normal();
  if (suite.data_root.filename().empty() && suite.data_root.has_parent_path() &&
      suite.data_root != suite.data_root.root_path()) {
    suite.data_root = suite.data_root.parent_path();  // "dir/" -> "dir", so paths compare cleanly
  }

  YAML::Node tasks = map.node("tasks");
  if (!tasks.IsSequence() || tasks.size() == 0) map.fail("tasks", "must be a non-empty list of tasks");
  std::set<std::string> names;
  for (size_t i = 0; i < tasks.size(); ++i) {
    TaskConfig task = read_task(tasks[i], source, i);
    if (!names.insert(task.name).second) throw Error(source, "task '" + task.name + "': duplicate task name");
    suite.tasks.push_back(std::move(task));
  }
  if (map.has("groups")) {
    YAML::Node groups = map.node("groups");
    if (!groups.IsSequence()) map.fail("groups", "must be a list of groups");
    for (size_t i = 0; i < groups.size(); ++i) {
      PlannedGroup group = read_group(groups[i], source, i, suite.tasks);
      for (const PlannedGroup& other : suite.groups)
        if (other.name == group.name) throw Error(source, "group '" + group.name + "': duplicate group name");
      suite.groups.push_back(std::move(group));
    }
  }
  try {
    suite.hash = sha256_hex(canonical_suite_json(suite));
  } catch (const std::exception& error) {  // nlohmann refuses strings that are not UTF-8
    throw Error(source, std::string("cannot canonicalise the suite: ") + error.what());
  }
  return suite;
}

std::filesystem::path resolve_data_path(const SuiteConfig& suite, const std::filesystem::path& data_root,
                                        const std::string& task, const DataSource& source) {
  const std::filesystem::path& root = data_root.empty() ? suite.data_root : data_root;
  const std::filesystem::path resolved = (root / source.path).lexically_normal();
  std::error_code error;
  if (!std::filesystem::exists(resolved, error) || is_within_folder(resolved, root)) return resolved;
  throw Error(suite.source, "task '" + task + "': data file '" + source.path + "' leads through a symlink to '" +
                                std::filesystem::weakly_canonical(resolved, error).string() +
                                "', outside the data root '" + root.string() + "' (copy the file into the data root)");
}

SuiteConfig load_suite(const std::filesystem::path& file) {
  std::string text = read_file(file);
  std::filesystem::path base = file.parent_path();
  return parse_suite(text, file.string(), base.empty() ? std::filesystem::path(".") : base);
}

}  // namespace dokpa
