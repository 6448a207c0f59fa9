#include "harness/suite/submission.h"

#include <nlohmann/json.hpp>

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

// A YAML value as JSON: plain scalars that YAML 1.2 reads as booleans, null or numbers become
// those; quoted scalars stay strings.
nlohmann::json yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& entry : node) out[entry.first.Scalar()] = yaml_to_json(entry.second);
    return out;
  }
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& element : node) out.push_back(yaml_to_json(element));
    return out;
  }
  if (node.IsNull()) return nullptr;
  const std::string& text = node.Scalar();
  if (node.Tag() == "?") {  // plain (unquoted)
    if (text == "true" || text == "True") return true;
    if (text == "false" || text == "False") return false;
    if (text == "null" || text == "~") return nullptr;
    nlohmann::json number = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (number.is_number()) return number;
  }
  return text;
}

double seconds_or(const yaml_fields::MappingReader& map, const std::string& key, double fallback) {
  if (!map.has(key)) return fallback;
  std::string text = map.string(key);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0) || value > 86400)
    map.fail(key, "must be a number of seconds in (0, 86400], got '" + text + "'");
  return value;
}

OpenAIOptions read_server_settings(const YAML::Node& node, const std::string& source, const std::string& context) {
  yaml_fields::MappingReader map(node, source, context,
                                 {"base_url", "served_model", "api_key_env", "generation_endpoint", "prompt_tokens",
                                  "max_in_flight", "request_timeout_s", "max_retries", "initial_backoff_s",
                                  "max_backoff_s", "seed"});
  OpenAIOptions server;
  server.base_url = map.string("base_url");
  if (server.base_url.rfind("http://", 0) != 0 && server.base_url.rfind("https://", 0) != 0)
    map.fail("base_url", "must start with http:// or https://, got '" + server.base_url + "'");
  // The manifest is stored verbatim: credentials in the URL (user:key@host) would reach the store.
  if (server.base_url.substr(0, server.base_url.find_first_of("/?#", server.base_url.find("//") + 2)).find('@') !=
      std::string::npos)
    map.fail("base_url", "must not carry credentials (user:key@host): name the key's environment variable in api_key_env");
  server.served_model = map.string_or("served_model", "");
  server.api_key_env = map.string_or("api_key_env", "");
  if (server.api_key_env.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
      std::string::npos)
    map.fail("api_key_env", "must be the name of an environment variable (the key itself never goes in a file)");
  server.generation_endpoint = one_of(map, "generation_endpoint", "completions", {"completions", "chat"});
  server.prompt_tokens = one_of(map, "prompt_tokens", "auto", {"auto", "ids", "text"});
  server.max_in_flight = static_cast<int>(map.integer_or("max_in_flight", 32, 1, 4096));
  server.request_timeout_s = seconds_or(map, "request_timeout_s", 600);
  server.max_retries = static_cast<int>(map.integer_or("max_retries", 6, 0, 100));
  server.initial_backoff_s = seconds_or(map, "initial_backoff_s", 0.5);
  server.max_backoff_s = seconds_or(map, "max_backoff_s", 30);
  server.seed = static_cast<uint64_t>(map.integer_or("seed", 1234, 0, int64_t{1} << 62));
  return server;
}

// The chat template's text goes into every prompt, which is stored and may be sent to a server:
// it must come from the submission (its folder or its checkpoint), not from anywhere on the
// evaluator's machine.
std::string contained_template_file(const yaml_fields::MappingReader& map, const std::string& file,
                                    const std::filesystem::path& base_dir, const std::string& checkpoint) {
  if (base_dir.empty()) return file;
  std::filesystem::path path = (base_dir / file).lexically_normal();  // an absolute `file` replaces base_dir
  if (!is_within_folder(path, base_dir) && !is_within_folder(path, checkpoint)) {
    map.fail("chat_template", "'" + path.string() + "' is outside both the checkpoint folder and the submission's " +
                                  "folder (copy the file into one of them)");
  }
  return path.string();
}

ChatSettings read_chat_settings(const yaml_fields::MappingReader& map, const std::string& source,
                                const std::filesystem::path& base_dir, const std::string& checkpoint) {
  ChatSettings chat;
  std::string format = one_of(map, "prompt_format", "raw", {"raw", "chat", "chat_multiturn"});
  chat.format = *parse_prompt_format(format);
  if (map.has("chat_template")) {
    try {
      chat.template_file = expand_path(map.string("chat_template"), source);
    } catch (const Error& error) {
      map.fail("chat_template", std::string(error.what()).substr(error.source().size() + 2));
    }
    if (chat.template_file.empty()) map.fail("chat_template", "must not be empty");
    chat.template_file = contained_template_file(map, chat.template_file, base_dir, checkpoint);
  }
  if (map.has("chat_template_kwargs")) {
    YAML::Node kwargs = map.node("chat_template_kwargs");
    if (!kwargs.IsMap()) map.fail("chat_template_kwargs", "must be a mapping of template variables");
    chat.kwargs_json = yaml_to_json(kwargs).dump();
  }
  chat.system_prompt = map.string_or("system_prompt", "");
  if (!chat.system_prompt.empty() && chat.format == PromptFormat::Raw)
    map.fail("system_prompt", "needs prompt_format chat or chat_multiturn");
  return chat;
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

SubmissionConfig parse_submission(std::string_view yaml_text, const std::string& source,
                                  const std::filesystem::path& base_dir) {
  YAML::Node root = yaml_fields::parse_yaml(std::string(yaml_text), source);
  if (!root || root.IsNull()) throw Error(source, "empty submission file");
  yaml_fields::MappingReader map(root, source, "",
                                 {"team", "model", "kind", "checkpoint", "runner", "dtype", "device", "batch_size",
                                  "threads", "max_length", "prompt_format", "chat_template", "chat_template_kwargs",
                                  "system_prompt", "server"});
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
  sub.chat = read_chat_settings(map, source, base_dir, sub.checkpoint);
  if (runner.kind == "openai") {
    if (!map.has("server")) map.fail("runner", "runner: openai needs a `server:` mapping (base_url, ...)");
    runner.openai = read_server_settings(map.node("server"), source, map.nested("server"));
  } else if (map.has("server")) {
    map.fail("server", "only the openai runner talks to a server (set runner: openai)");
  }
  return sub;
}

SubmissionConfig load_submission(const std::filesystem::path& file) {
  std::filesystem::path base = file.parent_path();
  return parse_submission(read_file(file), file.string(), base.empty() ? std::filesystem::path(".") : base);
}

}  // namespace dokpa
