#pragma once
// The messages of a chat-format prompt, laid out as lm-evaluation-harness 0.4 lays them out
// (Task.fewshot_context with apply_chat_template; harness/suite/prompt_format.h names the formats):
//   [system: system_prompt]            when one is given
//   chat_multiturn: per shot  user: shot text, assistant: shot target   (a bare shot: user only)
//                   then      user: item text
//   chat:           one user message: fewshot_context(shots, item text), the raw layout
// The messages are then rendered by the checkpoint's chat template with its generation prompt.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/prompt/fewshot_sampler.h"

namespace dokpa {

struct ChatTurn {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct ChatLayout {
  bool multiturn = false;
  std::string system_prompt;  // empty: no system message
  std::string target_delimiter;  // only the single-turn layout uses the delimiters
  std::string fewshot_delimiter;
};

std::vector<ChatTurn> chat_turns(std::span<const LabeledExample> shots, std::string_view item_text,
                                 const ChatLayout& layout);

}  // namespace dokpa
