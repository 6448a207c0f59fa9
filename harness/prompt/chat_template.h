#pragma once
// A checkpoint's chat template, rendered in C++ exactly as transformers 4.57's
// tokenizer.apply_chat_template(messages, tokenize=False, ...) renders it.
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/jinja/template.h"

namespace dokpa {

struct ChatMessage {
  std::string role;
  std::string content;
};

struct ChatRenderOptions {
  bool add_generation_prompt = false;
  // Leave the final message open for the model to continue (transformers' rule: the
  // template must keep the final message's text; whatever follows it is cut).
  bool continue_final_message = false;
  // Further template variables, e.g. {"enable_thinking": false}, or {"tools": [...]} (which
  // transformers takes as a named argument); like transformers' extra kwargs they override
  // the special tokens of the same name. An object; ordered because tojson prints dicts in
  // insertion order, as Python does.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  // The clock strftime_now() reads; unset means the system clock.
  std::function<std::chrono::system_clock::time_point()> now;
};

class ChatTemplate {
 public:
  // Reads `chat_template` from a tokenizer_config.json (a string, or a list of
  // {"name", "template"} from which `name` is taken, "default" when empty) and the special
  // tokens (bos/eos/unk/sep/pad/cls/mask_token: a string or an AddedToken object with
  // "content"; additional_special_tokens). A chat_template.jinja beside the file takes
  // priority, as in transformers. Errors name the file.
  static ChatTemplate from_tokenizer_config(const std::filesystem::path& path, const std::string& name = "");

  // `special_tokens`: (name, text) pairs the template sees as variables, e.g. ("bos_token", "<s>").
  ChatTemplate(const std::string& source, std::vector<std::pair<std::string, nlohmann::json>> special_tokens,
               std::string source_name);

  std::string render(const std::vector<ChatMessage>& messages, const ChatRenderOptions& options = {}) const;
  // Messages with any fields (tool calls, content parts); object key order is kept.
  std::string render(const nlohmann::ordered_json& messages, const ChatRenderOptions& options = {}) const;

  const std::string& source_name() const { return template_.source_name(); }

 private:
  jinja::Template template_;
  std::vector<std::pair<std::string, nlohmann::json>> special_tokens_;
};

}  // namespace dokpa
