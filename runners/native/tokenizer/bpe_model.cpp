#include "runners/native/tokenizer/bpe_model.h"

#include <cstdio>
#include <queue>

#include "runners/native/tokenizer/utf8.h"

namespace dokpa::tokenizer {

namespace {

constexpr size_t kCacheMaxWordBytes = 256;  // as tokenizers: long words are not memoized
constexpr size_t kCacheMaxEntries = 200000;

// One merge candidate: the pair starting at symbol `pos`. Lowest rank first, then leftmost,
// exactly the order of tokenizers' Word::merge_all.
struct Candidate {
  uint32_t rank;
  size_t pos;
  int32_t new_id;
  bool operator>(const Candidate& other) const {
    return rank != other.rank ? rank > other.rank : pos > other.pos;
  }
};

struct Symbol {
  int32_t id;
  long prev;
  long next;
  bool removed;
};

}  // namespace

std::unique_ptr<BpeModel> BpeModel::from_json(const Json& model, const std::string& source) {
  const std::string context = "model";
  std::unique_ptr<BpeModel> bpe(new BpeModel());
  bpe->source_ = source;
  const Json& vocab = require_field(model, "vocab", source, context);
  if (!vocab.is_object()) throw Error(source, "model.vocab must be an object of token: id");
  for (const auto& [token, id] : vocab.items()) {
    // Below INT32_MAX: the vocabulary size (largest id + 1) must fit an int32 too.
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= INT32_MAX) {
      throw Error(source, "model.vocab['" + token + "'] is not a valid id (0 to " + std::to_string(INT32_MAX - 1) + ")");
    }
    int32_t value = id.get<int32_t>();
    bpe->vocab_[token] = value;
    bpe->vocab_r_[value] = token;
    bpe->max_id_ = std::max(bpe->max_id_, value);
  }
  if (double dropout = field_or(model, "dropout", 0.0, source, context); dropout > 0.0) {
    throw Error(source, "BPE dropout is random and not supported for evaluation");
  }
  if (model.contains("unk_token") && model.at("unk_token").is_string()) {
    bpe->unk_token_ = model.at("unk_token").get<std::string>();
  }
  bpe->continuing_subword_prefix_ =
      field_or<std::string>(model, "continuing_subword_prefix", "", source, context);
  bpe->end_of_word_suffix_ =
      field_or<std::string>(model, "end_of_word_suffix", "", source, context);
  bpe->fuse_unk_ = field_or(model, "fuse_unk", false, source, context);
  bpe->byte_fallback_ = field_or(model, "byte_fallback", false, source, context);
  bpe->ignore_merges_ = field_or(model, "ignore_merges", false, source, context);

  const Json& merges = require_field(model, "merges", source, context);
  if (!merges.is_array()) throw Error(source, "model.merges must be a list");
  const size_t prefix_length = bpe->continuing_subword_prefix_.size();
  uint32_t rank = 0;
  for (const Json& merge : merges) {
    std::string left, right;
    if (merge.is_string()) {  // legacy "a b" form
      std::string line = merge.get<std::string>();
      if (line.rfind("#version", 0) == 0) continue;
      size_t space = line.find(' ');
      if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
        throw Error(source,
                    "model.merges[" + std::to_string(rank) + "] '" + line + "' is not two tokens");
      }
      left = line.substr(0, space);
      right = line.substr(space + 1);
    } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
               merge[1].is_string()) {
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    } else {
      throw Error(source,
                  "model.merges[" + std::to_string(rank) + "] must be \"a b\" or [\"a\", \"b\"]");
    }
    std::string merged =
        left + (right.size() >= prefix_length ? right.substr(prefix_length) : right);
    auto a = bpe->vocab_.find(left), b = bpe->vocab_.find(right), c = bpe->vocab_.find(merged);
    if (a == bpe->vocab_.end() || b == bpe->vocab_.end() || c == bpe->vocab_.end()) {
      throw Error(source, "model.merges[" + std::to_string(rank) + "] ('" + left + "', '" + right +
                              "') uses a token that is not in the vocabulary");
    }
    // A repeated pair keeps its last rank, as tokenizers' HashMap collect does.
    bpe->merges_[pair_key(a->second, b->second)] = {rank, c->second};
    ++rank;
  }
  return bpe;
}

std::optional<int32_t> BpeModel::token_to_id(std::string_view token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string* BpeModel::id_to_token(int32_t id) const {
  auto it = vocab_r_.find(id);
  return it == vocab_r_.end() ? nullptr : &it->second;
}

void BpeModel::tokenize(std::string_view word, std::vector<int32_t>& ids) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (auto it = vocab_.find(word); it != vocab_.end()) {
      ids.push_back(it->second);
      return;
    }
  }
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(word); it != cache_.end()) {
      ids.insert(ids.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> result = merge_word(word);
  ids.insert(ids.end(), result.begin(), result.end());
  if (word.size() < kCacheMaxWordBytes) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() < kCacheMaxEntries) cache_.emplace(std::string(word), std::move(result));
  }
}

std::vector<int32_t> BpeModel::merge_word(std::string_view word) const {
  // 1. Characters to symbols (tokenizers' BPE::merge_word), with byte fallback and unk.
  std::vector<Symbol> symbols;
  auto add = [&](int32_t id) { symbols.push_back({id, long(symbols.size()) - 1, -1, false}); };
  int32_t pending_unk = -1;  // an unk not yet added, so consecutive ones can fuse
  for (size_t pos = 0; pos < word.size();) {
    size_t length = utf8_sequence_length(static_cast<unsigned char>(word[pos]));
    if (pos + length > word.size()) length = word.size() - pos;
    std::string piece(word.substr(pos, length));
    if (pos > 0) piece = continuing_subword_prefix_ + piece;
    if (pos + length == word.size()) piece += end_of_word_suffix_;
    pos += length;
    if (auto it = vocab_.find(piece); it != vocab_.end()) {
      if (pending_unk >= 0) add(pending_unk), pending_unk = -1;
      add(it->second);
      continue;
    }
    if (byte_fallback_) {
      std::vector<int32_t> bytes;
      for (unsigned char byte : piece) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", byte);
        auto it = vocab_.find(std::string_view(name));
        if (it == vocab_.end()) break;
        bytes.push_back(it->second);
      }
      if (bytes.size() == piece.size()) {
        for (int32_t id : bytes) add(id);
        continue;
      }
    }
    if (unk_token_) {
      auto it = vocab_.find(*unk_token_);
      if (it == vocab_.end())
        throw Error(source_, "unk_token '" + *unk_token_ + "' is not in the vocabulary");
      if (pending_unk >= 0 && !fuse_unk_) add(pending_unk);
      pending_unk = it->second;
    }
    // Without an unk token the character is dropped, as tokenizers does.
  }
  if (pending_unk >= 0) add(pending_unk);
  for (size_t i = 0; i + 1 < symbols.size(); ++i) symbols[i].next = long(i + 1);

  // 2. Merge the lowest-ranked adjacent pair until none is left.
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  auto lookup = [&](int32_t a, int32_t b) -> const MergeTarget* {
    auto it = merges_.find(pair_key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) {
    if (const MergeTarget* m = lookup(symbols[i].id, symbols[i + 1].id))
      queue.push({m->rank, i, m->new_id});
  }
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.pos];
    if (left.removed || left.next < 0) continue;
    Symbol& right = symbols[size_t(left.next)];
    const MergeTarget* current = lookup(left.id, right.id);
    if (!current || current->new_id != top.new_id) continue;  // stale entry
    left.id = top.new_id;
    right.removed = true;
    left.next = right.next;
    if (right.next >= 0) symbols[size_t(right.next)].prev = long(top.pos);
    if (left.prev >= 0) {
      if (const MergeTarget* m = lookup(symbols[size_t(left.prev)].id, left.id)) {
        queue.push({m->rank, size_t(left.prev), m->new_id});
      }
    }
    if (left.next >= 0) {
      if (const MergeTarget* m = lookup(left.id, symbols[size_t(left.next)].id)) {
        queue.push({m->rank, top.pos, m->new_id});
      }
    }
  }
  std::vector<int32_t> ids;
  for (const Symbol& s : symbols) {
    if (!s.removed) ids.push_back(s.id);
  }
  return ids;
}

}  // namespace dokpa::tokenizer
