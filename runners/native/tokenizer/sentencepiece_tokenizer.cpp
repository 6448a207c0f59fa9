// load_sentencepiece_tokenizer: a SentencePiece .model through libsentencepiece, so ids are
// those of Python's `sentencepiece` (sp.encode(text)); add_special_tokens prepends the BOS
// as Hugging Face's Llama-style tokenizers do.
#include <sentencepiece_processor.h>

#include "common/error.h"
#include "runners/native/tokenizer/tokenizer.h"

namespace dokpa {

namespace {

class SentencePieceTokenizer : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const std::filesystem::path& model_file)
      : source_(model_file.string()) {
    if (!std::filesystem::exists(model_file)) throw Error(source_, "file does not exist");
    auto status = processor_.Load(source_);
    if (!status.ok()) throw Error(source_, "cannot load SentencePiece model: " + status.ToString());
  }

  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens) const override {
    std::vector<int> pieces;
    auto status = processor_.Encode(text, &pieces);
    if (!status.ok()) throw Error(source_, "SentencePiece encode failed: " + status.ToString());
    std::vector<int32_t> ids;
    ids.reserve(pieces.size() + 1);
    if (add_special_tokens && processor_.bos_id() >= 0) ids.push_back(processor_.bos_id());
    ids.insert(ids.end(), pieces.begin(), pieces.end());
    return ids;
  }

  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens) const override {
    std::vector<int> kept;
    kept.reserve(ids.size());
    for (int32_t id : ids) {
      if (id < 0 || id >= processor_.GetPieceSize()) continue;  // out of range: skipped
      if (skip_special_tokens && (processor_.IsControl(id) || processor_.IsUnknown(id))) continue;
      kept.push_back(id);
    }
    std::string text;
    auto status = processor_.Decode(kept, &text);
    if (!status.ok()) throw Error(source_, "SentencePiece decode failed: " + status.ToString());
    return text;
  }

  int32_t vocab_size() const override { return processor_.GetPieceSize(); }

  std::optional<int32_t> token_to_id(std::string_view token) const override {
    int id = processor_.PieceToId(token);
    // PieceToId answers unk for unknown pieces; only the unk piece itself maps to unk.
    if (id < 0 || processor_.IdToPiece(id) != token) return std::nullopt;
    return id;
  }

  std::string describe() const override { return "sentencepiece " + source_; }

 private:
  std::string source_;
  sentencepiece::SentencePieceProcessor processor_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::filesystem::path& model_file) {
  return std::make_unique<SentencePieceTokenizer>(model_file);
}

}  // namespace dokpa
