// load_bpe_tokenizer: a tokenizer.json byte-level BPE, run as `tokenizers` runs it:
// added tokens cut out of the raw text, normalizer, added tokens cut out of the normalized
// text, pre-tokenizer, BPE per word, post-processor.
#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "runners/native/tokenizer/added_tokens.h"
#include "runners/native/tokenizer/bpe_model.h"
#include "runners/native/tokenizer/decoder.h"
#include "runners/native/tokenizer/normalizer.h"
#include "runners/native/tokenizer/post_processor.h"
#include "runners/native/tokenizer/pre_tokenizer.h"
#include "runners/native/tokenizer/tokenizer.h"
#include "runners/native/tokenizer/utf8.h"

namespace dokpa {

namespace {

using namespace dokpa::tokenizer;

class BpeTokenizer : public Tokenizer {
 public:
  BpeTokenizer(const Json& spec, const std::string& source) : source_(source) {
    if (!spec.is_object()) throw Error(source, "tokenizer.json must be a JSON object");
    std::string version = field_or<std::string>(spec, "version", "1.0", source, "tokenizer");
    if (version != "1.0") throw Error(source, "unknown tokenizer.json version '" + version + "'");
    const Json& model = require_field(spec, "model", source, "tokenizer");
    std::string type = field_or<std::string>(model, "type", "BPE", source, "model");
    if (type != "BPE")
      throw Error(source, "unsupported model type '" + type + "' (only BPE is implemented)");
    model_ = BpeModel::from_json(model, source);
    normalizer_ =
        make_normalizer(field_or(spec, "normalizer", Json(), source, "tokenizer"), source);
    pre_tokenizer_ =
        make_pre_tokenizer(field_or(spec, "pre_tokenizer", Json(), source, "tokenizer"), source);
    post_processor_ =
        make_post_processor(field_or(spec, "post_processor", Json(), source, "tokenizer"), source);
    decoder_ = make_decoder(field_or(spec, "decoder", Json(), source, "tokenizer"), source);
    added_ = std::make_unique<AddedVocabulary>(
        field_or(spec, "added_tokens", Json(), source, "tokenizer"), *model_, normalizer_.get(),
        source);
  }

  std::vector<int32_t> encode(std::string_view input, bool add_special_tokens) const override {
    // Python strings are always valid Unicode; invalid bytes here become U+FFFD.
    std::string text = is_valid_utf8(input) ? std::string(input) : utf8_lossy(input);
    std::vector<int32_t> ids;
    for (Segment& raw : added_->split_raw(text, true)) {
      if (raw.id) {
        ids.push_back(*raw.id);
        continue;
      }
      std::string normalized = normalizer_ ? normalizer_->normalize(raw.text) : std::move(raw.text);
      for (Segment& segment : added_->split_normalized(normalized, raw.at_text_start)) {
        if (segment.id)
          ids.push_back(*segment.id);
        else
          encode_segment(std::move(segment), ids);
      }
    }
    if (add_special_tokens && post_processor_)
      ids = post_processor_->add_special_tokens(std::move(ids));
    return ids;
  }

  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens) const override {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int32_t id : ids) {
      const std::string* token = added_->id_to_token(id);
      if (!token) token = model_->id_to_token(id);
      if (!token) continue;  // unknown ids are skipped, as tokenizers does
      if (skip_special_tokens && added_->is_special(id)) continue;
      tokens.push_back(*token);
    }
    return decode_tokens(decoder_.get(), std::move(tokens));
  }

  int32_t vocab_size() const override { return std::max(model_->max_id(), added_->max_id()) + 1; }

  std::optional<int32_t> token_to_id(std::string_view token) const override {
    if (auto id = added_->token_to_id(token)) return id;
    return model_->token_to_id(token);
  }

  std::string describe() const override { return "bpe " + source_; }

 private:
  void encode_segment(Segment segment, std::vector<int32_t>& ids) const {
    std::vector<Word> words{{std::move(segment.text), segment.at_text_start}};
    if (pre_tokenizer_) pre_tokenizer_->pre_tokenize(words);
    for (const Word& word : words) model_->tokenize(word.text, ids);
  }

  std::string source_;
  std::unique_ptr<BpeModel> model_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unique_ptr<PostProcessor> post_processor_;
  std::unique_ptr<tokenizer::Decoder> decoder_;
  std::unique_ptr<AddedVocabulary> added_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::filesystem::path& tokenizer_json) {
  return parse_bpe_tokenizer(read_file(tokenizer_json), tokenizer_json.string());
}

std::unique_ptr<Tokenizer> parse_bpe_tokenizer(std::string_view json_text, const std::string& source) {
  Json spec;
  try {
    spec = Json::parse(json_text);
  } catch (const Json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw Error(source, std::string("malformed JSON: ") + e.what());
  }
  return std::make_unique<BpeTokenizer>(spec, source);
}

}  // namespace dokpa
