#pragma once
// Added tokens (tokenizer.json "added_tokens"): strings that are cut out of the text before
// normalization and pre-tokenization and map straight to one id.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runners/native/tokenizer/json_fields.h"

namespace dokpa::tokenizer {

class Normalizer;
class BpeModel;

struct AddedToken {
  std::string content;
  bool special = false;
  bool single_word = false;  // only match when not inside a word
  bool lstrip = false;       // swallow whitespace on the left
  bool rstrip = false;       // swallow whitespace on the right
  bool normalized = true;    // matched in normalized text (else in the raw input)
};

// A run of text, or an added token with its id.
struct Segment {
  std::string text;
  std::optional<int32_t> id;
  bool at_text_start = false;  // begins at offset 0 of the input
};

class AddedVocabulary {
 public:
  // Ids follow tokenizers: the model's id when the content is in its vocabulary, else the
  // next free id after the model's vocabulary, in file order.
  AddedVocabulary(const Json& added_tokens, const BpeModel& model, const Normalizer* normalizer,
                  const std::string& source);

  // Cuts the tokens with normalized=false out of raw text.
  std::vector<Segment> split_raw(std::string_view text, bool at_text_start) const;
  // Cuts the tokens with normalized=true out of already normalized text.
  std::vector<Segment> split_normalized(std::string_view text, bool at_text_start) const;

  std::optional<int32_t> token_to_id(std::string_view content) const;
  const std::string* id_to_token(int32_t id) const;
  bool is_special(int32_t id) const { return special_ids_.count(id) > 0; }
  int32_t max_id() const { return max_id_; }

 private:
  // A byte trie giving leftmost-longest matches (tokenizers uses Aho-Corasick LeftmostLongest).
  struct Trie {
    struct Node {
      std::map<unsigned char, int> children;
      int token = -1;  // index into tokens_
    };
    std::vector<Node> nodes{Node{}};
    void insert(std::string_view key, int token);
    // Longest key starting at text[pos]: (token, length), or token -1.
    std::pair<int, size_t> longest_at(std::string_view text, size_t pos) const;
  };

  std::vector<Segment> split(std::string_view text, bool at_text_start, const Trie& trie) const;

  std::vector<AddedToken> tokens_;
  std::vector<int32_t> ids_;  // parallel to tokens_
  std::unordered_map<int32_t, size_t> by_id_;
  std::unordered_map<std::string, int32_t> by_content_;
  std::unordered_set<int32_t> special_ids_;
  int32_t max_id_ = -1;
  Trie raw_trie_;
  Trie normalized_trie_;
};

}  // namespace dokpa::tokenizer
