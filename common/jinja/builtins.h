#pragma once
// jinja2's built-in filters (`x | name(...)`) and tests (`x is name ...`) that chat
// templates use, with transformers' tojson. Unknown names are rejected when parsing.
#include <string>

#include "common/jinja/value.h"

namespace dokpa::jinja {

bool has_filter(const std::string& name);
bool has_test(const std::string& name);

Value call_filter(const std::string& name, const Value& operand, const CallArgs& args);
bool call_test(const std::string& name, const Value& operand, const CallArgs& args);

}  // namespace dokpa::jinja
