#pragma once
// A deliberately tiny template language for prompts and choices (not Jinja):
//   literal text, {{field}}, {{field|trim}}, {{field|upper}}; filters chain left to right
//   ({{field|trim|upper}}) and spaces inside the braces are ignored ({{ field | trim }}).
// trim is Python's str.strip() (Unicode whitespace), upper is str.upper() per code point, so
// "{{question|trim}}" renders what lm-eval's "{{question.strip()}}" renders.
// There is no escape for a literal "{{"; an unclosed "{{" is an error.
#include <string>
#include <string_view>
#include <vector>

#include "harness/data/dataset.h"

namespace dokpa {

class PromptTemplate {
 public:
  PromptTemplate() = default;
  // Parses `text`; errors are "<source>: <context>: ..." (e.g. "smoke.yaml: task 'x': prompt").
  PromptTemplate(std::string_view text, std::string source, std::string context);

  // Renders against one record. A field the record lacks, or a list-valued field, is an error
  // "<data_source>: <context>: unknown field 'f' (item '<item_id>' has <its fields>)".
  std::string render(const Record& record, const std::string& data_source, const std::string& item_id) const;

  // Field names in order of first use.
  std::vector<std::string> fields() const;
  bool has_fields() const;

 private:
  enum class Filter { Trim, Upper };
  struct Part {
    bool is_field = false;
    std::string text;  // literal text, or the field name
    std::vector<Filter> filters;
  };
  std::vector<Part> parts_;
  std::string context_;
};

}  // namespace dokpa
