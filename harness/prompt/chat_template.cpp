#include "harness/prompt/chat_template.h"

#include "common/error.h"
#include "common/file_io.h"
#include "common/jinja/json_value.h"
#include "common/jinja/text.h"

namespace dokpa {
namespace {

// transformers' SPECIAL_TOKENS_ATTRIBUTES, in its order; only non-empty ones reach the template.
const char* const kSpecialTokens[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                      "pad_token", "cls_token", "mask_token"};

std::string token_text(const nlohmann::json& token, const std::string& file, const std::string& key) {
  if (token.is_string()) return token.get<std::string>();
  if (token.is_object() && token.contains("content") && token["content"].is_string())
    return token["content"].get<std::string>();
  throw Error(file, "'" + key + "' must be a string or an object with a string \"content\"");
}

std::string pick_template(const nlohmann::json& field, const std::string& file, const std::string& name) {
  if (field.is_string()) {
    if (!name.empty() && name != "default")
      throw Error(file, "chat template '" + name + "' asked for, but the file has a single unnamed template");
    return field.get<std::string>();
  }
  if (!field.is_array()) throw Error(file, "'chat_template' must be a string or a list of {name, template}");
  std::string wanted = name.empty() ? "default" : name;
  std::vector<std::string> names;
  for (const auto& entry : field) {
    if (!entry.is_object() || !entry.contains("name") || !entry.contains("template") || !entry["name"].is_string() ||
        !entry["template"].is_string())
      throw Error(file, "each 'chat_template' entry must be an object with string 'name' and 'template'");
    if (entry["name"] == wanted) return entry["template"].get<std::string>();
    names.push_back(entry["name"].get<std::string>());
  }
  std::string available;
  for (const auto& n : names) available += (available.empty() ? "" : ", ") + n;
  throw Error(file, "no chat template named '" + wanted + "' (available: " + available + ")");
}

}  // namespace

ChatTemplate ChatTemplate::from_tokenizer_config(const std::filesystem::path& path, const std::string& name) {
  const std::string file = path.string();
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(file, std::string("not valid JSON: ") + e.what());
  }
  if (!config.is_object()) throw Error(file, "expected a JSON object");

  std::string source, source_name = file;
  std::filesystem::path jinja_file = path.parent_path() / "chat_template.jinja";
  if (std::filesystem::exists(jinja_file) && (name.empty() || name == "default")) {
    source = read_file(jinja_file);
    source_name = jinja_file.string();
  } else if (config.contains("chat_template") && !config["chat_template"].is_null()) {
    source = pick_template(config["chat_template"], file, name);
  } else {
    throw Error(file,
                "no chat template: the file has no 'chat_template' (and there is no chat_template.jinja beside it)");
  }

  std::vector<std::pair<std::string, nlohmann::json>> tokens;
  auto add = [&](const std::string& key) {
    if (!config.contains(key) || config[key].is_null()) return;
    std::string text = token_text(config[key], file, key);
    if (!text.empty()) tokens.emplace_back(key, text);
  };
  for (const char* key : kSpecialTokens) add(key);
  if (config.contains("additional_special_tokens") && config["additional_special_tokens"].is_array()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& t : config["additional_special_tokens"])
      list.push_back(token_text(t, file, "additional_special_tokens"));
    if (!list.empty()) tokens.emplace_back("additional_special_tokens", list);
  }
  return ChatTemplate(source, std::move(tokens), source_name);
}

ChatTemplate::ChatTemplate(const std::string& source,
                           std::vector<std::pair<std::string, nlohmann::json>> special_tokens, std::string source_name)
    : template_(source, source_name + ": chat template"), special_tokens_(std::move(special_tokens)) {}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, const ChatRenderOptions& options) const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& m : messages) list.push_back({{"role", m.role}, {"content", m.content}});
  return render(list, options);
}

std::string ChatTemplate::render(const nlohmann::ordered_json& messages, const ChatRenderOptions& options) const {
  if (!messages.is_array()) throw Error(source_name(), "messages must be a list");
  if (!options.extra.is_object()) throw Error(source_name(), "extra template variables must be a JSON object");
  if (options.continue_final_message && options.add_generation_prompt)
    throw Error(source_name(), "continue_final_message and add_generation_prompt are not compatible");

  // transformers marks the final message's end with a tag and cuts the render there.
  const std::string tag = "CONTINUE_FINAL_MESSAGE_TAG ";
  nlohmann::ordered_json chat = messages;
  std::string final_text;
  if (options.continue_final_message) {
    if (chat.empty() || !chat.back().contains("content") || !chat.back()["content"].is_string())
      throw Error(source_name(), "continue_final_message needs a final message with text content");
    final_text = chat.back()["content"].get<std::string>();
    chat.back()["content"] = final_text + tag;
  }

  // The variables apply_chat_template passes: special tokens, then messages, tools,
  // documents and add_generation_prompt, then extra kwargs (which win).
  jinja::Value vars = jinja::Value::dict();
  jinja::Dict& d = vars.mutable_dict();
  for (const auto& [key, value] : special_tokens_) d.set(key, jinja::from_json(value));
  d.set("messages", jinja::from_json(chat));
  d.set("tools", jinja::Value::none());
  d.set("documents", jinja::Value::none());
  d.set("add_generation_prompt", jinja::Value(options.add_generation_prompt));
  for (auto it = options.extra.begin(); it != options.extra.end(); ++it) d.set(it.key(), jinja::from_json(it.value()));

  jinja::RenderOptions render_options;
  render_options.now = options.now;
  std::string rendered = template_.render(vars, render_options);
  if (!options.continue_final_message) return rendered;

  auto strip = [](const std::string& s) { return jinja::text::strip(s, std::nullopt, true, true); };
  std::string tag_word = strip(tag);
  if (rendered.find(strip(final_text)) == std::string::npos || rendered.find(tag_word) == std::string::npos)
    throw Error(source_name(),
                "continue_final_message is set but the final message does not appear in the rendered chat");
  size_t at = rendered.rfind(tag_word);
  if (rendered.compare(at, tag.size(), tag) == 0) return rendered.substr(0, at);
  return jinja::text::strip(rendered.substr(0, at), std::nullopt, false, true);
}

}  // namespace dokpa
