#pragma once
// tokenizer.json "post_processor": what encode(add_special_tokens=true) adds around the ids.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runners/native/tokenizer/json_fields.h"

namespace dokpa::tokenizer {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // Wraps a single sequence's ids (the "single" template).
  virtual std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const = 0;
};

// Null JSON gives nullptr (ids unchanged). Supported: TemplateProcessing, BertProcessing,
// RobertaProcessing, ByteLevel (no-op on ids), Sequence.
std::unique_ptr<PostProcessor> make_post_processor(const Json& spec, const std::string& source);

}  // namespace dokpa::tokenizer
