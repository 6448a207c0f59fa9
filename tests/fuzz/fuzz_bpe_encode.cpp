// Text to encode as the input, with a fixed byte-level BPE (tests/fuzz/bpe_tokenizer.json: the
// GPT-2 byte alphabet, a few merges, a Split regex pre-tokenizer and added tokens). Every byte has
// a token and the decoder is ByteLevel, so decoding what encode produced must give back the text
// (for valid UTF-8; other input is replaced by U+FFFD first, like Python's decode).
#include <memory>
#include <string>
#include <vector>

#include "runners/native/tokenizer/tokenizer.h"
#include "runners/native/tokenizer/utf8.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<dokpa::Tokenizer> tokenizer =
      dokpa::load_bpe_tokenizer(DOKPA_FUZZ_SOURCE_DIR "/bpe_tokenizer.json");
  std::string_view text = dokpa::fuzz::as_text(data, size);
  dokpa::fuzz::expect_clean([&] {
    std::vector<int32_t> ids = tokenizer->encode(text, false);
    std::string decoded = tokenizer->decode(ids, false);
    std::string expected = dokpa::tokenizer::is_valid_utf8(text) ? std::string(text) : dokpa::tokenizer::utf8_lossy(text);
    if (decoded != expected) dokpa::fuzz::fail("decode(encode(text)) != text");
    std::vector<int32_t> with_special = tokenizer->encode(text, true);
    if (with_special.size() < ids.size()) dokpa::fuzz::fail("add_special_tokens dropped tokens");
    for (int32_t id : with_special)
      if (id < 0 || id >= tokenizer->vocab_size()) dokpa::fuzz::fail("id outside the vocabulary");
  });
  return 0;
}
