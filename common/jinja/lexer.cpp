#include "common/jinja/lexer.h"

#include <cstring>

#include "common/error.h"
#include "common/jinja/text.h"

namespace dokpa::jinja {
namespace {

// jinja2 splits the source on \r\n, \r and \n, joins with \n and drops one final newline.
std::string normalize_source(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Python's \s over str: the leading whitespace code points of s[pos:], as a byte count.
size_t whitespace_run(const std::string& s, size_t pos) {
  std::u32string cps = text::decode(std::string_view(s).substr(pos));
  size_t bytes = 0;
  for (char32_t c : cps) {
    if (!text::is_space(c)) break;
    std::string enc;
    text::append_utf8(enc, c);
    bytes += enc.size();
  }
  return bytes;
}

class Lexer {
 public:
  Lexer(std::string src, const std::string& name) : src_(std::move(src)), name_(name) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
  }

  std::vector<Token> run() {
    size_t pos = 0;
    bool line_starting = true;  // the previous token ended with a newline (lstrip_blocks)
    while (pos < src_.size()) {
      size_t tag = find_tag(pos);
      std::string text = src_.substr(pos, tag - pos);
      if (tag == src_.size()) {
        emit(Token::Kind::Text, text, pos);
        break;
      }
      char type = src_[tag + 1];
      char marker = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
      if (marker == '-') {
        text = text::strip(text, std::nullopt, false, true);
      } else if (marker != '+' && type != '{') {
        // lstrip_blocks: spaces and tabs between a line start and a block or comment tag go.
        size_t line_start = text.rfind('\n');
        line_start = line_start == std::string::npos ? 0 : line_start + 1;
        if ((line_start > 0 || line_starting) && line_start < text.size() &&
            whitespace_run(text, line_start) == text.size() - line_start)
          text.resize(line_start);
      }
      emit(Token::Kind::Text, text, pos);
      size_t inner = tag + 2 + ((marker == '-' || marker == '+') ? 1 : 0);
      size_t end = type == '#' ? comment(inner, tag) : tag_body(type, tag, inner);
      line_starting = end > 0 && src_[end - 1] == '\n';
      pos = end;
    }
    tokens_.push_back(Token{Token::Kind::End, "", position(src_.size())});
    return std::move(tokens_);
  }

 private:
  size_t find_tag(size_t from) const {
    for (size_t i = from; i + 1 < src_.size(); ++i)
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    return src_.size();
  }

  Position position(size_t offset) const {
    size_t line = 0;
    size_t lo = 0, hi = line_starts_.size();
    while (lo < hi) {  // last line start <= offset
      size_t mid = (lo + hi) / 2;
      if (line_starts_[mid] <= offset) {
        line = mid;
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return Position{static_cast<int>(line) + 1, static_cast<int>(offset - line_starts_[line]) + 1};
  }

  [[noreturn]] void fail(size_t offset, const std::string& message) const {
    Position p = position(offset);
    throw Error(name_, "line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ": " + message);
  }

  void emit(Token::Kind kind, std::string value, size_t offset) {
    if (kind == Token::Kind::Text && value.empty()) return;
    tokens_.push_back(Token{kind, std::move(value), position(offset)});
  }

  // After a block or comment end: `-` strips all following whitespace, `+` keeps it, and
  // otherwise trim_blocks removes one newline.
  size_t after_end(size_t pos, char marker, bool trim) const {
    if (marker == '-') return pos + whitespace_run(src_, pos);
    if (marker != '+' && trim && pos < src_.size() && src_[pos] == '\n') return pos + 1;
    return pos;
  }

  size_t comment(size_t inner, size_t tag) {
    size_t close = src_.find("#}", inner);
    if (close == std::string::npos) fail(tag, "unclosed comment");
    char marker = close > inner ? src_[close - 1] : '\0';
    return after_end(close + 2, marker, true);
  }

  size_t tag_body(char type, size_t tag, size_t pos) {
    bool block = type == '%';
    emit(block ? Token::Kind::BlockBegin : Token::Kind::VariableBegin, "", tag);
    int depth = 0;  // inside brackets a closing delimiter is not an end (jinja2 balances them)
    const char* close = block ? "%}" : "}}";
    while (true) {
      while (pos < src_.size() && is_ascii_space(src_[pos])) ++pos;
      if (pos >= src_.size()) fail(tag, block ? "unclosed block tag '{%'" : "unclosed variable tag '{{'");
      if (depth == 0) {
        for (char marker : {'-', '+', '\0'}) {
          if (marker == '+' && !block) continue;
          size_t at = pos + (marker ? 1 : 0);
          if ((!marker || src_[pos] == marker) && src_.compare(at, 2, close) == 0) {
            emit(block ? Token::Kind::BlockEnd : Token::Kind::VariableEnd, "", pos);
            return after_end(at + 2, marker, block);
          }
        }
      }
      pos = token(pos, depth);
    }
  }

  size_t token(size_t pos, int& depth) {
    char c = src_[pos];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t e = pos;
      while (e < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[e])) || src_[e] == '_')) ++e;
      emit(Token::Kind::Name, src_.substr(pos, e - pos), pos);
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return number(pos);
    if (c == '\'' || c == '"') return string_literal(pos);
    static const char* two[] = {"//", "**", "==", "!=", ">=", "<="};
    for (const char* op : two)
      if (src_.compare(pos, 2, op) == 0) {
        emit(Token::Kind::Operator, op, pos);
        return pos + 2;
      }
    if (std::strchr("+-/*%~[](){}><=.:|,;", c) && c != '\0') {
      if (c == '(' || c == '[' || c == '{') ++depth;
      if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
      emit(Token::Kind::Operator, std::string(1, c), pos);
      return pos + 1;
    }
    fail(pos, std::string("unexpected character '") + c + "'");
  }

  size_t digits(size_t pos) const {  // digits with single underscores between them
    while (pos < src_.size() &&
           (std::isdigit(static_cast<unsigned char>(src_[pos])) ||
            (src_[pos] == '_' && pos + 1 < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos + 1])))))
      ++pos;
    return pos;
  }

  size_t number(size_t pos) {
    size_t e = digits(pos);
    bool is_float = false;
    if (e + 1 < src_.size() && src_[e] == '.' && std::isdigit(static_cast<unsigned char>(src_[e + 1])) &&
        !(pos > 0 && src_[pos - 1] == '.')) {
      e = digits(e + 1);
      is_float = true;
    }
    if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
      size_t x = e + 1;
      if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
      if (x < src_.size() && std::isdigit(static_cast<unsigned char>(src_[x]))) {
        e = digits(x);
        is_float = true;
      }
    }
    std::string spelled;
    for (size_t i = pos; i < e; ++i)
      if (src_[i] != '_') spelled += src_[i];
    emit(is_float ? Token::Kind::Float : Token::Kind::Integer, spelled, pos);
    return e;
  }

  // A quoted string with Python's unicode-escape rules (what jinja2 applies to literals).
  size_t string_literal(size_t start) {
    char quote = src_[start];
    std::string out;
    size_t i = start + 1;
    while (true) {
      if (i >= src_.size()) fail(start, "unterminated string literal");
      char c = src_[i];
      if (c == quote) break;
      if (c != '\\') {
        out += c;
        ++i;
        continue;
      }
      if (i + 1 >= src_.size()) fail(start, "unterminated string literal");
      char e = src_[i + 1];
      i += 2;
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case '\n':
          break;  // line continuation
        case 'x':
        case 'u':
        case 'U': {
          size_t n = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
          if (i + n > src_.size()) fail(i, "truncated escape in string literal");
          std::string hex = src_.substr(i, n);
          if (hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            fail(i, "bad escape in string literal");
          text::append_utf8(out, static_cast<char32_t>(std::stoul(hex, nullptr, 16)));
          i += n;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {  // octal, up to three digits
            unsigned v = static_cast<unsigned>(e - '0');
            for (int k = 0; k < 2 && i < src_.size() && src_[i] >= '0' && src_[i] <= '7'; ++k)
              v = v * 8 + static_cast<unsigned>(src_[i++] - '0');
            text::append_utf8(out, v);
          } else {  // unknown escapes stay as written
            out += '\\';
            out += e;
          }
      }
    }
    emit(Token::Kind::String, out, start);
    return i + 1;
  }

  std::string src_;
  const std::string& name_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source, const std::string& source_name) {
  return Lexer(normalize_source(source), source_name).run();
}

}  // namespace dokpa::jinja
