"""Reference logits from transformers for the native decoder's parity tests.

Writes, under OUT/<variant>/, a Hugging Face checkpoint (tiny random llama configs created here)
and reference.safetensors holding input ids `ids_<j>` (int64, (T,)) and transformers' fp32 logits
`logits_<j>` ((T, V)). The `smollm2` variant uses the converted default model in place (only
reference.safetensors is written). Each sequence is run alone, unpadded: the reference.
"""
import argparse
import json
import os
import pathlib

import torch
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

TINY_VARIANTS = {
    # grouped-query attention (4 query heads share 2 key/value heads), tied embeddings
    "gqa_tied": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=2, tie_word_embeddings=True),
    # llama3 rope scaling, untied LM head, one key/value head (multi-query)
    "llama3_rope_untied": dict(hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
                               num_key_value_heads=1, tie_word_embeddings=False, rope_theta=500000.0,
                               max_position_embeddings=256,
                               rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                                 high_freq_factor=4.0, original_max_position_embeddings=16)),
    # head_dim (32) != hidden_size / num_attention_heads (16); attention and MLP biases
    "head_dim_bias": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=3, num_attention_heads=4,
                          num_key_value_heads=2, head_dim=32, attention_bias=True, mlp_bias=True,
                          tie_word_embeddings=False),
    # linear rope scaling, written in the newer `rope_parameters` config form
    "linear_rope_parameters": dict(hidden_size=48, intermediate_size=80, num_hidden_layers=2, num_attention_heads=6,
                                   num_key_value_heads=3, tie_word_embeddings=True, rope_theta=10000.0,
                                   rope_scaling=dict(rope_type="linear", factor=2.0)),
}
VOCAB = 320


def sequences(vocab, seed, lengths):
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, vocab, (n,), generator=g) for n in lengths]


@torch.no_grad()
def write_reference(model, ids_list, path):
    tensors = {}
    for j, ids in enumerate(ids_list):
        logits = model(ids.unsqueeze(0)).logits[0].float()
        tensors[f"ids_{j}"] = ids.to(torch.int64).contiguous()
        tensors[f"logits_{j}"] = logits.contiguous()
    save_file(tensors, str(path))


def to_rope_parameters_form(config_path):
    """Rewrites rope_theta + rope_scaling as the newer rope_parameters block."""
    config = json.loads(config_path.read_text())
    params = dict(config.pop("rope_scaling") or {"rope_type": "default"})
    params["rope_theta"] = config.pop("rope_theta")
    config["rope_parameters"] = params
    config_path.write_text(json.dumps(config, indent=2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--smollm2", default=os.environ.get("DOKPA_MODEL", os.path.expanduser("~/.cache/dokpa/models/SmolLM2-135M-Instruct")))
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    torch.set_num_threads(2)
    for seed, (name, overrides) in enumerate(TINY_VARIANTS.items()):
        torch.manual_seed(seed)
        config = LlamaConfig(vocab_size=VOCAB, initializer_range=0.2, rms_norm_eps=1e-5, **overrides)
        config._attn_implementation = "eager"
        model = LlamaForCausalLM(config).eval()
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(folder, safe_serialization=True)
        if name == "linear_rope_parameters":
            to_rope_parameters_form(folder / "config.json")
        write_reference(model, sequences(VOCAB, 100 + seed, [7, 40, 1, 23]), folder / "reference.safetensors")

    model = LlamaForCausalLM.from_pretrained(args.smollm2, dtype=torch.float32, attn_implementation="eager").eval()
    folder = out / "smollm2"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "checkpoint.txt").write_text(str(pathlib.Path(args.smollm2).resolve()))
    write_reference(model, sequences(model.config.vocab_size, 7, [24, 9, 61]), folder / "reference.safetensors")
    print("reference logits written to", out)


if __name__ == "__main__":
    main()
