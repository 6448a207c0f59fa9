#pragma once
// tokenizer.json "decoder": turns the token strings of ids back into text.
#include <memory>
#include <string>
#include <vector>

#include "runners/native/tokenizer/json_fields.h"

namespace dokpa::tokenizer {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // One step of tokenizers' decode_chain: token strings in, token strings out.
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
};

// Null JSON gives nullptr. Supported: ByteLevel, ByteFallback, Fuse, Replace, Strip,
// Metaspace, Sequence; anything else throws dokpa::Error naming `source` and the kind.
std::unique_ptr<Decoder> make_decoder(const Json& spec, const std::string& source);

// The final text: the chain's output concatenated; without a decoder, tokens joined by " "
// (what tokenizers does).
std::string decode_tokens(const Decoder* decoder, std::vector<std::string> tokens);

}  // namespace dokpa::tokenizer
