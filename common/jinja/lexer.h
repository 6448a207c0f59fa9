#pragma once
// Splits a template into text and tag tokens, applying jinja2's whitespace rules as
// transformers configures them: trim_blocks, lstrip_blocks, `-`/`+` markers, newline
// normalisation and the dropped final newline (keep_trailing_newline=False).
#include <string>
#include <vector>

namespace dokpa::jinja {

struct Position {
  int line = 1;
  int column = 1;
};

struct Token {
  enum class Kind {
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End
  };
  Kind kind;
  std::string value;  // text, name, decoded string literal, number or operator spelling
  Position pos;
};

// Throws dokpa::Error(source_name, "line L, column C: ...") on a lexical error.
std::vector<Token> tokenize(const std::string& source, const std::string& source_name);

}  // namespace dokpa::jinja
