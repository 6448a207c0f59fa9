#include "common/jinja/value.h"

#include <cmath>

#include "common/jinja/text.h"

namespace dokpa::jinja {

const Value* Dict::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

void Dict::set(const std::string& key, Value value) {
  for (auto& [k, v] : entries)
    if (k == key) {
      v = std::move(value);
      return;
    }
  entries.emplace_back(key, std::move(value));
}

Value Value::list(std::vector<Value> items, bool tuple) {
  auto l = std::make_shared<List>();
  l->items = std::move(items);
  l->tuple = tuple;
  return Value(Storage(std::move(l)));
}

Value Value::dict(std::vector<std::pair<std::string, Value>> entries) {
  auto d = std::make_shared<Dict>();
  d->entries = std::move(entries);
  return Value(Storage(std::move(d)));
}

Value Value::namespace_object(std::vector<std::pair<std::string, Value>> entries) {
  Value v = dict(std::move(entries));
  v.mutable_dict().is_namespace = true;
  return v;
}

Value Value::function(std::string name, std::function<Value(CallArgs&)> fn) {
  return Value(Storage(std::make_shared<Callable>(Callable{std::move(name), std::move(fn)})));
}

void fail_if_undefined(const Value& v) {
  if (v.is_undefined()) throw EvalError(v.undefined_hint());
}

double Value::to_double() const {
  switch (kind()) {
    case Kind::Bool:
      return as_bool() ? 1 : 0;
    case Kind::Int:
      return static_cast<double>(as_int());
    case Kind::Float:
      return as_float();
    default:
      fail_if_undefined(*this);
      throw EvalError(std::string("expected a number, got ") + type_name());
  }
}

int64_t Value::to_int() const {
  switch (kind()) {
    case Kind::Bool:
      return as_bool() ? 1 : 0;
    case Kind::Int:
      return as_int();
    default:
      fail_if_undefined(*this);
      throw EvalError(std::string("expected an integer, got ") + type_name());
  }
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::Undefined:
    case Kind::None:
      return false;
    case Kind::Bool:
      return as_bool();
    case Kind::Int:
      return as_int() != 0;
    case Kind::Float:
      return as_float() != 0;
    case Kind::String:
      return !as_string().empty();
    case Kind::List:
      return !as_list().items.empty();
    case Kind::Dict:
      return as_dict().is_namespace || !as_dict().entries.empty();
    case Kind::Callable:
      return true;
  }
  return false;
}

const char* Value::type_name() const {
  switch (kind()) {
    case Kind::Undefined:
      return "Undefined";
    case Kind::None:
      return "NoneType";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::String:
      return "str";
    case Kind::List:
      return as_list().tuple ? "tuple" : "list";
    case Kind::Dict:
      return as_dict().is_namespace ? "Namespace" : "dict";
    case Kind::Callable:
      return "function";
  }
  return "object";
}

std::string Value::str() const {
  switch (kind()) {
    case Kind::Undefined:
      return "";
    case Kind::String:
      return as_string();
    default:
      return repr();
  }
}

std::string Value::repr() const {
  switch (kind()) {
    case Kind::Undefined:
      return "";
    case Kind::None:
      return "None";
    case Kind::Bool:
      return as_bool() ? "True" : "False";
    case Kind::Int:
      return std::to_string(as_int());
    case Kind::Float:
      return text::repr_float(as_float());
    case Kind::String:
      return text::repr_string(as_string());
    case Kind::List: {
      const List& l = as_list();
      std::string out = l.tuple ? "(" : "[";
      for (size_t i = 0; i < l.items.size(); ++i) out += (i ? ", " : "") + l.items[i].repr();
      if (l.tuple && l.items.size() == 1) out += ",";
      return out + (l.tuple ? ")" : "]");
    }
    case Kind::Dict: {
      const Dict& d = as_dict();
      std::string out = d.is_namespace ? "<Namespace {" : "{";
      for (size_t i = 0; i < d.entries.size(); ++i)
        out += (i ? ", " : "") + text::repr_string(d.entries[i].first) + ": " + d.entries[i].second.repr();
      return out + (d.is_namespace ? "}>" : "}");
    }
    case Kind::Callable:
      return "<function " + as_callable().name + ">";
  }
  return "";
}

std::vector<Value> Value::iterate() const {
  switch (kind()) {
    case Kind::Undefined:
      return {};
    case Kind::List:
      return as_list().items;
    case Kind::Dict: {
      std::vector<Value> keys;
      for (const auto& [k, v] : as_dict().entries) keys.emplace_back(k);
      return keys;
    }
    case Kind::String: {
      std::vector<Value> chars;
      for (char32_t c : text::decode(as_string())) {
        std::string s;
        text::append_utf8(s, c);
        chars.emplace_back(std::move(s));
      }
      return chars;
    }
    default:
      throw EvalError(std::string("'") + type_name() + "' object is not iterable");
  }
}

bool equals(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.to_double() == b.to_double();
    return a.to_int() == b.to_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::Undefined:
    case K::None:
      return true;
    case K::String:
      return a.as_string() == b.as_string();
    case K::List: {
      const auto& x = a.as_list().items;
      const auto& y = b.as_list().items;
      if (x.size() != y.size() || a.as_list().tuple != b.as_list().tuple) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!equals(x[i], y[i])) return false;
      return true;
    }
    case K::Dict: {
      const Dict& x = a.as_dict();
      const Dict& y = b.as_dict();
      if (x.is_namespace || y.is_namespace) return &x == &y;
      if (x.entries.size() != y.entries.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* w = y.find(k);
        if (!w || !equals(v, *w)) return false;
      }
      return true;
    }
    case K::Callable:
      return &a.as_callable() == &b.as_callable();
    default:
      return false;
  }
}

int compare(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) {
      double x = a.to_double(), y = b.to_double();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    int64_t x = a.to_int(), y = b.to_int();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  fail_if_undefined(a);
  fail_if_undefined(b);
  if (a.is_string() && b.is_string()) {
    // UTF-8 byte order is code point order, which is how Python compares str.
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_list() && b.is_list() && a.as_list().tuple == b.as_list().tuple) {
    const auto& x = a.as_list().items;
    const auto& y = b.as_list().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!equals(x[i], y[i])) return compare(x[i], y[i]);
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  throw EvalError(std::string("'<' not supported between instances of '") + a.type_name() + "' and '" + b.type_name() +
                  "'");
}

bool contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string())
      throw EvalError(std::string("'in <string>' requires string as left operand, not ") + item.type_name());
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (container.is_dict()) return item.is_string() && container.as_dict().find(item.as_string()) != nullptr;
  if (container.is_list()) {
    for (const auto& v : container.as_list().items)
      if (equals(v, item)) return true;
    return false;
  }
  if (container.is_undefined()) return false;
  throw EvalError(std::string("argument of type '") + container.type_name() + "' is not iterable");
}

}  // namespace dokpa::jinja
