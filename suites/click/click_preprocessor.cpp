#include "suites/click/click_preprocessor.h"

#include "common/error.h"

namespace dokpa::suites {
namespace {

const std::string& text(const Record& record, const char* field, const std::string& where, const std::string& task) {
  const FieldValue* value = record.find(field);
  const auto* result = value ? std::get_if<std::string>(value) : nullptr;
  if (result == nullptr) throw Error(where, "task '" + task + "': click needs a text field '" + field + "'");
  return *result;
}

void build_click_prompt(Record& record, const std::string& where, const std::string& task) {
  const std::string& paragraph = text(record, "paragraph", where, task);
  const std::string& question = text(record, "question", where, task);
  const FieldValue* value = record.find("choices");
  const auto* options = value ? std::get_if<std::vector<std::string>>(value) : nullptr;
  if (options == nullptr) throw Error(where, "task '" + task + "': click needs a list field 'choices'");
  if (options->size() != 4 && options->size() != 5)
    throw Error(where, "task '" + task + "': click items have 4 or 5 choices, this one has " +
                           std::to_string(options->size()));

  static const char* const kLetters[] = {"A", "B", "C", "D", "E"};
  std::string listed;
  std::vector<std::string> letters;
  for (size_t i = 0; i < options->size(); ++i) {
    listed += i == 0 ? std::string(kLetters[i]) + ":" : std::string(", ") + kLetters[i] + ": ";
    listed += (*options)[i];
    letters.push_back(kLetters[i]);
  }
  std::string prompt;
  if (!paragraph.empty()) {
    prompt = "주어진 맥락을 천천히 읽고, 질문에 대한 적절한 정답을 A, B, C, D 중에 골라 알파벳 하나로 답하시오.\n\n맥락: " +
             paragraph + "\n질문: " + question;
  } else {
    prompt = "주어진 질문을 천천히 읽고, 적절한 정답을 A, B, C, D 중에 골라 알파벳 하나로 답하시오.\n\n질문: " + question;
  }
  prompt += "\n보기:\n" + listed + "\n정답:";
  if (record.contains("click_prompt") || record.contains("click_letters"))
    throw Error(where, "task '" + task + "': click: the row already has a field click_prompt or click_letters");
  record.add("click_prompt", prompt);
  record.add("click_letters", letters);
}

}  // namespace

RecordPreprocessor click_preprocessor() {
  return {"click", "CLIcK: click_prompt and click_letters as lm-eval's click tasks, all five options on CSAT items",
          build_click_prompt};
}

}  // namespace dokpa::suites
