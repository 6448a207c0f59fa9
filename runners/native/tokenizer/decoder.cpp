#include "runners/native/tokenizer/decoder.h"

#include <algorithm>
#include <cctype>

#include "runners/native/tokenizer/byte_level.h"
#include "runners/native/tokenizer/regex.h"
#include "runners/native/tokenizer/utf8.h"

namespace dokpa::tokenizer {

namespace {

const char* const kReplacementCharacter = "\xEF\xBF\xBD";

// Byte-level characters back to bytes; a token with a character outside the table keeps
// its own UTF-8. Invalid UTF-8 in the result becomes U+FFFD.
class ByteLevelDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string bytes;
    for (const std::string& token : tokens) {
      std::string decoded;
      if (unicode_to_bytes(token, decoded))
        bytes += decoded;
      else
        bytes += token;
    }
    return {utf8_lossy(bytes)};
  }
};

// "<0xAB>" tokens back to bytes; a run of them that is not valid UTF-8 gives one U+FFFD each.
class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    size_t pending_count = 0;
    auto flush = [&] {
      if (pending_count == 0) return;
      if (is_valid_utf8(pending))
        out.push_back(pending);
      else
        for (size_t i = 0; i < pending_count; ++i) out.emplace_back(kReplacementCharacter);
      pending.clear();
      pending_count = 0;
    };
    for (std::string& token : tokens) {
      if (token.size() == 6 && token.rfind("<0x", 0) == 0 && token.back() == '>' &&
          std::isxdigit(static_cast<unsigned char>(token[3])) &&
          std::isxdigit(static_cast<unsigned char>(token[4]))) {
        pending += char(std::stoi(token.substr(3, 2), nullptr, 16));
        ++pending_count;
        continue;
      }
      flush();
      out.push_back(std::move(token));
    }
    flush();
    return out;
  }
};

class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string joined;
    for (const std::string& token : tokens) joined += token;
    return {joined};
  }
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(Regex pattern, std::string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (std::string& token : tokens) token = replace_all(pattern_, token, content_);
    return tokens;
  }

 private:
  Regex pattern_;
  std::string content_;
};

// Strips up to `start` leading and `stop` trailing copies of one character from each token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop)
      : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (std::string& token : tokens) {
      std::vector<std::pair<char32_t, size_t>> chars;  // (code point, byte offset)
      for (size_t pos = 0; pos < token.size();) {
        size_t length;
        chars.emplace_back(decode_code_point(token, pos, length), pos);
        pos += length;
      }
      size_t begin = 0, end = chars.size();
      while (begin < std::min(start_, chars.size()) && chars[begin].first == content_) ++begin;
      for (size_t i = 0; i < stop_ && end > begin && chars[end - 1].first == content_; ++i) --end;
      size_t from = begin < chars.size() ? chars[begin].second : token.size();
      size_t to = end < chars.size() ? chars[end].second : token.size();
      token = token.substr(from, to - from);
    }
    return tokens;
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

// Replacement character back to spaces; in the first token it is dropped unless the
// pre-tokenizer never prepends one.
class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(std::string replacement, bool prepends)
      : replacement_(std::move(replacement)), prepends_(prepends) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& token = tokens[i];
      for (size_t pos = 0; pos < token.size();) {
        if (token.compare(pos, replacement_.size(), replacement_) == 0) {
          if (!(i == 0 && prepends_)) out += ' ';
          pos += replacement_.size();
        } else {
          out += token[pos++];
        }
      }
      tokens[i] = std::move(out);
    }
    return tokens;
  }

 private:
  std::string replacement_;
  bool prepends_;
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps)
      : steps_(std::move(steps)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (const auto& step : steps_) tokens = step->decode_chain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

char32_t single_char(const std::string& text, const std::string& source, const char* what) {
  size_t length = 0;
  char32_t cp = text.empty() ? 0 : decode_code_point(text, 0, length);
  if (text.empty() || length != text.size())
    throw Error(source, std::string("decoder.") + what + " must be one character");
  return cp;
}

}  // namespace

std::unique_ptr<Decoder> make_decoder(const Json& spec, const std::string& source) {
  if (spec.is_null()) return nullptr;
  const std::string context = "decoder";
  std::string type = component_type(spec, source, context);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Replace") {
    return std::make_unique<ReplaceDecoder>(
        make_pattern(require_field(spec, "pattern", source, context), source, context),
        require_string(spec, "content", source, context));
  }
  if (type == "Strip") {
    return std::make_unique<StripDecoder>(
        single_char(require_string(spec, "content", source, context), source, "content"),
        field_or<size_t>(spec, "start", 0, source, context),
        field_or<size_t>(spec, "stop", 0, source, context));
  }
  if (type == "Metaspace") {
    std::string replacement =
        field_or<std::string>(spec, "replacement", "\xE2\x96\x81", source, context);
    single_char(replacement, source, "replacement");
    std::string scheme = field_or<std::string>(
        spec, "prepend_scheme",
        field_or(spec, "add_prefix_space", true, source, context) ? "always" : "never", source,
        context);
    return std::make_unique<MetaspaceDecoder>(replacement, scheme != "never");
  }
  if (type == "Sequence") {
    const Json& list = require_field(spec, "decoders", source, context);
    if (!list.is_array()) throw Error(source, "decoder.decoders must be a list");
    std::vector<std::unique_ptr<Decoder>> steps;
    for (const Json& item : list) {
      if (auto step = make_decoder(item, source)) steps.push_back(std::move(step));
    }
    return std::make_unique<SequenceDecoder>(std::move(steps));
  }
  throw Error(source, "unsupported decoder type '" + type + "'");
}

std::string decode_tokens(const Decoder* decoder, std::vector<std::string> tokens) {
  std::string text;
  if (!decoder) {
    for (size_t i = 0; i < tokens.size(); ++i) text += (i ? " " : "") + tokens[i];
    return text;
  }
  for (const std::string& piece : decoder->decode_chain(std::move(tokens))) text += piece;
  return text;
}

}  // namespace dokpa::tokenizer
