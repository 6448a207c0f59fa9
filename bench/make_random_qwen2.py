"""Writes a ~0.5B-parameter qwen2-shaped checkpoint with random weights, for speed benches of a
larger model than SmolLM2-135M without downloading one.

Shape of Qwen2.5-0.5B (hidden 896, 24 layers, 14 heads, 2 KV heads, intermediate 4864, tied
embeddings, attention q/k/v bias) but SmolLM2's tokenizer (copied in, vocabulary 49152) so the
benches' prompts tokenize. Weights: transformers' own initialisation with a fixed seed, saved as
float32 safetensors. Its outputs are meaningless; only speed and batch invariance are measured.

    .venv/bin/python bench/make_random_qwen2.py   # -> ~/.cache/dokpa/models/random-qwen2-0.5b
"""
import argparse
import json
import os
import pathlib
import shutil

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

DEFAULT_TOKENIZER = os.path.expanduser("~/.cache/dokpa/models/SmolLM2-135M-Instruct")
DEFAULT_OUT = os.path.expanduser("~/.cache/dokpa/models/random-qwen2-0.5b")
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokenizer-from", default=DEFAULT_TOKENIZER)
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    source = pathlib.Path(args.tokenizer_from)
    vocab = json.load(open(source / "config.json", encoding="utf-8"))["vocab_size"]
    config = Qwen2Config(vocab_size=vocab, hidden_size=896, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2, intermediate_size=4864, max_position_embeddings=4096,
                         rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True, use_sliding_window=False,
                         bos_token_id=1, eos_token_id=2, pad_token_id=2)
    torch.manual_seed(args.seed)
    model = Qwen2ForCausalLM(config).eval()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    for name in TOKENIZER_FILES:
        if (source / name).exists():
            shutil.copy(source / name, out / name)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {out}: qwen2, {params / 1e6:.1f}M parameters, vocabulary {vocab}, seed {args.seed}")


if __name__ == "__main__":
    main()
