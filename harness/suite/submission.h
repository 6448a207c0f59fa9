#pragma once
// Submission YAML: which checkpoint a team submits and how to run it.
//
//   team: reference                  # required, non-empty
//   model: SmolLM2-135M-Instruct     # required, non-empty
//   kind: llm                        # required: llm | vlm | vla
//   checkpoint: ~/.cache/dokpa/models/SmolLM2-135M-Instruct
//                                    # required; a leading ~ and ${VAR} are expanded (an unset
//                                    # variable is an error); native: a Hugging Face folder
//   runner: native                   # optional: native (default) | openai
//   dtype: float32                   # optional: float32 (default) | bfloat16 | float16
//   device: auto                     # optional: auto (default) | cpu | cuda | cuda:N
//   batch_size: 8                    # optional, >= 1 (default 8)
//   threads: 0                       # optional, >= 0; 0 = the library default
//   max_length: 2048                 # optional, >= 1 (default 2048)
//   prompt_format: chat              # optional: raw (default) | chat | chat_multiturn
//                                    # (harness/suite/prompt_format.h); a task may pin its own
//   chat_template: path/to/tokenizer_config.json
//                                    # optional; where the chat template is read (a
//                                    # tokenizer_config.json); default: the checkpoint's.
//                                    # Relative to this file's folder; the file must lie in
//                                    # the checkpoint folder or in this file's folder (symlinks
//                                    # followed), since its text goes into every prompt
//   chat_template_kwargs: {enable_thinking: false}
//                                    # optional mapping: extra variables of the chat template
//   system_prompt: "..."             # optional: a system message before every chat prompt
//                                    # (needs a chat format)
//   server:                          # required for runner: openai, refused otherwise
//     base_url: http://host:8000/v1  #   required, http:// or https://
//     served_model: name             #   optional; default: the server's only model
//     api_key_env: DOKPA_API_KEY     #   optional: the variable holding the key (never the key)
//     generation_endpoint: completions   # completions (default) | chat
//     prompt_tokens: auto            #   auto (default) | ids | text (log-likelihood prompts)
//     max_in_flight: 32              #   requests in flight at once
//     request_timeout_s: 600         #   per try
//     max_retries: 6                 #   on 429, 5xx, timeouts, broken connections
//     initial_backoff_s: 0.5         #   doubled per retry, with jitter, up to max_backoff_s
//     max_backoff_s: 30
//     seed: 1234                     #   sent with generation requests
//   For runner: openai, `checkpoint` is the folder with the served model's files (hashed for
//   provenance; its tokenizer, when present, lets dokpa send token ids).
//
// Unknown keys and bad values are errors naming the file and the field.
#include <filesystem>
#include <string>
#include <string_view>

#include "harness/suite/prompt_format.h"
#include "runners/runner.h"

namespace dokpa {

// How chat-format prompts are rendered for this submission.
struct ChatSettings {
  PromptFormat format = PromptFormat::Raw;
  std::string template_file;  // expanded; empty = <checkpoint>/tokenizer_config.json
  std::string kwargs_json = "{}";  // a JSON object (keys sorted): extra template variables
  std::string system_prompt;  // empty = no system message
};

struct SubmissionConfig {
  std::string source;  // the file it was loaded from
  std::string team;
  std::string model;
  std::string kind;  // llm | vlm | vla
  std::string checkpoint_as_written;  // before expansion (what the manifest says)
  std::string checkpoint;  // expanded
  RunnerOptions runner;  // kind, checkpoint (expanded), dtype, device, batch_size, threads, max_length
  ChatSettings chat;
};

SubmissionConfig load_submission(const std::filesystem::path& file);
// `base_dir`: the submission file's folder, where a relative chat_template resolves and which,
// with the checkpoint folder, must hold it; empty: the path is kept as written and not checked.
SubmissionConfig parse_submission(std::string_view yaml_text, const std::string& source,
                                  const std::filesystem::path& base_dir = {});

// Expands a leading "~" (from $HOME) and every ${VAR}; throws dokpa::Error(source, ...) for an
// unset variable or an unclosed "${".
std::string expand_path(const std::string& text, const std::string& source);

}  // namespace dokpa
