#pragma once
// A compiled PCRE2 pattern (UTF + UCP, so \p{L}, \s and \w are Unicode-aware) used for the
// pre-tokenizer and Replace patterns. Compiled once; matching is thread-safe.
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pcre2_real_code_8;

namespace dokpa::tokenizer {

struct Match {
  size_t start;
  size_t end;
};

class Regex {
 public:
  // `source` names the tokenizer file, for the error if the pattern does not compile.
  Regex(const std::string& pattern, const std::string& source);

  // Non-overlapping matches, left to right, like Oniguruma's find_iter in `tokenizers`.
  // `text` must be valid UTF-8.
  std::vector<Match> find_all(std::string_view text) const;

 private:
  std::shared_ptr<pcre2_real_code_8> code_;
  std::string pattern_;
};

// Escapes a literal string so it matches itself as a pattern (Split with a String pattern).
std::string escape_regex(std::string_view literal);

// Every non-empty match of `regex` in `text` replaced by `content`.
std::string replace_all(const Regex& regex, std::string_view text, const std::string& content);

// A tokenizer.json pattern, {"String": literal} or {"Regex": pattern}; `context` names the
// component in errors.
Regex make_pattern(const nlohmann::json& spec, const std::string& source,
                   const std::string& context);

}  // namespace dokpa::tokenizer
