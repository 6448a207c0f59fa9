#include "common/jinja/access.h"

#include <algorithm>

#include "common/jinja/text.h"

namespace dokpa::jinja {

std::vector<std::optional<Value>> bind_arguments(const CallArgs& args, const std::string& function,
                                                 const std::vector<std::string>& params) {
  if (args.positional.size() > params.size())
    throw EvalError(function + "() takes at most " + std::to_string(params.size()) + " arguments (" +
                    std::to_string(args.positional.size()) + " given)");
  std::vector<std::optional<Value>> bound(params.size());
  for (size_t i = 0; i < args.positional.size(); ++i) bound[i] = args.positional[i];
  for (const auto& [key, value] : args.keyword) {
    auto it = std::find(params.begin(), params.end(), key);
    if (it == params.end()) throw EvalError(function + "() got an unexpected keyword argument '" + key + "'");
    auto& slot = bound[static_cast<size_t>(it - params.begin())];
    if (slot) throw EvalError(function + "() got multiple values for argument '" + key + "'");
    slot = value;
  }
  return bound;
}

namespace {

std::string string_arg(const std::optional<Value>& v, const char* what) {
  if (!v || !v->is_string()) throw EvalError(std::string(what) + " must be a string");
  return v->as_string();
}

std::optional<std::string> optional_string(const std::optional<Value>& v) {
  if (!v || v->is_none()) return std::nullopt;
  if (!v->is_string()) throw EvalError("expected a string argument, got " + std::string(v->type_name()));
  return v->as_string();
}

long optional_int(const std::optional<Value>& v, long fallback) {
  if (!v || v->is_none()) return fallback;
  return static_cast<long>(v->to_int());
}

Value string_list(const std::vector<std::string>& parts) {
  std::vector<Value> items(parts.begin(), parts.end());
  return Value::list(std::move(items));
}

// startswith/endswith take a string or a tuple of strings.
bool affix_matches(const std::string& s, const Value& affix, bool prefix) {
  if (affix.is_list()) {
    for (const auto& a : affix.as_list().items)
      if (affix_matches(s, a, prefix)) return true;
    return false;
  }
  if (!affix.is_string()) throw EvalError("startswith/endswith first argument must be str or a tuple of str");
  const std::string& a = affix.as_string();
  if (a.size() > s.size()) return false;
  return prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
}

Value code_point_index(const std::string& s, size_t byte_pos) {
  if (byte_pos == std::string::npos) return Value(-1);
  return Value(static_cast<int64_t>(text::length(std::string_view(s).substr(0, byte_pos))));
}

std::optional<Value> string_method(const std::string& s, const std::string& name) {
  auto method = [&](std::vector<std::string> params, auto body) {
    return Value::function("str." + name, [s, name, params, body](CallArgs& args) -> Value {
      return body(s, bind_arguments(args, name, params));
    });
  };
  using Bound = std::vector<std::optional<Value>>;
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    bool left = name != "rstrip", right = name != "lstrip";
    return method({"chars"}, [left, right](const std::string& s, const Bound& a) {
      return Value(text::strip(s, optional_string(a[0]), left, right));
    });
  }
  if (name == "split" || name == "rsplit") {
    bool from_right = name == "rsplit";
    return method({"sep", "maxsplit"}, [from_right](const std::string& s, const Bound& a) {
      auto sep = optional_string(a[0]);
      long max = optional_int(a[1], -1);
      if (sep && sep->empty()) throw EvalError("empty separator");
      if (from_right && sep) return string_list(text::rsplit(s, *sep, max));
      if (from_right && max >= 0) throw EvalError("rsplit() on whitespace with maxsplit is not supported");
      return string_list(text::split(s, sep, max));
    });
  }
  if (name == "startswith" || name == "endswith") {
    bool prefix = name == "startswith";
    return method({"affix"}, [prefix](const std::string& s, const Bound& a) {
      if (!a[0]) throw EvalError("startswith/endswith takes one argument");
      return Value(affix_matches(s, *a[0], prefix));
    });
  }
  if (name == "replace")
    return method({"old", "new", "count"}, [](const std::string& s, const Bound& a) {
      return Value(text::replace(s, string_arg(a[0], "old"), string_arg(a[1], "new"), optional_int(a[2], -1)));
    });
  if (name == "upper") return method({}, [](const std::string& s, const Bound&) { return Value(text::upper(s)); });
  if (name == "lower") return method({}, [](const std::string& s, const Bound&) { return Value(text::lower(s)); });
  if (name == "title") return method({}, [](const std::string& s, const Bound&) { return Value(text::title(s)); });
  if (name == "capitalize")
    return method({}, [](const std::string& s, const Bound&) { return Value(text::capitalize(s)); });
  if (name == "find" || name == "rfind")
    return method({"sub"}, [right = name == "rfind"](const std::string& s, const Bound& a) {
      std::string sub = string_arg(a[0], "sub");
      return code_point_index(s, right ? s.rfind(sub) : s.find(sub));
    });
  if (name == "count")
    return method({"sub"}, [](const std::string& s, const Bound& a) {
      std::string sub = string_arg(a[0], "sub");
      if (sub.empty()) return Value(static_cast<int64_t>(text::length(s) + 1));
      int64_t n = 0;
      for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
      return Value(n);
    });
  if (name == "join")
    return method({"iterable"}, [](const std::string& s, const Bound& a) {
      if (!a[0]) throw EvalError("join() takes one argument");
      std::string out;
      bool first = true;
      for (const auto& item : a[0]->iterate()) {
        if (!item.is_string())
          throw EvalError("sequence item: expected str instance, " + std::string(item.type_name()) + " found");
        if (!first) out += s;
        out += item.as_string();
        first = false;
      }
      return Value(out);
    });
  if (name == "splitlines")
    return method({}, [](const std::string& s, const Bound&) { return string_list(text::splitlines(s)); });
  if (name == "isspace" || name == "isdigit" || name == "isalpha" || name == "isalnum")
    return method({}, [name](const std::string& s, const Bound&) {
      std::u32string cps = text::decode(s);
      if (cps.empty()) return Value(false);
      for (char32_t c : cps) {
        bool ok = name == "isspace"   ? text::is_space(c)
                  : name == "isdigit" ? (c >= '0' && c <= '9')
                  : name == "isalpha" ? ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80
                                      : ((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (!ok) return Value(false);
      }
      return Value(true);
    });
  return std::nullopt;
}

std::optional<Value> dict_method(const Value& d, const std::string& name) {
  if (name == "items" || name == "keys" || name == "values")
    return Value::function("dict." + name, [d, name](CallArgs& args) {
      bind_arguments(args, name, {});
      std::vector<Value> out;
      for (const auto& [k, v] : d.as_dict().entries) {
        if (name == "items")
          out.push_back(Value::list({Value(k), v}, true));
        else
          out.push_back(name == "keys" ? Value(k) : v);
      }
      return Value::list(std::move(out));
    });
  if (name == "get")
    return Value::function("dict.get", [d](CallArgs& args) {
      auto a = bind_arguments(args, "get", {"key", "default"});
      if (!a[0]) throw EvalError("get() takes at least one argument");
      if (a[0]->is_string())
        if (const Value* v = d.as_dict().find(a[0]->as_string())) return *v;
      return a[1] ? *a[1] : Value::none();
    });
  return std::nullopt;
}

std::optional<Value> list_method(const Value& l, const std::string& name) {
  if (name == "index" || name == "count")
    return Value::function("list." + name, [l, name](CallArgs& args) {
      auto a = bind_arguments(args, name, {"value"});
      if (!a[0]) throw EvalError(name + "() takes one argument");
      int64_t count = 0;
      const auto& items = l.as_list().items;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!equals(items[i], *a[0])) continue;
        if (name == "index") return Value(static_cast<int64_t>(i));
        ++count;
      }
      if (name == "index") throw EvalError(a[0]->repr() + " is not in list");
      return Value(count);
    });
  return std::nullopt;
}

// "'dict object'", as jinja2 names objects in its messages (built by appending: GCC 12
// warns falsely about "literal" + temporary string).
std::string object_name(const Value& v) {
  std::string s = "'";
  s += v.is_dict() && !v.as_dict().is_namespace ? "dict" : v.type_name();
  s += " object'";
  return s;
}

// Python's sequence index: negative counts from the end; nullopt when out of range.
std::optional<size_t> normalize_index(int64_t i, size_t size) {
  if (i < 0) i += static_cast<int64_t>(size);
  if (i < 0 || i >= static_cast<int64_t>(size)) return std::nullopt;
  return static_cast<size_t>(i);
}

}  // namespace

Value get_attribute(const Value& object, const std::string& name) {
  fail_if_undefined(object);
  std::optional<Value> found;
  if (object.is_string())
    found = string_method(object.as_string(), name);
  else if (object.is_list())
    found = list_method(object, name);
  else if (object.is_dict() && !object.as_dict().is_namespace)
    found = dict_method(object, name);
  if (found) return *found;
  if (object.is_dict())
    if (const Value* v = object.as_dict().find(name)) return *v;
  return Value::undefined(object_name(object) + " has no attribute '" + name + "'");
}

Value get_item(const Value& object, const Value& key) {
  fail_if_undefined(object);
  if (object.is_dict() && key.is_string()) {
    if (const Value* v = object.as_dict().find(key.as_string())) return *v;
  } else if ((object.is_list() || object.is_string()) && (key.is_int() || key.is_bool())) {
    if (object.is_list()) {
      if (auto i = normalize_index(key.to_int(), object.as_list().items.size())) return object.as_list().items[*i];
    } else {
      std::u32string cps = text::decode(object.as_string());
      if (auto i = normalize_index(key.to_int(), cps.size())) return Value(text::encode(cps.substr(*i, 1)));
    }
    return Value::undefined(object_name(object) + " has no element " + key.repr());
  }
  if (key.is_string()) return get_attribute(object, key.as_string());
  return Value::undefined(object_name(object) + " has no element " + key.repr());
}

Value get_slice(const Value& object, const Value& start, const Value& stop, const Value& step) {
  fail_if_undefined(object);
  auto bound = [](const Value& v) -> std::optional<int64_t> {
    if (v.is_undefined() || v.is_none()) return std::nullopt;
    return v.to_int();
  };
  int64_t st = bound(step).value_or(1);
  if (st == 0) throw EvalError("slice step cannot be zero");
  std::vector<Value> items;
  std::u32string cps;
  int64_t n;
  if (object.is_list()) {
    n = static_cast<int64_t>(object.as_list().items.size());
  } else if (object.is_string()) {
    cps = text::decode(object.as_string());
    n = static_cast<int64_t>(cps.size());
  } else {
    throw EvalError(std::string("'") + object.type_name() + "' object is not subscriptable");
  }
  // CPython's PySlice_AdjustIndices.
  auto adjust = [&](std::optional<int64_t> v, int64_t fallback) {
    if (!v) return fallback;
    int64_t i = *v;
    if (i < 0) {
      i += n;
      if (i < 0) i = st < 0 ? -1 : 0;
    } else if (i >= n) {
      i = st < 0 ? n - 1 : n;
    }
    return i;
  };
  int64_t b = adjust(bound(start), st < 0 ? n - 1 : 0);
  int64_t e = adjust(bound(stop), st < 0 ? -1 : n);
  std::vector<size_t> picked;
  for (int64_t i = b; st > 0 ? i < e : i > e; i += st) picked.push_back(static_cast<size_t>(i));
  if (object.is_string()) {
    std::u32string out;
    for (size_t i : picked) out += cps[i];
    return Value(text::encode(out));
  }
  for (size_t i : picked) items.push_back(object.as_list().items[i]);
  return Value::list(std::move(items), object.as_list().tuple);
}

}  // namespace dokpa::jinja
