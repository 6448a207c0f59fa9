#include "harness/prompt/chat_prompt.h"

namespace dokpa {

std::vector<ChatTurn> chat_turns(std::span<const LabeledExample> shots, std::string_view item_text,
                                 const ChatLayout& layout) {
  std::vector<ChatTurn> turns;
  if (!layout.system_prompt.empty()) turns.push_back({"system", layout.system_prompt});
  if (!layout.multiturn) {
    // lm-eval collapses the turns into one user message whose text is the raw layout.
    turns.push_back({"user", fewshot_context(shots, item_text, layout.target_delimiter, layout.fewshot_delimiter)});
    return turns;
  }
  for (const LabeledExample& shot : shots) {
    turns.push_back({"user", shot.text});
    if (!shot.bare) turns.push_back({"assistant", shot.target});
  }
  turns.push_back({"user", std::string(item_text)});
  return turns;
}

}  // namespace dokpa
