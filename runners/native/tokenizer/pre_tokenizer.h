#pragma once
// tokenizer.json "pre_tokenizer": splits normalized text into the words the model sees.
#include <memory>
#include <string>
#include <vector>

#include "runners/native/tokenizer/json_fields.h"

namespace dokpa::tokenizer {

struct Word {
  std::string text;
  // True when the word begins at offset 0 of the original input (Metaspace's "first" scheme).
  bool at_text_start = false;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces each word by its parts; empty parts are dropped, as in `tokenizers`.
  virtual void pre_tokenize(std::vector<Word>& words) const = 0;
};

// Null JSON gives nullptr. Supported: ByteLevel, Split, Digits, Metaspace, Whitespace,
// WhitespaceSplit, Sequence; anything else throws dokpa::Error naming `source` and the kind.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& spec, const std::string& source);

// What a split does with the matched delimiters (tokenizers' SplitDelimiterBehavior).
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

struct Span {
  size_t start;
  size_t end;
  bool is_match;
};

// Applies `behavior` to spans covering `text` and returns the kept, non-empty parts.
std::vector<Word> split_spans(const Word& word, const std::vector<Span>& spans,
                              SplitBehavior behavior);

}  // namespace dokpa::tokenizer
