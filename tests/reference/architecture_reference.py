"""Reference logits and greedy generations from transformers for the decoder families beyond llama.

For each variant below, OUT/<variant>/ gets a tiny random-weight Hugging Face checkpoint (created
here with transformers, saved with safe_serialization) and reference.safetensors holding:
  ids_<j>        int64 (T,)   an input sequence
  logits_<j>     fp32 (T, V)  transformers' logits for it, run alone and unpadded
  gen_prompt_<j> int64 (P,)   a prompt
  gen_tokens_<j> int64 (32,)  model.generate(do_sample=False) continuation, 32 tokens (no EOS)
Norm weights and biases are randomised too (transformers initialises them to ones and zeros, which
would hide a swapped or missing norm).
"""
import argparse
import pathlib

import torch
from safetensors.torch import save_file
from transformers import (Exaone4Config, Exaone4ForCausalLM, MistralConfig, MistralForCausalLM, MixtralConfig,
                          MixtralForCausalLM, Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM,
                          Qwen3MoeConfig, Qwen3MoeForCausalLM)

VOCAB = 320
GENERATED = 32
SMALL = dict(vocab_size=VOCAB, hidden_size=64, num_attention_heads=4, num_key_value_heads=2, initializer_range=0.2,
             rms_norm_eps=1e-5, max_position_embeddings=1024)

VARIANTS = {
    # q/k/v biases, no o bias, tied embeddings
    "qwen2": (Qwen2Config, Qwen2ForCausalLM,
              dict(intermediate_size=128, num_hidden_layers=2, tie_word_embeddings=True)),
    # use_sliding_window: layers from max_window_layers on attend within 8 positions
    "qwen2_sliding": (Qwen2Config, Qwen2ForCausalLM,
                      dict(intermediate_size=96, num_hidden_layers=3, use_sliding_window=True, sliding_window=8,
                           max_window_layers=1, tie_word_embeddings=False)),
    # q/k norms, head_dim (32) independent of hidden_size / heads (16), attention_bias on q/k/v/o
    "qwen3": (Qwen3Config, Qwen3ForCausalLM,
              dict(intermediate_size=128, num_hidden_layers=2, head_dim=32, attention_bias=True,
                   tie_word_embeddings=False)),
    # every layer a sliding window of 8; sequences run past it; one key/value head
    "mistral_sliding": (MistralConfig, MistralForCausalLM,
                        dict(intermediate_size=128, num_hidden_layers=2, num_key_value_heads=1, sliding_window=8,
                             tie_word_embeddings=False)),
    # post-block norms, q/k norms, hybrid layers (sliding, global, sliding, global); global layers have no RoPE
    "exaone4_hybrid": (Exaone4Config, Exaone4ForCausalLM,
                       dict(intermediate_size=128, num_hidden_layers=4, sliding_window=8, sliding_window_pattern=2,
                            tie_word_embeddings=False)),
    # yarn RoPE (factor 4 over an original context of 256: frequencies 0..7 of 16 blend)
    "qwen3_yarn": (Qwen3Config, Qwen3ForCausalLM,
                   dict(intermediate_size=96, num_hidden_layers=2, head_dim=32, tie_word_embeddings=True,
                        rope_scaling=dict(rope_type="yarn", factor=4.0, original_max_position_embeddings=256))),
    # mixture of experts: 8 experts, top-2 not renormalised; layer 1 dense (mlp_only_layers)
    "qwen3_moe": (Qwen3MoeConfig, Qwen3MoeForCausalLM,
                  dict(intermediate_size=96, num_hidden_layers=3, head_dim=16, num_experts=8, num_experts_per_tok=2,
                       norm_topk_prob=False, moe_intermediate_size=32, decoder_sparse_step=1, mlp_only_layers=[1],
                       tie_word_embeddings=False)),
    # mixture of experts: 4 experts, top-2 renormalised, w1/w3/w2 names; no sliding window
    "mixtral": (MixtralConfig, MixtralForCausalLM,
                dict(intermediate_size=48, num_hidden_layers=2, num_local_experts=4, num_experts_per_tok=2,
                     sliding_window=None, tie_word_embeddings=False)),
}


def sequences(seed, lengths):
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, VOCAB, (n,), generator=g) for n in lengths]


@torch.no_grad()
def randomise_norms_and_biases(model):
    for name, p in model.named_parameters():
        if "norm" in name:
            p.normal_(1.0, 0.3)
        elif name.endswith(".bias"):
            p.normal_(0.0, 0.2)


@torch.no_grad()
def write_reference(model, seed, path):
    tensors = {}
    for j, ids in enumerate(sequences(100 + seed, [7, 40, 1, 23])):
        tensors[f"ids_{j}"] = ids.to(torch.int64).contiguous()
        tensors[f"logits_{j}"] = model(ids.unsqueeze(0)).logits[0].float().contiguous()
    for j, prompt in enumerate(sequences(200 + seed, [5, 19])):
        out = model.generate(prompt.unsqueeze(0), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                             max_new_tokens=GENERATED, min_new_tokens=GENERATED, do_sample=False)
        generated = out[0, len(prompt):]
        assert len(generated) == GENERATED, (path, len(generated))
        tensors[f"gen_prompt_{j}"] = prompt.to(torch.int64).contiguous()
        tensors[f"gen_tokens_{j}"] = generated.to(torch.int64).contiguous()
    save_file(tensors, str(path))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    torch.set_num_threads(1)
    for seed, (name, (config_class, model_class, overrides)) in enumerate(VARIANTS.items()):
        torch.manual_seed(seed)
        config = config_class(**dict(SMALL, **overrides), bos_token_id=None, eos_token_id=None, pad_token_id=0)
        config._attn_implementation = "eager"
        model = model_class(config).eval()
        randomise_norms_and_biases(model)
        model.generation_config.eos_token_id = None  # generate all 32 tokens
        model.generation_config.pad_token_id = 0
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(folder, safe_serialization=True)
        write_reference(model, seed, folder / "reference.safetensors")
    (out / "complete").write_text("\n".join(VARIANTS) + "\n")
    print("architecture references written to", out)


if __name__ == "__main__":
    main()
