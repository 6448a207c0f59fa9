#pragma once
// Tokens -> statement tree. Anything outside the supported subset fails here with the line
// and column, so a template is never rendered half-understood.
#include <string>
#include <vector>

#include "common/jinja/ast.h"

namespace dokpa::jinja {

Body parse(const std::vector<Token>& tokens, const std::string& source_name);

}  // namespace dokpa::jinja
