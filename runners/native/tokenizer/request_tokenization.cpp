#include "runners/native/tokenizer/request_tokenization.h"

#include "common/error.h"

namespace dokpa {

bool is_python_whitespace(char32_t c) {
  if (c >= 0x09 && c <= 0x0D) return true;  // \t \n \v \f \r
  if (c >= 0x1C && c <= 0x20) return true;  // file/group/record/unit separators, space
  if (c == 0x85 || c == 0xA0 || c == 0x1680) return true;
  if (c >= 0x2000 && c <= 0x200A) return true;
  return c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

size_t trailing_whitespace_bytes(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;  // step back to the first byte of the last code point
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data() + start);
    size_t length = end - start;
    char32_t c = 0;
    if (length == 1) c = bytes[0];
    else if (length == 2) c = ((bytes[0] & 0x1F) << 6) | (bytes[1] & 0x3F);
    else if (length == 3) c = ((bytes[0] & 0x0F) << 12) | ((bytes[1] & 0x3F) << 6) | (bytes[2] & 0x3F);
    else c = 0;  // four-byte code points are never whitespace
    if (!is_python_whitespace(c)) break;
    end = start;
  }
  return text.size() - end;
}

TokenizedContinuation tokenize_loglikelihood(const Tokenizer& tokenizer, std::string_view context,
                                             std::string_view continuation, const TokenizationRules& rules) {
  std::vector<int32_t> context_ids;
  std::vector<int32_t> continuation_ids;
  if (context.empty()) {
    if (rules.prefix_token_id < 0) throw Error("tokenizer", "empty context but the model has no BOS or EOS token");
    context_ids = {rules.prefix_token_id};
    continuation_ids = tokenizer.encode(continuation, rules.add_special_tokens);
  } else {
    size_t spaces = trailing_whitespace_bytes(context);
    std::string moved_context(context.substr(0, context.size() - spaces));
    std::string moved_continuation = std::string(context.substr(context.size() - spaces)) + std::string(continuation);
    std::vector<int32_t> whole = tokenizer.encode(moved_context + moved_continuation, rules.add_special_tokens);
    context_ids = tokenizer.encode(moved_context, rules.add_special_tokens);
    if (context_ids.size() <= whole.size())
      continuation_ids.assign(whole.begin() + static_cast<std::ptrdiff_t>(context_ids.size()), whole.end());
    // A whitespace-only context moved wholly into the continuation: score it like an empty
    // context (lm-eval would read logits before position 0 here), after the prefix token.
    if (context_ids.empty()) {
      if (rules.prefix_token_id < 0) throw Error("tokenizer", "empty context but the model has no BOS or EOS token");
      context_ids = {rules.prefix_token_id};
    }
  }
  if (continuation_ids.empty()) throw Error("request", "continuation encodes to no tokens");

  // Keep the last max_length + 1 tokens of context + continuation; the last one is only a target.
  TokenizedContinuation out;
  out.continuation = std::move(continuation_ids);
  const size_t budget = static_cast<size_t>(rules.max_length) + 1;
  if (out.continuation.size() >= budget)
    throw Error("request", "continuation alone is longer than the model's context window");
  size_t prefix_keep = std::min(context_ids.size(), budget - out.continuation.size());
  out.prefix.assign(context_ids.end() - static_cast<std::ptrdiff_t>(prefix_keep), context_ids.end());
  return out;
}

}  // namespace dokpa
