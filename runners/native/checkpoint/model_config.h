#pragma once
// config.json of a Hugging Face checkpoint, for the llama-shaped decoder families the native
// runner implements. Parsing is strict: a missing required key, a wrong type, or a setting the
// decoder would silently get wrong (another activation, an unsupported RoPE type) is a
// dokpa::Error naming the file, never a guess.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dokpa {

// Decoder families with the llama layer shape (RMSNorm, GQA attention with RoPE, SwiGLU MLP),
// and their variations: q/k norms (qwen3, exaone4), norms after instead of before each block
// (exaone4), sliding-window layers (mistral, exaone4, qwen2/qwen3 with use_sliding_window), and
// mixture-of-experts feed-forwards (qwen3_moe, mixtral).
enum class ModelFamily { kLlama, kMistral, kQwen2, kQwen3, kExaone4, kQwen3Moe, kMixtral };

enum class RopeType { kDefault, kLinear, kLlama3, kYarn };

// RoPE settings from either form of config.json: legacy `rope_theta` + `rope_scaling`
// (transformers 4.x) or `rope_parameters` (transformers 5).
struct RopeConfig {
  RopeType type = RopeType::kDefault;
  std::string type_name = "default";  // as written in the config
  double theta = 10000.0;             // transformers' default for these families
  double partial_rotary_factor = 1.0;
  double factor = 1.0;                        // linear and llama3
  double low_freq_factor = 0.0;               // llama3
  double high_freq_factor = 0.0;              // llama3
  int64_t original_max_position_embeddings = 0;  // llama3; yarn (0 there: max_position_embeddings)
  // yarn (_compute_yarn_parameters); mscale and mscale_all_dim count only when both are non-zero
  std::optional<double> attention_factor;
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  double mscale = 0.0;
  double mscale_all_dim = 0.0;
  bool truncate = true;
};

// Mixture-of-experts feed-forward settings (qwen3_moe, mixtral).
struct MoeConfig {
  int64_t num_experts = 0;
  int64_t experts_per_token = 0;  // top-k
  bool renormalize = true;        // top-k routing weights rescaled to sum to 1 (qwen3_moe: norm_topk_prob)
  int64_t intermediate_size = 0;  // of each expert
};

struct ModelConfig {
  std::string architecture;  // architectures[0], e.g. "LlamaForCausalLM" ("" if absent)
  std::string model_type;    // e.g. "llama"
  ModelFamily family = ModelFamily::kLlama;

  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;  // defaults to num_attention_heads
  int64_t head_dim = 0;             // defaults to hidden_size / num_attention_heads
  double rms_norm_eps = 0.0;
  int64_t max_position_embeddings = 0;
  bool tie_word_embeddings = false;

  // Biases: llama's attention_bias covers q, k, v and o; qwen2 always has q/k/v bias and no o
  // bias; mistral has none. mlp_bias is llama's flag for gate/up/down.
  bool qkv_bias = false;
  bool o_proj_bias = false;
  bool mlp_bias = false;
  // Per-head RMSNorm of q and k (over head_dim) before RoPE: qwen3, qwen3_moe, exaone4.
  bool qk_norm = false;
  // exaone4: no norm before attention or MLP; RMSNorm of each block's output before the residual add.
  bool post_block_norms = false;

  // Sliding-window attention: a query at position p sees keys at positions > p - sliding_window,
  // in the layers `sliding_layers` marks. Unset when no layer slides.
  std::optional<int64_t> sliding_window;
  std::vector<bool> sliding_layers;  // (num_hidden_layers): true = sliding-window layer
  std::vector<bool> rope_layers;     // (num_hidden_layers): false = no positional encoding (exaone4 global layers)

  // Mixture of experts; moe_layers marks the layers whose feed-forward is sparse (the others are dense
  // SwiGLU with intermediate_size).
  std::optional<MoeConfig> moe;
  std::vector<bool> moe_layers;  // (num_hidden_layers)

  std::optional<int64_t> bos_token_id;
  std::vector<int64_t> eos_token_ids;  // eos_token_id may be one id or a list
  std::optional<int64_t> pad_token_id;
  std::string torch_dtype;  // "torch_dtype" (or transformers 5's "dtype"); "" if absent

  RopeConfig rope;
};

// Reads and parses `config_json`; errors name that file.
ModelConfig load_model_config(const std::filesystem::path& config_json);
// Parses config.json text; `source` names it in errors.
ModelConfig parse_model_config(std::string_view json_text, const std::string& source);

std::string_view family_name(ModelFamily family);

// The model_type values (config.json) the native decoder implements, with their architecture
// class names, in a fixed order: "llama (LlamaForCausalLM)", ...
std::vector<std::string> supported_model_types();

}  // namespace dokpa
