// JSONL reader. Parsed through nlohmann's SAX interface so that numbers keep their source text
// (a DOM would turn 0.50 into 0.5) and so nested objects are refused where they appear.
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "harness/data/dataset.h"

namespace dokpa {
namespace {

// Builds one Record from one line. Depth 1 = the object, depth 2 = an array value.
class RecordBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  Record take() { return std::move(record_); }
  const std::string& problem() const { return problem_; }

  bool null() override { return scalar(""); }
  bool boolean(bool value) override { return scalar(value ? "true" : "false"); }
  bool number_integer(number_integer_t value) override { return scalar(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return scalar(std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return scalar(text); }
  bool string(string_t& value) override { return scalar(value); }
  bool binary(binary_t&) override { return refuse("binary values are not supported"); }

  bool start_object(std::size_t) override {
    if (depth_ != 0) return refuse("field '" + key_ + "': nested objects are not supported");
    depth_ = 1;
    return true;
  }
  bool key(string_t& name) override {
    if (record_.contains(name)) return refuse("duplicate field '" + name + "'");
    key_ = name;
    return true;
  }
  bool end_object() override {
    depth_ = 0;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ != 1) return refuse(depth_ == 0 ? "line is not a JSON object" : "field '" + key_ + "': nested arrays are not supported");
    depth_ = 2;
    list_.clear();
    return true;
  }
  bool end_array() override {
    record_.add(key_, std::move(list_));
    list_ = {};
    depth_ = 1;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    problem_ = std::string("invalid JSON: ") + error.what();
    return false;
  }

 private:
  bool scalar(std::string value) {
    if (depth_ == 0) return refuse("line is not a JSON object");
    if (depth_ == 2) list_.push_back(std::move(value));
    else record_.add(key_, std::move(value));
    return true;
  }
  bool refuse(std::string message) {
    problem_ = std::move(message);
    return false;
  }

  Record record_;
  std::string key_;
  std::vector<std::string> list_;
  int depth_ = 0;
  std::string problem_;
};

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
    std::string where = source + ":" + std::to_string(line_number);
    RecordBuilder builder;
    bool ok = nlohmann::json::sax_parse(line, &builder);
    if (!ok) throw Error(where, builder.problem().empty() ? "invalid JSON line" : builder.problem());
    dataset.rows.push_back(builder.take());
    dataset.lines.push_back(line_number);
  }
  assign_item_ids(dataset);
  return dataset;
}

}  // namespace dokpa
