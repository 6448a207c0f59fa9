// Bad tokenizer files are refused with a dokpa::Error that names the file; a small
// hand-written tokenizer.json pins the behaviour of the pieces on known input.
#include <fstream>

#include "common/error.h"
#include "runners/native/tokenizer/tokenizer.h"
#include "tests/test_support.h"

namespace dokpa::test {
namespace {

std::filesystem::path write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A tiny byte-level BPE: vocabulary "a", "b", "ab", "Ġ", "Ġab", merges a+b then Ġ+ab.
const char* const kTinyTokenizer = R"({
  "version": "1.0",
  "added_tokens": [{"id": 5, "content": "<eos>", "special": true, "normalized": false,
                    "lstrip": false, "rstrip": false, "single_word": false}],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
  "post_processor": {"type": "TemplateProcessing",
                     "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<eos>", "type_id": 0}}],
                     "special_tokens": {"<eos>": {"id": "<eos>", "ids": [5], "tokens": ["<eos>"]}}},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4},
            "merges": [["a", "b"], ["Ġ", "ab"]]}
})";

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no dokpa::Error thrown)";
}

TEST_CASE("a hand-written tokenizer.json encodes, adds EOS and decodes", "[tokenizer][bpe]") {
  auto dir = scratch_dir("tokenizer-tiny");
  auto tokenizer = load_bpe_tokenizer(write(dir / "tokenizer.json", kTinyTokenizer));
  CHECK(tokenizer->encode("ab ab<eos>") == std::vector<int32_t>{2, 4, 5});
  CHECK(tokenizer->encode("ab", true) == std::vector<int32_t>{2, 5});
  CHECK(tokenizer->encode("c").empty());  // no unk token: unknown characters are dropped
  std::vector<int32_t> ids{2, 4, 5};
  CHECK(tokenizer->decode(ids) == "ab ab<eos>");
  CHECK(tokenizer->decode(ids, true) == "ab ab");
  CHECK(tokenizer->token_to_id("<eos>") == 5);
  CHECK(tokenizer->vocab_size() == 6);
  CHECK(tokenizer->describe().find("tokenizer.json") != std::string::npos);
}

TEST_CASE("malformed or unsupported tokenizer.json is an error naming the file",
          "[tokenizer][errors]") {
  auto dir = scratch_dir("tokenizer-errors");
  std::string tiny = kTinyTokenizer;
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = tiny;
    size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  struct Case {
    std::string name, text, expected;
  };
  std::vector<Case> cases = {
      {"truncated.json", tiny.substr(0, tiny.size() / 2), "malformed JSON"},
      {"not-object.json", "[1, 2]", "must be a JSON object"},
      {"wordpiece.json", replaced(R"("type": "BPE")", R"("type": "WordPiece")"),
       "unsupported model type 'WordPiece'"},
      {"no-vocab.json", replaced(R"("vocab": {)", R"("vocabulary": {)"),
       "model has no field 'vocab'"},
      {"bad-merge.json", replaced(R"(["Ġ", "ab"])", R"(["Ġ", "zz"])"), "not in the vocabulary"},
      {"bad-merge-form.json", replaced(R"(["a", "b"])", R"(["a", "b", "c"])"), "model.merges[0]"},
      {"lowercase.json",
       replaced(R"("normalizer": null)", R"("normalizer": {"type": "Lowercase"})"),
       "unsupported normalizer type 'Lowercase'"},
      {"bad-regex.json",
       replaced(
           R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})",
           R"({"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false})"),
       "cannot compile regex"},
      {"bad-behavior.json",
       replaced(
           R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true})",
           R"({"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways", "invert": false})"),
       "behavior 'Sideways'"},
      {"wordpiece-decoder.json",
       replaced(R"("decoder": {"type": "ByteLevel"})", R"("decoder": {"type": "WordPiece"})"),
       "unsupported decoder type 'WordPiece'"},
      // Found by fuzz_tokenizer_json: the vocabulary size (largest id + 1) overflowed int32.
      {"id-int32-max.json", replaced(R"("Ġab": 4)", R"("Ġab": 2147483647)"), "model.vocab['Ġab'] is not a valid id"},
  };
  for (const Case& c : cases) {
    auto path = write(dir / c.name, c.text);
    std::string message = error_of([&] { load_bpe_tokenizer(path); });
    INFO(c.name << ": " << message);
    CHECK(message.find(path.string()) != std::string::npos);
    CHECK(message.find(c.expected) != std::string::npos);
  }
  std::string missing = error_of([&] { load_bpe_tokenizer(dir / "missing.json"); });
  CHECK(missing.find("missing.json") != std::string::npos);
}

TEST_CASE("bad SentencePiece model files are errors naming the file", "[tokenizer][errors]") {
  auto dir = scratch_dir("tokenizer-spm-errors");
  auto garbage = write(dir / "garbage.model", "this is not a protobuf");
  std::string message = error_of([&] { load_sentencepiece_tokenizer(garbage); });
  CHECK(message.find("garbage.model") != std::string::npos);
  message = error_of([&] { load_sentencepiece_tokenizer(dir / "absent.model"); });
  CHECK(message.find("absent.model") != std::string::npos);
}

TEST_CASE("load_checkpoint_tokenizer prefers tokenizer.json and names an empty folder",
          "[tokenizer][errors]") {
  auto dir = scratch_dir("tokenizer-checkpoint");
  std::string message = error_of([&] { load_checkpoint_tokenizer(dir); });
  CHECK(message.find(dir.string()) != std::string::npos);
  CHECK(message.find("tokenizer.json") != std::string::npos);
  write(dir / "tokenizer.model", "not used while tokenizer.json exists");
  write(dir / "tokenizer.json", kTinyTokenizer);
  CHECK(load_checkpoint_tokenizer(dir)->describe().rfind("bpe ", 0) == 0);
  std::filesystem::remove(dir / "tokenizer.json");
  message = error_of([&] { load_checkpoint_tokenizer(dir); });
  CHECK(message.find("tokenizer.model") != std::string::npos);
}

}  // namespace
}  // namespace dokpa::test
