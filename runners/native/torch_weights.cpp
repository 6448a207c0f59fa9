#include "runners/native/torch_weights.h"

#include <sstream>

#include "common/crash_point.h"
#include "common/error.h"
#include "common/file_io.h"
#include "runners/native/checkpoint/rope_frequencies.h"

namespace dokpa {

// No fmt here: libtorch bundles its own (newer) fmt headers, which shadow Debian's in files that
// include libtorch and then fail to link against Debian's libfmt.
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::ostringstream text;
  text << "[";
  for (size_t i = 0; i < shape.size(); ++i) text << (i ? ", " : "") << shape[i];
  return text.str() + "]";
}

at::ScalarType torch_dtype(Dtype dtype, const std::string& name, const std::string& file) {
  switch (dtype) {
    case Dtype::F32: return at::kFloat;
    case Dtype::F16: return at::kHalf;
    case Dtype::BF16: return at::kBFloat16;
    case Dtype::F64: return at::kDouble;
    default: throw Error(file, "tensor '" + name + "' has dtype " + std::string(dtype_name(dtype)) + ", which a llama weight cannot be");
  }
}

class WeightLoader {
 public:
  WeightLoader(const WeightSource& source, const ModelConfig& config, std::string origin, const at::Device& device,
               at::ScalarType dtype)
      : source_(source), config_(config), origin_(std::move(origin)), device_(device), dtype_(dtype) {}

  // The named weight with the expected shape, on the compute device and dtype. On CPU in the file's
  // own dtype the tensor aliases the memory map (no copy); otherwise the copy replaces the mapped
  // pages in host memory.
  at::Tensor require(const std::string& name, std::vector<int64_t> shape) {
    const TensorView* view = source_.find(name);
    if (!view) throw Error(origin_, "weight '" + name + "' is missing");
    if (view->shape != shape)
      throw Error(origin_, "weight '" + name + "' has shape " + shape_text(view->shape) + ", config.json implies " +
                               shape_text(shape));
    at::Tensor mapped = at::from_blob(const_cast<std::byte*>(view->data), view->shape,
                                      at::TensorOptions().dtype(torch_dtype(view->dtype, name, origin_)));
    parameters_ += view->numel();
    at::Tensor loaded = mapped.to(device_, dtype_);
    if (loaded.data_ptr() != mapped.data_ptr()) MappedFile::release_pages(view->data, view->nbytes);  // copied
    crash_point("load.tensor");
    return loaded;
  }

  at::Tensor optional(const std::string& name, std::vector<int64_t> shape, bool present) {
    return present ? require(name, std::move(shape)) : at::Tensor();
  }

  int64_t parameters() const { return parameters_; }

 private:
  const WeightSource& source_;
  const ModelConfig& config_;
  std::string origin_;
  at::Device device_;
  at::ScalarType dtype_;
  int64_t parameters_ = 0;
};

// A sparse layer's router and experts. Names: qwen3_moe mlp.gate / mlp.experts.{e}.{gate,up,down}_proj;
// mixtral block_sparse_moe.gate / block_sparse_moe.experts.{e}.{w1,w3,w2} (gate, up, down).
MoeWeights load_experts(WeightLoader& load, const ModelConfig& c, const std::string& layer_prefix) {
  const int64_t C = c.hidden_size, E = c.moe->num_experts, I = c.moe->intermediate_size;
  const bool mixtral = c.family == ModelFamily::kMixtral;
  const std::string block = layer_prefix + (mixtral ? "block_sparse_moe." : "mlp.");
  MoeWeights moe;
  moe.router = load.require(block + "gate.weight", {E, C});
  for (int64_t e = 0; e < E; ++e) {
    const std::string p = block + "experts." + std::to_string(e) + ".";
    MoeExpertWeights expert;
    expert.gate_proj = load.require(p + (mixtral ? "w1.weight" : "gate_proj.weight"), {I, C});
    expert.up_proj = load.require(p + (mixtral ? "w3.weight" : "up_proj.weight"), {I, C});
    expert.down_proj = load.require(p + (mixtral ? "w2.weight" : "down_proj.weight"), {C, I});
    moe.experts.push_back(std::move(expert));
  }
  return moe;
}

}  // namespace

LoadedLlama load_llama_checkpoint(const std::filesystem::path& checkpoint_dir, const at::Device& device,
                                  at::ScalarType dtype) {
  LoadedLlama loaded;
  loaded.config = load_model_config(checkpoint_dir / "config.json");
  loaded.weights_file = std::make_unique<WeightSource>(WeightSource::open(checkpoint_dir));
  const ModelConfig& c = loaded.config;
  const int64_t C = c.hidden_size, I = c.intermediate_size, V = c.vocab_size;
  const int64_t H = c.num_attention_heads, Hkv = c.num_key_value_heads, D = c.head_dim;
  const std::string config_json = (checkpoint_dir / "config.json").string();
  if (H % Hkv != 0)
    throw Error(config_json, "num_attention_heads " + std::to_string(H) + " is not a multiple of num_key_value_heads " +
                                 std::to_string(Hkv));

  const bool qkv_bias = c.qkv_bias, o_bias = c.o_proj_bias;  // per family, from ModelConfig

  WeightLoader load(*loaded.weights_file, c, checkpoint_dir.string(), device, dtype);
  LlamaWeights w;
  w.embed_tokens = load.require("model.embed_tokens.weight", {V, C});
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    LlamaLayerWeights layer;
    // ---- attention ----
    layer.input_norm = load.optional(p + "input_layernorm.weight", {C}, !c.post_block_norms);
    layer.q_proj = load.require(p + "self_attn.q_proj.weight", {H * D, C});
    layer.k_proj = load.require(p + "self_attn.k_proj.weight", {Hkv * D, C});
    layer.v_proj = load.require(p + "self_attn.v_proj.weight", {Hkv * D, C});
    layer.o_proj = load.require(p + "self_attn.o_proj.weight", {C, H * D});
    layer.q_bias = load.optional(p + "self_attn.q_proj.bias", {H * D}, qkv_bias);
    layer.k_bias = load.optional(p + "self_attn.k_proj.bias", {Hkv * D}, qkv_bias);
    layer.v_bias = load.optional(p + "self_attn.v_proj.bias", {Hkv * D}, qkv_bias);
    layer.o_bias = load.optional(p + "self_attn.o_proj.bias", {C}, o_bias);
    layer.q_norm = load.optional(p + "self_attn.q_norm.weight", {D}, c.qk_norm);
    layer.k_norm = load.optional(p + "self_attn.k_norm.weight", {D}, c.qk_norm);
    // post_attention_layernorm: before the feed-forward (pre-norm families) or on the attention output (exaone4)
    at::Tensor post_attention = load.require(p + "post_attention_layernorm.weight", {C});
    (c.post_block_norms ? layer.attention_output_norm : layer.post_attention_norm) = post_attention;
    // ---- feed-forward ----
    if (c.moe && c.moe_layers[static_cast<size_t>(i)]) {
      layer.moe = load_experts(load, c, p);
    } else {
      layer.gate_proj = load.require(p + "mlp.gate_proj.weight", {I, C});
      layer.up_proj = load.require(p + "mlp.up_proj.weight", {I, C});
      layer.down_proj = load.require(p + "mlp.down_proj.weight", {C, I});
      layer.gate_bias = load.optional(p + "mlp.gate_proj.bias", {I}, c.mlp_bias);
      layer.up_bias = load.optional(p + "mlp.up_proj.bias", {I}, c.mlp_bias);
      layer.down_bias = load.optional(p + "mlp.down_proj.bias", {C}, c.mlp_bias);
    }
    layer.feed_forward_output_norm = load.optional(p + "post_feedforward_layernorm.weight", {C}, c.post_block_norms);
    w.layers.push_back(std::move(layer));
  }
  w.final_norm = load.require("model.norm.weight", {C});
  w.lm_head = c.tie_word_embeddings ? w.embed_tokens : load.require("lm_head.weight", {V, C});
  loaded.parameters = load.parameters();

  LlamaShape shape;
  shape.hidden_size = C;
  shape.num_heads = H;
  shape.num_kv_heads = Hkv;
  shape.head_dim = D;
  shape.rms_norm_eps = c.rms_norm_eps;
  RopeFrequencies rope = rope_inverse_frequencies(c);
  if (static_cast<int64_t>(rope.inv_freq.size()) * 2 != D)
    throw Error(config_json, "partial_rotary_factor " + std::to_string(c.rope.partial_rotary_factor) +
                                 " is not supported by the decoder (it rotates the whole head)");
  shape.rope_inv_freq = rope.inv_freq;
  shape.rope_attention_scaling = rope.attention_scaling;
  shape.layer_uses_rope = c.rope_layers;
  shape.layer_is_sliding = c.sliding_layers;
  shape.sliding_window = c.sliding_window.value_or(0);
  if (c.moe) shape.moe = MoeOptions{c.moe->experts_per_token, c.moe->renormalize};
  loaded.model = std::make_unique<LlamaModel>(std::move(shape), std::move(w));
  return loaded;
}

}  // namespace dokpa
