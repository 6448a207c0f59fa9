#include "common/jinja/json_value.h"

#include <algorithm>
#include <cmath>

#include "common/jinja/text.h"

namespace dokpa::jinja {
namespace {

void hex4(std::string& out, unsigned v) {
  static const char* hex = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(v >> shift) & 15];
}

void dump_string(std::string& out, const std::string& s, bool ensure_ascii) {
  // json.dumps escapes the quote, backslash and C0 controls, and with ensure_ascii every
  // code point outside printable ASCII (as UTF-16 surrogate pairs above U+FFFF).
  out += '"';
  for (char32_t c : text::decode(s)) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || (ensure_ascii && c >= 0x7F && c < 0x10000)) {
          hex4(out, c);
        } else if (ensure_ascii && c >= 0x10000) {
          hex4(out, 0xD800 + ((c - 0x10000) >> 10));
          hex4(out, 0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
          text::append_utf8(out, c);
        }
    }
  }
  out += '"';
}

class Dumper {
 public:
  explicit Dumper(const JsonDumpOptions& o) : o_(o) {
    if (o.separators) {
      item_sep_ = o.separators->first;
      key_sep_ = o.separators->second;
    } else {
      item_sep_ = o.indent ? "," : ", ";
      key_sep_ = ": ";
    }
  }

  void dump(std::string& out, const Value& v, int depth) {
    switch (v.kind()) {
      case Value::Kind::None:
        out += "null";
        return;
      case Value::Kind::Bool:
        out += v.as_bool() ? "true" : "false";
        return;
      case Value::Kind::Int:
        out += std::to_string(v.as_int());
        return;
      case Value::Kind::Float: {
        double d = v.as_float();
        if (std::isnan(d))
          out += "NaN";
        else if (std::isinf(d))
          out += d < 0 ? "-Infinity" : "Infinity";
        else
          out += text::repr_float(d);
        return;
      }
      case Value::Kind::String:
        dump_string(out, v.as_string(), o_.ensure_ascii);
        return;
      case Value::Kind::List: {
        const auto& items = v.as_list().items;
        if (items.empty()) {
          out += "[]";
          return;
        }
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) out += item_sep_;
          newline(out, depth + 1);
          dump(out, items[i], depth + 1);
        }
        newline(out, depth);
        out += ']';
        return;
      }
      case Value::Kind::Dict: {
        const Dict& d = v.as_dict();
        if (d.is_namespace) break;
        if (d.entries.empty()) {
          out += "{}";
          return;
        }
        std::vector<const std::pair<std::string, Value>*> entries;
        for (const auto& e : d.entries) entries.push_back(&e);
        if (o_.sort_keys)
          std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
        out += '{';
        for (size_t i = 0; i < entries.size(); ++i) {
          if (i) out += item_sep_;
          newline(out, depth + 1);
          dump_string(out, entries[i]->first, o_.ensure_ascii);
          out += key_sep_;
          dump(out, entries[i]->second, depth + 1);
        }
        newline(out, depth);
        out += '}';
        return;
      }
      default:
        break;
    }
    throw EvalError(std::string("Object of type ") + v.type_name() + " is not JSON serializable");
  }

 private:
  void newline(std::string& out, int depth) const {
    if (!o_.indent) return;
    out += '\n';
    for (int i = 0; i < depth; ++i) out += *o_.indent;
  }

  const JsonDumpOptions& o_;
  std::string item_sep_, key_sep_;
};

}  // namespace

std::string dump_json(const Value& value, const JsonDumpOptions& options) {
  std::string out;
  Dumper(options).dump(out, value, 0);
  return out;
}

}  // namespace dokpa::jinja
