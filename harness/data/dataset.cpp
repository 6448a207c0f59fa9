#include "harness/data/dataset.h"

#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "harness/data/unicode_text.h"

namespace dokpa {

const char* to_string(DataFormat format) {
  switch (format) {
    case DataFormat::Csv: return "csv";
    case DataFormat::Jsonl: return "jsonl";
    case DataFormat::Json: return "json";
    case DataFormat::Parquet: return "parquet";
  }
  return "?";
}

DataFormat parse_data_format(std::string_view text, const std::string& source) {
  if (text == "csv") return DataFormat::Csv;
  if (text == "jsonl") return DataFormat::Jsonl;
  if (text == "json") return DataFormat::Json;
  if (text == "parquet") return DataFormat::Parquet;
  throw Error(source, "unknown data format '" + std::string(text) + "' (expected csv, jsonl, json or parquet)");
}

void Record::add(std::string name, FieldValue value) { fields_.emplace_back(std::move(name), std::move(value)); }

const FieldValue* Record::find(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (key == name) return &value;
  }
  return nullptr;
}

Dataset parse_dataset(std::string_view text, DataFormat format, const std::string& source) {
  if (format == DataFormat::Parquet) return parse_parquet(text, source);  // binary: checks its strings itself
  size_t bad = first_invalid_utf8(text);
  if (bad != std::string::npos) {
    size_t line = 1;
    for (size_t i = 0; i < bad; ++i) line += text[i] == '\n';
    throw Error(source + ":" + std::to_string(line), "invalid UTF-8 at byte " + std::to_string(bad));
  }
  switch (format) {
    case DataFormat::Csv: return parse_csv(text, source);
    case DataFormat::Jsonl: return parse_jsonl(text, source);
    case DataFormat::Json: return parse_json(text, source);
    case DataFormat::Parquet: break;  // handled above
  }
  throw Error(source, "unsupported data format");
}

Dataset load_dataset(const std::filesystem::path& path, DataFormat format) {
  if (format == DataFormat::Parquet) return read_parquet(path);
  return parse_dataset(read_file(path), format, path.string());
}

void assign_item_ids(Dataset& dataset) {
  dataset.ids.clear();
  std::set<std::string> seen;
  for (size_t i = 0; i < dataset.rows.size(); ++i) {
    const FieldValue* id = dataset.rows[i].find("id");
    std::string where = dataset.source + ":" + std::to_string(dataset.lines.at(i));
    std::string text;
    if (id == nullptr) {
      text = std::to_string(i);
    } else if (const auto* s = std::get_if<std::string>(id); s && !s->empty()) {
      text = *s;
    } else {
      throw Error(where, "field 'id' must be a non-empty string");
    }
    if (!seen.insert(text).second) throw Error(where, "duplicate item id '" + text + "'");
    dataset.ids.push_back(std::move(text));
  }
}

}  // namespace dokpa
