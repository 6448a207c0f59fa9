#pragma once
// JSON objects -> Records: the value rules the JSONL and JSON readers share (private to
// harness/data). A field value is a string, a number (kept as written: 0.50 stays "0.50"), a
// boolean ("True"/"False", as Python's str() and so lm-eval's templates show it), null ("") or an
// array of those (a list value). Nested objects and nested arrays are refused where they appear.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/data/dataset.h"

namespace dokpa::json_records {

enum class Layout {
  Object,  // the text is one JSON object: a JSONL line
  Array,   // the text is an array of objects, or an object with exactly one key holding one
};

struct Item {
  Record record;
  size_t offset = 0;  // byte offset of the item's '{' in the text
};

struct Parsed {
  std::vector<Item> items;  // in text order
  std::string problem;  // empty when the text was read; else what is wrong ("item 3: ...")
  size_t problem_offset = 0;  // byte offset where the problem was found
};

// Never throws for bad input: the caller turns `problem` into a dokpa::Error with its location.
Parsed parse(std::string_view text, Layout layout);

// 1-based line of a byte offset (counts '\n' before it).
size_t line_at(std::string_view text, size_t offset);

}  // namespace dokpa::json_records
