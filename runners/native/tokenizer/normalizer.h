#pragma once
// tokenizer.json "normalizer": applied to each piece of text between added tokens.
#include <memory>
#include <string>
#include <string_view>

#include "runners/native/tokenizer/json_fields.h"

namespace dokpa::tokenizer {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual std::string normalize(std::string_view text) const = 0;
};

// Null JSON gives nullptr (no normalization). Supported: NFC, NFD, NFKC, NFKD, Sequence,
// Prepend, Replace; anything else throws dokpa::Error naming `source` and the kind.
std::unique_ptr<Normalizer> make_normalizer(const Json& spec, const std::string& source);

}  // namespace dokpa::tokenizer
