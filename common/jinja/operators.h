#pragma once
// Python's arithmetic on template values: + - * / // % ** and ~ (jinja2's string concat),
// including str % args formatting. Undefined operands fail as jinja2's Undefined does.
#include <string>

#include "common/jinja/value.h"

namespace dokpa::jinja {

Value binary_operator(const std::string& op, const Value& a, const Value& b);
Value unary_operator(const std::string& op, const Value& a);

}  // namespace dokpa::jinja
