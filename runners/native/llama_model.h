#pragma once
// The llama-family decoder (llama, mistral, qwen2, qwen3, exaone4, qwen3_moe, mixtral, SmolLM2, ...)
// in libtorch: token embedding, N x [RMSNorm -> grouped-query attention with RoPE -> residual ->
// RMSNorm -> SwiGLU or mixture of experts -> residual], final RMSNorm, LM head. Per family: q/k
// norms, norms after each block instead of before (exaone4), sliding-window layers and layers
// without RoPE. The forward pass reads top to bottom in llama_model.cpp.
//
// Batching model: every forward call appends a chunk of T tokens per row to a KV cache. A row's
// chunk may end in padding (right padding); padding keys are marked invalid in the cache and are
// never attended to by later chunks. Inside one chunk attention is causal, so real tokens (which
// precede the padding) never see padding either. This lets one code path serve a prompt pass,
// continuations on top of a shared context, and token-by-token decoding.
#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "runners/native/moe_feed_forward.h"

namespace dokpa {

struct ModelConfig;

// Weights of one decoder layer, already on the compute device and dtype. A norm left undefined
// is not applied.
struct LlamaLayerWeights {
  at::Tensor input_norm;  // (C): before attention; undefined for exaone4
  at::Tensor q_proj, k_proj, v_proj, o_proj;  // (H*D, C), (Hkv*D, C), (Hkv*D, C), (C, H*D)
  at::Tensor q_bias, k_bias, v_bias, o_bias;  // undefined unless the family has attention bias
  at::Tensor q_norm, k_norm;  // (D): per-head RMSNorm of q and k before RoPE (qwen3, exaone4)
  at::Tensor attention_output_norm;  // (C): exaone4's norm of the attention output (its post_attention_layernorm)
  at::Tensor post_attention_norm;  // (C): before the feed-forward (post_attention_layernorm); undefined for exaone4
  at::Tensor gate_proj, up_proj, down_proj;  // (I, C), (I, C), (C, I); undefined in a mixture-of-experts layer
  at::Tensor gate_bias, up_bias, down_bias;  // undefined unless mlp_bias
  std::optional<MoeWeights> moe;  // a sparse layer's router and experts, in place of gate/up/down
  at::Tensor feed_forward_output_norm;  // (C): exaone4's post_feedforward_layernorm
};

struct LlamaWeights {
  at::Tensor embed_tokens;  // (V, C)
  std::vector<LlamaLayerWeights> layers;
  at::Tensor final_norm;  // (C)
  at::Tensor lm_head;  // (V, C); the same tensor as embed_tokens when tied
};

// Shape and numeric settings of the decoder, taken from ModelConfig.
struct LlamaShape {
  int64_t hidden_size = 0;
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  double rms_norm_eps = 1e-6;
  std::vector<double> rope_inv_freq;  // (D/2), as transformers computes it for the rope type
  double rope_attention_scaling = 1.0;  // multiplies cos and sin (yarn)
  // Per layer (empty: every layer uses RoPE and full causal attention).
  std::vector<bool> layer_uses_rope;  // false: no positional encoding in that layer (exaone4's global layers)
  std::vector<bool> layer_is_sliding;  // true: a query at position p sees only keys at positions > p - sliding_window
  int64_t sliding_window = 0;
  MoeOptions moe;  // routing of the mixture-of-experts layers
};

// Keys and values of every layer for the tokens seen so far, which of them are real, and their
// positions (sliding-window layers compare positions, not columns).
struct KVCache {
  std::vector<at::Tensor> keys;  // per layer: (B, Hkv, S, D)
  std::vector<at::Tensor> values;  // per layer: (B, Hkv, S, D)
  at::Tensor key_valid;  // (B, S) bool: false for padding
  // (B, S) int64. Code that reshapes a cache without carrying it (kv_cache_ops) leaves it undefined or
  // of another size; the forward pass then takes a row's real keys to be positions 0, 1, ... in
  // column order, which is how every caller fills a cache.
  at::Tensor key_positions;

  int64_t length() const { return key_valid.defined() ? key_valid.size(1) : 0; }
  // A cache whose row r is row `rows[r]` of this one (shares a context across continuations).
  KVCache select_rows(const at::Tensor& rows) const;
};

class LlamaModel {
 public:
  LlamaModel(LlamaShape shape, LlamaWeights weights);

  // ids, positions: (B, T) int64; valid: (B, T) bool (false = right padding).
  // Appends the chunk to `cache` and returns the final-normed hidden states (B, T, C).
  at::Tensor forward(const at::Tensor& ids, const at::Tensor& positions, const at::Tensor& valid,
                     KVCache& cache) const;

  // hidden: (..., C) -> logits over the vocabulary (..., V), float32.
  at::Tensor logits(const at::Tensor& hidden) const;
  // hidden: (..., C) -> log-probabilities over the vocabulary (..., V), float32.
  at::Tensor log_probs(const at::Tensor& hidden) const;

  const LlamaShape& shape() const { return shape_; }
  const LlamaWeights& weights() const { return weights_; }

 private:
  LlamaShape shape_;
  LlamaWeights weights_;
  at::Tensor inv_freq_;  // (D/2) float32 on the compute device
};

}  // namespace dokpa
