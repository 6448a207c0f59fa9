"""Reference outputs of transformers' MoE feed-forward blocks for the native moe_feed_forward tests.

Writes OUT/moe_blocks.safetensors. For each case `<case>` (see CASES) it holds:
  <case>.config               int64 (4,): top_k, renormalize (0/1), bf16 (0/1), number of experts
  <case>.router               (E, C)
  <case>.expert<e>.gate_proj  (I, C); .up_proj (I, C); .down_proj (C, I)
  <case>.x                    (N, C) input tokens
  <case>.y                    (N, C) the block's output
Everything is stored as float32; bf16 cases hold bf16 values (widening is exact), so the test
narrows them back to bf16 without loss. Weights come from a seeded generator, not from the
modules' own initialisation, so the fixture does not depend on transformers' init code.
"""
import argparse
import pathlib

import torch
from safetensors.torch import save_file
from transformers.models.mixtral.configuration_mixtral import MixtralConfig
from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock
from transformers.models.qwen3_moe.configuration_qwen3_moe import Qwen3MoeConfig
from transformers.models.qwen3_moe.modeling_qwen3_moe import Qwen3MoeSparseMoeBlock

HIDDEN = 64
INTERMEDIATE = 96
BATCH, SEQUENCE = 3, 17  # N = 51 tokens: some experts get fewer than 4, others many

# name -> (family, experts, top_k, norm_topk_prob)
BLOCKS = {
    "qwen3_top2_norm": ("qwen3_moe", 8, 2, True),
    "qwen3_top2_nonorm": ("qwen3_moe", 8, 2, False),
    "qwen3_top1": ("qwen3_moe", 8, 1, False),
    "mixtral_top2": ("mixtral", 4, 2, True),  # mixtral always renormalises
}
CASES = [(name, dtype) for dtype in (torch.float32, torch.bfloat16) for name in BLOCKS]


def build_block(family, experts, top_k, norm):
    if family == "qwen3_moe":
        config = Qwen3MoeConfig(hidden_size=HIDDEN, moe_intermediate_size=INTERMEDIATE, num_experts=experts,
                                num_experts_per_tok=top_k, norm_topk_prob=norm, hidden_act="silu")
        return Qwen3MoeSparseMoeBlock(config)
    config = MixtralConfig(hidden_size=HIDDEN, intermediate_size=INTERMEDIATE, num_local_experts=experts,
                           num_experts_per_tok=top_k, hidden_act="silu")
    return MixtralSparseMoeBlock(config)


def expert_projections(family, expert):
    """(gate_proj, up_proj, down_proj) weights of one expert; mixtral names them w1, w3, w2."""
    if family == "qwen3_moe":
        return expert.gate_proj.weight, expert.up_proj.weight, expert.down_proj.weight
    return expert.w1.weight, expert.w3.weight, expert.w2.weight


@torch.no_grad()
def write_case(tensors, case, dtype, seed):
    family, experts, top_k, norm = BLOCKS[case]
    block = build_block(family, experts, top_k, norm).eval()
    g = torch.Generator().manual_seed(seed)
    for p in block.parameters():  # scale 1/sqrt(fan_in): unit-sized activations and router logits
        p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)
    block = block.to(dtype)
    x = torch.randn(BATCH, SEQUENCE, HIDDEN, generator=g).to(dtype)
    y, _ = block(x)

    prefix = f"{case}_bf16" if dtype == torch.bfloat16 else case
    stored = {
        "config": torch.tensor([top_k, int(norm), int(dtype == torch.bfloat16), experts], dtype=torch.int64),
        "router": block.gate.weight,
        "x": x.reshape(-1, HIDDEN),
        "y": y.reshape(-1, HIDDEN),
    }
    for e, expert in enumerate(block.experts):
        for name, w in zip(("gate_proj", "up_proj", "down_proj"), expert_projections(family, expert)):
            stored[f"expert{e}.{name}"] = w
    for name, t in stored.items():
        tensors[f"{prefix}.{name}"] = (t if t.dtype == torch.int64 else t.float()).contiguous()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    tensors = {}
    for seed, (case, dtype) in enumerate(CASES):
        write_case(tensors, case, dtype, 1000 + seed)
    save_file(tensors, str(out / "moe_blocks.safetensors"))


if __name__ == "__main__":
    main()
