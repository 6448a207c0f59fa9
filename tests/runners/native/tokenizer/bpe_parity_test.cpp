// tokenizer.json BPE against Hugging Face `tokenizers`: every line of the project's corpus
// must give the reference ids (with and without special tokens) and the reference decode.
#include <thread>

#include "tests/runners/native/tokenizer/parity_support.h"

namespace dokpa::test {
namespace {

void check_fixture(const std::string& name, ParityOptions options) {
  std::filesystem::path dir = corpus_dir("tokenizer-" + name);
  make_fixtures(dir, name);
  std::filesystem::path file = dir / (name + ".json");
  Reference ref = reference_for(dir, "encode-json", file);
  auto tokenizer = load_bpe_tokenizer(file);
  check_parity(*tokenizer, ref, options);
}

TEST_CASE("BPE matches tokenizers on SmolLM2-135M-Instruct's tokenizer.json",
          "[tokenizer][bpe][model]") {
  std::filesystem::path file = default_model_dir() / "tokenizer.json";
  {
    INFO("the default model is missing; run scripts/setup.sh: " << file);
    REQUIRE(std::filesystem::exists(file));
  }
  std::filesystem::path dir = corpus_dir("tokenizer-smollm2");
  Reference ref = reference_for(dir, "encode-json", file);
  auto tokenizer = load_bpe_tokenizer(file);
  check_parity(*tokenizer, ref, {.require_round_trip = true});
  CHECK(tokenizer->token_to_id("<|im_start|>") == 1);
  CHECK(tokenizer->vocab_size() == 49152);

  // The word memo is shared: encoding from several threads at once gives the same ids.
  auto fresh = load_bpe_tokenizer(file);
  std::vector<std::vector<int32_t>> results[2];
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (const std::string& line : ref.lines) result.push_back(fresh->encode(line));
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < ref.lines.size(); ++i) {
    auto expected = ref.expected["ids"][i].get<std::vector<int32_t>>();
    REQUIRE(results[0][i] == expected);
    REQUIRE(results[1][i] == expected);
  }
}

TEST_CASE("BPE matches tokenizers: ByteLevel add_prefix_space, \"a b\" merges, BOS/EOS template",
          "[tokenizer][bpe]") {
  check_fixture("bytelevel_legacy", {});
}

TEST_CASE(
    "BPE matches tokenizers: NFC, Split regex, Digits, [a, b] merges, ignore_merges, added tokens",
    "[tokenizer][bpe]") {
  check_fixture("nfc_split", {});
}

TEST_CASE("BPE matches tokenizers: Metaspace, byte_fallback, fused unk", "[tokenizer][bpe]") {
  check_fixture("metaspace_fallback", {});
}

TEST_CASE("BPE matches tokenizers: Prepend + Replace normalizer without pre-tokenizer",
          "[tokenizer][bpe]") {
  check_fixture("prepend_replace", {});
}

}  // namespace
}  // namespace dokpa::test
