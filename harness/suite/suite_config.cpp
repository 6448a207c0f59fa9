// Suite YAML -> SuiteConfig, validated field by field (the format is documented in suite_config.h).
#include "harness/suite/suite_config.h"

#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "common/sha256.h"
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

DataSource read_source(const MappingReader& parent, const std::string& key) {
  MappingReader map(parent.node(key), parent.source(), parent.nested(key), {"format", "path", "sha256"});
  DataSource source;
  std::string format = map.string("format");
  if (format == "csv") source.format = DataFormat::Csv;
  else if (format == "jsonl") source.format = DataFormat::Jsonl;
  else map.fail("format", "must be csv or jsonl, got '" + format + "'");
  source.path = map.string("path");
  if (source.path.empty()) map.fail("path", "must not be empty");
  source.sha256 = map.string_or("sha256", "");
  if (!source.sha256.empty() && !is_sha256_hex(source.sha256)) map.fail("sha256", "must be 64 lower-case hex digits");
  return source;
}

FewShotConfig read_fewshot(const MappingReader& task) {
  FewShotConfig fewshot;
  if (!task.has("fewshot")) return fewshot;
  MappingReader map(task.node("fewshot"), task.source(), task.nested("fewshot"), {"count", "source", "sampler"});
  fewshot.count = static_cast<int>(map.integer_or("count", 0, 0, 1000));
  if (map.has("source")) {
    fewshot.has_source = true;
    fewshot.source = read_source(map, "source");
  }
  std::string sampler = map.string_or("sampler", "first_n");
  if (sampler == "first_n") fewshot.sampler = FewShotSamplerKind::FirstN;
  else if (sampler == "seeded") fewshot.sampler = FewShotSamplerKind::Seeded;
  else map.fail("sampler", "must be first_n or seeded, got '" + sampler + "'");
  return fewshot;
}

void read_metrics(const MappingReader& map, TaskConfig& task) {
  bool mc = task.output == OutputType::MultipleChoice;
  std::set<std::string> allowed = mc ? std::set<std::string>{"acc", "acc_norm"} : std::set<std::string>{"exact_match"};
  if (!map.has("metrics")) {
    task.metrics = {mc ? "acc" : "exact_match"};
    return;
  }
  task.metrics = map.string_list("metrics");
  if (task.metrics.empty()) map.fail("metrics", "must not be empty");
  std::set<std::string> seen;
  for (const std::string& metric : task.metrics) {
    if (!allowed.count(metric)) {
      map.fail("metrics", "'" + metric + "' is not a metric of output " + (mc ? "multiple_choice (acc, acc_norm)" : "generate (exact_match)"));
    }
    if (!seen.insert(metric).second) map.fail("metrics", "'" + metric + "' is listed twice");
  }
}

TaskConfig read_task(const YAML::Node& node, const std::string& source, size_t index) {
  // Name the task in every message, so read the name before checking the other keys.
  std::string label = "task #" + std::to_string(index + 1);
  if (node.IsMap() && node["name"] && node["name"].IsScalar()) label = "task '" + node["name"].Scalar() + "'";
  MappingReader map(node, source, label,
                    {"name", "output", "dataset", "fewshot", "prompt", "choices", "choices_field", "gold",
                     "target_delimiter", "fewshot_delimiter", "generation", "metrics"});
  TaskConfig task;
  task.name = map.string("name");
  if (!is_name(task.name)) map.fail("name", "must match [A-Za-z0-9_.-]+");

  std::string output = map.string("output");
  if (output == "multiple_choice") task.output = OutputType::MultipleChoice;
  else if (output == "generate") task.output = OutputType::Generate;
  else map.fail("output", "must be multiple_choice or generate, got '" + output + "'");
  bool mc = task.output == OutputType::MultipleChoice;

  task.dataset = read_source(map, "dataset");
  task.fewshot = read_fewshot(map);
  task.prompt = map.string("prompt");
  task.target_delimiter = map.string_or("target_delimiter", " ");
  task.fewshot_delimiter = map.string_or("fewshot_delimiter", "\n\n");

  if (mc) {
    if (map.has("choices") == map.has("choices_field")) map.fail_here("give exactly one of 'choices' and 'choices_field'");
    if (map.has("choices")) {
      task.choices = map.string_list("choices");
      if (task.choices.size() < 2) map.fail("choices", "needs at least two choices");
    } else {
      task.choices_field = map.string("choices_field");
    }
    if (map.has("generation")) map.fail("generation", "applies only to output: generate");
  } else {
    if (map.has("choices")) map.fail("choices", "applies only to output: multiple_choice");
    if (map.has("choices_field")) map.fail("choices_field", "applies only to output: multiple_choice");
    if (map.has("generation")) {
      MappingReader gen(map.node("generation"), source, map.nested("generation"), {"until", "max_tokens"});
      if (gen.has("until")) task.generation.until = gen.string_list("until");
      for (const std::string& stop : task.generation.until) {
        if (stop.empty()) gen.fail("until", "stop strings must not be empty");
      }
      task.generation.max_tokens = static_cast<int>(gen.integer_or("max_tokens", 256, 1, 1 << 20));
    }
  }

  MappingReader gold(map.node("gold"), source, map.nested("gold"), {"field", "base"});
  task.gold.field = gold.string("field");
  if (mc) task.gold.base = gold.integer_or("base", 0, -1000000, 1000000);
  else if (gold.has("base")) gold.fail("base", "applies only to output: multiple_choice");

  read_metrics(map, task);
  return task;
}

}  // namespace

SuiteConfig parse_suite(std::string_view yaml_text, const std::string& source, const std::filesystem::path& base_dir) {
  YAML::Node root = yaml_fields::parse_yaml(std::string(yaml_text), source);
  if (!root || root.IsNull()) throw Error(source, "empty suite file");
  MappingReader map(root, source, "", {"name", "version", "seed", "description", "data_root", "tasks"});
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
  try {
    suite.hash = sha256_hex(canonical_suite_json(suite));
  } catch (const std::exception& error) {  // nlohmann refuses strings that are not UTF-8
    throw Error(source, std::string("cannot canonicalise the suite: ") + error.what());
  }
  return suite;
}

SuiteConfig load_suite(const std::filesystem::path& file) {
  std::string text = read_file(file);
  std::filesystem::path base = file.parent_path();
  return parse_suite(text, file.string(), base.empty() ? std::filesystem::path(".") : base);
}

}  // namespace dokpa
