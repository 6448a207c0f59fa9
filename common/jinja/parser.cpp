#include "common/jinja/parser.h"

#include <cstdlib>

#include "common/jinja/expression_parser.h"

namespace dokpa::jinja {
namespace {

class Parser : public ExpressionParser {
 public:
  using ExpressionParser::ExpressionParser;

  Body parse_template() {
    std::string end;
    return parse_body({}, end);
  }

 private:
  // ---- statements ----
  // Parses nodes until `{% <one of end_tags>`; leaves the tag name consumed and returns it in `end`.
  Body parse_body(const std::vector<std::string>& end_tags, std::string& end) {
    Body body;
    while (true) {
      const Token& tok = peek();
      if (tok.kind == TK::End) {
        if (!end_tags.empty()) fail(tok.pos, "unexpected end of template, expected '" + end_tags.back() + "'");
        return body;
      }
      if (tok.kind == TK::Text) {
        auto n = node(Node::Kind::Text, tok.pos);
        n->text = tok.value;
        body.push_back(std::move(n));
        advance();
      } else if (tok.kind == TK::VariableBegin) {
        advance();
        auto n = node(Node::Kind::Output, tok.pos);
        n->expr = parse_tuple();
        expect(TK::VariableEnd, "'}}'");
        body.push_back(std::move(n));
      } else if (tok.kind == TK::BlockBegin) {
        const Token& tag = peek(1);
        if (tag.kind != TK::Name) fail(tag.pos, "expected a statement name, got " + describe(tag));
        for (const auto& e : end_tags)
          if (tag.value == e) {
            advance(2);
            end = e;
            return body;
          }
        advance(2);
        body.push_back(statement(tag));
      } else {
        fail(tok.pos, "unexpected " + describe(tok));
      }
    }
  }

  NodePtr node(Node::Kind kind, Position pos) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->pos = pos;
    return n;
  }

  NodePtr statement(const Token& tag) {
    Nesting nesting(*this);
    const std::string& s = tag.value;
    if (s == "if") return if_statement(tag.pos);
    if (s == "for") return for_statement(tag.pos);
    if (s == "set") return set_statement(tag.pos);
    if (s == "macro") return macro_statement(tag.pos);
    if (s == "break" || s == "continue") {
      if (loop_depth_ == 0) fail(tag.pos, "'" + s + "' outside of a loop");
      expect(TK::BlockEnd, "'%}'");
      return node(s == "break" ? Node::Kind::Break : Node::Kind::Continue, tag.pos);
    }
    if (s == "generation") {  // transformers' assistant-mask extension: renders its body
      expect(TK::BlockEnd, "'%}'");
      auto n = node(Node::Kind::Scope, tag.pos);
      std::string end;
      n->body = parse_body({"endgeneration"}, end);
      expect(TK::BlockEnd, "'%}'");
      return n;
    }
    fail(tag.pos, "unsupported or unknown statement '" + s + "'");
  }

  NodePtr if_statement(Position pos) {
    auto n = node(Node::Kind::If, pos);
    ExprPtr cond = parse_expression();
    while (true) {
      expect(TK::BlockEnd, "'%}'");
      std::string end;
      Body body = parse_body({"elif", "else", "endif"}, end);
      n->branches.emplace_back(std::move(cond), std::move(body));
      if (end == "endif") break;
      if (end == "else") {
        expect(TK::BlockEnd, "'%}'");
        Body else_body = parse_body({"endif"}, end);
        n->branches.emplace_back(nullptr, std::move(else_body));
        break;
      }
      cond = parse_expression();
    }
    expect(TK::BlockEnd, "'%}'");
    return n;
  }

  NodePtr for_statement(Position pos) {
    auto n = node(Node::Kind::For, pos);
    bool parens = skip_op("(");
    do n->targets.push_back(expect_name());
    while (skip_op(","));
    if (parens) expect_op(")");
    if (!skip_name("in")) fail(peek().pos, "expected 'in' in for loop, got " + describe(peek()));
    n->expr = parse_or();  // no inline if here: `for x in xs if cond` filters
    if (at_op(",")) {      // a bare tuple as the iterable
      auto tuple = expr(Expr::Kind::TupleLiteral, n->expr->pos);
      tuple->args.push_back(std::move(n->expr));
      while (skip_op(",")) tuple->args.push_back(parse_or());
      n->expr = std::move(tuple);
    }
    if (skip_name("if")) n->filter = parse_expression();
    if (at_name("recursive")) fail(peek().pos, "recursive for loops are not supported");
    expect(TK::BlockEnd, "'%}'");
    std::string end;
    ++loop_depth_;
    n->body = parse_body({"else", "endfor"}, end);
    --loop_depth_;
    if (end == "else") {
      expect(TK::BlockEnd, "'%}'");
      n->else_body = parse_body({"endfor"}, end);
    }
    expect(TK::BlockEnd, "'%}'");
    return n;
  }

  NodePtr set_statement(Position pos) {
    auto n = node(Node::Kind::Set, pos);
    n->targets.push_back(expect_name());
    if (skip_op(".")) {
      n->attribute = expect_name();
    } else {
      while (skip_op(",")) n->targets.push_back(expect_name());
    }
    if (peek().kind == TK::BlockEnd) {
      if (n->targets.size() != 1 || !n->attribute.empty()) fail(pos, "a block set assigns one plain name");
      advance();
      n->kind = Node::Kind::SetBlock;
      std::string end;
      n->body = parse_body({"endset"}, end);
      expect(TK::BlockEnd, "'%}'");
      return n;
    }
    if (at_op("|")) fail(peek().pos, "filters on a block set are not supported");
    expect_op("=");
    n->expr = parse_tuple();
    expect(TK::BlockEnd, "'%}'");
    return n;
  }

  NodePtr macro_statement(Position pos) {
    auto n = node(Node::Kind::Macro, pos);
    n->name = expect_name();
    expect_op("(");
    while (!skip_op(")")) {
      if (!n->params.empty()) expect_op(",");
      if (skip_op(")")) break;
      std::string param = expect_name();
      ExprPtr def = skip_op("=") ? parse_expression() : nullptr;
      n->params.emplace_back(param, std::move(def));
    }
    expect(TK::BlockEnd, "'%}'");
    std::string end;
    int outer_loops = loop_depth_;
    loop_depth_ = 0;  // a macro body is not inside the caller's loop
    n->body = parse_body({"endmacro"}, end);
    loop_depth_ = outer_loops;
    if (peek().kind == TK::Name && peek().value == n->name) advance();
    expect(TK::BlockEnd, "'%}'");
    return n;
  }

  int loop_depth_ = 0;  // for bodies enclosing the current statement (break/continue need one)
};

}  // namespace

Body parse(const std::vector<Token>& tokens, const std::string& source_name) {
  return Parser(tokens, source_name).parse_template();
}

}  // namespace dokpa::jinja
