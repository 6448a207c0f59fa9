#include "common/jinja/template.h"

#include "common/jinja/interpreter.h"
#include "common/jinja/lexer.h"
#include "common/jinja/parser.h"

namespace dokpa::jinja {

Template::Template(const std::string& source, std::string source_name)
    : name_(std::move(source_name)), body_(std::make_shared<const Body>(parse(tokenize(source, name_), name_))) {}

std::string Template::render(const Value& variables, const RenderOptions& options) const {
  return Interpreter(name_, options, variables).run(*body_);
}

}  // namespace dokpa::jinja
