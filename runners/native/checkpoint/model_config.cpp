#include "runners/native/checkpoint/model_config.h"

#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/file_io.h"

namespace dokpa {
namespace {

using Json = nlohmann::json;

struct FamilyInfo {
  ModelFamily family;
  std::string_view model_type;
  std::string_view architecture;
};

constexpr std::array<FamilyInfo, 3> kFamilies{{
    {ModelFamily::kLlama, "llama", "LlamaForCausalLM"},
    {ModelFamily::kMistral, "mistral", "MistralForCausalLM"},
    {ModelFamily::kQwen2, "qwen2", "Qwen2ForCausalLM"},
}};

// Typed access to one JSON object, with errors naming the file and the key. A null value
// counts as absent, as transformers treats it.
class Reader {
 public:
  Reader(const Json& object, std::string source, std::string prefix = "")
      : object_(object), source_(std::move(source)), prefix_(std::move(prefix)) {}

  bool has(const char* key) const { return object_.contains(key) && !object_.at(key).is_null(); }

  const Json& required(const char* key) const {
    if (!has(key)) fail(fmt::format("missing required key '{}{}'", prefix_, key));
    return object_.at(key);
  }

  int64_t integer(const char* key) const { return as_integer(key, required(key)); }
  std::optional<int64_t> optional_integer(const char* key) const {
    return has(key) ? std::optional(as_integer(key, object_.at(key))) : std::nullopt;
  }
  int64_t positive(const char* key) const {
    int64_t value = integer(key);
    if (value <= 0) fail(fmt::format("'{}{}' must be positive, got {}", prefix_, key, value));
    return value;
  }

  double number(const char* key) const { return as_number(key, required(key)); }
  double number_or(const char* key, double fallback) const {
    return has(key) ? as_number(key, object_.at(key)) : fallback;
  }

  bool boolean_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const Json& value = object_.at(key);
    if (!value.is_boolean()) wrong_type(key, "a boolean", value);
    return value.get<bool>();
  }

  std::string string_or(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const Json& value = object_.at(key);
    if (!value.is_string()) wrong_type(key, "a string", value);
    return value.get<std::string>();
  }

  int64_t as_integer(const char* key, const Json& value) const {
    if (!value.is_number_integer()) wrong_type(key, "an integer", value);
    if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail(fmt::format("'{}{}' is out of range", prefix_, key));
    return value.get<int64_t>();
  }

  double as_number(const char* key, const Json& value) const {
    if (!value.is_number()) wrong_type(key, "a number", value);
    return value.get<double>();
  }

  [[noreturn]] void wrong_type(const char* key, const char* expected, const Json& value) const {
    fail(fmt::format("'{}{}' must be {}, got {}", prefix_, key, expected, value.dump()));
  }
  [[noreturn]] void fail(const std::string& message) const { throw Error(source_, message); }

  const Json& object() const { return object_; }
  const std::string& source() const { return source_; }

 private:
  const Json& object_;
  std::string source_;
  std::string prefix_;
};

const FamilyInfo& resolve_family(const Reader& r, ModelConfig& config) {
  if (r.has("architectures")) {
    const Json& archs = r.object().at("architectures");
    if (!archs.is_array() || archs.empty() || !archs[0].is_string())
      r.wrong_type("architectures", "a non-empty list of strings", archs);
    config.architecture = archs[0].get<std::string>();
  }
  config.model_type = r.string_or("model_type", "");
  if (config.architecture.empty() && config.model_type.empty()) r.fail("missing required key 'model_type'");

  // transformers picks the model class from model_type; architectures must agree with it.
  for (const auto& info : kFamilies) {
    bool type_matches = config.model_type == info.model_type;
    bool arch_matches = config.architecture == info.architecture;
    if (!type_matches && !arch_matches) continue;
    if (!config.model_type.empty() && !type_matches)
      r.fail(fmt::format("architecture '{}' does not match model_type '{}'", config.architecture, config.model_type));
    if (!config.architecture.empty() && !arch_matches)
      r.fail(fmt::format("unsupported architecture '{}' for model_type '{}' (supported: {})", config.architecture,
                         config.model_type, info.architecture));
    if (config.model_type.empty()) config.model_type = std::string(info.model_type);
    config.family = info.family;
    return info;
  }
  r.fail(fmt::format("unsupported architecture '{}' (model_type '{}'); supported: LlamaForCausalLM, "
                     "MistralForCausalLM, Qwen2ForCausalLM",
                     config.architecture, config.model_type));
}

RopeType parse_rope_type(const Reader& r, const std::string& name) {
  if (name == "default") return RopeType::kDefault;
  if (name == "linear") return RopeType::kLinear;
  if (name == "llama3") return RopeType::kLlama3;
  r.fail(fmt::format("unsupported rope type '{}' (supported: default, linear, llama3)", name));
}

// The scaling fields shared by rope_scaling and rope_parameters (same key names in both).
void parse_rope_fields(const Reader& rope, RopeConfig& out) {
  if (rope.has("rope_type")) out.type_name = rope.string_or("rope_type", "");
  else if (rope.has("type")) out.type_name = rope.string_or("type", "");  // pre-4.40 spelling
  else rope.fail("rope settings have no 'rope_type'");
  out.type = parse_rope_type(rope, out.type_name);
  out.partial_rotary_factor = rope.number_or("partial_rotary_factor", out.partial_rotary_factor);
  if (out.type == RopeType::kLinear || out.type == RopeType::kLlama3) out.factor = rope.number("factor");
  if (out.type == RopeType::kLlama3) {
    out.low_freq_factor = rope.number("low_freq_factor");
    out.high_freq_factor = rope.number("high_freq_factor");
    out.original_max_position_embeddings = rope.positive("original_max_position_embeddings");
    if (!(out.high_freq_factor > out.low_freq_factor) || !(out.low_freq_factor > 0))
      rope.fail("llama3 rope needs 0 < low_freq_factor < high_freq_factor");
  }
  if (!(out.factor > 0)) rope.fail(fmt::format("rope factor must be positive, got {}", out.factor));
}

RopeConfig parse_rope(const Reader& r) {
  RopeConfig rope;
  rope.theta = r.number_or("rope_theta", rope.theta);
  rope.partial_rotary_factor = r.number_or("partial_rotary_factor", rope.partial_rotary_factor);
  if (r.has("rope_parameters")) {  // transformers 5: theta and scaling in one object
    const Json& params = r.object().at("rope_parameters");
    if (!params.is_object()) r.wrong_type("rope_parameters", "an object", params);
    if (params.contains("full_attention") || params.contains("sliding_attention"))
      r.fail("per-layer-type rope_parameters are not supported for this architecture");
    Reader p(params, r.source(), "rope_parameters.");
    rope.theta = p.number_or("rope_theta", rope.theta);
    parse_rope_fields(p, rope);
  } else if (r.has("rope_scaling")) {  // transformers 4: rope_theta beside rope_scaling
    const Json& scaling = r.object().at("rope_scaling");
    if (!scaling.is_object()) r.wrong_type("rope_scaling", "an object", scaling);
    parse_rope_fields(Reader(scaling, r.source(), "rope_scaling."), rope);
  }
  if (!(rope.theta > 0)) r.fail(fmt::format("rope_theta must be positive, got {}", rope.theta));
  if (!(rope.partial_rotary_factor > 0 && rope.partial_rotary_factor <= 1))
    r.fail(fmt::format("partial_rotary_factor must be in (0, 1], got {}", rope.partial_rotary_factor));
  return rope;
}

std::vector<int64_t> parse_eos(const Reader& r) {
  if (!r.has("eos_token_id")) return {};
  const Json& value = r.object().at("eos_token_id");
  if (!value.is_array()) return {r.as_integer("eos_token_id", value)};
  std::vector<int64_t> ids;
  for (const Json& id : value) ids.push_back(r.as_integer("eos_token_id", id));
  return ids;
}

void parse_shape(const Reader& r, ModelConfig& c) {
  c.vocab_size = r.positive("vocab_size");
  c.hidden_size = r.positive("hidden_size");
  c.intermediate_size = r.positive("intermediate_size");
  c.num_hidden_layers = r.positive("num_hidden_layers");
  c.num_attention_heads = r.positive("num_attention_heads");
  c.num_key_value_heads = r.has("num_key_value_heads") ? r.positive("num_key_value_heads") : c.num_attention_heads;
  if (c.num_attention_heads % c.num_key_value_heads != 0)
    r.fail(fmt::format("num_attention_heads ({}) is not a multiple of num_key_value_heads ({})",
                       c.num_attention_heads, c.num_key_value_heads));
  if (r.has("head_dim")) {
    c.head_dim = r.positive("head_dim");
  } else {
    if (c.hidden_size % c.num_attention_heads != 0)
      r.fail(fmt::format("hidden_size ({}) is not a multiple of num_attention_heads ({}) and head_dim is not set",
                         c.hidden_size, c.num_attention_heads));
    c.head_dim = c.hidden_size / c.num_attention_heads;
  }
  c.rms_norm_eps = r.number("rms_norm_eps");
  if (!(c.rms_norm_eps > 0)) r.fail(fmt::format("rms_norm_eps must be positive, got {}", c.rms_norm_eps));
  c.max_position_embeddings = r.positive("max_position_embeddings");
}

void parse_family_options(const Reader& r, ModelConfig& c) {
  // The decoder implements SwiGLU; another activation would run silently wrong.
  std::string act = r.string_or("hidden_act", "silu");
  if (act != "silu") r.fail(fmt::format("unsupported hidden_act '{}' (the decoder implements silu)", act));
  switch (c.family) {
    case ModelFamily::kLlama:
      c.qkv_bias = c.o_proj_bias = r.boolean_or("attention_bias", false);
      c.mlp_bias = r.boolean_or("mlp_bias", false);
      break;
    case ModelFamily::kMistral:
      c.sliding_window = r.optional_integer("sliding_window");
      break;
    case ModelFamily::kQwen2:
      c.qkv_bias = true;  // Qwen2Attention: q/k/v with bias, o_proj without
      if (r.boolean_or("use_sliding_window", false))
        r.fail("use_sliding_window = true is not supported for qwen2");
      break;
  }
}

}  // namespace

std::string_view family_name(ModelFamily family) {
  for (const auto& info : kFamilies)
    if (info.family == family) return info.model_type;
  return "?";
}

ModelConfig parse_model_config(std::string_view json_text, const std::string& source) {
  Json root;
  try {
    root = Json::parse(json_text);
  } catch (const Json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw Error(source, fmt::format("not valid JSON ({})", e.what()));
  }
  if (!root.is_object()) throw Error(source, "expected a JSON object");
  Reader r(root, source);

  ModelConfig c;
  resolve_family(r, c);
  parse_shape(r, c);
  parse_family_options(r, c);
  c.tie_word_embeddings = r.boolean_or("tie_word_embeddings", false);
  c.bos_token_id = r.optional_integer("bos_token_id");
  c.eos_token_ids = parse_eos(r);
  c.pad_token_id = r.optional_integer("pad_token_id");
  c.torch_dtype = r.string_or("torch_dtype", r.string_or("dtype", ""));
  c.rope = parse_rope(r);
  return c;
}

ModelConfig load_model_config(const std::filesystem::path& config_json) {
  return parse_model_config(read_file(config_json), config_json.string());
}

}  // namespace dokpa
