// tokenizer.json text as the input. A tokenizer that loads must also encode and decode a few fixed
// texts (its regexes, normalizer, added tokens and decoder all come from the input).
#include <string>
#include <vector>

#include "runners/native/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dokpa::fuzz::expect_clean([&] {
    auto tokenizer = dokpa::parse_bpe_tokenizer(dokpa::fuzz::as_text(data, size), "tokenizer.json");
    for (const char* text : {"", "Hello world", " a  b\n\n12345", "한국어 문장입니다.", "<s>x</s>\xff"}) {
      std::vector<int32_t> ids = tokenizer->encode(text, true);
      (void)tokenizer->decode(ids, false);
      (void)tokenizer->decode(ids, true);
    }
    std::vector<int32_t> ids = {0, 1, 2, -1, 1 << 30, tokenizer->vocab_size() - 1, tokenizer->vocab_size()};
    (void)tokenizer->decode(ids, false);
    (void)tokenizer->token_to_id("a");
  });
  return 0;
}
