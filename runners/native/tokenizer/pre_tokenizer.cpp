#include "runners/native/tokenizer/pre_tokenizer.h"

#include <algorithm>
#include <functional>

#include "runners/native/tokenizer/byte_level.h"
#include "runners/native/tokenizer/regex.h"
#include "runners/native/tokenizer/utf8.h"

namespace dokpa::tokenizer {

namespace {

// Spans covering `text`: the regex matches and the gaps between them (tokenizers' Pattern).
std::vector<Span> regex_spans(const Regex& regex, std::string_view text, bool invert) {
  std::vector<Span> spans;
  size_t previous = 0;
  for (const Match& m : regex.find_all(text)) {
    if (previous != m.start) spans.push_back({previous, m.start, invert});
    spans.push_back({m.start, m.end, !invert});
    previous = m.end;
  }
  if (previous != text.size()) spans.push_back({previous, text.size(), invert});
  return spans;
}

// Spans where each character satisfying `predicate` is its own match.
std::vector<Span> char_spans(std::string_view text,
                             const std::function<bool(char32_t)>& predicate) {
  std::vector<Span> spans;
  size_t last = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t length;
    char32_t cp = decode_code_point(text, pos, length);
    if (predicate(cp)) {
      if (last < pos) spans.push_back({last, pos, false});
      spans.push_back({pos, pos + length, true});
      last = pos + length;
    }
    pos += length;
  }
  if (last < text.size()) spans.push_back({last, text.size(), false});
  return spans;
}

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex, const std::string& source)
      : add_prefix_space_(add_prefix_space),
        use_regex_(use_regex),
        regex_(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)",
               source) {}

  void pre_tokenize(std::vector<Word>& words) const override {
    std::vector<Word> out;
    for (Word& word : words) {
      if (add_prefix_space_ && word.text.rfind(' ', 0) != 0) word.text = " " + word.text;
      std::vector<Word> parts;
      if (use_regex_)
        parts = split_spans(word, regex_spans(regex_, word.text, false), SplitBehavior::kIsolated);
      else
        parts.push_back(std::move(word));
      for (Word& part : parts) {
        part.text = bytes_to_unicode(part.text);
        out.push_back(std::move(part));
      }
    }
    words = std::move(out);
  }

 private:
  bool add_prefix_space_;
  bool use_regex_;
  Regex regex_;
};

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(Regex regex, SplitBehavior behavior, bool invert)
      : regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    std::vector<Word> out;
    for (const Word& word : words) {
      for (Word& part : split_spans(word, regex_spans(regex_, word.text, invert_), behavior_)) {
        out.push_back(std::move(part));
      }
    }
    words = std::move(out);
  }

 private:
  Regex regex_;
  SplitBehavior behavior_;
  bool invert_;
};

// Splits on characters: Digits (numeric) and WhitespaceSplit (whitespace, removed).
class CharSplitPreTokenizer : public PreTokenizer {
 public:
  CharSplitPreTokenizer(std::function<bool(char32_t)> predicate, SplitBehavior behavior)
      : predicate_(std::move(predicate)), behavior_(behavior) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    std::vector<Word> out;
    for (const Word& word : words) {
      for (Word& part : split_spans(word, char_spans(word.text, predicate_), behavior_)) {
        out.push_back(std::move(part));
      }
    }
    words = std::move(out);
  }

 private:
  std::function<bool(char32_t)> predicate_;
  SplitBehavior behavior_;
};

// Metaspace: spaces become the replacement character ("▁"), optionally prefixed, and words
// start at each replacement character.
class MetaspacePreTokenizer : public PreTokenizer {
 public:
  enum class Prepend { kAlways, kNever, kFirst };
  MetaspacePreTokenizer(std::string replacement, Prepend prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split) {
    size_t length;
    replacement_cp_ = decode_code_point(replacement_, 0, length);
  }
  void pre_tokenize(std::vector<Word>& words) const override {
    std::vector<Word> out;
    for (Word& word : words) {
      std::string replaced;
      for (char c : word.text) {
        if (c == ' ')
          replaced += replacement_;
        else
          replaced += c;
      }
      bool starts = replaced.rfind(replacement_, 0) == 0;
      if (!starts &&
          (prepend_ == Prepend::kAlways || (prepend_ == Prepend::kFirst && word.at_text_start))) {
        replaced = replacement_ + replaced;
      }
      word.text = std::move(replaced);
      if (!split_) {
        out.push_back(std::move(word));
        continue;
      }
      auto is_replacement = [this](char32_t cp) { return cp == replacement_cp_; };
      for (Word& part : split_spans(word, char_spans(word.text, is_replacement),
                                    SplitBehavior::kMergedWithNext)) {
        out.push_back(std::move(part));
      }
    }
    words = std::move(out);
  }

 private:
  std::string replacement_;
  char32_t replacement_cp_;
  Prepend prepend_;
  bool split_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps)
      : steps_(std::move(steps)) {}
  void pre_tokenize(std::vector<Word>& words) const override {
    for (const auto& step : steps_) step->pre_tokenize(words);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

SplitBehavior parse_behavior(const std::string& name, const std::string& source) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  throw Error(source, "unknown pre_tokenizer split behavior '" + name + "'");
}

}  // namespace

std::vector<Word> split_spans(const Word& word, const std::vector<Span>& spans,
                              SplitBehavior behavior) {
  // (start, end, remove) after merging, as in tokenizers' NormalizedString::split.
  struct Part {
    size_t start, end;
    bool remove;
  };
  std::vector<Part> parts;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (const Span& s : spans) parts.push_back({s.start, s.end, false});
      break;
    case SplitBehavior::kRemoved:
      for (const Span& s : spans) parts.push_back({s.start, s.end, s.is_match});
      break;
    case SplitBehavior::kContiguous: {
      bool previous_match = false;
      for (const Span& s : spans) {
        if (s.is_match == previous_match && !parts.empty())
          parts.back().end = s.end;
        else
          parts.push_back({s.start, s.end, false});
        previous_match = s.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const Span& s : spans) {
        if (s.is_match && !previous_match && !parts.empty())
          parts.back().end = s.end;
        else
          parts.push_back({s.start, s.end, false});
        previous_match = s.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool previous_match = false;
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->is_match && !previous_match && !parts.empty())
          parts.back().start = it->start;
        else
          parts.push_back({it->start, it->end, false});
        previous_match = it->is_match;
      }
      std::reverse(parts.begin(), parts.end());
      break;
    }
  }
  std::vector<Word> out;
  for (const Part& p : parts) {
    if (p.remove || p.end == p.start) continue;
    out.push_back({word.text.substr(p.start, p.end - p.start), word.at_text_start && p.start == 0});
  }
  return out;
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const Json& spec, const std::string& source) {
  if (spec.is_null()) return nullptr;
  const std::string context = "pre_tokenizer";
  std::string type = component_type(spec, source, context);
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPreTokenizer>(
        field_or(spec, "add_prefix_space", true, source, context),
        field_or(spec, "use_regex", true, source, context), source);
  }
  if (type == "Split") {
    return std::make_unique<SplitPreTokenizer>(
        make_pattern(require_field(spec, "pattern", source, context), source, context),
        parse_behavior(require_string(spec, "behavior", source, context), source),
        field_or(spec, "invert", false, source, context));
  }
  if (type == "Digits") {
    bool individual = field_or(spec, "individual_digits", false, source, context);
    return std::make_unique<CharSplitPreTokenizer>(
        is_numeric, individual ? SplitBehavior::kIsolated : SplitBehavior::kContiguous);
  }
  if (type == "WhitespaceSplit") {
    return std::make_unique<CharSplitPreTokenizer>(is_white_space, SplitBehavior::kRemoved);
  }
  if (type == "Whitespace") {
    // tokenizers: split on Invert(\w+|[^\w\s]+), removing the gaps.
    return std::make_unique<SplitPreTokenizer>(Regex(R"(\w+|[^\w\s]+)", source),
                                               SplitBehavior::kRemoved, true);
  }
  if (type == "Metaspace") {
    std::string replacement =
        field_or<std::string>(spec, "replacement", "\xE2\x96\x81", source, context);
    if (replacement.empty()) throw Error(source, "pre_tokenizer.replacement is empty");
    std::string scheme = field_or<std::string>(
        spec, "prepend_scheme",
        field_or(spec, "add_prefix_space", true, source, context) ? "always" : "never", source,
        context);
    using Prepend = MetaspacePreTokenizer::Prepend;
    Prepend prepend = scheme == "always"  ? Prepend::kAlways
                      : scheme == "first" ? Prepend::kFirst
                                          : Prepend::kNever;
    if (scheme != "always" && scheme != "first" && scheme != "never") {
      throw Error(source, "unknown Metaspace prepend_scheme '" + scheme + "'");
    }
    return std::make_unique<MetaspacePreTokenizer>(replacement, prepend,
                                                   field_or(spec, "split", true, source, context));
  }
  if (type == "Sequence") {
    const Json& list = require_field(spec, "pretokenizers", source, context);
    if (!list.is_array()) throw Error(source, "pre_tokenizer.pretokenizers must be a list");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (const Json& item : list) {
      if (auto step = make_pre_tokenizer(item, source)) steps.push_back(std::move(step));
    }
    return std::make_unique<SequencePreTokenizer>(std::move(steps));
  }
  throw Error(source, "unsupported pre_tokenizer type '" + type + "'");
}

}  // namespace dokpa::tokenizer
