#include "common/jinja/operators.h"

#include <cmath>
#include <cstdio>

namespace dokpa::jinja {
namespace {

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
  throw EvalError("unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
}

Value repeat(const Value& seq, int64_t n) {
  if (seq.is_string()) {
    std::string out;
    for (int64_t i = 0; i < n; ++i) out += seq.as_string();
    return Value(out);
  }
  std::vector<Value> out;
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.as_list().items.begin(), seq.as_list().items.end());
  return Value::list(std::move(out), seq.as_list().tuple);
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// printf-style `str % args` for the conversions templates use: %s %r %d %i %f %%.
std::string percent_format(const std::string& format, const Value& args) {
  std::vector<Value> values = args.is_list() && args.as_list().tuple ? args.as_list().items : std::vector<Value>{args};
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) throw EvalError("incomplete format");
    std::string spec;
    while (i < format.size() &&
           (std::isdigit(static_cast<unsigned char>(format[i])) || format[i] == '.' || format[i] == '-'))
      spec += format[i++];
    if (i >= format.size()) throw EvalError("incomplete format");
    char conv = format[i];
    if (conv == '%') {
      out += '%';
      continue;
    }
    if (next >= values.size()) throw EvalError("not enough arguments for format string");
    const Value& v = values[next++];
    char buf[128];
    if (conv == 's' || conv == 'r') {
      std::string s = conv == 's' ? v.str() : v.repr();
      if (!spec.empty()) {
        std::snprintf(buf, sizeof buf, ("%" + spec + "s").c_str(), s.c_str());
        s = buf;
      }
      out += s;
    } else if (conv == 'd' || conv == 'i') {
      std::snprintf(buf, sizeof buf, ("%" + spec + "lld").c_str(),
                    static_cast<long long>(v.is_float() ? std::trunc(v.as_float()) : v.to_int()));
      out += buf;
    } else if (conv == 'f') {
      std::snprintf(buf, sizeof buf, ("%" + spec + "f").c_str(), v.to_double());
      out += buf;
    } else {
      throw EvalError(std::string("unsupported format character '") + conv + "'");
    }
  }
  if (next < values.size() && !(values.size() == 1 && next == 0))
    throw EvalError("not all arguments converted during string formatting");
  return out;
}

}  // namespace

Value binary_operator(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") return Value(a.str() + b.str());
  fail_if_undefined(a);
  fail_if_undefined(b);
  bool numbers = a.is_number() && b.is_number();
  bool floats = numbers && (a.is_float() || b.is_float());
  if (op == "+") {
    if (numbers) return floats ? Value(a.to_double() + b.to_double()) : Value(a.to_int() + b.to_int());
    if (a.is_string() && b.is_string()) return Value(a.as_string() + b.as_string());
    if (a.is_list() && b.is_list() && a.as_list().tuple == b.as_list().tuple) {
      std::vector<Value> items = a.as_list().items;
      items.insert(items.end(), b.as_list().items.begin(), b.as_list().items.end());
      return Value::list(std::move(items), a.as_list().tuple);
    }
    if (a.is_string() || a.is_list())  // Python names the left operand's type
      throw EvalError(std::string("can only concatenate ") + a.type_name() + " (not \"" + b.type_name() + "\") to " +
                      a.type_name());
    unsupported(op, a, b);
  }
  if (op == "-") {
    if (!numbers) unsupported(op, a, b);
    return floats ? Value(a.to_double() - b.to_double()) : Value(a.to_int() - b.to_int());
  }
  if (op == "*") {
    if (numbers) return floats ? Value(a.to_double() * b.to_double()) : Value(a.to_int() * b.to_int());
    if ((a.is_string() || a.is_list()) && (b.is_int() || b.is_bool())) return repeat(a, b.to_int());
    if ((b.is_string() || b.is_list()) && (a.is_int() || a.is_bool())) return repeat(b, a.to_int());
    unsupported(op, a, b);
  }
  if (op == "/") {
    if (!numbers) unsupported(op, a, b);
    if (b.to_double() == 0) throw EvalError("division by zero");
    return Value(a.to_double() / b.to_double());
  }
  if (op == "//" || op == "%") {
    if (op == "%" && a.is_string()) return Value(percent_format(a.as_string(), b));
    if (!numbers) unsupported(op, a, b);
    if (b.to_double() == 0) throw EvalError(op == "%" ? "modulo by zero" : "division by zero");
    if (floats) {
      double x = a.to_double(), y = b.to_double();
      double m = std::fmod(x, y);
      if (m != 0 && ((m < 0) != (y < 0))) m += y;
      return op == "%" ? Value(m) : Value(std::floor(x / y));
    }
    int64_t q = floor_div(a.to_int(), b.to_int());
    return op == "//" ? Value(q) : Value(a.to_int() - q * b.to_int());
  }
  if (op == "**") {
    if (!numbers) unsupported(op, a, b);
    if (!floats && b.to_int() >= 0) {
      int64_t r = 1, base = a.to_int();
      for (int64_t e = b.to_int(); e > 0; --e) r *= base;
      return Value(r);
    }
    return Value(std::pow(a.to_double(), b.to_double()));
  }
  throw EvalError("unknown operator '" + op + "'");
}

Value unary_operator(const std::string& op, const Value& a) {
  if (op == "not") return Value(!a.truthy());
  fail_if_undefined(a);
  if (!a.is_number()) throw EvalError("bad operand type for unary " + op + ": '" + std::string(a.type_name()) + "'");
  if (op == "-") return a.is_float() ? Value(-a.as_float()) : Value(-a.to_int());
  return a.is_float() ? a : Value(a.to_int());
}

}  // namespace dokpa::jinja
