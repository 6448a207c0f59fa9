#pragma once
// Text <-> token ids. Implementations must produce exactly the ids of the Hugging Face
// reference (`tokenizers` for tokenizer.json, `sentencepiece` for tokenizer.model).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dokpa {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // add_special_tokens mirrors `tokenizers`' Tokenizer.encode(text, add_special_tokens=...):
  // when true, the post-processor's tokens (e.g. a BOS) are added.
  virtual std::vector<int32_t> encode(std::string_view text, bool add_special_tokens = false) const = 0;
  virtual std::string decode(std::span<const int32_t> ids, bool skip_special_tokens = false) const = 0;
  virtual int32_t vocab_size() const = 0;
  // Id of a token string (including added/special tokens), if it is in the vocabulary.
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  // "bpe tokenizer.json" / "sentencepiece tokenizer.model", for provenance.
  virtual std::string describe() const = 0;
};

// Opens the tokenizer file itself (tokenizer.json or a SentencePiece .model).
std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::filesystem::path& tokenizer_json);
// The same from tokenizer.json text already in memory; `source` names it in errors.
std::unique_ptr<Tokenizer> parse_bpe_tokenizer(std::string_view json_text, const std::string& source);
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::filesystem::path& model_file);

// Picks the tokenizer of a checkpoint folder: tokenizer.json if present, else tokenizer.model.
std::unique_ptr<Tokenizer> load_checkpoint_tokenizer(const std::filesystem::path& checkpoint_dir);

}  // namespace dokpa
