// JSON reader: one document holding every item, as `datasets`' to_json(lines=False) and many
// Hugging Face repos write it: an array of objects, or an object with exactly one key (any name:
// "data", "train", ...) whose value is that array. Items are read by json_records, with the same
// value rules as JSONL lines.
#include "common/error.h"
#include "harness/data/dataset.h"
#include "harness/data/json_records.h"

namespace dokpa {

Dataset parse_json(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) throw Error(source, "empty JSON file");
  json_records::Parsed parsed = json_records::parse(text, json_records::Layout::Array);
  if (!parsed.problem.empty()) {
    throw Error(source + ":" + std::to_string(json_records::line_at(text, parsed.problem_offset)), parsed.problem);
  }
  Dataset dataset;
  dataset.source = source;
  dataset.rows.reserve(parsed.items.size());
  size_t line = 1;
  size_t counted = 0;  // line is the line of byte `counted`; items come in text order
  for (json_records::Item& item : parsed.items) {
    for (; counted < item.offset; ++counted) line += text[counted] == '\n';
    dataset.rows.push_back(std::move(item.record));
    dataset.lines.push_back(line);
  }
  assign_item_ids(dataset);
  return dataset;
}

}  // namespace dokpa
