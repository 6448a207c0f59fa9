#pragma once
// build_plan: the suite expanded over its data (DESIGN.md, data flow step 1). A pure function of
// (suite, data bytes, seed): the same inputs give a byte-identical Plan.
//
// Per item, the prompt is the task's template rendered on the row, preceded by its few-shot
// examples in lm-evaluation-harness's layout (see fewshot_context()). Then
//   multiple_choice: one request per choice i: context = prompt,
//                    continuation = target_delimiter + choice_i (request_index = i)
//   generate:        one request: prompt, stop = generation.until, max_tokens
// In a chat format (prompt_format.h) the text is chat_turns() rendered by PlanOptions::render_chat,
// and a choice's continuation drops the target delimiter (as lm-eval does).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/plan/plan.h"
#include "harness/prompt/chat_prompt.h"
#include "harness/suite/suite_config.h"

namespace dokpa {

struct PlanOptions {
  // Where the suite's data paths resolve; empty = suite.data_root.
  std::filesystem::path data_root;
  // A data file whose sha256 differs from the suite's pin is an error unless this is set (the
  // evaluator was told and accepts it); the file's real sha256 is recorded either way.
  bool allow_changed_data = false;
  // Only the tasks matching one of these names or shell-style patterns (`kmmlu_*`), in suite
  // order; empty = every task. A pattern matching no task is an error. A group is kept only when
  // all its tasks are. Both change the plan hash, hence the run key.
  std::vector<std::string> only_tasks;
  // > 0: every generation's max_tokens is capped at this (a smoke check of long-generation tasks
  // on small hardware; the capped plan is a different plan, and its scores are not the protocol's).
  int generation_cap = 0;
  // The submission's prompt format, for tasks that do not pin their own (prompt_format.h), and
  // the system prompt of chat formats.
  PromptFormat prompt_format = PromptFormat::Raw;
  std::string system_prompt;
  // Renders chat turns with the checkpoint's chat template and its generation prompt; needed
  // (else an error) when a task's format is a chat format.
  std::function<std::string(const std::vector<ChatTurn>&)> render_chat;
};

// Reads every data file once, checks pinned sha256s (see PlanOptions), records each file's sha256 in
// Plan::data_files, and throws dokpa::Error naming the file (and task, item) on any problem.
Plan build_plan(const SuiteConfig& suite, const PlanOptions& options = {});

}  // namespace dokpa
