#pragma once
// Expressions with jinja2's precedence, loosest first: inline if, or, and, not, comparisons
// (chained as in Python), + -, ~, * / // %, **, unary - +, then postfix access and calls,
// then | filters and `is` tests. Unknown filter and test names are refused here.
#include "common/jinja/ast.h"
#include "common/jinja/token_stream.h"

namespace dokpa::jinja {

class ExpressionParser : protected TokenStream {
 public:
  using TokenStream::TokenStream;

  // An expression, or a bare tuple `a, b` ({{ }} and set values allow one).
  ExprPtr parse_tuple();
  ExprPtr parse_expression();
  ExprPtr parse_or();  // an expression without inline if (for-loop iterables)

 protected:
  ExprPtr expr(Expr::Kind kind, Position pos);
  void call_arguments(Expr& call);  // after '(' up to ')'

 private:
  ExprPtr binary(std::string op, ExprPtr left, ExprPtr right, Position pos);
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_compare();
  ExprPtr parse_math1();
  ExprPtr parse_concat();
  ExprPtr parse_math2();
  ExprPtr parse_pow();
  ExprPtr parse_unary(bool with_filter);
  ExprPtr parse_primary();
  ExprPtr parenthesised(Position pos);
  ExprPtr parse_postfix(ExprPtr e);
  ExprPtr subscript(ExprPtr object, Position pos);
  ExprPtr parse_filters_and_tests(ExprPtr e);
  bool test_argument_follows() const;
};

}  // namespace dokpa::jinja
