#include "harness/suite/submission.h"

#include <cstdlib>

#include "common/error.h"
#include "common/file_io.h"
#include "harness/suite/yaml_fields.h"

namespace dokpa {
namespace {

std::string one_of(const yaml_fields::MappingReader& map, const std::string& key, const std::string& fallback,
                   std::initializer_list<const char*> allowed) {
  std::string value = map.string_or(key, fallback);
  std::string list;
  for (const char* name : allowed) {
    if (value == name) return value;
    list += list.empty() ? name : std::string(", ") + name;
  }
  map.fail(key, "must be one of " + list + ", got '" + value + "'");
}

bool is_device(const std::string& device) {
  if (device == "auto" || device == "cpu" || device == "cuda") return true;
  return device.rfind("cuda:", 0) == 0 && device.size() > 5 &&
         device.find_first_not_of("0123456789", 5) == std::string::npos;
}

}  // namespace

std::string expand_path(const std::string& text, const std::string& source) {
  std::string out;
  size_t pos = 0;
  if (text == "~" || text.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') throw Error(source, "cannot expand '~': HOME is not set");
    out = home;
    pos = 1;
  }
  while (pos < text.size()) {
    size_t start = text.find("${", pos);
    if (start == std::string::npos) {
      out += text.substr(pos);
      break;
    }
    out += text.substr(pos, start - pos);
    size_t end = text.find('}', start);
    if (end == std::string::npos) throw Error(source, "unclosed '${' in '" + text + "'");
    std::string name = text.substr(start + 2, end - start - 2);
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr) throw Error(source, "environment variable '" + name + "' is not set (in '" + text + "')");
    out += value;
    pos = end + 1;
  }
  return out;
}

SubmissionConfig parse_submission(std::string_view yaml_text, const std::string& source) {
  YAML::Node root = yaml_fields::parse_yaml(std::string(yaml_text), source);
  if (!root || root.IsNull()) throw Error(source, "empty submission file");
  yaml_fields::MappingReader map(root, source, "",
                                 {"team", "model", "kind", "checkpoint", "runner", "dtype", "device", "batch_size",
                                  "threads", "max_length"});
  SubmissionConfig sub;
  sub.source = source;
  sub.team = map.string("team");
  if (sub.team.empty()) map.fail("team", "must not be empty");
  sub.model = map.string("model");
  if (sub.model.empty()) map.fail("model", "must not be empty");
  map.node("kind");  // required
  sub.kind = one_of(map, "kind", "", {"llm", "vlm", "vla"});
  sub.checkpoint_as_written = map.string("checkpoint");
  if (sub.checkpoint_as_written.empty()) map.fail("checkpoint", "must not be empty");
  try {
    sub.checkpoint = expand_path(sub.checkpoint_as_written, source);
  } catch (const Error& error) {
    map.fail("checkpoint", std::string(error.what()).substr(error.source().size() + 2));  // drop "<source>: "
  }
  RunnerOptions& runner = sub.runner;
  runner.kind = one_of(map, "runner", "native", {"native", "openai"});
  runner.checkpoint = sub.checkpoint;
  runner.dtype = one_of(map, "dtype", "float32", {"float32", "bfloat16", "float16"});
  runner.device = map.string_or("device", "auto");
  if (!is_device(runner.device)) map.fail("device", "must be auto, cpu, cuda or cuda:N, got '" + runner.device + "'");
  runner.batch_size = static_cast<int>(map.integer_or("batch_size", 8, 1, 1 << 20));
  runner.threads = static_cast<int>(map.integer_or("threads", 0, 0, 4096));
  runner.max_length = static_cast<int>(map.integer_or("max_length", 0, 0, 1 << 24));  // 0: the model's own
  return sub;
}

SubmissionConfig load_submission(const std::filesystem::path& file) {
  return parse_submission(read_file(file), file.string());
}

}  // namespace dokpa
