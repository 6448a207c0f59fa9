#pragma once
// The parsed template: expressions and statements, each with the position it came from so
// runtime errors can name a line and column.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/jinja/lexer.h"
#include "common/jinja/value.h"

namespace dokpa::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Literal,       // value
    Name,          // name
    ListLiteral,   // args: items
    TupleLiteral,  // args: items
    DictLiteral,   // args: key0, value0, key1, value1, ...
    Attribute,     // args[0].name
    Item,          // args[0][args[1]]
    Slice,         // args[0][args[1]:args[2]:args[3]], absent parts are null
    Call,          // args[0](args[1..], kwargs)
    Filter,        // args[0] | name(args[1..], kwargs)
    Test,          // args[0] is [not] name(args[1..])
    Unary,         // name ("-", "+", "not") args[0]
    Binary,        // args[0] name args[1]: + - * / // % ** ~ and or
    Compare,       // args[0] ops[0] args[1] ops[1] args[2] ... (Python chains)
    Conditional,   // args[0] if args[1] else args[2] (args[2] may be null)
  };
  Kind kind;
  Position pos;
  Value value;
  std::string name;
  bool negated = false;  // Test: `is not`
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
  enum class Kind {
    Text,      // text
    Output,    // {{ expr }}
    If,        // branches (a null condition is the else)
    For,       // for targets in expr [if filter]: body [else: else_body]
    Set,       // set targets = expr, or set targets[0].attribute = expr
    SetBlock,  // set targets[0] %}body{% endset
    Macro,     // macro name(params): body
    Break,
    Continue,
    Scope,  // a body rendered as-is ({% generation %} from transformers)
  };
  Kind kind;
  Position pos;
  std::string text;
  std::string name;       // Macro name
  std::string attribute;  // Set on a namespace attribute
  ExprPtr expr;
  ExprPtr filter;
  std::vector<std::string> targets;
  std::vector<std::pair<std::string, ExprPtr>> params;  // Macro parameters and defaults (null = none)
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
};

}  // namespace dokpa::jinja
