#pragma once
// Walks the statement tree and writes the output, holding the variable scopes: the
// globals, the render variables plus top-level `set`s, then one scope per loop iteration
// or macro call (so a `set` inside a loop does not leak out, as in jinja2).
#include <memory>
#include <string>
#include <vector>

#include "common/jinja/ast.h"
#include "common/jinja/template.h"

namespace dokpa::jinja {

class Interpreter {
 public:
  Interpreter(const std::string& source_name, const RenderOptions& options, const Value& variables);
  std::string run(const Body& body);

 private:
  enum class Flow { Normal, Break, Continue };

  Flow exec(const Body& body, std::string& out);
  Flow exec(const Node& node, std::string& out);
  Flow exec_for(const Node& node, std::string& out);
  void exec_set(const Node& node);
  Value eval(const Expr& e);
  Value eval_inner(const Expr& e);
  Value eval_call(const Expr& e);
  CallArgs eval_arguments(const Expr& e, size_t first);
  Value make_macro(const Node& node);

  Value lookup(const std::string& name) const;
  void assign(const std::string& name, Value value);
  void assign_targets(const std::vector<std::string>& targets, const Value& value);
  [[noreturn]] void fail(const Position& pos, const std::string& message) const;
  Value builtin_globals();

  const std::string& name_;
  const RenderOptions& options_;
  std::vector<std::shared_ptr<Dict>> scopes_;  // innermost last
  int macro_depth_ = 0;  // nested macro calls; bounded so a recursive template cannot blow the stack
};

}  // namespace dokpa::jinja
