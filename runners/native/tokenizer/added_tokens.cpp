#include "runners/native/tokenizer/added_tokens.h"

#include <algorithm>

#include "runners/native/tokenizer/bpe_model.h"
#include "runners/native/tokenizer/normalizer.h"
#include "runners/native/tokenizer/utf8.h"

namespace dokpa::tokenizer {

namespace {

char32_t last_char(std::string_view text) {
  size_t pos = text.size();
  while (pos > 0 && (static_cast<unsigned char>(text[pos - 1]) & 0xC0) == 0x80) --pos;
  if (pos > 0) --pos;
  size_t length;
  return decode_code_point(text, pos, length);
}

// Start of the whitespace run that ends `text` (tokenizers' `\s*$`).
size_t trailing_space_start(std::string_view text) {
  size_t pos = text.size();
  while (pos > 0) {
    size_t begin = pos - 1;
    while (begin > 0 && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) --begin;
    size_t length;
    if (!is_white_space(decode_code_point(text, begin, length))) break;
    pos = begin;
  }
  return pos;
}

// Length of the whitespace run that starts `text` (tokenizers' `^\s*`).
size_t leading_space_length(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t length;
    if (!is_white_space(decode_code_point(text, pos, length))) break;
    pos += length;
  }
  return pos;
}

}  // namespace

void AddedVocabulary::Trie::insert(std::string_view key, int token) {
  int node = 0;
  for (unsigned char c : key) {
    auto it = nodes[size_t(node)].children.find(c);
    if (it == nodes[size_t(node)].children.end()) {
      nodes.push_back(Node{});
      int created = int(nodes.size()) - 1;
      nodes[size_t(node)].children[c] = created;
      node = created;
    } else {
      node = it->second;
    }
  }
  nodes[size_t(node)].token = token;
}

std::pair<int, size_t> AddedVocabulary::Trie::longest_at(std::string_view text, size_t pos) const {
  std::pair<int, size_t> best{-1, 0};
  int node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const auto& children = nodes[size_t(node)].children;
    auto it = children.find(static_cast<unsigned char>(text[i]));
    if (it == children.end()) break;
    node = it->second;
    if (nodes[size_t(node)].token >= 0) best = {nodes[size_t(node)].token, i + 1 - pos};
  }
  return best;
}

AddedVocabulary::AddedVocabulary(const Json& added_tokens, const BpeModel& model,
                                 const Normalizer* normalizer, const std::string& source) {
  if (added_tokens.is_null()) return;
  if (!added_tokens.is_array()) throw Error(source, "added_tokens must be a list");
  int32_t next_id = int32_t(model.vocab_entries());
  for (const Json& item : added_tokens) {
    const std::string context = "added_tokens[" + std::to_string(tokens_.size()) + "]";
    AddedToken token;
    token.content = require_string(item, "content", source, context);
    // The id is not used (tokenizers assigns ids itself and only warns when they differ), but
    // tokenizers refuses a file whose id is not a u32, and so does this.
    if (item.contains("id")) {
      const Json& id = item.at("id");
      if (!id.is_number_unsigned() || id.get<uint64_t>() > uint64_t{INT32_MAX})
        throw Error(source, context + ".id must be a non-negative integer, got " + id.dump());
    }
    token.special = field_or(item, "special", false, source, context);
    token.single_word = field_or(item, "single_word", false, source, context);
    token.lstrip = field_or(item, "lstrip", false, source, context);
    token.rstrip = field_or(item, "rstrip", false, source, context);
    token.normalized = field_or(item, "normalized", !token.special, source, context);
    if (token.content.empty() || by_content_.count(token.content))
      continue;  // ignored by tokenizers
    std::optional<int32_t> id = model.token_to_id(token.content);
    int32_t assigned = id ? *id : next_id++;
    by_content_[token.content] = assigned;
    by_id_[assigned] = tokens_.size();
    if (token.special) special_ids_.insert(assigned);
    max_id_ = std::max(max_id_, assigned);
    ids_.push_back(assigned);
    tokens_.push_back(std::move(token));
  }
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& token = tokens_[i];
    if (!token.normalized) {
      raw_trie_.insert(token.content, int(i));
    } else {
      std::string pattern = normalizer ? normalizer->normalize(token.content) : token.content;
      if (!pattern.empty()) normalized_trie_.insert(pattern, int(i));
    }
  }
}

std::vector<Segment> AddedVocabulary::split_raw(std::string_view text, bool at_text_start) const {
  return split(text, at_text_start, raw_trie_);
}

std::vector<Segment> AddedVocabulary::split_normalized(std::string_view text,
                                                       bool at_text_start) const {
  return split(text, at_text_start, normalized_trie_);
}

// tokenizers' AddedVocabulary::find_matches, then the slices between the matches.
std::vector<Segment> AddedVocabulary::split(std::string_view text, bool at_text_start,
                                            const Trie& trie) const {
  std::vector<Segment> segments;
  auto push_text = [&](size_t begin, size_t end) {
    if (end > begin)
      segments.push_back({std::string(text.substr(begin, end - begin)), std::nullopt,
                          at_text_start && begin == 0});
  };
  size_t start_offset = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    auto [index, length] = trie.longest_at(text, pos);
    if (index < 0) {
      ++pos;
      continue;
    }
    size_t start = pos, stop = pos + length;
    pos = stop;  // non-overlapping: the search resumes after this match, used or not
    const AddedToken& token = tokens_[size_t(index)];
    if (token.single_word) {
      bool space_before = start == 0 || !is_word_char(last_char(text.substr(0, start)));
      size_t next_length;
      bool space_after =
          stop == text.size() || !is_word_char(decode_code_point(text, stop, next_length));
      if (!space_before || !space_after) continue;
    }
    if (token.lstrip) start = std::max(trailing_space_start(text.substr(0, start)), start_offset);
    if (token.rstrip) stop += leading_space_length(text.substr(stop));
    push_text(start_offset, start);
    segments.push_back({std::string(text.substr(start, stop - start)), ids_[size_t(index)],
                        at_text_start && start == 0});
    start_offset = stop;
    pos = std::max(pos, stop);
  }
  push_text(start_offset, text.size());
  return segments;
}

std::optional<int32_t> AddedVocabulary::token_to_id(std::string_view content) const {
  auto it = by_content_.find(std::string(content));
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

const std::string* AddedVocabulary::id_to_token(int32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second].content;
}

}  // namespace dokpa::tokenizer
