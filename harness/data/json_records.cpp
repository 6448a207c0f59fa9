// JSON objects -> Records through nlohmann's SAX interface (numbers keep their source text; a
// DOM would turn 0.50 into 0.5). A counting input iterator tells where each item starts, so
// readers can name the line of an item and of a problem.
#include "harness/data/json_records.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

namespace dokpa::json_records {
namespace {

// A char iterator that publishes how many bytes the parser has consumed.
struct CountingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* base = nullptr;
  const char* at = nullptr;
  size_t* consumed = nullptr;

  reference operator*() const { return *at; }
  CountingIterator& operator++() {
    ++at;
    *consumed = static_cast<size_t>(at - base);
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const CountingIterator& other) const { return at == other.at; }
  bool operator!=(const CountingIterator& other) const { return at != other.at; }
};

// Where the parser is. Array layout: [Top] -> (Wrapper ->) List -> Record -> FieldList.
// Object layout: Top -> Record -> FieldList.
enum class State { Top, Wrapper, List, Record, FieldList, Done };

class RecordsSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  RecordsSax(Layout layout, const size_t* consumed) : layout_(layout), consumed_(consumed) {}

  Parsed take() { return std::move(parsed_); }

  bool null() override { return scalar(""); }
  bool boolean(bool value) override { return scalar(value ? "True" : "False"); }
  bool number_integer(number_integer_t value) override { return scalar(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return scalar(std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return scalar(text); }
  bool string(string_t& value) override { return scalar(value); }
  bool binary(binary_t&) override { return refuse("binary values are not supported"); }

  bool start_object(std::size_t) override {
    switch (state_) {
      case State::Top:
        if (layout_ == Layout::Object) return begin_record();
        state_ = State::Wrapper;
        return true;
      case State::Wrapper: return refuse(wrapper_shape());
      case State::List: return begin_record();
      case State::Record:
      case State::FieldList: return refuse("field '" + key_ + "': nested objects are not supported");
      case State::Done: break;
    }
    return refuse("unexpected object");
  }
  bool key(string_t& name) override {
    if (state_ == State::Wrapper) {
      if (wrapper_has_key_) return refuse(wrapper_shape());
      wrapper_has_key_ = true;
      return true;
    }
    if (record_.contains(name)) return refuse("duplicate field '" + name + "'");
    key_ = name;
    return true;
  }
  bool end_object() override {
    if (state_ == State::Wrapper) {  // {} or {"data": [...]} closing
      if (!wrapper_done_) return refuse(wrapper_shape());
      state_ = State::Done;
      return true;
    }
    // State::Record: the item is complete.
    parsed_.items.push_back({std::move(record_), item_offset_});
    record_ = Record();
    if (layout_ == Layout::Object) state_ = State::Done;
    else state_ = State::List;
    return true;
  }
  bool start_array(std::size_t) override {
    switch (state_) {
      case State::Top:
        if (layout_ == Layout::Object) return refuse("line is not a JSON object");
        state_ = State::List;
        return true;
      case State::Wrapper:
        if (wrapper_done_) return refuse(wrapper_shape());
        state_ = State::List;
        return true;
      case State::List: return refuse("item " + std::to_string(parsed_.items.size()) + " is not a JSON object");
      case State::Record:
        state_ = State::FieldList;
        list_.clear();
        return true;
      case State::FieldList: return refuse("field '" + key_ + "': nested arrays are not supported");
      case State::Done: break;
    }
    return refuse("unexpected array");
  }
  bool end_array() override {
    if (state_ == State::FieldList) {
      record_.add(key_, std::move(list_));
      list_ = {};
      state_ = State::Record;
      return true;
    }
    // State::List: the array of items is complete.
    if (wrapper_has_key_) {
      wrapper_done_ = true;
      state_ = State::Wrapper;
    } else {
      state_ = State::Done;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    return refuse(std::string("invalid JSON: ") + error.what());
  }

 private:
  bool begin_record() {
    state_ = State::Record;
    item_offset_ = *consumed_ - 1;  // the '{' was the last byte read
    return true;
  }
  bool scalar(std::string value) {
    switch (state_) {
      case State::Record: record_.add(key_, std::move(value)); return true;
      case State::FieldList: list_.push_back(std::move(value)); return true;
      case State::List: return refuse("item " + std::to_string(parsed_.items.size()) + " is not a JSON object");
      case State::Wrapper: return refuse(wrapper_shape());
      case State::Top:
        return refuse(layout_ == Layout::Object ? "line is not a JSON object" : top_shape());
      case State::Done: break;
    }
    return refuse("unexpected value");
  }
  // "item 3: " in the Array layout (0-based, like the default item ids), "" for a JSONL line.
  std::string item_label() const {
    if (layout_ == Layout::Object) return "";
    return "item " + std::to_string(parsed_.items.size()) + ": ";  // the items before it are done
  }
  std::string top_shape() const {
    return "the top level must be an array of objects, or an object with one key whose value is one";
  }
  std::string wrapper_shape() const {
    return "the top-level object must have exactly one key, whose value is the array of items";
  }
  // Inside an item, the message names it.
  bool refuse(std::string message) {
    if (state_ == State::Record || state_ == State::FieldList) message = item_label() + message;
    parsed_.problem = std::move(message);
    parsed_.problem_offset = *consumed_;
    return false;
  }

  Layout layout_;
  const size_t* consumed_;
  State state_ = State::Top;
  Parsed parsed_;
  Record record_;
  std::string key_;
  std::vector<std::string> list_;
  size_t item_offset_ = 0;
  bool wrapper_has_key_ = false;
  bool wrapper_done_ = false;
};

}  // namespace

Parsed parse(std::string_view text, Layout layout) {
  size_t consumed = 0;
  CountingIterator first{text.data(), text.data(), &consumed};
  CountingIterator last{text.data(), text.data() + text.size(), &consumed};
  RecordsSax sax(layout, &consumed);
  bool ok = nlohmann::json::sax_parse(first, last, &sax);
  Parsed parsed = sax.take();
  if (!ok && parsed.problem.empty()) {
    parsed.problem = "invalid JSON";
    parsed.problem_offset = consumed;
  }
  return parsed;
}

size_t line_at(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace dokpa::json_records
