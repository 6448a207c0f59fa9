// CSV reader (RFC 4180). A small state machine over the bytes: it knows where each record
// starts so errors can name "file:line", and it never guesses at broken quoting.
#include <set>

#include "common/error.h"
#include "harness/data/dataset.h"

namespace dokpa {
namespace {

struct CsvRow {
  std::vector<std::string> fields;
  size_t line = 0;  // 1-based line where the row starts
};

class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& source) : text_(text), source_(source) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // UTF-8 BOM
  }

  // Reads the next row; false at end of input. Blank lines are skipped.
  bool next(CsvRow& row) {
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) skip_newline();
    if (pos_ >= text_.size()) return false;
    row.fields.clear();
    row.line = line_;
    while (true) {
      row.fields.push_back(read_field());
      if (pos_ >= text_.size()) return true;
      char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      skip_newline();  // read_field stops only at ',', newline or end
      return true;
    }
  }

 private:
  [[noreturn]] void fail(size_t line, const std::string& message) const {
    throw Error(source_ + ":" + std::to_string(line), message);
  }

  void skip_newline() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  std::string read_field() {
    std::string out;
    if (pos_ < text_.size() && text_[pos_] == '"') return read_quoted();
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ',' || c == '\n' || c == '\r') break;
      if (c == '"') fail(line_, "quote inside an unquoted field (quote the whole field and double the quote)");
      out += c;
      ++pos_;
    }
    return out;
  }

  std::string read_quoted() {
    size_t start_line = line_;
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail(start_line, "quoted field is never closed");
      char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {  // "" is one quote
          out += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;  // closing quote: only a separator, a newline or the end may follow
        if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
          fail(line_, "unexpected text after a closing quote");
        }
        return out;
      }
      if (c == '\n') ++line_;
      out += c;  // embedded newlines (CRLF included) are kept as written
      ++pos_;
    }
  }

  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

}  // namespace

Dataset parse_csv(std::string_view text, const std::string& source) {
  CsvParser parser(text, source);
  CsvRow header;
  if (!parser.next(header)) throw Error(source, "empty CSV file (no header row)");
  std::set<std::string> names;
  for (const std::string& name : header.fields) {
    if (name.empty()) throw Error(source + ":1", "empty column name in the header");
    if (!names.insert(name).second) throw Error(source + ":1", "duplicate column '" + name + "'");
  }
  Dataset dataset;
  dataset.source = source;
  CsvRow row;
  while (parser.next(row)) {
    if (row.fields.size() != header.fields.size()) {
      throw Error(source + ":" + std::to_string(row.line),
                  "row has " + std::to_string(row.fields.size()) + " fields, the header has " +
                      std::to_string(header.fields.size()));
    }
    Record record;
    for (size_t i = 0; i < row.fields.size(); ++i) record.add(header.fields[i], std::move(row.fields[i]));
    dataset.rows.push_back(std::move(record));
    dataset.lines.push_back(row.line);
  }
  assign_item_ids(dataset);
  return dataset;
}

}  // namespace dokpa
