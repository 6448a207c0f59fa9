#include "harness/plan/task_items.h"

#include <algorithm>
#include <charconv>

#include "common/error.h"
#include "harness/data/unicode_text.h"

namespace dokpa::plan_detail {
namespace {

std::string where(const Dataset& data, size_t row) { return data.source + ":" + std::to_string(data.lines.at(row)); }

const std::string& text_field(const TaskConfig& task, const Record& record, const std::string& where,
                              const std::string& field, const char* role) {
  const FieldValue* value = record.find(field);
  if (value == nullptr) throw Error(where, "task '" + task.name + "': " + role + ": unknown field '" + field + "'");
  const auto* text = std::get_if<std::string>(value);
  if (text == nullptr) throw Error(where, "task '" + task.name + "': " + role + " field '" + field + "' is a list");
  return *text;
}

const std::vector<std::string>& list_field(const TaskConfig& task, const Record& record, const std::string& where,
                                           const std::string& field, const char* role) {
  const FieldValue* value = record.find(field);
  const auto* list = value ? std::get_if<std::vector<std::string>>(value) : nullptr;
  if (list == nullptr)
    throw Error(where, "task '" + task.name + "': " + role + " '" + field + "' is missing or not a list");
  return *list;
}

// Index of `value` in `options` after NFC and Python strip (how a gold text is matched).
int find_text(const std::vector<std::string>& options, const std::string& value) {
  std::string wanted = nfc(python_strip(value));
  for (size_t i = 0; i < options.size(); ++i)
    if (nfc(python_strip(options[i])) == wanted) return static_cast<int>(i);
  return -1;
}

}  // namespace

TaskRenderer::TaskRenderer(const TaskConfig& task, const std::string& suite_source)
    : task_(task), prompt_(task.prompt, suite_source, "task '" + task.name + "': prompt") {
  if (!task.preprocess.empty()) {
    preprocess_ = find_record_preprocessor(task.preprocess);
    if (preprocess_ == nullptr)
      throw Error(suite_source, "task '" + task.name + "': no record preprocessor named '" + task.preprocess + "'");
  }
  if (!task.fewshot.prompt.empty())
    shot_prompt_.emplace(task.fewshot.prompt, suite_source, "task '" + task.name + "': fewshot.prompt");
  for (size_t i = 0; i < task.choices.size(); ++i) {
    choices_.emplace_back(task.choices[i], suite_source, "task '" + task.name + "': choices[" + std::to_string(i) + "]");
  }
}

int TaskRenderer::gold_index(const Record& record, const std::string& where,
                             const std::vector<std::string>& choices) const {
  const std::string& gold = text_field(task_, record, where, task_.gold.field, "gold");
  const std::string prefix = "task '" + task_.name + "': gold field '" + task_.gold.field + "' is '" + gold + "', ";
  switch (task_.gold.kind) {
    case GoldConfig::Kind::ChoiceText: {
      int index = find_text(choices, gold);
      if (index < 0) throw Error(where, prefix + "which is none of the choices");
      return index;
    }
    case GoldConfig::Kind::ListElement: {
      int index = find_text(list_field(task_, record, where, task_.gold.match_field, "gold match_field"), gold);
      if (index < 0) throw Error(where, prefix + "which is no element of '" + task_.gold.match_field + "'");
      if (index >= static_cast<int>(choices.size()))
        throw Error(where, prefix + "option " + std::to_string(index + 1) + ", but there are only " +
                               std::to_string(choices.size()) + " choices");
      return index;
    }
    case GoldConfig::Kind::ValueList: {
      int index = find_text(task_.gold.values, gold);
      if (index < 0) throw Error(where, prefix + "which is none of the gold values listed in the suite");
      if (index >= static_cast<int>(choices.size()))
        throw Error(where, prefix + "choice " + std::to_string(index + 1) + ", but there are only " +
                               std::to_string(choices.size()) + " choices");
      return index;
    }
    case GoldConfig::Kind::Index: break;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(gold.data(), gold.data() + gold.size(), value);
  if (ec != std::errc() || end != gold.data() + gold.size()) throw Error(where, prefix + "not an integer");
  int64_t index = value - task_.gold.base;
  if (index < 0 || index >= static_cast<int64_t>(choices.size())) {
    throw Error(where, prefix + "outside the " + std::to_string(choices.size()) + " choices (base " +
                           std::to_string(task_.gold.base) + ")");
  }
  return static_cast<int>(index);
}

// Circular mode: rotation r renders the record with option field i holding the value of
// option field (i + r) mod n.
std::vector<std::string> TaskRenderer::rotations(const Record& record, const std::string& where,
                                                 const std::string& id) const {
  const size_t n = task_.option_fields.size();
  std::vector<std::string> values;
  for (const std::string& field : task_.option_fields) values.push_back(text_field(task_, record, where, field, "option_fields"));
  std::vector<std::string> prompts;
  for (size_t r = 0; r < n; ++r) {
    Record rotated;
    for (const auto& [name, value] : record.fields()) {
      auto slot = std::find(task_.option_fields.begin(), task_.option_fields.end(), name);
      if (slot == task_.option_fields.end()) rotated.add(name, value);
      else rotated.add(name, values[(static_cast<size_t>(slot - task_.option_fields.begin()) + r) % n]);
    }
    prompts.push_back(prompt_.render(rotated, where, id));
  }
  return prompts;
}

ItemView TaskRenderer::render(const Dataset& data, size_t row) const {
  const std::string at = where(data, row);
  Record record = data.rows[row];
  if (preprocess_ != nullptr) preprocess_->apply(record, at, task_.name);
  const std::string& id = data.ids[row];
  ItemView view;
  view.prompt = prompt_.render(record, at, id);

  switch (task_.output) {
    case OutputType::Generate:
      view.gold_text = text_field(task_, record, at, task_.gold.field, "gold");
      return view;
    case OutputType::GenerateChoice:
      view.choices = task_.labels;
      view.gold_index = gold_index(record, at, view.choices);
      view.gold_text = view.choices[static_cast<size_t>(view.gold_index)];
      if (task_.circular) view.rotated_prompts = rotations(record, at, id);
      return view;
    case OutputType::MultipleChoice: break;
  }

  // Multiple choice: choice texts from templates or from a list field.
  if (task_.choices_field.empty()) {
    for (const PromptTemplate& choice : choices_) view.choices.push_back(choice.render(record, at, id));
  } else {
    view.choices = list_field(task_, record, at, task_.choices_field, "choices_field");
  }
  for (const std::string& choice : view.choices) {
    // acc_norm divides by the choice length; an empty choice has none.
    if (choice.empty()) throw Error(at, "task '" + task_.name + "': a choice renders to empty text");
  }
  view.gold_index = gold_index(record, at, view.choices);
  view.gold_text = view.choices[static_cast<size_t>(view.gold_index)];
  return view;
}

LabeledExample TaskRenderer::render_shot(const Dataset& data, size_t row) const {
  ItemView view = render(data, row);
  LabeledExample shot{view.prompt, view.gold_text, !task_.fewshot.target};
  if (shot_prompt_) {
    Record record = data.rows[row];
    if (preprocess_ != nullptr) preprocess_->apply(record, where(data, row), task_.name);
    record.add("@gold", view.gold_text);
    shot.text = shot_prompt_->render(record, where(data, row), data.ids[row]);
  }
  return shot;
}

}  // namespace dokpa::plan_detail
