#pragma once
// Private to harness/plan: what one dataset row means for one task (its rendered prompt,
// choices and gold answer), one small function per output type.
#include <optional>
#include <string>
#include <vector>

#include "harness/data/dataset.h"
#include "harness/prompt/fewshot_sampler.h"
#include "harness/prompt/prompt_template.h"
#include "harness/prompt/record_preprocessor.h"
#include "harness/suite/suite_config.h"

namespace dokpa::plan_detail {

struct ItemView {
  std::string prompt;  // rendered template, without few-shot examples
  // generate_choice in circular mode: prompts[r] is rotation r (prompts[0] == prompt).
  std::vector<std::string> rotated_prompts;
  std::vector<std::string> choices;  // multiple_choice: choice texts; generate_choice: labels
  int gold_index = -1;  // multiple_choice, generate_choice
  // The gold choice's text (multiple_choice), the gold label (generate_choice; the few-shot
  // target) or the reference answer (generate).
  std::string gold_text;
};

class TaskRenderer {
 public:
  TaskRenderer(const TaskConfig& task, const std::string& suite_source);
  // Throws dokpa::Error("<data file>:<line>", "task '...': ...") for a bad row.
  ItemView render(const Dataset& data, size_t row) const;
  // The row as a few-shot example: the shot template (or the prompt) and the gold answer.
  LabeledExample render_shot(const Dataset& data, size_t row) const;

 private:
  int gold_index(const Record& record, const std::string& where, const std::vector<std::string>& choices) const;
  std::vector<std::string> rotations(const Record& record, const std::string& where, const std::string& id) const;

  const TaskConfig& task_;
  const RecordPreprocessor* preprocess_ = nullptr;
  PromptTemplate prompt_;
  std::optional<PromptTemplate> shot_prompt_;  // fewshot.prompt
  std::vector<PromptTemplate> choices_;  // empty when the task uses choices_field
};

}  // namespace dokpa::plan_detail
