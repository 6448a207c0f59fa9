// HRM8K's numeric answer comparison: exact rational values (rules in answer_extraction.h).
#include <array>
#include <cstdint>

#include "harness/data/unicode_text.h"
#include "harness/score/answer_extraction.h"
#include "harness/score/answer_text.h"

namespace dokpa {
namespace {

using answer_text::braced_content;
using answer_text::continues_with;

using U128 = unsigned __int128;
constexpr U128 kMax = ~U128{0};

// An exact value: (-1)^negative * num / den, den > 0. Reduced by reduce().
struct Rational {
  bool negative = false;
  U128 num = 0;
  U128 den = 1;
};

U128 gcd(U128 a, U128 b) {
  while (b != 0) {
    U128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

bool multiply(U128 a, U128 b, U128* out) {
  if (a != 0 && b > kMax / a) return false;
  *out = a * b;
  return true;
}

bool power_of_ten(int exponent, U128* out) {
  *out = 1;
  for (int i = 0; i < exponent; ++i) {
    if (!multiply(*out, 10, out)) return false;
  }
  return true;
}

Rational reduce(Rational r) {
  U128 g = gcd(r.num, r.den);
  if (g > 1) {
    r.num /= g;
    r.den /= g;
  }
  if (r.num == 0) r.negative = false;
  return r;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Commas in an integer part: thousands separators in valid groups ("1,000", "12,345").
bool valid_grouping(std::string_view digits) {
  size_t comma = digits.find(',');
  if (comma == std::string_view::npos) return true;
  if (comma == 0 || comma > 3) return false;
  for (size_t pos = comma; pos < digits.size(); pos += 4) {
    if (digits[pos] != ',' || pos + 4 > digits.size()) return false;
    for (size_t i = 1; i <= 3; ++i) {
      if (!is_digit(digits[pos + i])) return false;
    }
  }
  return true;
}

// [+-] digits [. digits] [e [+-] digits], with thousands commas in the integer part.
std::optional<Rational> parse_decimal(std::string_view s) {
  size_t p = 0;
  bool negative = false;
  if (p < s.size() && (s[p] == '-' || s[p] == '+')) negative = s[p++] == '-';
  size_t int_begin = p;
  while (p < s.size() && (is_digit(s[p]) || s[p] == ',')) ++p;
  std::string_view int_part = s.substr(int_begin, p - int_begin);
  if (!valid_grouping(int_part)) return std::nullopt;
  std::string digits;
  for (char c : int_part) {
    if (c != ',') digits += c;
  }
  std::string fraction;
  if (p < s.size() && s[p] == '.') {
    size_t begin = ++p;
    while (p < s.size() && is_digit(s[p])) ++p;
    fraction = s.substr(begin, p - begin);
  }
  if (digits.empty() && fraction.empty()) return std::nullopt;
  int exponent = 0;
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    ++p;
    bool exponent_negative = false;
    if (p < s.size() && (s[p] == '-' || s[p] == '+')) exponent_negative = s[p++] == '-';
    size_t begin = p;
    while (p < s.size() && is_digit(s[p]) && p - begin < 4) exponent = exponent * 10 + (s[p++] - '0');
    if (p == begin) return std::nullopt;
    if (exponent_negative) exponent = -exponent;
  }
  if (p != s.size()) return std::nullopt;
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();  // 1.50 = 1.5
  Rational r{negative, 0, 1};
  for (char c : digits + fraction) {
    if (!multiply(r.num, 10, &r.num) || r.num > kMax - static_cast<unsigned>(c - '0')) return std::nullopt;
    r.num += static_cast<unsigned>(c - '0');
  }
  exponent -= static_cast<int>(fraction.size());
  U128 scale = 1;
  if (!power_of_ten(exponent < 0 ? -exponent : exponent, &scale)) return std::nullopt;
  if (exponent >= 0 && !multiply(r.num, scale, &r.num)) return std::nullopt;
  if (exponent < 0) r.den = scale;
  return reduce(r);
}

std::optional<Rational> divide(Rational a, Rational b) {
  if (b.num == 0) return std::nullopt;
  U128 g1 = gcd(a.num, b.num);  // cross-reduce first to keep within 128 bits
  U128 g2 = gcd(a.den, b.den);
  if (g1 == 0) g1 = 1;
  Rational r{a.negative != b.negative, 0, 0};
  if (!multiply(a.num / g1, b.den / g2, &r.num) || !multiply(a.den / g2, b.num / g1, &r.den)) return std::nullopt;
  return reduce(r);
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::string out;  // built anew: GCC 12 warns falsely (-Wrestrict) on an inlined in-place replace
  size_t begin = 0;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, begin)) {
    out.append(s, begin, pos - begin).append(to);
    begin = pos + from.size();
  }
  s = out.append(s, begin);
}

std::string_view strip_outer_braces(std::string_view s) {
  while (s.size() >= 2 && s.front() == '{') {
    auto content = braced_content(s, 0);
    if (!content || content->second + 1 != s.size()) break;
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

// A \frac argument: a braced group or one character ("\frac12").
std::optional<std::string_view> frac_argument(std::string_view s, size_t* pos) {
  if (*pos >= s.size()) return std::nullopt;
  if (s[*pos] != '{') return s.substr((*pos)++, 1);
  auto content = braced_content(s, *pos);
  if (!content) return std::nullopt;
  *pos = content->second + 1;
  return s.substr(content->first, content->second - content->first);
}

// A cleaned answer: a decimal, a/b, or [sign]\frac{a}{b}.
std::optional<Rational> parse_number(std::string_view s) {
  s = strip_outer_braces(s);
  bool negative = false;
  if (s.size() > 1 && (s[0] == '-' || s[0] == '+') && s[1] == '\\') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::optional<Rational> value;
  if (continues_with(s, 0, std::string_view("\\frac"))) {
    size_t pos = 5;
    std::optional<std::string_view> top = frac_argument(s, &pos);
    std::optional<std::string_view> bottom = top ? frac_argument(s, &pos) : std::nullopt;
    if (!bottom || pos != s.size()) return std::nullopt;
    std::optional<Rational> a = parse_decimal(strip_outer_braces(*top));
    std::optional<Rational> b = parse_decimal(strip_outer_braces(*bottom));
    if (a && b) value = divide(*a, *b);
  } else if (size_t slash = s.find('/'); slash != std::string_view::npos) {
    std::optional<Rational> a = parse_decimal(s.substr(0, slash));
    std::optional<Rational> b = parse_decimal(s.substr(slash + 1));
    if (a && b) value = divide(*a, *b);
  } else {
    value = parse_decimal(s);
  }
  if (value && negative) value = reduce({!value->negative, value->num, value->den});
  return value;
}

std::optional<Rational> numeric_value(std::string s, int depth);

// \text{..} and similar: unwrapped when the content is a number, dropped as a unit otherwise.
bool unwrap_text_groups(std::string& s, int depth) {
  static constexpr std::array<std::string_view, 6> kCommands = {"\\textbf{", "\\textrm{", "\\text{",
                                                                "\\mathrm{", "\\mathbf{", "\\mbox{"};
  for (;;) {
    size_t best = std::string::npos;
    std::string_view command;
    for (std::string_view c : kCommands) {
      size_t pos = s.find(c);
      if (pos < best) best = pos, command = c;
    }
    if (best == std::string::npos) return true;
    auto content = braced_content(std::string_view(s), best + command.size() - 1);
    if (!content) return false;
    std::string inner = s.substr(content->first, content->second - content->first);
    bool numeric = depth < 4 && numeric_value(inner, depth + 1).has_value();
    s.replace(best, content->second + 1 - best, numeric ? inner : "");
  }
}

std::optional<Rational> numeric_value(std::string s, int depth) {
  for (std::string_view remove : {"\\$", "$", "\\left", "\\right", "\\!", "\\,", "\\;", "\\:", "\\ ", "^{\\circ}",
                                  "^\\circ", "\u00B0", "\\%", "%"}) {
    replace_all(s, remove, "");
  }
  replace_all(s, "\\dfrac", "\\frac");
  replace_all(s, "\\tfrac", "\\frac");
  replace_all(s, "{,}", ",");
  if (!unwrap_text_groups(s, depth)) return std::nullopt;
  if (size_t equals = s.rfind('='); equals != std::string::npos) s.erase(0, equals + 1);  // "x = 3"
  std::string compact;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') compact += c;
  }
  while (!compact.empty() && compact.back() == '.') compact.pop_back();
  if (!compact.empty() && compact.front() == '+') compact.erase(0, 1);
  return parse_number(compact);
}

std::string to_decimal(U128 value) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return digits;
}

// "3", "-0.25" when the denominator divides a power of ten, else "p/q".
std::string canonical(Rational r) {
  std::string sign = r.negative ? "-" : "";
  U128 rest = r.den;
  int twos = 0;
  int fives = 0;
  while (rest % 2 == 0) rest /= 2, ++twos;
  while (rest % 5 == 0) rest /= 5, ++fives;
  int places = twos > fives ? twos : fives;
  U128 ten_power = 1;
  U128 scaled = 0;
  if (rest == 1 && power_of_ten(places, &ten_power) && multiply(r.num, ten_power / r.den, &scaled)) {
    if (places == 0) return sign + to_decimal(scaled);
    std::string fraction = to_decimal(scaled % ten_power);
    fraction.insert(0, static_cast<size_t>(places) - fraction.size(), '0');
    return sign + to_decimal(scaled / ten_power) + "." + fraction;
  }
  return sign + to_decimal(r.num) + "/" + to_decimal(r.den);
}

}  // namespace

std::optional<std::string> normalize_numeric_answer(std::string_view answer) {
  std::optional<Rational> value = numeric_value(answer_text::prepare_utf8(answer), 0);
  if (!value) return std::nullopt;
  return canonical(*value);
}

bool numeric_answers_match(std::string_view prediction, std::string_view gold) {
  if (std::optional<std::string> gold_value = normalize_numeric_answer(gold)) {
    return normalize_numeric_answer(prediction) == gold_value;
  }
  return nfc(python_strip(answer_text::valid_utf8(prediction))) == nfc(python_strip(answer_text::valid_utf8(gold)));
}

}  // namespace dokpa
