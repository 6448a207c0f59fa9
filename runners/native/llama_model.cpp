#include "runners/native/llama_model.h"

#include <algorithm>
#include <cmath>

namespace dokpa {

namespace {

at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  return bias.defined() ? at::linear(x, weight, bias) : at::linear(x, weight);
}

// RMSNorm as transformers computes it: normalise in float32, cast back, then scale.
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  at::Tensor x32 = x.to(at::kFloat);
  at::Tensor variance = x32.pow(2).mean(-1, /*keepdim=*/true);
  at::Tensor normed = x32 * at::rsqrt(variance + eps);
  return weight * normed.to(x.scalar_type());
}

// (..., D) -> (..., D): [-x2, x1] where x1, x2 are the two halves (the "rotate_half" layout).
at::Tensor rotate_half(const at::Tensor& x) {
  int64_t half = x.size(-1) / 2;
  at::Tensor x1 = x.narrow(-1, 0, half);
  at::Tensor x2 = x.narrow(-1, half, half);
  return at::cat({-x2, x1}, -1);
}

// cos, sin: (B, 1, T, D) for the given positions (B, T).
std::pair<at::Tensor, at::Tensor> rope_tables(const at::Tensor& inv_freq, const at::Tensor& positions,
                                              double attention_scaling, at::ScalarType dtype) {
  at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * inv_freq;  // (B, T, D/2)
  at::Tensor angles = at::cat({freqs, freqs}, -1);  // (B, T, D)
  at::Tensor cos = (angles.cos() * attention_scaling).to(dtype).unsqueeze(1);
  at::Tensor sin = (angles.sin() * attention_scaling).to(dtype).unsqueeze(1);
  return {cos, sin};
}

// Attention mask (B, 1, T, S_old + T), true = may attend: earlier real keys of the cache,
// then causal inside the new chunk.
at::Tensor attention_mask(const at::Tensor& old_valid, int64_t chunk, const at::TensorOptions& device) {
  at::Tensor causal = at::ones({chunk, chunk}, device.dtype(at::kBool)).tril();  // (T, T)
  int64_t batch = old_valid.size(0);
  at::Tensor old_part = old_valid.view({batch, 1, 1, -1}).expand({batch, 1, chunk, old_valid.size(1)});
  at::Tensor new_part = causal.view({1, 1, chunk, chunk}).expand({batch, 1, chunk, chunk});
  return at::cat({old_part, new_part}, -1);
}

// Positions of the cached keys (B, S): the cache's own, or, where code that reshaped the cache did
// not carry them, each real key's rank in its row (a row holds one sequence from position 0).
at::Tensor cached_key_positions(const KVCache& cache, int64_t batch, const at::TensorOptions& device) {
  if (!cache.key_valid.defined()) return at::zeros({batch, 0}, device.dtype(at::kLong));
  if (cache.key_positions.defined() && cache.key_positions.sizes() == cache.key_valid.sizes())
    return cache.key_positions;
  return cache.key_valid.to(at::kLong).cumsum(1) - 1;
}

// The sliding-window restriction (B, 1, T, S), true = may attend: key position > query position - window,
// transformers' sliding_window_overlay (a query sees `window` positions, itself included).
at::Tensor sliding_window_mask(const at::Tensor& query_positions, const at::Tensor& key_positions, int64_t window) {
  const int64_t batch = query_positions.size(0);
  return key_positions.view({batch, 1, 1, -1}) > (query_positions - window).view({batch, 1, -1, 1});
}

// SwiGLU: down(silu(gate(x)) * up(x)). x: (B, T, C) -> (B, T, C)
at::Tensor swiglu(const at::Tensor& x, const LlamaLayerWeights& w) {
  at::Tensor gated = at::silu(linear(x, w.gate_proj, w.gate_bias)) * linear(x, w.up_proj, w.up_bias);  // (B, T, I)
  return linear(gated, w.down_proj, w.down_bias);
}

at::Tensor maybe_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  return weight.defined() ? rms_norm(x, weight, eps) : x;
}

}  // namespace

KVCache KVCache::select_rows(const at::Tensor& rows) const {
  KVCache selected;
  for (const at::Tensor& k : keys) selected.keys.push_back(k.index_select(0, rows));
  for (const at::Tensor& v : values) selected.values.push_back(v.index_select(0, rows));
  selected.key_valid = key_valid.index_select(0, rows);
  if (key_positions.defined() && key_positions.sizes() == key_valid.sizes())
    selected.key_positions = key_positions.index_select(0, rows);
  return selected;
}

LlamaModel::LlamaModel(LlamaShape shape, LlamaWeights weights)
    : shape_(std::move(shape)), weights_(std::move(weights)) {
  std::vector<float> inv(shape_.rope_inv_freq.begin(), shape_.rope_inv_freq.end());
  inv_freq_ = at::tensor(inv, at::kFloat).to(weights_.embed_tokens.device());
}

at::Tensor LlamaModel::forward(const at::Tensor& ids, const at::Tensor& positions, const at::Tensor& valid,
                               KVCache& cache) const {
  const int64_t B = ids.size(0), T = ids.size(1), C = shape_.hidden_size;
  const int64_t H = shape_.num_heads, Hkv = shape_.num_kv_heads, D = shape_.head_dim;
  const double eps = shape_.rms_norm_eps;
  const at::ScalarType dtype = weights_.embed_tokens.scalar_type();
  const at::TensorOptions on_device = ids.options();

  // ---- embeddings ----
  at::Tensor x = weights_.embed_tokens.index_select(0, ids.reshape(-1)).view({B, T, -1});  // (B, T, C)

  // ---- positions and masks, shared by every layer ----
  auto [cos, sin] = rope_tables(inv_freq_, positions, shape_.rope_attention_scaling, dtype);  // (B, 1, T, D)
  at::Tensor old_valid = cache.key_valid.defined() ? cache.key_valid
                                                   : at::zeros({B, 0}, on_device.dtype(at::kBool));
  at::Tensor key_positions = at::cat({cached_key_positions(cache, B, on_device), positions}, 1);  // (B, S)
  const bool first_chunk = cache.keys.empty();
  const bool any_sliding =
      std::find(shape_.layer_is_sliding.begin(), shape_.layer_is_sliding.end(), true) != shape_.layer_is_sliding.end();
  // A first chunk's full-attention layers run unmasked (is_causal, below); the mask is built only
  // for chunks on top of a cache and for sliding layers.
  at::Tensor full_mask = first_chunk && !any_sliding ? at::Tensor()
                                                     : attention_mask(old_valid, T, on_device);  // (B, 1, T, S)
  at::Tensor sliding_mask = any_sliding ? full_mask & sliding_window_mask(positions, key_positions, shape_.sliding_window)
                                        : at::Tensor();  // (B, 1, T, S)
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));

  for (size_t l = 0; l < weights_.layers.size(); ++l) {
    const LlamaLayerWeights& w = weights_.layers[l];
    const bool uses_rope = shape_.layer_uses_rope.empty() || shape_.layer_uses_rope[l];
    const bool sliding = !shape_.layer_is_sliding.empty() && shape_.layer_is_sliding[l];

    // ---- attention block ----
    at::Tensor h = maybe_norm(x, w.input_norm, eps);  // (B, T, C)
    at::Tensor q = linear(h, w.q_proj, w.q_bias).view({B, T, H, D}).transpose(1, 2);  // (B, H, T, D)
    at::Tensor k = linear(h, w.k_proj, w.k_bias).view({B, T, Hkv, D}).transpose(1, 2);  // (B, Hkv, T, D)
    at::Tensor v = linear(h, w.v_proj, w.v_bias).view({B, T, Hkv, D}).transpose(1, 2);  // (B, Hkv, T, D)
    q = maybe_norm(q, w.q_norm, eps);  // per head, over D
    k = maybe_norm(k, w.k_norm, eps);
    if (uses_rope) {
      q = q * cos + rotate_half(q) * sin;
      k = k * cos + rotate_half(k) * sin;
    }

    if (first_chunk) {
      cache.keys.push_back(k);
      cache.values.push_back(v);
    } else {
      cache.keys[l] = at::cat({cache.keys[l], k}, 2);  // (B, Hkv, S, D)
      cache.values[l] = at::cat({cache.values[l], v}, 2);
    }
    // grouped-query attention: each key/value head serves H / Hkv query heads (enable_gqa reads
    // the shared head in place instead of copying the cache H / Hkv times)
    // A first chunk needs no mask outside sliding layers: padding is on the right, so causal attention
    // keeps real tokens off it, and is_causal lets the kernel skip the blocks above the diagonal.
    const bool causal_only = first_chunk && !sliding;
    const at::Tensor& mask = sliding ? sliding_mask : full_mask;
    at::Tensor attended = at::scaled_dot_product_attention(q, cache.keys[l], cache.values[l],
                                                           causal_only ? std::optional<at::Tensor>() : mask, 0.0,
                                                           /*is_causal=*/causal_only, scale,
                                                           /*enable_gqa=*/H != Hkv);  // (B, H, T, D)
    attended = attended.transpose(1, 2).reshape({B, T, H * D});
    at::Tensor attention_out = linear(attended, w.o_proj, w.o_bias);  // (B, T, C)
    x = x + maybe_norm(attention_out, w.attention_output_norm, eps);

    // ---- feed-forward block: SwiGLU, or a mixture of SwiGLU experts ----
    h = maybe_norm(x, w.post_attention_norm, eps);  // (B, T, C)
    at::Tensor ff = w.moe ? moe_feed_forward(h.reshape({B * T, C}), *w.moe, shape_.moe).view({B, T, C})
                          : swiglu(h, w);  // (B, T, C)
    x = x + maybe_norm(ff, w.feed_forward_output_norm, eps);
  }
  cache.key_valid = at::cat({old_valid, valid}, 1);  // (B, S)
  cache.key_positions = key_positions;  // (B, S)

  // ---- final norm ----
  return rms_norm(x, weights_.final_norm, eps);  // (B, T, C)
}

at::Tensor LlamaModel::logits(const at::Tensor& hidden) const {
  // On the CPU, MKL multiplies a few rows by the wide (V, C) head much faster as head x hidden^T
  // (measured at V = 49152, C = 576, 2 threads: 8 rows 16 ms instead of 28 ms; from 64 rows on the
  // usual order is as fast or faster). Decoding calls this with one row per running sequence.
  const int64_t rows = hidden.numel() / hidden.size(-1);
  if (hidden.is_cpu() && rows >= 2 && rows <= 32) {
    at::Tensor flat = hidden.reshape({rows, hidden.size(-1)});
    std::vector<int64_t> shape = hidden.sizes().vec();
    shape.back() = weights_.lm_head.size(0);
    return at::mm(weights_.lm_head, flat.t()).t().contiguous().reshape(shape).to(at::kFloat);  // (..., V)
  }
  return at::linear(hidden, weights_.lm_head).to(at::kFloat);  // (..., V)
}

at::Tensor LlamaModel::log_probs(const at::Tensor& hidden) const {
  return at::log_softmax(logits(hidden), -1);  // float32 even for bf16/fp16 weights
}

}  // namespace dokpa
