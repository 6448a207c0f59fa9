#include "runners/native/checkpoint/model_config.h"

#include <algorithm>
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

constexpr std::array<FamilyInfo, 7> kFamilies{{
    {ModelFamily::kLlama, "llama", "LlamaForCausalLM"},
    {ModelFamily::kMistral, "mistral", "MistralForCausalLM"},
    {ModelFamily::kQwen2, "qwen2", "Qwen2ForCausalLM"},
    {ModelFamily::kQwen3, "qwen3", "Qwen3ForCausalLM"},
    {ModelFamily::kExaone4, "exaone4", "Exaone4ForCausalLM"},
    {ModelFamily::kQwen3Moe, "qwen3_moe", "Qwen3MoeForCausalLM"},
    {ModelFamily::kMixtral, "mixtral", "MixtralForCausalLM"},
}};

std::string supported_list() {
  std::string out;
  for (const std::string& entry : supported_model_types()) out += (out.empty() ? "" : ", ") + entry;
  return out;
}

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
  const FamilyInfo* by_type = nullptr;
  const FamilyInfo* by_arch = nullptr;
  for (const auto& info : kFamilies) {
    if (config.model_type == info.model_type) by_type = &info;
    if (config.architecture == info.architecture) by_arch = &info;
  }
  const FamilyInfo* found = config.model_type.empty() ? by_arch : by_type;
  if (found && !config.architecture.empty() && found != by_arch) {
    if (by_arch)
      r.fail(fmt::format("architecture '{}' does not match model_type '{}'", config.architecture, config.model_type));
    r.fail(fmt::format("unsupported architecture '{}' for model_type '{}' (supported: {})", config.architecture,
                       config.model_type, found->architecture));
  }
  if (found) {
    if (config.model_type.empty()) config.model_type = std::string(found->model_type);
    config.family = found->family;
    return *found;
  }
  r.fail(fmt::format("unsupported architecture '{}' (model_type '{}'); the native decoder supports model_type {}",
                     config.architecture, config.model_type, supported_list()));
}

RopeType parse_rope_type(const Reader& r, const std::string& name) {
  if (name == "default") return RopeType::kDefault;
  if (name == "linear") return RopeType::kLinear;
  if (name == "llama3") return RopeType::kLlama3;
  if (name == "yarn") return RopeType::kYarn;
  r.fail(fmt::format("unsupported rope type '{}' (supported: default, linear, llama3, yarn)", name));
}

// The scaling fields shared by rope_scaling and rope_parameters (same key names in both).
void parse_rope_fields(const Reader& rope, RopeConfig& out) {
  if (rope.has("rope_type")) out.type_name = rope.string_or("rope_type", "");
  else if (rope.has("type")) out.type_name = rope.string_or("type", "");  // pre-4.40 spelling
  else rope.fail("rope settings have no 'rope_type'");
  out.type = parse_rope_type(rope, out.type_name);
  out.partial_rotary_factor = rope.number_or("partial_rotary_factor", out.partial_rotary_factor);
  if (out.type != RopeType::kDefault) out.factor = rope.number("factor");
  if (out.type == RopeType::kLlama3) {
    out.low_freq_factor = rope.number("low_freq_factor");
    out.high_freq_factor = rope.number("high_freq_factor");
    out.original_max_position_embeddings = rope.positive("original_max_position_embeddings");
    if (!(out.high_freq_factor > out.low_freq_factor) || !(out.low_freq_factor > 0))
      rope.fail("llama3 rope needs 0 < low_freq_factor < high_freq_factor");
  }
  if (out.type == RopeType::kYarn) {  // transformers reads these with `get(key) or default`
    if (rope.has("attention_factor")) out.attention_factor = rope.number("attention_factor");
    const double beta_fast = rope.number_or("beta_fast", 0), beta_slow = rope.number_or("beta_slow", 0);
    out.beta_fast = beta_fast != 0 ? beta_fast : 32.0;
    out.beta_slow = beta_slow != 0 ? beta_slow : 1.0;
    out.mscale = rope.number_or("mscale", 0);
    out.mscale_all_dim = rope.number_or("mscale_all_dim", 0);
    out.original_max_position_embeddings = rope.optional_integer("original_max_position_embeddings").value_or(0);
    if (out.original_max_position_embeddings < 0) rope.fail("yarn original_max_position_embeddings must be positive");
    out.truncate = rope.boolean_or("truncate", true);
  }
  if (!(out.factor > 0)) rope.fail(fmt::format("rope factor must be positive, got {}", out.factor));
}

RopeConfig parse_rope(const Reader& r, ModelFamily family) {
  RopeConfig rope;
  if (family == ModelFamily::kMixtral) rope.theta = 1e6;  // MixtralConfig's default
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

// Bounds on what a config.json may ask for, checked before anything is sized from it: far above
// any real model (the largest have ~1M vocabulary entries, hidden sizes of tens of thousands and
// a few hundred layers), far below what would overflow the products or exhaust memory.
constexpr int64_t kMaxDimension = int64_t{1} << 24;     // vocab, hidden, intermediate, heads, layers
constexpr int64_t kMaxPositions = int64_t{1} << 30;     // max_position_embeddings
constexpr int64_t kMaxParameters = 20'000'000'000'000;  // 20T: the weights the config implies

int64_t bounded(const Reader& r, const char* key, int64_t value, int64_t limit) {
  if (value > limit) r.fail(fmt::format("'{}' is {}, above the limit of {}", key, value, limit));
  return value;
}
int64_t dimension(const Reader& r, const char* key) { return bounded(r, key, r.positive(key), kMaxDimension); }

// The parameters the shapes imply (embeddings, attention, feed-forward, lm_head), refused above
// kMaxParameters before any tensor is sized. Counted in double: the factors are bounded above,
// so the products cannot overflow, and a rounding error is far below the limit's margin.
void check_parameter_count(const Reader& r, const ModelConfig& c) {
  const double C = double(c.hidden_size), V = double(c.vocab_size), L = double(c.num_hidden_layers);
  const double attention = C * double(c.head_dim) * double(2 * c.num_attention_heads + 2 * c.num_key_value_heads);
  double feed_forward = 3.0 * C * double(c.intermediate_size);
  if (c.moe) feed_forward += 3.0 * C * double(c.moe->intermediate_size) * double(c.moe->num_experts);
  const double total = V * C * (c.tie_word_embeddings ? 1 : 2) + L * (attention + feed_forward);
  if (total > double(kMaxParameters)) {
    r.fail(fmt::format(
        "the sizes imply {:.3g} parameters (vocab_size {}, hidden_size {}, intermediate_size {}, "
        "num_hidden_layers {}), above the limit of {:.3g}",
        total, c.vocab_size, c.hidden_size, c.intermediate_size, c.num_hidden_layers, double(kMaxParameters)));
  }
}

// Token ids are 32-bit in the runners: a larger one would silently alias another token. (Whether
// an id the model feeds itself is inside its vocabulary is the runner's check.)
void check_token_ids(const Reader& r, const ModelConfig& c) {
  auto check = [&](const char* key, int64_t id) {
    if (id < 0 || id > INT32_MAX) r.fail(fmt::format("'{}' {} is not a token id (0 to {})", key, id, INT32_MAX));
  };
  if (c.bos_token_id) check("bos_token_id", *c.bos_token_id);
  for (int64_t id : c.eos_token_ids) check("eos_token_id", id);
}

void parse_shape(const Reader& r, ModelConfig& c) {
  c.vocab_size = dimension(r, "vocab_size");
  c.hidden_size = dimension(r, "hidden_size");
  c.intermediate_size = dimension(r, "intermediate_size");
  c.num_hidden_layers = dimension(r, "num_hidden_layers");
  c.num_attention_heads = dimension(r, "num_attention_heads");
  c.num_key_value_heads =
      r.has("num_key_value_heads") ? dimension(r, "num_key_value_heads") : c.num_attention_heads;
  if (c.num_attention_heads % c.num_key_value_heads != 0)
    r.fail(fmt::format("num_attention_heads ({}) is not a multiple of num_key_value_heads ({})",
                       c.num_attention_heads, c.num_key_value_heads));
  if (r.has("head_dim")) {
    c.head_dim = dimension(r, "head_dim");
  } else if (c.family == ModelFamily::kQwen3) {
    c.head_dim = 128;  // Qwen3Config's default, independent of hidden_size
  } else {
    if (c.hidden_size % c.num_attention_heads != 0)
      r.fail(fmt::format("hidden_size ({}) is not a multiple of num_attention_heads ({}) and head_dim is not set",
                         c.hidden_size, c.num_attention_heads));
    c.head_dim = c.hidden_size / c.num_attention_heads;
  }
  c.rms_norm_eps = r.number("rms_norm_eps");
  if (!(c.rms_norm_eps > 0)) r.fail(fmt::format("rms_norm_eps must be positive, got {}", c.rms_norm_eps));
  c.max_position_embeddings =
      bounded(r, "max_position_embeddings", r.positive("max_position_embeddings"), kMaxPositions);
}

// layer_types as transformers writes it: one "full_attention" or "sliding_attention" per layer.
std::optional<std::vector<bool>> parse_layer_types(const Reader& r, int64_t layers) {
  if (!r.has("layer_types")) return std::nullopt;
  const Json& types = r.object().at("layer_types");
  if (!types.is_array() || static_cast<int64_t>(types.size()) != layers)
    r.wrong_type("layer_types", "a list with one entry per layer", types);
  std::vector<bool> sliding;
  for (const Json& type : types) {
    if (type == "sliding_attention") sliding.push_back(true);
    else if (type == "full_attention") sliding.push_back(false);
    else r.fail(fmt::format("unsupported layer type {} in 'layer_types' (supported: full_attention, sliding_attention)",
                            type.dump()));
  }
  return sliding;
}

bool any_of(const std::vector<bool>& flags) {
  for (bool flag : flags)
    if (flag) return true;
  return false;
}

// A window span from the config, or nullopt when the key is absent or null.
std::optional<int64_t> parse_window(const Reader& r) {
  if (!r.has("sliding_window")) return std::nullopt;
  return r.positive("sliding_window");
}

// qwen2, qwen3: sliding_window counts only with use_sliding_window; the sliding layers are those
// layer_types marks, else the layers from max_window_layers on.
void parse_qwen_sliding(const Reader& r, ModelConfig& c) {
  const int64_t layers = c.num_hidden_layers;
  if (r.boolean_or("use_sliding_window", false)) c.sliding_window = r.positive("sliding_window");
  std::optional<std::vector<bool>> types = parse_layer_types(r, layers);
  if (types) {
    c.sliding_layers = *types;
  } else {
    const int64_t first_sliding = r.has("max_window_layers") ? r.integer("max_window_layers") : 28;
    for (int64_t i = 0; i < layers; ++i) c.sliding_layers[i] = c.sliding_window.has_value() && i >= first_sliding;
  }
  if (!c.sliding_window && any_of(c.sliding_layers))
    r.fail("layer_types has sliding_attention layers but use_sliding_window is false (transformers refuses this too)");
}

// exaone4: hybrid attention. Without layer_types, every sliding_window_pattern-th layer is global.
// Global layers use no RoPE when the model has a sliding window at all (Exaone4Attention).
void parse_exaone4_layers(const Reader& r, ModelConfig& c) {
  const int64_t layers = c.num_hidden_layers;
  c.sliding_window = r.object().contains("sliding_window") ? parse_window(r) : std::optional<int64_t>(4096);
  std::optional<std::vector<bool>> types = parse_layer_types(r, layers);
  if (types) {
    c.sliding_layers = *types;
  } else if (c.sliding_window) {
    const int64_t pattern = r.has("sliding_window_pattern") ? r.positive("sliding_window_pattern") : 4;
    for (int64_t i = 0; i < layers; ++i) c.sliding_layers[i] = (i + 1) % pattern != 0;
  }
  if (!c.sliding_window && any_of(c.sliding_layers))
    r.fail("layer_types has sliding_attention layers but sliding_window is null");
  if (c.sliding_window)
    for (int64_t i = 0; i < layers; ++i) c.rope_layers[i] = c.sliding_layers[i];
}

void parse_qwen3_moe(const Reader& r, ModelConfig& c) {
  MoeConfig moe;  // defaults: Qwen3MoeConfig's
  moe.num_experts = r.has("num_experts") ? bounded(r, "num_experts", r.integer("num_experts"), kMaxDimension) : 128;
  moe.experts_per_token = r.has("num_experts_per_tok") ? r.positive("num_experts_per_tok") : 8;
  moe.renormalize = r.boolean_or("norm_topk_prob", false);
  moe.intermediate_size = r.has("moe_intermediate_size") ? dimension(r, "moe_intermediate_size") : 768;
  const int64_t step = r.has("decoder_sparse_step") ? r.positive("decoder_sparse_step") : 1;
  std::vector<int64_t> dense_only;
  if (r.has("mlp_only_layers")) {
    const Json& list = r.object().at("mlp_only_layers");
    if (!list.is_array()) r.wrong_type("mlp_only_layers", "a list of layer indices", list);
    for (const Json& layer : list) dense_only.push_back(r.as_integer("mlp_only_layers", layer));
  }
  if (moe.num_experts < 0) r.fail(fmt::format("num_experts must not be negative, got {}", moe.num_experts));
  if (moe.num_experts == 0) return;  // every layer dense
  if (moe.experts_per_token > moe.num_experts)
    r.fail(fmt::format("num_experts_per_tok ({}) exceeds num_experts ({})", moe.experts_per_token, moe.num_experts));
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    bool dense = std::find(dense_only.begin(), dense_only.end(), i) != dense_only.end();
    c.moe_layers[i] = !dense && (i + 1) % step == 0;
  }
  c.moe = moe;
}

void parse_mixtral_moe(const Reader& r, ModelConfig& c) {
  MoeConfig moe;  // defaults: MixtralConfig's; routing weights are always renormalised
  moe.num_experts = r.has("num_local_experts") ? dimension(r, "num_local_experts") : 8;
  moe.experts_per_token = r.has("num_experts_per_tok") ? r.positive("num_experts_per_tok") : 2;
  moe.renormalize = true;
  moe.intermediate_size = c.intermediate_size;
  if (moe.experts_per_token > moe.num_experts)
    r.fail(fmt::format("num_experts_per_tok ({}) exceeds num_local_experts ({})", moe.experts_per_token,
                       moe.num_experts));
  c.moe_layers.assign(static_cast<size_t>(c.num_hidden_layers), true);
  c.moe = moe;
}

void parse_family_options(const Reader& r, ModelConfig& c) {
  // The decoder implements SwiGLU; another activation would run silently wrong.
  std::string act = r.string_or("hidden_act", "silu");
  if (act != "silu") r.fail(fmt::format("unsupported hidden_act '{}' (the decoder implements silu)", act));
  const auto layers = static_cast<size_t>(c.num_hidden_layers);
  c.sliding_layers.assign(layers, false);
  c.rope_layers.assign(layers, true);
  c.moe_layers.assign(layers, false);
  switch (c.family) {
    case ModelFamily::kLlama:
      c.qkv_bias = c.o_proj_bias = r.boolean_or("attention_bias", false);
      c.mlp_bias = r.boolean_or("mlp_bias", false);
      break;
    case ModelFamily::kMistral:  // one window for every layer; layer_types is ignored by MistralModel
    case ModelFamily::kMixtral:
      c.sliding_window = parse_window(r);
      c.sliding_layers.assign(layers, c.sliding_window.has_value());
      if (c.family == ModelFamily::kMixtral) parse_mixtral_moe(r, c);
      break;
    case ModelFamily::kQwen2:
      c.qkv_bias = true;  // Qwen2Attention: q/k/v with bias, o_proj without
      parse_qwen_sliding(r, c);
      break;
    case ModelFamily::kQwen3:
      c.qkv_bias = c.o_proj_bias = r.boolean_or("attention_bias", false);
      c.qk_norm = true;
      parse_qwen_sliding(r, c);
      break;
    case ModelFamily::kQwen3Moe:  // the window, when on, applies to every layer (Qwen3MoeModel)
      c.qkv_bias = c.o_proj_bias = r.boolean_or("attention_bias", false);
      c.qk_norm = true;
      if (r.boolean_or("use_sliding_window", false)) c.sliding_window = r.positive("sliding_window");
      c.sliding_layers.assign(layers, c.sliding_window.has_value());
      parse_qwen3_moe(r, c);
      break;
    case ModelFamily::kExaone4:
      c.qk_norm = true;
      c.post_block_norms = true;
      parse_exaone4_layers(r, c);
      break;
  }
}

}  // namespace

std::vector<std::string> supported_model_types() {
  std::vector<std::string> out;
  for (const auto& info : kFamilies) out.push_back(fmt::format("{} ({})", info.model_type, info.architecture));
  return out;
}

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
  c.rope = parse_rope(r, c.family);
  check_parameter_count(r, c);
  check_token_ids(r, c);
  return c;
}

ModelConfig load_model_config(const std::filesystem::path& config_json) {
  return parse_model_config(read_file(config_json), config_json.string());
}

}  // namespace dokpa
