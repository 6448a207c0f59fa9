// JSONL reader: one JSON object per non-blank line, each read by json_records (the value rules
// it shares with the JSON reader).
#include "common/error.h"
#include "harness/data/dataset.h"
#include "harness/data/json_records.h"

namespace dokpa {
namespace {

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

Dataset parse_jsonl(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Dataset dataset;
  dataset.source = source;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (is_blank(line)) continue;
    json_records::Parsed parsed = json_records::parse(line, json_records::Layout::Object);
    if (!parsed.problem.empty()) throw Error(source + ":" + std::to_string(line_number), parsed.problem);
    dataset.rows.push_back(std::move(parsed.items.at(0).record));
    dataset.lines.push_back(line_number);
  }
  assign_item_ids(dataset);
  return dataset;
}

}  // namespace dokpa
