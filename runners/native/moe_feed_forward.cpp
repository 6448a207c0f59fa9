// The MoE block, step for step as transformers 4.57's Qwen3MoeSparseMoeBlock / MixtralSparseMoeBlock
// compute it, so that results agree bit for bit on the same batch (fp32 and bf16):
//   router logits in the hidden dtype -> softmax in float32 -> top_k -> (renormalise in float32)
//   -> cast to the hidden dtype -> per expert, in ascending expert order: gather its tokens,
//   SwiGLU, scale by the routing weight, index_add into a zero-initialised output (hidden dtype).
#include "runners/native/moe_feed_forward.h"

#include <c10/util/Exception.h>

namespace dokpa {

namespace {

void check_shapes(const at::Tensor& x, const MoeWeights& weights, const MoeOptions& options) {
  TORCH_CHECK(x.dim() == 2, "moe_feed_forward: x must be (N, C), got ", x.sizes());
  TORCH_CHECK(weights.router.dim() == 2 && weights.router.size(1) == x.size(1),
              "moe_feed_forward: router must be (E, C) with C = ", x.size(1), ", got ", weights.router.sizes());
  const int64_t num_experts = weights.router.size(0);
  TORCH_CHECK(static_cast<int64_t>(weights.experts.size()) == num_experts, "moe_feed_forward: router has ", num_experts,
              " experts but ", weights.experts.size(), " expert weights were given");
  TORCH_CHECK(options.top_k >= 1 && options.top_k <= num_experts, "moe_feed_forward: top_k ", options.top_k,
              " is not in [1, ", num_experts, "]");
}

// One SwiGLU expert. x: (n, C) -> (n, C)
at::Tensor expert_forward(const at::Tensor& x, const MoeExpertWeights& expert) {
  at::Tensor gated = at::silu(at::linear(x, expert.gate_proj)) * at::linear(x, expert.up_proj);  // (n, I)
  return at::linear(gated, expert.down_proj);                                                    // (n, C)
}

}  // namespace

at::Tensor moe_feed_forward(const at::Tensor& x, const MoeWeights& weights, const MoeOptions& options) {
  check_shapes(x, weights, options);
  const int64_t N = x.size(0);
  const int64_t E = weights.router.size(0);
  const int64_t K = options.top_k;

  // --- routing: probabilities in float32 whatever the hidden dtype, as transformers does ---
  at::Tensor router_logits = at::linear(x, weights.router);              // (N, E), hidden dtype
  at::Tensor probs = at::softmax(router_logits, /*dim=*/1, at::kFloat);  // (N, E) float32
  auto [top_weights, top_experts] = at::topk(probs, K, /*dim=*/-1);      // (N, K) float32, (N, K) int64
  if (options.renormalize) top_weights = top_weights / top_weights.sum(-1, /*keepdim=*/true);
  top_weights = top_weights.to(x.scalar_type());  // the reference scales expert outputs in the hidden dtype

  at::Tensor out = at::zeros_like(x);  // (N, C)
  if (N == 0) return out;

  // --- group the N*K (token, slot) assignments by expert ---
  // Slot-major order (slot * N + token), stably sorted by expert, lists each expert's tokens in the
  // order transformers' torch.where over the (K, N) expert mask gives them. Row order inside a
  // group is not expected to change any row's result; it is kept to mirror the reference exactly.
  at::Tensor experts_flat = top_experts.t().reshape(-1);                     // (K*N)
  at::Tensor order = at::argsort(experts_flat, /*stable=*/true, /*dim=*/0);  // (K*N)
  at::Tensor tokens = order.remainder(N);                                    // (K*N): token of each sorted assignment
  at::Tensor token_weights = top_weights.t().reshape(-1).index_select(0, order);  // (K*N)
  // One device-to-host copy for all group sizes (not one sync per expert).
  at::Tensor counts = at::bincount(experts_flat, /*weights=*/{}, /*minlength=*/E).to(at::kCPU);  // (E)
  const int64_t* count = counts.data_ptr<int64_t>();

  // --- experts, in ascending order: the order of the reference's index_add_ calls ---
  // A token meets each expert at most once (top_k picks distinct experts), so every index_add_
  // adds to distinct rows and the per-token accumulation order is its experts' ascending order,
  // independent of the other tokens in the batch.
  int64_t start = 0;
  for (int64_t e = 0; e < E; ++e) {
    const int64_t n = count[e];
    if (n == 0) continue;
    at::Tensor rows = tokens.narrow(0, start, n);                                         // (n)
    at::Tensor expert_out = expert_forward(x.index_select(0, rows), weights.experts[e]);  // (n, C)
    out.index_add_(0, rows, expert_out * token_weights.narrow(0, start, n).unsqueeze(1));
    start += n;
  }
  return out;
}

}  // namespace dokpa
