// The `|` filters, each as jinja2 defines it (operands are str()-ed where jinja2 calls
// soft_str, Undefined iterates as empty), plus transformers' tojson.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "common/jinja/access.h"
#include "common/jinja/builtins.h"
#include "common/jinja/json_value.h"
#include "common/jinja/text.h"

namespace dokpa::jinja {
namespace {

using Bound = std::vector<std::optional<Value>>;
struct FilterDef {
  std::vector<std::string> params;  // after the operand
  std::function<Value(const Value&, const Bound&, const CallArgs&)> fn;
};

bool flag(const std::optional<Value>& v) { return v && v->truthy(); }

Value attribute_path(const Value& item, const Value& attribute) {
  // jinja2 accepts "a.b" paths and integer indexes as the attribute.
  if (attribute.is_int()) return get_item(item, attribute);
  Value current = item;
  std::string path = attribute.str();
  size_t b = 0;
  while (true) {
    size_t dot = path.find('.', b);
    std::string part = path.substr(b, dot == std::string::npos ? std::string::npos : dot - b);
    bool numeric = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    current =
        numeric ? get_item(current, Value(static_cast<int64_t>(std::stoll(part)))) : get_item(current, Value(part));
    if (dot == std::string::npos) return current;
    b = dot + 1;
  }
}

// select/reject/selectattr/rejectattr: args are (test name, test args...) after the attribute.
Value select(const Value& seq, const CallArgs& args, bool by_attribute, bool keep) {
  size_t i = 0;
  Value attribute;
  if (by_attribute) {
    if (args.positional.empty()) throw EvalError("selectattr/rejectattr need an attribute name");
    attribute = args.positional[i++];
  }
  std::optional<std::string> test;
  if (i < args.positional.size()) test = args.positional[i++].str();
  CallArgs test_args;
  test_args.positional.assign(args.positional.begin() + static_cast<long>(i), args.positional.end());
  std::vector<Value> out;
  for (const auto& item : seq.iterate()) {
    Value v = by_attribute ? attribute_path(item, attribute) : item;
    bool pass = test ? call_test(*test, v, test_args) : v.truthy();
    if (pass == keep) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Value map_filter(const Value& seq, const CallArgs& args) {
  std::vector<Value> out;
  for (const auto& kw : args.keyword)
    if (kw.first != "attribute" && kw.first != "default")
      throw EvalError("map() got an unexpected keyword argument '" + kw.first + "'");
  const Value* attribute = nullptr;
  const Value* fallback = nullptr;
  for (const auto& [k, v] : args.keyword) (k == "attribute" ? attribute : fallback) = &v;
  if (attribute) {
    for (const auto& item : seq.iterate()) {
      Value v = attribute_path(item, *attribute);
      out.push_back(v.is_undefined() && fallback ? *fallback : v);
    }
    return Value::list(std::move(out));
  }
  if (args.positional.empty()) throw EvalError("map() needs a filter name or attribute=");
  std::string name = args.positional[0].str();
  CallArgs rest;
  rest.positional.assign(args.positional.begin() + 1, args.positional.end());
  for (const auto& item : seq.iterate()) out.push_back(call_filter(name, item, rest));
  return Value::list(std::move(out));
}

Value to_int(const Value& v, const Value& fallback) {
  if (v.is_int() || v.is_bool()) return Value(v.to_int());
  if (v.is_float()) return Value(static_cast<int64_t>(std::trunc(v.as_float())));
  if (v.is_string()) {
    std::string s = text::strip(v.as_string(), std::nullopt, true, true);
    char* end = nullptr;
    long long i = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && *end == '\0') return Value(static_cast<int64_t>(i));
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0') return Value(static_cast<int64_t>(std::trunc(d)));
  }
  return fallback;
}

Value to_float(const Value& v, const Value& fallback) {
  if (v.is_number()) return Value(v.to_double());
  if (v.is_string()) {
    std::string s = text::strip(v.as_string(), std::nullopt, true, true);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0') return Value(d);
  }
  return fallback;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Value sort_filter(const Value& seq, const Bound& a) {
  std::vector<Value> items = seq.iterate();
  bool reverse = flag(a[0]), case_sensitive = flag(a[1]);
  auto key = [&](const Value& v) {
    Value k = a[2] && !a[2]->is_none() ? attribute_path(v, *a[2]) : v;
    return (!case_sensitive && k.is_string()) ? Value(text::lower(k.as_string())) : k;
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    return reverse ? compare(key(y), key(x)) < 0 : compare(key(x), key(y)) < 0;
  });
  return Value::list(std::move(items));
}

std::string indent_filter(const std::string& s, const Bound& a) {
  std::string pad =
      !a[0] ? "    "
            : (a[0]->is_string() ? a[0]->as_string()
                                 : std::string(static_cast<size_t>(std::max<int64_t>(0, a[0]->to_int())), ' '));
  std::vector<std::string> lines = text::splitlines(s + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += '\n';
      if (flag(a[2]) || !lines[i].empty()) out += pad;  // blank=True indents empty lines too
    }
    out += lines[i];
  }
  return flag(a[1]) ? pad + out : out;
}

JsonDumpOptions json_options(const Bound& a) {
  JsonDumpOptions o;
  o.ensure_ascii = flag(a[0]);
  if (a[1] && !a[1]->is_none())
    o.indent = a[1]->is_string() ? a[1]->as_string()
                                 : std::string(static_cast<size_t>(std::max<int64_t>(0, a[1]->to_int())), ' ');
  if (a[2] && !a[2]->is_none()) {
    const auto& seps = a[2]->iterate();
    if (seps.size() != 2) throw EvalError("tojson separators must be a pair");
    o.separators = std::pair{seps[0].str(), seps[1].str()};
  }
  o.sort_keys = flag(a[3]);
  return o;
}

const std::map<std::string, FilterDef>& filters() {
  static const std::map<std::string, FilterDef> table = [] {
    std::map<std::string, FilterDef> f;
    auto str_filter = [&](const char* name, std::string (*op)(std::string_view)) {
      f[name] = {{}, [op](const Value& v, const Bound&, const CallArgs&) { return Value(op(v.str())); }};
    };
    str_filter("upper", text::upper);
    str_filter("lower", text::lower);
    str_filter("title", text::title);
    str_filter("capitalize", text::capitalize);
    f["trim"] = {{"chars"}, [](const Value& v, const Bound& a, const CallArgs&) {
                   std::optional<std::string> chars;
                   if (a[0] && !a[0]->is_none()) chars = a[0]->str();
                   return Value(text::strip(v.str(), chars, true, true));
                 }};
    f["string"] = {{}, [](const Value& v, const Bound&, const CallArgs&) { return Value(v.str()); }};
    f["safe"] = f["string"];
    f["escape"] = {{}, [](const Value& v, const Bound&, const CallArgs&) { return Value(html_escape(v.str())); }};
    f["e"] = f["escape"];
    f["length"] = {{}, [](const Value& v, const Bound&, const CallArgs&) {
                     if (v.is_string()) return Value(static_cast<int64_t>(text::length(v.as_string())));
                     if (v.is_dict() && v.as_dict().is_namespace)
                       throw EvalError("object of type 'Namespace' has no len()");
                     return Value(static_cast<int64_t>(v.iterate().size()));
                   }};
    f["count"] = f["length"];
    f["default"] = {{"default_value", "boolean"}, [](const Value& v, const Bound& a, const CallArgs&) {
                      bool use_default = v.is_undefined() || (flag(a[1]) && !v.truthy());
                      return use_default ? (a[0] ? *a[0] : Value("")) : v;
                    }};
    f["d"] = f["default"];
    f["first"] = {{}, [](const Value& v, const Bound&, const CallArgs&) {
                    auto items = v.iterate();
                    return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
                  }};
    f["last"] = {{}, [](const Value& v, const Bound&, const CallArgs&) {
                   auto items = v.iterate();
                   return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
                 }};
    f["list"] = {{}, [](const Value& v, const Bound&, const CallArgs&) { return Value::list(v.iterate()); }};
    f["items"] = {{}, [](const Value& v, const Bound&, const CallArgs&) {
                    if (v.is_undefined()) return Value::list({});
                    if (!v.is_dict()) throw EvalError("Can only get item pairs from a mapping.");
                    std::vector<Value> out;
                    for (const auto& [k, x] : v.as_dict().entries) out.push_back(Value::list({Value(k), x}, true));
                    return Value::list(std::move(out));
                  }};
    f["reverse"] = {{}, [](const Value& v, const Bound&, const CallArgs&) {
                      if (v.is_string()) {
                        std::u32string cps = text::decode(v.as_string());
                        std::reverse(cps.begin(), cps.end());
                        return Value(text::encode(cps));
                      }
                      auto items = v.iterate();
                      std::reverse(items.begin(), items.end());
                      return Value::list(std::move(items));
                    }};
    f["join"] = {{"d", "attribute"}, [](const Value& v, const Bound& a, const CallArgs&) {
                   std::string sep = a[0] ? a[0]->str() : "";
                   std::string out;
                   bool first = true;
                   for (const auto& item : v.iterate()) {
                     if (!first) out += sep;
                     out += (a[1] && !a[1]->is_none() ? attribute_path(item, *a[1]) : item).str();
                     first = false;
                   }
                   return Value(out);
                 }};
    f["replace"] = {{"old", "new", "count"}, [](const Value& v, const Bound& a, const CallArgs&) {
                      if (!a[0] || !a[1]) throw EvalError("replace() needs old and new");
                      long count = a[2] && !a[2]->is_none() ? static_cast<long>(a[2]->to_int()) : -1;
                      return Value(text::replace(v.str(), a[0]->str(), a[1]->str(), count));
                    }};
    f["int"] = {{"default", "base"}, [](const Value& v, const Bound& a, const CallArgs&) {
                  if (a[1] && a[1]->to_int() != 10) throw EvalError("int(base=...) is not supported");
                  return to_int(v, a[0] ? *a[0] : Value(0));
                }};
    f["float"] = {{"default"}, [](const Value& v, const Bound& a, const CallArgs&) {
                    return to_float(v, a[0] ? *a[0] : Value(0.0));
                  }};
    f["abs"] = {{}, [](const Value& v, const Bound&, const CallArgs&) {
                  return v.is_float() ? Value(std::fabs(v.as_float()))
                                      : Value(static_cast<int64_t>(std::llabs(v.to_int())));
                }};
    f["round"] = {{"precision", "method"}, [](const Value& v, const Bound& a, const CallArgs&) {
                    double scale = std::pow(10.0, static_cast<double>(a[0] ? a[0]->to_int() : 0));
                    std::string method = a[1] ? a[1]->str() : "common";
                    double x = v.to_double() * scale;
                    double r = method == "floor" ? std::floor(x) : method == "ceil" ? std::ceil(x) : std::nearbyint(x);
                    return Value(r / scale);
                  }};
    f["tojson"] = {
        {"ensure_ascii", "indent", "separators", "sort_keys"},
        [](const Value& v, const Bound& a, const CallArgs&) { return Value(dump_json(v, json_options(a))); }};
    f["indent"] = {{"width", "first", "blank"},
                   [](const Value& v, const Bound& a, const CallArgs&) { return Value(indent_filter(v.str(), a)); }};
    f["sort"] = {{"reverse", "case_sensitive", "attribute"},
                 [](const Value& v, const Bound& a, const CallArgs&) { return sort_filter(v, a); }};
    f["attr"] = {{"name"}, [](const Value& v, const Bound& a, const CallArgs&) {
                   if (!a[0]) throw EvalError("attr() needs a name");
                   return get_attribute(v, a[0]->str());
                 }};
    f["dictsort"] = {{"case_sensitive", "by", "reverse"}, [](const Value& v, const Bound& a, const CallArgs&) {
                       if (!v.is_dict()) throw EvalError("dictsort expects a mapping");
                       bool by_value = a[1] && a[1]->str() == "value";
                       std::vector<Value> items;
                       for (const auto& [k, x] : v.as_dict().entries) items.push_back(Value::list({Value(k), x}, true));
                       auto key = [&](const Value& item) {
                         Value k = item.as_list().items[by_value ? 1 : 0];
                         return (!flag(a[0]) && k.is_string()) ? Value(text::lower(k.as_string())) : k;
                       };
                       bool reverse = flag(a[2]);
                       std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
                         return reverse ? compare(key(y), key(x)) < 0 : compare(key(x), key(y)) < 0;
                       });
                       return Value::list(std::move(items));
                     }};
    f["unique"] = {{"case_sensitive", "attribute"}, [](const Value& v, const Bound& a, const CallArgs&) {
                     std::vector<Value> out, seen;
                     for (const auto& item : v.iterate()) {
                       Value k = a[1] && !a[1]->is_none() ? attribute_path(item, *a[1]) : item;
                       if (!flag(a[0]) && k.is_string()) k = Value(text::lower(k.as_string()));
                       bool dup = false;
                       for (const auto& s : seen) dup = dup || equals(s, k);
                       if (dup) continue;
                       seen.push_back(k);
                       out.push_back(item);
                     }
                     return Value::list(std::move(out));
                   }};
    f["sum"] = {{"attribute", "start"}, [](const Value& v, const Bound& a, const CallArgs&) {
                  Value total = a[1] ? *a[1] : Value(0);
                  for (const auto& item : v.iterate()) {
                    Value x = a[0] && !a[0]->is_none() ? attribute_path(item, *a[0]) : item;
                    if (!total.is_number() || !x.is_number()) throw EvalError("sum() supports numbers only");
                    total = total.is_float() || x.is_float() ? Value(total.to_double() + x.to_double())
                                                             : Value(total.to_int() + x.to_int());
                  }
                  return total;
                }};
    for (const char* name : {"min", "max"}) {
      bool want_max = std::string(name) == "max";
      f[name] = {{"case_sensitive", "attribute"}, [want_max](const Value& v, const Bound& a, const CallArgs&) {
                   std::optional<Value> best, best_key;
                   for (const auto& item : v.iterate()) {
                     Value k = a[1] && !a[1]->is_none() ? attribute_path(item, *a[1]) : item;
                     if (!flag(a[0]) && k.is_string()) k = Value(text::lower(k.as_string()));
                     if (!best || (want_max ? compare(k, *best_key) > 0 : compare(k, *best_key) < 0)) {
                       best = item;
                       best_key = k;
                     }
                   }
                   return best ? *best : Value::undefined(std::string("No aggregated item, sequence was empty."));
                 }};
    }
    // These take free-form arguments, bound by their own code.
    f["map"] = {{}, [](const Value& v, const Bound&, const CallArgs& args) { return map_filter(v, args); }};
    f["select"] = {{}, [](const Value& v, const Bound&, const CallArgs& args) { return select(v, args, false, true); }};
    f["reject"] = {{},
                   [](const Value& v, const Bound&, const CallArgs& args) { return select(v, args, false, false); }};
    f["selectattr"] = {{},
                       [](const Value& v, const Bound&, const CallArgs& args) { return select(v, args, true, true); }};
    f["rejectattr"] = {{},
                       [](const Value& v, const Bound&, const CallArgs& args) { return select(v, args, true, false); }};
    return f;
  }();
  return table;
}

bool free_form(const std::string& name) {
  return name == "map" || name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr";
}

}  // namespace

bool has_filter(const std::string& name) { return filters().count(name) > 0; }

Value call_filter(const std::string& name, const Value& operand, const CallArgs& args) {
  auto it = filters().find(name);
  if (it == filters().end()) throw EvalError("no filter named '" + name + "'");
  Bound bound = free_form(name) ? Bound{} : bind_arguments(args, name, it->second.params);
  return it->second.fn(operand, bound, args);
}

}  // namespace dokpa::jinja
