#pragma once
// The Dataset seam: every data file, whatever its format, becomes an ordered list of records.
// A record maps field names to values in file order; a value is a string or a list of strings
// (numbers keep their source text, so "1" stays "1" and 0.50 stays "0.50"). One reader per
// format lives in its own .cpp; callers only see load_dataset() and the parse_* functions.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dokpa {

enum class DataFormat { Csv, Jsonl };

const char* to_string(DataFormat format);
// Parses "csv" or "jsonl"; throws dokpa::Error(source, ...) otherwise.
DataFormat parse_data_format(std::string_view text, const std::string& source);

using FieldValue = std::variant<std::string, std::vector<std::string>>;

// Field name -> value, in file order. Lookups are linear: records have a handful of fields.
class Record {
 public:
  // Appends a field; a repeated name is the caller's error (readers check it).
  void add(std::string name, FieldValue value);
  const FieldValue* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  const std::vector<std::pair<std::string, FieldValue>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, FieldValue>> fields_;
};

struct Dataset {
  std::string source;  // the file it was read from (for error messages)
  std::vector<Record> rows;  // file order
  std::vector<std::string> ids;  // ids[i] is the stable id of rows[i] (see assign_item_ids)
  std::vector<size_t> lines;  // lines[i] is the 1-based line where rows[i] starts
};

// Readers. `source` names the text in error messages ("file:line: ...").
// CSV: RFC 4180 with a header row; quoted fields, "" escapes, embedded newlines, CRLF or LF,
// an optional UTF-8 BOM; blank lines are skipped; every row must have the header's width.
Dataset parse_csv(std::string_view text, const std::string& source);
// JSONL: one JSON object per non-blank line; values are strings, numbers, booleans, null
// (read as "") or arrays of those.
Dataset parse_jsonl(std::string_view text, const std::string& source);

// Checks that the text is UTF-8 and dispatches on format.
Dataset parse_dataset(std::string_view text, DataFormat format, const std::string& source);
// Reads the file, then parse_dataset().
Dataset load_dataset(const std::filesystem::path& path, DataFormat format);

// Item ids: the row's `id` field when the dataset has one (it must be a non-empty string,
// unique in the file), else the 0-based row index as decimal text. Called by the readers.
void assign_item_ids(Dataset& dataset);

}  // namespace dokpa
