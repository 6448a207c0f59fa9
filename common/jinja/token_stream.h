#pragma once
// A cursor over the lexer's tokens with the look-ahead, expect and error helpers the
// statement and expression parsers share. Errors carry the template name, line and column.
#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/jinja/lexer.h"

namespace dokpa::jinja {

class TokenStream {
 public:
  using TK = Token::Kind;

  TokenStream(const std::vector<Token>& tokens, const std::string& name) : t_(tokens), name_(name) {}

  const Token& peek(size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
  const Token& next() { return t_[std::min(i_++, t_.size() - 1)]; }
  bool at_op(const char* op) const { return peek().kind == TK::Operator && peek().value == op; }
  bool at_name(const char* n) const { return peek().kind == TK::Name && peek().value == n; }
  bool skip_op(const char* op) {
    if (!at_op(op)) return false;
    ++i_;
    return true;
  }
  bool skip_name(const char* n) {
    if (!at_name(n)) return false;
    ++i_;
    return true;
  }

  [[noreturn]] void fail(const Position& p, const std::string& message) const {
    throw Error(name_, "line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ": " + message);
  }
  static std::string describe(const Token& tok) {
    switch (tok.kind) {
      case TK::End:
        return "end of template";
      case TK::BlockEnd:
        return "end of statement block";
      case TK::VariableEnd:
        return "end of print statement";
      case TK::Text:
        return "template text";
      default:
        return "'" + tok.value + "'";
    }
  }
  void expect_op(const char* op) {
    if (!skip_op(op)) fail(peek().pos, std::string("expected '") + op + "', got " + describe(peek()));
  }
  std::string expect_name() {
    if (peek().kind != TK::Name) fail(peek().pos, "expected a name, got " + describe(peek()));
    return next().value;
  }
  void expect(TK kind, const char* what) {
    if (peek().kind != kind) fail(peek().pos, std::string("expected ") + what + ", got " + describe(peek()));
    ++i_;
  }
  void advance(size_t n = 1) { i_ += n; }

  // Held while parsing one nested construct; a template nested deeper than kMaxNesting is
  // refused instead of overflowing the stack of this recursive-descent parser.
  class Nesting {
   public:
    explicit Nesting(TokenStream& ts) : ts_(ts) {
      if (++ts_.depth_ > kMaxNesting) ts_.fail(ts_.peek().pos, "template nested too deeply");
    }
    ~Nesting() { --ts_.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    TokenStream& ts_;
  };
  static constexpr int kMaxNesting = 1000;  // about 330 parentheses; far below stack limits

 private:
  const std::vector<Token>& t_;
  const std::string& name_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace dokpa::jinja
