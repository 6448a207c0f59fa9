#pragma once
// Record preprocessors: named C++ functions that derive fields of a dataset row before its
// templates are rendered, for the few protocols a template cannot express (lm-eval's Python
// doc_to_text functions: a connector chosen by a field's value, an option list whose length
// varies). They live beside their benchmark in suites/<benchmark>/ and are registered by name;
// a suite names one with `preprocess:`. This registry is the seam: harness/ never depends on
// suites/, the program that wires them together (the `dokpa` executable, a test) registers them.
#include <string>
#include <string_view>
#include <vector>

#include "harness/data/dataset.h"

namespace dokpa {

// Adds or replaces fields of `record`; throws dokpa::Error(where, ...) for a row it cannot use.
// `where` is "<data file>:<line>" and `task` the task name, both for messages.
using RecordPreprocessorFn = void (*)(Record& record, const std::string& where, const std::string& task);

struct RecordPreprocessor {
  std::string name;  // as written in suites: [a-z0-9_]+
  std::string description;  // one line: what it derives and whose protocol it follows
  RecordPreprocessorFn apply = nullptr;
};

// Registers a preprocessor; registering a name twice with a different function is an error.
void register_record_preprocessor(RecordPreprocessor preprocessor);
// nullptr when no preprocessor of that name is registered.
const RecordPreprocessor* find_record_preprocessor(std::string_view name);
// All registered, sorted by name (for error messages and `dokpa` help).
std::vector<std::string> record_preprocessor_names();

}  // namespace dokpa
