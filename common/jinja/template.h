#pragma once
// A jinja2-compatible template engine for the subset chat templates use, rendering exactly
// as transformers' environment does (trim_blocks, lstrip_blocks, loopcontrols, the
// raise_exception and strftime_now globals, tojson without HTML escaping).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/jinja/ast.h"
#include "common/jinja/value.h"

namespace dokpa::jinja {

struct RenderOptions {
  // The clock strftime_now() reads (formatted in local time, as Python's datetime.now()).
  // Unset: the system clock. Tests pin it so renders are deterministic.
  std::function<std::chrono::system_clock::time_point()> now;
};

class Template {
 public:
  // Parses `source`; `source_name` starts every error message. Throws dokpa::Error with the
  // line and column of a syntax error or of syntax outside the supported subset.
  Template(const std::string& source, std::string source_name);

  // Renders with `variables` (a dict Value) as the template's context. Throws dokpa::Error:
  // with line and column for a runtime error, with the template's own message for
  // raise_exception().
  std::string render(const Value& variables, const RenderOptions& options = {}) const;

  const std::string& source_name() const { return name_; }

 private:
  std::string name_;
  std::shared_ptr<const Body> body_;
};

}  // namespace dokpa::jinja
