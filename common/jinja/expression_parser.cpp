#include "common/jinja/expression_parser.h"

#include <cstdlib>

#include "common/jinja/builtins.h"

namespace dokpa::jinja {

ExprPtr ExpressionParser::expr(Expr::Kind kind, Position pos) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->pos = pos;
  return e;
}

ExprPtr ExpressionParser::parse_tuple() {
  Position pos = peek().pos;
  ExprPtr first = parse_expression();
  if (!at_op(",")) return first;
  auto tuple = expr(Expr::Kind::TupleLiteral, pos);
  tuple->args.push_back(std::move(first));
  while (skip_op(",")) {
    if (peek().kind == TK::BlockEnd || peek().kind == TK::VariableEnd) break;
    tuple->args.push_back(parse_expression());
  }
  return tuple;
}

ExprPtr ExpressionParser::parse_expression() {
  Nesting nesting(*this);
  ExprPtr body = parse_or();
  while (at_name("if")) {
    Position pos = next().pos;
    auto cond = expr(Expr::Kind::Conditional, pos);
    cond->args.push_back(std::move(body));
    cond->args.push_back(parse_or());
    cond->args.push_back(skip_name("else") ? parse_expression() : nullptr);
    body = std::move(cond);
  }
  return body;
}

ExprPtr ExpressionParser::binary(std::string op, ExprPtr left, ExprPtr right, Position pos) {
  auto e = expr(Expr::Kind::Binary, pos);
  e->name = std::move(op);
  e->args.push_back(std::move(left));
  e->args.push_back(std::move(right));
  return e;
}

ExprPtr ExpressionParser::parse_or() {
  ExprPtr left = parse_and();
  while (at_name("or")) {
    Position pos = next().pos;
    left = binary("or", std::move(left), parse_and(), pos);
  }
  return left;
}

ExprPtr ExpressionParser::parse_and() {
  ExprPtr left = parse_not();
  while (at_name("and")) {
    Position pos = next().pos;
    left = binary("and", std::move(left), parse_not(), pos);
  }
  return left;
}

ExprPtr ExpressionParser::parse_not() {
  Nesting nesting(*this);
  if (at_name("not")) {
    Position pos = next().pos;
    auto e = expr(Expr::Kind::Unary, pos);
    e->name = "not";
    e->args.push_back(parse_not());
    return e;
  }
  return parse_compare();
}

ExprPtr ExpressionParser::parse_compare() {
  Position pos = peek().pos;
  ExprPtr first = parse_math1();
  ExprPtr chain;
  while (true) {
    std::string op;
    if (peek().kind == TK::Operator &&
        (at_op("==") || at_op("!=") || at_op("<") || at_op(">") || at_op("<=") || at_op(">="))) {
      op = next().value;
    } else if (at_name("in")) {
      advance();
      op = "in";
    } else if (at_name("not") && peek(1).kind == TK::Name && peek(1).value == "in") {
      advance(2);
      op = "not in";
    } else {
      break;
    }
    if (!chain) {
      chain = expr(Expr::Kind::Compare, pos);
      chain->args.push_back(std::move(first));
    }
    chain->ops.push_back(op);
    chain->args.push_back(parse_math1());
  }
  return chain ? std::move(chain) : std::move(first);
}

ExprPtr ExpressionParser::parse_math1() {
  ExprPtr left = parse_concat();
  while (at_op("+") || at_op("-")) {
    const Token& op = next();
    left = binary(op.value, std::move(left), parse_concat(), op.pos);
  }
  return left;
}

ExprPtr ExpressionParser::parse_concat() {
  ExprPtr left = parse_math2();
  while (at_op("~")) {
    Position pos = next().pos;
    left = binary("~", std::move(left), parse_math2(), pos);
  }
  return left;
}

ExprPtr ExpressionParser::parse_math2() {
  ExprPtr left = parse_pow();
  while (at_op("*") || at_op("/") || at_op("//") || at_op("%")) {
    const Token& op = next();
    std::string name = op.value;
    auto e = expr(Expr::Kind::Binary, op.pos);
    e->name = name;
    e->args.push_back(std::move(left));
    e->args.push_back(parse_pow());
    left = std::move(e);
  }
  return left;
}

ExprPtr ExpressionParser::parse_pow() {
  ExprPtr left = parse_unary(true);
  while (at_op("**")) {
    Position pos = next().pos;
    left = binary("**", std::move(left), parse_unary(true), pos);
  }
  return left;
}

ExprPtr ExpressionParser::parse_unary(bool with_filter) {
  Nesting nesting(*this);
  ExprPtr e;
  if (at_op("-") || at_op("+")) {
    const Token& op = next();
    e = expr(Expr::Kind::Unary, op.pos);
    e->name = op.value;
    e->args.push_back(parse_unary(false));
  } else {
    e = parse_primary();
  }
  e = parse_postfix(std::move(e));
  return with_filter ? parse_filters_and_tests(std::move(e)) : std::move(e);
}

ExprPtr ExpressionParser::parse_primary() {
  const Token& tok = next();
  switch (tok.kind) {
    case TK::Name: {
      const std::string& n = tok.value;
      if (n == "true" || n == "True" || n == "false" || n == "False") {
        auto e = expr(Expr::Kind::Literal, tok.pos);
        e->value = Value(n == "true" || n == "True");
        return e;
      }
      if (n == "none" || n == "None") {
        auto e = expr(Expr::Kind::Literal, tok.pos);
        e->value = Value::none();
        return e;
      }
      auto e = expr(Expr::Kind::Name, tok.pos);
      e->name = n;
      return e;
    }
    case TK::String: {
      std::string s = tok.value;
      while (peek().kind == TK::String) s += next().value;  // adjacent literals concatenate
      auto e = expr(Expr::Kind::Literal, tok.pos);
      e->value = Value(std::move(s));
      return e;
    }
    case TK::Integer: {
      auto e = expr(Expr::Kind::Literal, tok.pos);
      e->value = Value(static_cast<int64_t>(std::strtoll(tok.value.c_str(), nullptr, 10)));
      return e;
    }
    case TK::Float: {
      auto e = expr(Expr::Kind::Literal, tok.pos);
      e->value = Value(std::strtod(tok.value.c_str(), nullptr));
      return e;
    }
    case TK::Operator:
      if (tok.value == "(") return parenthesised(tok.pos);
      if (tok.value == "[") {
        auto e = expr(Expr::Kind::ListLiteral, tok.pos);
        while (!skip_op("]")) {
          if (!e->args.empty()) expect_op(",");
          if (skip_op("]")) break;
          e->args.push_back(parse_expression());
        }
        return e;
      }
      if (tok.value == "{") {
        auto e = expr(Expr::Kind::DictLiteral, tok.pos);
        while (!skip_op("}")) {
          if (!e->args.empty()) expect_op(",");
          if (skip_op("}")) break;
          e->args.push_back(parse_expression());
          expect_op(":");
          e->args.push_back(parse_expression());
        }
        return e;
      }
      break;
    default:
      break;
  }
  fail(tok.pos, "unexpected " + describe(tok));
}

ExprPtr ExpressionParser::parenthesised(Position pos) {
  if (skip_op(")")) return expr(Expr::Kind::TupleLiteral, pos);
  ExprPtr first = parse_expression();
  if (skip_op(")")) return first;
  auto tuple = expr(Expr::Kind::TupleLiteral, pos);
  tuple->args.push_back(std::move(first));
  while (skip_op(",")) {
    if (at_op(")")) break;
    tuple->args.push_back(parse_expression());
  }
  expect_op(")");
  return tuple;
}

ExprPtr ExpressionParser::parse_postfix(ExprPtr e) {
  while (true) {
    if (at_op(".")) {
      Position pos = next().pos;
      auto a = expr(Expr::Kind::Attribute, pos);
      if (peek().kind == TK::Integer) {  // foo.0 is foo[0]
        a->kind = Expr::Kind::Item;
        a->args.push_back(std::move(e));
        auto index = expr(Expr::Kind::Literal, peek().pos);
        index->value = Value(static_cast<int64_t>(std::strtoll(next().value.c_str(), nullptr, 10)));
        a->args.push_back(std::move(index));
      } else {
        a->name = expect_name();
        a->args.push_back(std::move(e));
      }
      e = std::move(a);
    } else if (at_op("[")) {
      e = subscript(std::move(e), next().pos);
    } else if (at_op("(")) {
      Position pos = next().pos;
      auto call = expr(Expr::Kind::Call, pos);
      call->args.push_back(std::move(e));
      call_arguments(*call);
      e = std::move(call);
    } else {
      return e;
    }
  }
}

ExprPtr ExpressionParser::subscript(ExprPtr object, Position pos) {
  ExprPtr parts[3];
  int colons = 0;
  while (!at_op("]")) {
    if (skip_op(":")) {
      if (++colons > 2) fail(pos, "too many ':' in slice");
      continue;
    }
    if (parts[colons]) fail(peek().pos, "expected ':' or ']' in subscript");
    parts[colons] = parse_expression();
  }
  expect_op("]");
  auto e = expr(colons ? Expr::Kind::Slice : Expr::Kind::Item, pos);
  e->args.push_back(std::move(object));
  if (!colons) {
    if (!parts[0]) fail(pos, "empty subscript");
    e->args.push_back(std::move(parts[0]));
  } else {
    for (auto& p : parts) e->args.push_back(std::move(p));
  }
  return e;
}

// After '(' has been consumed: positional then keyword arguments, up to ')'.
void ExpressionParser::call_arguments(Expr& call) {
  bool first = true;
  while (!skip_op(")")) {
    if (!first) expect_op(",");
    first = false;
    if (skip_op(")")) break;
    if (at_op("*") || at_op("**")) fail(peek().pos, "*args and **kwargs in calls are not supported");
    if (peek().kind == TK::Name && peek(1).kind == TK::Operator && peek(1).value == "=") {
      std::string key = next().value;
      advance();
      call.kwargs.emplace_back(key, parse_expression());
    } else {
      if (!call.kwargs.empty()) fail(peek().pos, "positional argument after keyword argument");
      call.args.push_back(parse_expression());
    }
  }
}

ExprPtr ExpressionParser::parse_filters_and_tests(ExprPtr e) {
  while (true) {
    if (at_op("|")) {
      Position pos = next().pos;
      auto f = expr(Expr::Kind::Filter, pos);
      f->name = expect_name();
      if (!has_filter(f->name)) fail(pos, "no filter named '" + f->name + "'");
      f->args.push_back(std::move(e));
      if (skip_op("(")) call_arguments(*f);
      e = std::move(f);
    } else if (at_name("is")) {
      Position pos = next().pos;
      auto t = expr(Expr::Kind::Test, pos);
      t->negated = skip_name("not");
      t->name = expect_name();
      if (!has_test(t->name)) fail(pos, "no test named '" + t->name + "'");
      t->args.push_back(std::move(e));
      if (skip_op("(")) {
        call_arguments(*t);
      } else if (test_argument_follows()) {
        t->args.push_back(parse_primary());
        t->args.back() = parse_postfix(std::move(t->args.back()));
      }
      e = std::move(t);
    } else {
      return e;
    }
  }
}

// `x is divisibleby 3`: jinja2 takes one bare argument unless what follows ends the test.
bool ExpressionParser::test_argument_follows() const {
  const Token& tok = peek();
  if (tok.kind == TK::String || tok.kind == TK::Integer || tok.kind == TK::Float) return true;
  if (tok.kind == TK::Name)
    return tok.value != "else" && tok.value != "or" && tok.value != "and" && tok.value != "if" && tok.value != "is" &&
           tok.value != "in" && tok.value != "not";
  return tok.kind == TK::Operator && (tok.value == "[" || tok.value == "{");
}

}  // namespace dokpa::jinja
