#pragma once
// Private to harness/plan: what one dataset row means for one task (its rendered prompt,
// choices and gold answer), one small function per output type.
#include <string>
#include <vector>

#include "harness/data/dataset.h"
#include "harness/prompt/prompt_template.h"
#include "harness/suite/suite_config.h"

namespace dokpa::plan_detail {

struct ItemView {
  std::string prompt;  // rendered template, without few-shot examples
  std::vector<std::string> choices;  // multiple_choice
  int gold_index = -1;  // multiple_choice
  std::string gold_text;  // the gold choice's text (multiple_choice) or the reference answer
};

class TaskRenderer {
 public:
  TaskRenderer(const TaskConfig& task, const std::string& suite_source);
  // Throws dokpa::Error("<data file>:<line>", "task '...': ...") for a bad row.
  ItemView render(const Dataset& data, size_t row) const;

 private:
  const TaskConfig& task_;
  PromptTemplate prompt_;
  std::vector<PromptTemplate> choices_;  // empty when the task uses choices_field
};

}  // namespace dokpa::plan_detail
