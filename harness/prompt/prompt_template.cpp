#include "harness/prompt/prompt_template.h"

#include <algorithm>

#include "common/error.h"
#include "harness/data/unicode_text.h"

namespace dokpa {
namespace {

std::string trim_ascii(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

PromptTemplate::PromptTemplate(std::string_view text, std::string source, std::string context)
    : context_(std::move(context)) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) open = text.size();
    if (open > pos) parts_.push_back({false, std::string(text.substr(pos, open - pos)), {}});
    if (open == text.size()) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) throw Error(source, context_ + ": unclosed '{{' in the template");
    std::string_view inside = text.substr(open + 2, close - open - 2);
    Part part{true, "", {}};
    size_t bar = inside.find('|');
    part.text = trim_ascii(inside.substr(0, bar));
    if (part.text.empty() || part.text.find_first_of("{}") != std::string::npos) {
      throw Error(source, context_ + ": '{{" + std::string(inside) + "}}' does not name a field");
    }
    while (bar != std::string_view::npos) {
      size_t next = inside.find('|', bar + 1);
      std::string name = trim_ascii(inside.substr(bar + 1, next == std::string_view::npos ? std::string_view::npos : next - bar - 1));
      if (name == "trim") part.filters.push_back(Filter::Trim);
      else if (name == "upper") part.filters.push_back(Filter::Upper);
      else throw Error(source, context_ + ": unknown filter '" + name + "' (known: trim, upper)");
      bar = next;
    }
    parts_.push_back(std::move(part));
    pos = close + 2;
  }
}

std::string PromptTemplate::render(const Record& record, const std::string& data_source, const std::string& item_id) const {
  std::string out;
  for (const Part& part : parts_) {
    if (!part.is_field) {
      out += part.text;
      continue;
    }
    const FieldValue* value = record.find(part.text);
    if (value == nullptr) {
      std::string known;
      for (const auto& field : record.fields()) known += (known.empty() ? "" : ", ") + field.first;
      throw Error(data_source, context_ + ": unknown field '" + part.text + "' (item '" + item_id + "' has " +
                                   (known.empty() ? "no fields" : known) + ")");
    }
    const auto* text = std::get_if<std::string>(value);
    if (text == nullptr) {
      throw Error(data_source, context_ + ": field '" + part.text + "' is a list, not text (item '" + item_id + "')");
    }
    std::string rendered = *text;
    for (Filter filter : part.filters) rendered = filter == Filter::Trim ? python_strip(rendered) : to_upper(rendered);
    out += rendered;
  }
  return out;
}

std::vector<std::string> PromptTemplate::fields() const {
  std::vector<std::string> names;
  for (const Part& part : parts_) {
    if (part.is_field && std::find(names.begin(), names.end(), part.text) == names.end()) names.push_back(part.text);
  }
  return names;
}

bool PromptTemplate::has_fields() const {
  return std::any_of(parts_.begin(), parts_.end(), [](const Part& p) { return p.is_field; });
}

}  // namespace dokpa
