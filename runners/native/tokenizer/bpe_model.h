#pragma once
// The tokenizer.json "model" of type BPE: a word becomes characters (or byte-fallback
// tokens), which are merged pairwise by merge rank until no ranked pair is left.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runners/native/tokenizer/json_fields.h"

namespace dokpa::tokenizer {

// Hash/equality that let unordered_map<std::string, ...> be searched with a string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIdMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

class BpeModel {
 public:
  // Reads the "model" object; throws dokpa::Error(source, ...) on anything malformed.
  static std::unique_ptr<BpeModel> from_json(const Json& model, const std::string& source);

  // Appends the ids of one pre-tokenized word. Deterministic; results are memoized.
  void tokenize(std::string_view word, std::vector<int32_t>& ids) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  const std::string* id_to_token(int32_t id) const;
  size_t vocab_entries() const { return vocab_.size(); }
  int32_t max_id() const { return max_id_; }

 private:
  BpeModel() = default;
  std::vector<int32_t> merge_word(std::string_view word) const;

  struct MergeTarget {
    uint32_t rank;
    int32_t new_id;
  };
  static uint64_t pair_key(int32_t a, int32_t b) {
    return uint64_t(uint32_t(a)) << 32 | uint32_t(b);
  }

  StringIdMap vocab_;
  std::unordered_map<int32_t, std::string> vocab_r_;
  std::unordered_map<uint64_t, MergeTarget> merges_;
  int32_t max_id_ = -1;
  std::string source_;  // the tokenizer file, for errors found while encoding
  std::optional<std::string> unk_token_;
  std::string continuing_subword_prefix_;
  std::string end_of_word_suffix_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;

  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache_;
};

}  // namespace dokpa::tokenizer
