#include "common/error.h"
#include "harness/data/unicode_text.h"
#include "suites/kobest/kobest_preprocessors.h"

namespace dokpa::suites {
namespace {

void add_copa_connector(Record& record, const std::string& where, const std::string& task) {
  const FieldValue* question = record.find("question");
  const auto* text = question ? std::get_if<std::string>(question) : nullptr;
  if (text == nullptr) throw Error(where, "task '" + task + "': kobest_copa needs a text field 'question'");
  if (record.contains("connector")) throw Error(where, "task '" + task + "': kobest_copa: the row already has 'connector'");
  std::string kind = python_strip(*text);
  if (kind == "원인") record.add("connector", std::string(" 왜냐하면"));
  else if (kind == "결과") record.add("connector", std::string(" 그래서"));
  else throw Error(where, "task '" + task + "': kobest_copa: question is '" + *text + "', expected 원인 or 결과");
}

}  // namespace

RecordPreprocessor kobest_copa_preprocessor() {
  return {"kobest_copa", "KoBEST COPA: `connector` from question 원인/결과 (lm-eval kobest_copa)", add_copa_connector};
}

}  // namespace dokpa::suites
