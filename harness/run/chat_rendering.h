#pragma once
// The submission's chat template as the plan's chat renderer (PlanOptions::render_chat).
#include <functional>
#include <string>
#include <vector>

#include "harness/prompt/chat_prompt.h"
#include "harness/suite/submission.h"

namespace dokpa {

// Renders turns with the chat template of `submission.chat.template_file`, else of the
// checkpoint's tokenizer_config.json, with the generation prompt and the submission's
// chat_template_kwargs. The template is read on first use, so a raw-only plan never needs one;
// a missing or bad template is a dokpa::Error naming the file.
std::function<std::string(const std::vector<ChatTurn>&)> chat_renderer(const SubmissionConfig& submission);

}  // namespace dokpa
