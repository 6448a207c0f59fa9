#pragma once
// `obj.name`, `obj[key]`, `obj[a:b:c]` and the Python methods templates call on str, dict
// and list (split, strip, startswith, items, get, ...), as jinja2's sandbox resolves them:
// an attribute finds a method before a dict key, a subscript finds a key before a method,
// and a miss yields Undefined rather than an error.
#include <optional>
#include <string>
#include <vector>

#include "common/jinja/value.h"

namespace dokpa::jinja {

Value get_attribute(const Value& object, const std::string& name);
Value get_item(const Value& object, const Value& key);
Value get_slice(const Value& object, const Value& start, const Value& stop, const Value& step);

// Binds call arguments to named parameters like a Python signature: positional first, then
// keywords by name. A missing one stays nullopt; extra or unknown ones throw EvalError.
std::vector<std::optional<Value>> bind_arguments(const CallArgs& args, const std::string& function,
                                                 const std::vector<std::string>& params);

}  // namespace dokpa::jinja
