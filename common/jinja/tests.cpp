// The `is` tests, with jinja2's definitions (e.g. `integer` excludes bools, `number`
// includes them, Undefined is iterable).
#include <cmath>
#include <functional>
#include <map>

#include "common/jinja/access.h"
#include "common/jinja/builtins.h"
#include "common/jinja/text.h"

namespace dokpa::jinja {
namespace {

using Test = std::function<bool(const Value&, const std::vector<Value>&)>;

const Value& arg(const std::vector<Value>& a, size_t i, const char* test) {
  if (i >= a.size()) throw EvalError(std::string("test '") + test + "' needs an argument");
  return a[i];
}

const std::map<std::string, Test>& tests() {
  static const std::map<std::string, Test> table = [] {
    std::map<std::string, Test> t;
    t["defined"] = [](const Value& v, const auto&) { return !v.is_undefined(); };
    t["undefined"] = [](const Value& v, const auto&) { return v.is_undefined(); };
    t["none"] = [](const Value& v, const auto&) { return v.is_none(); };
    t["boolean"] = [](const Value& v, const auto&) { return v.is_bool(); };
    t["true"] = [](const Value& v, const auto&) { return v.is_bool() && v.as_bool(); };
    t["false"] = [](const Value& v, const auto&) { return v.is_bool() && !v.as_bool(); };
    t["integer"] = [](const Value& v, const auto&) { return v.is_int(); };
    t["float"] = [](const Value& v, const auto&) { return v.is_float(); };
    t["number"] = [](const Value& v, const auto&) { return v.is_number(); };
    t["string"] = [](const Value& v, const auto&) { return v.is_string(); };
    t["mapping"] = [](const Value& v, const auto&) { return v.is_dict() && !v.as_dict().is_namespace; };
    t["iterable"] = [](const Value& v, const auto&) {
      return v.is_undefined() || v.is_string() || v.is_list() || (v.is_dict() && !v.as_dict().is_namespace);
    };
    t["sequence"] = t["iterable"];
    t["callable"] = [](const Value& v, const auto&) { return v.is_callable(); };
    t["sameas"] = [](const Value& v, const auto& a) {
      const Value& o = arg(a, 0, "sameas");
      if (v.kind() != o.kind()) return false;
      // Python's `is`: None and bools are singletons; equal strings and numbers from the
      // same source are usually the same object, which is what templates compare.
      if (!v.is_list() && !v.is_dict()) return equals(v, o);
      return (v.is_list() && &v.as_list() == &o.as_list()) || (v.is_dict() && &v.as_dict() == &o.as_dict());
    };
    t["eq"] = [](const Value& v, const auto& a) { return equals(v, arg(a, 0, "eq")); };
    t["ne"] = [](const Value& v, const auto& a) { return !equals(v, arg(a, 0, "ne")); };
    t["lt"] = [](const Value& v, const auto& a) { return compare(v, arg(a, 0, "lt")) < 0; };
    t["le"] = [](const Value& v, const auto& a) { return compare(v, arg(a, 0, "le")) <= 0; };
    t["gt"] = [](const Value& v, const auto& a) { return compare(v, arg(a, 0, "gt")) > 0; };
    t["ge"] = [](const Value& v, const auto& a) { return compare(v, arg(a, 0, "ge")) >= 0; };
    for (auto [alias, name] : {std::pair{"equalto", "eq"},
                               {"==", "eq"},
                               {"!=", "ne"},
                               {"<", "lt"},
                               {"lessthan", "lt"},
                               {"<=", "le"},
                               {">", "gt"},
                               {"greaterthan", "gt"},
                               {">=", "ge"}})
      t[alias] = t[name];
    t["in"] = [](const Value& v, const auto& a) { return contains(arg(a, 0, "in"), v); };
    t["odd"] = [](const Value& v, const auto&) { return v.to_int() % 2 != 0; };
    t["even"] = [](const Value& v, const auto&) { return v.to_int() % 2 == 0; };
    t["divisibleby"] = [](const Value& v, const auto& a) {
      int64_t d = arg(a, 0, "divisibleby").to_int();
      if (d == 0) throw EvalError("integer modulo by zero");
      return v.to_int() % d == 0;
    };
    t["lower"] = [](const Value& v, const auto&) {
      return v.is_string() && text::lower(v.as_string()) == v.as_string();
    };
    t["upper"] = [](const Value& v, const auto&) {
      return v.is_string() && text::upper(v.as_string()) == v.as_string();
    };
    return t;
  }();
  return table;
}

}  // namespace

bool has_test(const std::string& name) { return tests().count(name) > 0; }

bool call_test(const std::string& name, const Value& operand, const CallArgs& args) {
  auto it = tests().find(name);
  if (it == tests().end()) throw EvalError("no test named '" + name + "'");
  if (!args.keyword.empty()) throw EvalError("test '" + name + "' takes no keyword arguments");
  return it->second(operand, args.positional);
}

}  // namespace dokpa::jinja
