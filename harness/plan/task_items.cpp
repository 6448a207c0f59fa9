#include "harness/plan/task_items.h"

#include <charconv>

#include "common/error.h"

namespace dokpa::plan_detail {
namespace {

std::string where(const Dataset& data, size_t row) { return data.source + ":" + std::to_string(data.lines.at(row)); }

const std::string& text_field(const TaskConfig& task, const Dataset& data, size_t row, const std::string& field) {
  const FieldValue* value = data.rows[row].find(field);
  if (value == nullptr) throw Error(where(data, row), "task '" + task.name + "': gold: unknown field '" + field + "'");
  const auto* text = std::get_if<std::string>(value);
  if (text == nullptr) throw Error(where(data, row), "task '" + task.name + "': gold field '" + field + "' is a list");
  return *text;
}

}  // namespace

TaskRenderer::TaskRenderer(const TaskConfig& task, const std::string& suite_source)
    : task_(task), prompt_(task.prompt, suite_source, "task '" + task.name + "': prompt") {
  for (size_t i = 0; i < task.choices.size(); ++i) {
    choices_.emplace_back(task.choices[i], suite_source, "task '" + task.name + "': choices[" + std::to_string(i) + "]");
  }
}

ItemView TaskRenderer::render(const Dataset& data, size_t row) const {
  const Record& record = data.rows[row];
  const std::string& id = data.ids[row];
  ItemView view;
  view.prompt = prompt_.render(record, where(data, row), id);
  const std::string& gold = text_field(task_, data, row, task_.gold.field);
  if (task_.output == OutputType::Generate) {
    view.gold_text = gold;
    return view;
  }

  // Multiple choice: choice texts from templates or from a list field.
  if (task_.choices_field.empty()) {
    for (const PromptTemplate& choice : choices_) view.choices.push_back(choice.render(record, where(data, row), id));
  } else {
    const FieldValue* value = record.find(task_.choices_field);
    const auto* list = value ? std::get_if<std::vector<std::string>>(value) : nullptr;
    if (list == nullptr) {
      throw Error(where(data, row), "task '" + task_.name + "': choices_field '" + task_.choices_field +
                                        "' is missing or not a list");
    }
    view.choices = *list;
  }
  for (const std::string& choice : view.choices) {
    // acc_norm divides by the choice length; an empty choice has none.
    if (choice.empty()) throw Error(where(data, row), "task '" + task_.name + "': a choice renders to empty text");
  }

  int64_t value = 0;
  auto [end, ec] = std::from_chars(gold.data(), gold.data() + gold.size(), value);
  if (ec != std::errc() || end != gold.data() + gold.size()) {
    throw Error(where(data, row), "task '" + task_.name + "': gold field '" + task_.gold.field + "' is '" + gold +
                                      "', not an integer");
  }
  int64_t index = value - task_.gold.base;
  if (index < 0 || index >= static_cast<int64_t>(view.choices.size())) {
    throw Error(where(data, row), "task '" + task_.name + "': gold " + gold + " (base " + std::to_string(task_.gold.base) +
                                      ") is outside the " + std::to_string(view.choices.size()) + " choices");
  }
  view.gold_index = static_cast<int>(index);
  view.gold_text = view.choices[static_cast<size_t>(index)];
  return view;
}

}  // namespace dokpa::plan_detail
