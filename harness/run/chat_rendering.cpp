#include "harness/run/chat_rendering.h"

#include <memory>
#include <optional>

#include "harness/prompt/chat_template.h"

namespace dokpa {

std::function<std::string(const std::vector<ChatTurn>&)> chat_renderer(const SubmissionConfig& submission) {
  std::filesystem::path file = submission.chat.template_file.empty()
                                   ? std::filesystem::path(submission.checkpoint) / "tokenizer_config.json"
                                   : std::filesystem::path(submission.chat.template_file);
  ChatRenderOptions options;
  options.add_generation_prompt = true;
  options.extra = nlohmann::ordered_json::parse(submission.chat.kwargs_json);
  // strftime_now() would make prompts depend on the day: templates see a fixed date instead.
  options.now = [] { return std::chrono::system_clock::time_point{}; };
  auto loaded = std::make_shared<std::optional<ChatTemplate>>();
  return [file, options, loaded](const std::vector<ChatTurn>& turns) {
    if (!*loaded) *loaded = ChatTemplate::from_tokenizer_config(file);
    std::vector<ChatMessage> messages;
    for (const ChatTurn& turn : turns) messages.push_back({turn.role, turn.content});
    return (*loaded)->render(messages, options);
  };
}

}  // namespace dokpa
