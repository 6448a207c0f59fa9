#pragma once
// How a task's prompt reaches the model (lm-evaluation-harness's --apply_chat_template and
// --fewshot_as_multiturn):
//   raw             the rendered text as it is (base models; the default)
//   chat            one user turn holding the whole few-shot text, through the checkpoint's chat
//                   template with the generation prompt appended
//   chat_multiturn  each shot a user turn and an assistant turn (its answer), then the item as
//                   the last user turn, through the chat template
// A submission chooses one for all tasks; a task may pin its own (a protocol that is only
// defined one way).
#include <optional>
#include <string_view>

namespace dokpa {

enum class PromptFormat { Raw, Chat, ChatMultiturn };

inline const char* to_string(PromptFormat format) {
  switch (format) {
    case PromptFormat::Raw: return "raw";
    case PromptFormat::Chat: return "chat";
    case PromptFormat::ChatMultiturn: return "chat_multiturn";
  }
  return "raw";
}

inline std::optional<PromptFormat> parse_prompt_format(std::string_view text) {
  if (text == "raw") return PromptFormat::Raw;
  if (text == "chat") return PromptFormat::Chat;
  if (text == "chat_multiturn") return PromptFormat::ChatMultiturn;
  return std::nullopt;
}

}  // namespace dokpa
