// The lm-evaluation-harness context/continuation split, checked with a tokenizer whose ids are
// easy to predict (one id per byte).
#include <catch2/catch.hpp>

#include "runners/native/tokenizer/request_tokenization.h"

using namespace dokpa;

namespace {

// One token per byte; enough to see which bytes went to the context and which to the continuation.
class ByteTokenizer final : public Tokenizer {
 public:
  std::vector<int32_t> encode(std::string_view text, bool) const override {
    std::vector<int32_t> ids;
    for (unsigned char c : text) ids.push_back(c);
    return ids;
  }
  std::string decode(std::span<const int32_t> ids, bool) const override {
    std::string s;
    for (int32_t id : ids) s.push_back(static_cast<char>(id));
    return s;
  }
  int32_t vocab_size() const override { return 256; }
  std::optional<int32_t> token_to_id(std::string_view) const override { return std::nullopt; }
  std::string describe() const override { return "bytes"; }
};

std::string as_text(const std::vector<int32_t>& ids) { return ByteTokenizer().decode(ids, false); }

}  // namespace

TEST_CASE("trailing context whitespace moves to the continuation", "[native][tokenization]") {
  TokenizationRules rules;
  rules.prefix_token_id = 1;
  TokenizedContinuation t = tokenize_loglikelihood(ByteTokenizer(), "답변: \n", "예", rules);
  CHECK(as_text(t.prefix) == "답변:");
  CHECK(as_text(t.continuation) == " \n예");
}

TEST_CASE("an empty context becomes the prefix token", "[native][tokenization]") {
  TokenizationRules rules;
  rules.prefix_token_id = 7;
  TokenizedContinuation t = tokenize_loglikelihood(ByteTokenizer(), "", "ab", rules);
  CHECK(t.prefix == std::vector<int32_t>{7});
  CHECK(as_text(t.continuation) == "ab");
}

TEST_CASE("long inputs keep the last max_length + 1 tokens", "[native][tokenization]") {
  TokenizationRules rules;
  rules.prefix_token_id = 1;
  rules.max_length = 5;
  TokenizedContinuation t = tokenize_loglikelihood(ByteTokenizer(), "abcdefgh", "XY", rules);
  CHECK(as_text(t.prefix) == "efgh");  // 4 context + 2 continuation = max_length + 1
  CHECK(as_text(t.continuation) == "XY");
  CHECK_THROWS(tokenize_loglikelihood(ByteTokenizer(), "abc", "UVWXYZ", rules));
}

TEST_CASE("Python whitespace includes Unicode spaces", "[native][tokenization]") {
  CHECK(is_python_whitespace(U'\u3000'));  // ideographic space
  CHECK(is_python_whitespace(U'\u00A0'));
  CHECK_FALSE(is_python_whitespace(U'가'));
  CHECK_FALSE(is_python_whitespace(U'\u200B'));  // zero-width space is not whitespace in Python
}

TEST_CASE("a whitespace-only context becomes the prefix token", "[native][tokenization]") {
  TokenizationRules rules;
  rules.prefix_token_id = 7;
  TokenizedContinuation t = tokenize_loglikelihood(ByteTokenizer(), " \n", "A", rules);
  CHECK(t.prefix == std::vector<int32_t>{7});
  CHECK(as_text(t.continuation) == " \nA");
}
