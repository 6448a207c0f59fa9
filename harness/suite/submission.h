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
//
// Unknown keys and bad values are errors naming the file and the field.
#include <filesystem>
#include <string>
#include <string_view>

#include "runners/runner.h"

namespace dokpa {

struct SubmissionConfig {
  std::string source;  // the file it was loaded from
  std::string team;
  std::string model;
  std::string kind;  // llm | vlm | vla
  std::string checkpoint_as_written;  // before expansion (what the manifest says)
  std::string checkpoint;  // expanded
  RunnerOptions runner;  // kind, checkpoint (expanded), dtype, device, batch_size, threads, max_length
};

SubmissionConfig load_submission(const std::filesystem::path& file);
SubmissionConfig parse_submission(std::string_view yaml_text, const std::string& source);

// Expands a leading "~" (from $HOME) and every ${VAR}; throws dokpa::Error(source, ...) for an
// unset variable or an unclosed "${".
std::string expand_path(const std::string& text, const std::string& source);

}  // namespace dokpa
