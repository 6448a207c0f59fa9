#pragma once
// build_plan: the suite expanded over its data (DESIGN.md, data flow step 1). A pure function of
// (suite, data bytes, seed): the same inputs give a byte-identical Plan.
//
// Per item, the prompt is the task's template rendered on the row, preceded by its few-shot
// examples in lm-evaluation-harness's layout (see fewshot_context()). Then
//   multiple_choice: one request per choice i: context = prompt,
//                    continuation = target_delimiter + choice_i (request_index = i)
//   generate:        one request: prompt, stop = generation.until, max_tokens
#include <filesystem>

#include "harness/plan/plan.h"
#include "harness/suite/suite_config.h"

namespace dokpa {

struct PlanOptions {
  // Where the suite's data paths resolve; empty = suite.data_root.
  std::filesystem::path data_root;
  // A data file whose sha256 differs from the suite's pin is an error unless this is set (the
  // evaluator was told and accepts it); the file's real sha256 is recorded either way.
  bool allow_changed_data = false;
};

// Reads every data file once, checks pinned sha256s (see PlanOptions), records each file's sha256 in
// Plan::data_files, and throws dokpa::Error naming the file (and task, item) on any problem.
Plan build_plan(const SuiteConfig& suite, const PlanOptions& options = {});

}  // namespace dokpa
