#pragma once
// The Dataset seam: every data file, whatever its format, becomes an ordered list of records.
// A record maps field names to values in file order; a value is a string or a list of strings
// (numbers in text formats keep their source text, so "1" stays "1" and 0.50 stays "0.50").
// One reader per format lives in its own .cpp; callers only see load_dataset() and the parse_*
// functions. Arrow's headers stay in parquet_reader.cpp: they are heavy to compile.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dokpa {

enum class DataFormat { Csv, Jsonl, Json, Parquet };

const char* to_string(DataFormat format);
// Parses "csv", "jsonl", "json" or "parquet"; throws dokpa::Error(source, ...) otherwise.
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
  std::vector<size_t> lines;  // lines[i] is the 1-based line where rows[i] starts (Parquet: row number)
};

// Readers. `source` names the text in error messages ("file:line: ...").
// CSV: RFC 4180 with a header row; quoted fields, "" escapes, embedded newlines, CRLF or LF,
// an optional UTF-8 BOM; blank lines are skipped; every row must have the header's width.
Dataset parse_csv(std::string_view text, const std::string& source);
// JSONL: one JSON object per non-blank line; values are strings, numbers (as written), booleans
// ("True"/"False": Python's str() of them, which is what lm-eval's Jinja templates render),
// null (read as "") or arrays of those (list values).
Dataset parse_jsonl(std::string_view text, const std::string& source);
// JSON: one document, the layout of `datasets`' to_json(lines=False) and many Hugging Face repos:
// an array of objects, or an object with exactly one key (any name, e.g. "data") whose value is
// such an array. Each object is read like a JSONL line; lines[i] is the line of its '{'. Errors
// name the line and the 0-based item index ("data.json:7: item 2: duplicate field 'a'").
Dataset parse_json(std::string_view text, const std::string& source);
// Parquet (Apache Arrow's reader): one record per row, fields in column order, every row group in
// order; lines[i] is the 1-based row number. A value is what Python's str() gives for the value
// pyarrow returns: strings as stored, integers in decimal, floats as repr (1.0 -> "1.0",
// 0.1 -> "0.1", 1e+16), booleans "True"/"False", null -> ""; list columns of those become list
// values (a null element -> ""). Dictionary-encoded columns are read as their values. Any other
// type (struct, binary, date, decimal, nested lists, ...) is an error naming the file and column;
// so is a file Arrow cannot read. `bytes` is the whole file (binary: no UTF-8 check of the whole,
// but every string value is checked).
Dataset parse_parquet(std::string_view bytes, const std::string& source);
// The same, letting Arrow read the file at `path`.
Dataset read_parquet(const std::filesystem::path& path);

// Dispatches on format; for the text formats, first checks that the text is UTF-8.
Dataset parse_dataset(std::string_view text, DataFormat format, const std::string& source);
// Text formats: reads the file, then parse_dataset(). Parquet: read_parquet().
Dataset load_dataset(const std::filesystem::path& path, DataFormat format);

// Item ids: the row's `id` field when the dataset has one (it must be a non-empty string,
// unique in the file), else the 0-based row index as decimal text. Called by the readers.
void assign_item_ids(Dataset& dataset);

}  // namespace dokpa
