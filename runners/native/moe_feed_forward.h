#pragma once
// Mixture-of-experts feed-forward block (Qwen3-MoE, Mixtral): a router picks top_k of E SwiGLU
// experts per token and the block returns their routing-weighted sum. Matches transformers'
// Qwen3MoeSparseMoeBlock and MixtralSparseMoeBlock in order of operations and dtypes.
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace dokpa {

// One SwiGLU expert: down_proj(silu(gate_proj(x)) * up_proj(x)).
struct MoeExpertWeights {
  at::Tensor gate_proj, up_proj, down_proj;  // (I, C), (I, C), (C, I)
};

struct MoeWeights {
  at::Tensor router;                      // (E, C): router logits = x @ router^T
  std::vector<MoeExpertWeights> experts;  // E experts
};

struct MoeOptions {
  int64_t top_k = 2;        // experts per token
  bool renormalize = true;  // rescale the top_k probabilities to sum to 1 (qwen3_moe norm_topk_prob; mixtral always)
};

// x: (N, C) -> (N, C): each token's output is the routing-weighted sum of its top_k experts.
// Weights are on x's device and in x's dtype; routing probabilities are float32 internally.
// Batch invariance: a token's routing, experts and accumulation order do not depend on the other
// tokens in x, but an expert's matmul runs over however many tokens chose it, and BLAS may pick
// another kernel for another row count. Measured on CPU (MKL, libtorch 2.11): bf16 bit-identical;
// fp32 within 1.2e-6 (4.5e-7 relative), from matmuls of fewer than 4 rows.
at::Tensor moe_feed_forward(const at::Tensor& x, const MoeWeights& weights, const MoeOptions& options);

}  // namespace dokpa
