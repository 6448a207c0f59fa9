#pragma once
// The values a template computes with, modelled on the Python objects jinja2 sees when
// transformers renders a chat template: None, bool, int, float, str, list/tuple, dict,
// jinja2's Undefined, namespace() and callables. Lists and dicts are shared and never
// mutated by templates (transformers uses an immutable sandbox); a namespace is the one
// mutable object, which is why it is shared by pointer.
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dokpa::jinja {

// A runtime failure without a position; the interpreter adds line and column.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Value;

struct List {
  std::vector<Value> items;
  bool tuple = false;  // only changes how it prints: (a, b) instead of [a, b]
};

// A Python dict with string keys, in insertion order (as Python iterates and dumps it).
struct Dict {
  std::vector<std::pair<std::string, Value>> entries;
  bool is_namespace = false;  // jinja2's namespace(): the only mutable object

  const Value* find(const std::string& key) const;
  void set(const std::string& key, Value value);
};

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

struct Callable {
  std::string name;
  std::function<Value(CallArgs&)> fn;
};

// jinja2's default Undefined: falsy, prints as "", iterates as empty; anything else
// (attribute, item, arithmetic) fails with `hint`, the message jinja2 would raise.
struct Undefined {
  std::string hint;
};
struct None {};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Callable };

  Value() : v_(Undefined{}) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}

  static Value undefined(std::string hint) { return Value(Undefined{std::move(hint)}); }
  static Value none() { return Value(None{}); }
  static Value list(std::vector<Value> items, bool tuple = false);
  static Value dict(std::vector<std::pair<std::string, Value>> entries = {});
  static Value namespace_object(std::vector<std::pair<std::string, Value>> entries);
  static Value function(std::string name, std::function<Value(CallArgs&)> fn);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_undefined() const { return kind() == Kind::Undefined; }
  bool is_none() const { return kind() == Kind::None; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_int() const { return kind() == Kind::Int; }
  bool is_float() const { return kind() == Kind::Float; }
  bool is_number() const { return is_bool() || is_int() || is_float(); }
  bool is_string() const { return kind() == Kind::String; }
  bool is_list() const { return kind() == Kind::List; }
  bool is_dict() const { return kind() == Kind::Dict; }
  bool is_callable() const { return kind() == Kind::Callable; }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_float() const { return std::get<double>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const List& as_list() const { return *std::get<std::shared_ptr<List>>(v_); }
  const Dict& as_dict() const { return *std::get<std::shared_ptr<Dict>>(v_); }
  Dict& mutable_dict() const { return *std::get<std::shared_ptr<Dict>>(v_); }
  const Callable& as_callable() const { return *std::get<std::shared_ptr<Callable>>(v_); }
  const std::string& undefined_hint() const { return std::get<Undefined>(v_).hint; }

  // Numbers as Python widens them (bool -> int -> float).
  double to_double() const;
  int64_t to_int() const;

  bool truthy() const;            // Python bool()
  std::string str() const;        // Python str(): what {{ value }} prints
  std::string repr() const;       // Python repr(): how items print inside a list or dict
  const char* type_name() const;  // Python's type name, for error messages

  // The items `for x in value` visits: list items, dict keys, string characters;
  // nothing for Undefined. Throws EvalError for anything else.
  std::vector<Value> iterate() const;

 private:
  using Storage = std::variant<Undefined, None, bool, int64_t, double, std::string, std::shared_ptr<List>,
                               std::shared_ptr<Dict>, std::shared_ptr<Callable>>;
  explicit Value(Storage v) : v_(std::move(v)) {}
  Storage v_;
};

bool equals(const Value& a, const Value& b);               // Python ==
int compare(const Value& a, const Value& b);               // Python <, as -1/0/1; EvalError when unorderable
bool contains(const Value& container, const Value& item);  // Python `in`
void fail_if_undefined(const Value& v);                    // throws the Undefined's hint

}  // namespace dokpa::jinja
