// SentencePiece models trained here (spm_train) against Python `sentencepiece`.
#include "tests/runners/native/tokenizer/parity_support.h"

namespace dokpa::test {
namespace {

void check_spm(const std::string& model_type) {
  std::filesystem::path dir = corpus_dir("tokenizer-spm-" + model_type);
  make_fixtures(dir, "spm");
  std::filesystem::path file = dir / ("spm_" + model_type + ".model");
  Reference ref = reference_for(dir, "encode-spm", file);
  auto tokenizer = load_sentencepiece_tokenizer(file);
  check_parity(*tokenizer, ref);
  // Plain text in the model's alphabet round-trips exactly.
  for (std::string text :
       {"안녕하세요 한국어 모델을 평가했습니다.", "The quick brown fox is all you need."}) {
    CHECK(tokenizer->decode(tokenizer->encode(text)) == text);
  }
  auto with_bos = tokenizer->encode("한국어", true);
  REQUIRE_FALSE(with_bos.empty());
  CHECK(with_bos.front() == tokenizer->token_to_id("<s>"));
  CHECK(tokenizer->decode(with_bos, true) == "한국어");
  CHECK_FALSE(tokenizer->token_to_id("no such piece").has_value());
  CHECK(tokenizer->vocab_size() == 1000);
}

TEST_CASE("SentencePiece BPE matches Python sentencepiece", "[tokenizer][sentencepiece]") {
  check_spm("bpe");
}

TEST_CASE("SentencePiece unigram matches Python sentencepiece", "[tokenizer][sentencepiece]") {
  check_spm("unigram");
}

}  // namespace
}  // namespace dokpa::test
