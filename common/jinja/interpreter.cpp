#include "common/jinja/interpreter.h"

#include <ctime>

#include "common/error.h"
#include "common/jinja/access.h"
#include "common/jinja/builtins.h"
#include "common/jinja/operators.h"

namespace dokpa::jinja {
namespace {

constexpr int64_t kMaxRange = 100000;  // jinja2's sandbox refuses longer ranges

Value range_function(CallArgs& args) {
  if (!args.keyword.empty()) throw EvalError("range() takes no keyword arguments");
  const auto& p = args.positional;
  if (p.empty() || p.size() > 3) throw EvalError("range expected 1 to 3 arguments");
  int64_t start = p.size() == 1 ? 0 : p[0].to_int();
  int64_t stop = p.size() == 1 ? p[0].to_int() : p[1].to_int();
  int64_t step = p.size() == 3 ? p[2].to_int() : 1;
  if (step == 0) throw EvalError("range() arg 3 must not be zero");
  std::vector<Value> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (static_cast<int64_t>(out.size()) >= kMaxRange)
      throw EvalError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    out.emplace_back(i);
  }
  return Value::list(std::move(out));
}

Value namespace_function(CallArgs& args) {
  std::vector<std::pair<std::string, Value>> entries;
  for (const auto& p : args.positional) {
    if (!p.is_dict()) throw EvalError("namespace() takes a mapping as positional argument");
    entries.insert(entries.end(), p.as_dict().entries.begin(), p.as_dict().entries.end());
  }
  Value ns = Value::namespace_object(std::move(entries));
  for (const auto& [k, v] : args.keyword) ns.mutable_dict().set(k, v);
  return ns;
}

Value dict_function(CallArgs& args) {
  if (!args.positional.empty()) throw EvalError("dict() takes only keyword arguments here");
  return Value::dict(args.keyword);
}

}  // namespace

Interpreter::Interpreter(const std::string& source_name, const RenderOptions& options, const Value& variables)
    : name_(source_name), options_(options) {
  Value globals = builtin_globals();
  scopes_.push_back(std::make_shared<Dict>(globals.as_dict()));
  auto context = std::make_shared<Dict>();
  if (variables.is_dict()) context->entries = variables.as_dict().entries;
  scopes_.push_back(context);
}

Value Interpreter::builtin_globals() {
  Value g = Value::dict();
  Dict& d = g.mutable_dict();
  d.set("range", Value::function("range", range_function));
  d.set("namespace", Value::function("namespace", namespace_function));
  d.set("dict", Value::function("dict", dict_function));
  d.set("raise_exception", Value::function("raise_exception", [this](CallArgs& args) -> Value {
          // transformers raises jinja2's TemplateError with the template's message as is.
          auto a = bind_arguments(args, "raise_exception", {"message"});
          throw Error(name_, a[0] ? a[0]->str() : "");
        }));
  d.set("strftime_now", Value::function("strftime_now", [this](CallArgs& args) -> Value {
          auto a = bind_arguments(args, "strftime_now", {"format"});
          if (!a[0] || !a[0]->is_string()) throw EvalError("strftime_now() needs a format string");
          auto now = options_.now ? options_.now() : std::chrono::system_clock::now();
          std::time_t t = std::chrono::system_clock::to_time_t(now);
          std::tm local{};
          localtime_r(&t, &local);
          char buf[256];
          size_t n = std::strftime(buf, sizeof buf, a[0]->as_string().c_str(), &local);
          return Value(std::string(buf, n));
        }));
  return g;
}

std::string Interpreter::run(const Body& body) {
  std::string out;
  exec(body, out);  // break/continue outside a loop are rejected by the parser
  return out;
}

void Interpreter::fail(const Position& pos, const std::string& message) const {
  throw Error(name_, "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " + message);
}

Value Interpreter::lookup(const std::string& name) const {
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
    if (const Value* v = (*it)->find(name)) return *v;
  return Value::undefined("'" + name + "' is undefined");
}

void Interpreter::assign(const std::string& name, Value value) { scopes_.back()->set(name, std::move(value)); }

void Interpreter::assign_targets(const std::vector<std::string>& targets, const Value& value) {
  if (targets.size() == 1) {
    assign(targets[0], value);
    return;
  }
  std::vector<Value> items = value.iterate();
  if (items.size() != targets.size())
    throw EvalError("cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(targets.size()) +
                    " names");
  for (size_t i = 0; i < targets.size(); ++i) assign(targets[i], items[i]);
}

Interpreter::Flow Interpreter::exec(const Body& body, std::string& out) {
  for (const auto& node : body) {
    Flow flow = exec(*node, out);
    if (flow != Flow::Normal) return flow;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Node& node, std::string& out) {
  try {
    switch (node.kind) {
      case Node::Kind::Text:
        out += node.text;
        return Flow::Normal;
      case Node::Kind::Output:
        out += eval(*node.expr).str();
        return Flow::Normal;
      case Node::Kind::If:
        for (const auto& [cond, body] : node.branches)
          if (!cond || eval(*cond).truthy()) return exec(body, out);
        return Flow::Normal;
      case Node::Kind::For:
        return exec_for(node, out);
      case Node::Kind::Set:
        exec_set(node);
        return Flow::Normal;
      case Node::Kind::SetBlock: {
        std::string captured;
        exec(node.body, captured);
        assign(node.targets[0], Value(captured));
        return Flow::Normal;
      }
      case Node::Kind::Macro:
        assign(node.name, make_macro(node));
        return Flow::Normal;
      case Node::Kind::Break:
        return Flow::Break;
      case Node::Kind::Continue:
        return Flow::Continue;
      case Node::Kind::Scope:
        return exec(node.body, out);
    }
  } catch (const EvalError& e) {
    fail(node.pos, e.what());
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec_for(const Node& node, std::string& out) {
  std::vector<Value> items = eval(*node.expr).iterate();
  if (node.filter) {  // `for x in xs if cond`: filtered before loop.* is computed, as jinja2 does
    std::vector<Value> kept;
    for (const auto& item : items) {
      scopes_.push_back(std::make_shared<Dict>());
      assign_targets(node.targets, item);
      bool keep = false;
      try {
        keep = eval(*node.filter).truthy();
      } catch (...) {
        scopes_.pop_back();
        throw;
      }
      scopes_.pop_back();
      if (keep) kept.push_back(item);
    }
    items = std::move(kept);
  }
  if (items.empty()) return exec(node.else_body, out);
  const auto n = static_cast<int64_t>(items.size());
  for (int64_t i = 0; i < n; ++i) {
    auto scope = std::make_shared<Dict>();
    scopes_.push_back(scope);
    Flow flow;
    try {
      Value loop = Value::dict(
          {{"index", Value(i + 1)},
           {"index0", Value(i)},
           {"revindex", Value(n - i)},
           {"revindex0", Value(n - i - 1)},
           {"first", Value(i == 0)},
           {"last", Value(i == n - 1)},
           {"length", Value(n)},
           {"depth", Value(1)},
           {"depth0", Value(0)},
           {"previtem", i > 0 ? items[static_cast<size_t>(i - 1)] : Value::undefined("there is no previous item")},
           {"nextitem", i + 1 < n ? items[static_cast<size_t>(i + 1)] : Value::undefined("there is no next item")}});
      loop.mutable_dict().set("cycle", Value::function("cycle", [i](CallArgs& args) {
                                if (args.positional.empty()) throw EvalError("no items for cycling given");
                                return args.positional[static_cast<size_t>(i) % args.positional.size()];
                              }));
      scope->set("loop", loop);
      assign_targets(node.targets, items[static_cast<size_t>(i)]);
      flow = exec(node.body, out);
    } catch (...) {
      scopes_.pop_back();
      throw;
    }
    scopes_.pop_back();
    if (flow == Flow::Break) break;
  }
  return Flow::Normal;
}

void Interpreter::exec_set(const Node& node) {
  Value value = eval(*node.expr);
  if (node.attribute.empty()) {
    assign_targets(node.targets, value);
    return;
  }
  Value target = lookup(node.targets[0]);
  if (!target.is_dict() || !target.as_dict().is_namespace)
    throw EvalError("cannot assign attribute on non-namespace object");
  target.mutable_dict().set(node.attribute, value);
}

Value Interpreter::make_macro(const Node& node) {
  const Node* macro = &node;
  std::shared_ptr<Dict> globals = scopes_[0], context = scopes_[1];
  return Value::function(node.name, [this, macro, globals, context](CallArgs& args) -> Value {
    if (args.positional.size() > macro->params.size())
      throw EvalError("macro '" + macro->name + "' takes not more than " + std::to_string(macro->params.size()) +
                      " argument(s)");
    constexpr int kMaxMacroDepth = 200;
    if (macro_depth_ >= kMaxMacroDepth)
      throw EvalError("macro '" + macro->name + "' nested more than " + std::to_string(kMaxMacroDepth) + " calls deep");
    // The body sees the template's globals and top level plus its own arguments.
    std::vector<std::shared_ptr<Dict>> saved = {globals, context, std::make_shared<Dict>()};
    std::swap(saved, scopes_);
    ++macro_depth_;
    std::string out;
    try {
      for (size_t i = 0; i < macro->params.size(); ++i) {
        const auto& [param, def] = macro->params[i];
        Value v = Value::undefined("'" + param + "' is undefined");
        bool given = i < args.positional.size();
        if (given) v = args.positional[i];
        for (const auto& [k, kv] : args.keyword)
          if (k == param) {
            v = kv;
            given = true;
          }
        if (!given && def) v = eval(*def);
        assign(param, v);
      }
      for (const auto& [k, kv] : args.keyword) {
        bool known = false;
        for (const auto& p : macro->params) known = known || p.first == k;
        if (!known) throw EvalError("macro '" + macro->name + "' takes no keyword argument '" + k + "'");
      }
      exec(macro->body, out);
    } catch (...) {
      std::swap(saved, scopes_);
      --macro_depth_;
      throw;
    }
    std::swap(saved, scopes_);
    --macro_depth_;
    return Value(out);
  });
}

Value Interpreter::eval(const Expr& e) {
  try {
    return eval_inner(e);
  } catch (const EvalError& err) {
    fail(e.pos, err.what());
  }
}

CallArgs Interpreter::eval_arguments(const Expr& e, size_t first) {
  CallArgs args;
  for (size_t i = first; i < e.args.size(); ++i) args.positional.push_back(eval(*e.args[i]));
  for (const auto& [k, v] : e.kwargs) args.keyword.emplace_back(k, eval(*v));
  return args;
}

Value Interpreter::eval_call(const Expr& e) {
  Value callee = eval(*e.args[0]);
  fail_if_undefined(callee);
  if (!callee.is_callable()) throw EvalError(std::string("'") + callee.type_name() + "' object is not callable");
  CallArgs args = eval_arguments(e, 1);
  return callee.as_callable().fn(args);
}

Value Interpreter::eval_inner(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Literal:
      return e.value;
    case Expr::Kind::Name:
      return lookup(e.name);
    case Expr::Kind::ListLiteral:
    case Expr::Kind::TupleLiteral: {
      std::vector<Value> items;
      for (const auto& a : e.args) items.push_back(eval(*a));
      return Value::list(std::move(items), e.kind == Expr::Kind::TupleLiteral);
    }
    case Expr::Kind::DictLiteral: {
      Value d = Value::dict();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        Value key = eval(*e.args[i]);
        if (!key.is_string()) throw EvalError("only string keys are supported in dict literals");
        d.mutable_dict().set(key.as_string(), eval(*e.args[i + 1]));
      }
      return d;
    }
    case Expr::Kind::Attribute:
      return get_attribute(eval(*e.args[0]), e.name);
    case Expr::Kind::Item: {
      Value object = eval(*e.args[0]);
      return get_item(object, eval(*e.args[1]));
    }
    case Expr::Kind::Slice: {
      Value object = eval(*e.args[0]);
      Value parts[3];
      for (int i = 0; i < 3; ++i)
        if (e.args[static_cast<size_t>(i) + 1]) parts[i] = eval(*e.args[static_cast<size_t>(i) + 1]);
      return get_slice(object, parts[0], parts[1], parts[2]);
    }
    case Expr::Kind::Call:
      return eval_call(e);
    case Expr::Kind::Filter: {
      Value operand = eval(*e.args[0]);
      return call_filter(e.name, operand, eval_arguments(e, 1));
    }
    case Expr::Kind::Test: {
      Value operand = eval(*e.args[0]);
      bool result = call_test(e.name, operand, eval_arguments(e, 1));
      return Value(result != e.negated);
    }
    case Expr::Kind::Unary:
      return unary_operator(e.name, eval(*e.args[0]));
    case Expr::Kind::Binary: {
      Value left = eval(*e.args[0]);
      if (e.name == "and") return left.truthy() ? eval(*e.args[1]) : left;
      if (e.name == "or") return left.truthy() ? left : eval(*e.args[1]);
      return binary_operator(e.name, left, eval(*e.args[1]));
    }
    case Expr::Kind::Compare: {
      Value left = eval(*e.args[0]);
      for (size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.args[i + 1]);
        const std::string& op = e.ops[i];
        bool ok;
        if (op == "==")
          ok = equals(left, right);
        else if (op == "!=")
          ok = !equals(left, right);
        else if (op == "in")
          ok = contains(right, left);
        else if (op == "not in")
          ok = !contains(right, left);
        else {
          int c = compare(left, right);
          ok = op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0;
        }
        if (!ok) return Value(false);
        left = std::move(right);
      }
      return Value(true);
    }
    case Expr::Kind::Conditional:
      if (eval(*e.args[1]).truthy()) return eval(*e.args[0]);
      return e.args[2]
                 ? eval(*e.args[2])
                 : Value::undefined("the inline if-expression evaluated to false and no else section was defined.");
  }
  throw EvalError("unknown expression");
}

}  // namespace dokpa::jinja
