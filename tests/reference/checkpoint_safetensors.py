"""Writes safetensors files with the real `safetensors` / `transformers` libraries, plus what a
correct reader must find in them, for tests/runners/native/checkpoint.

--out DIR gets:
  single/model.safetensors   every dtype, a scalar, empty tensors, __metadata__
  single/expected.json       {"metadata": {...}, "tensors": {name: {dtype, shape, hex}}}
  sharded/                   a tiny LlamaForCausalLM saved by save_pretrained in several shards
  sharded_expected.json      {"shards": [...], "parameter_count": n, "tensors": {name: {dtype, shape, sha256, shard}}}
"""
import argparse
import hashlib
import json
import os

import torch
from safetensors.torch import save_file

DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.float8_e4m3fn: "F8_E4M3", torch.float8_e5m2: "F8_E5M2", torch.int64: "I64",
    torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def raw_bytes(t):
    return t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def write_single(out):
    g = torch.Generator().manual_seed(1234)
    base = torch.randn(3, 5, generator=g)
    tensors = {
        "f64": base.double(),
        "f32": base,
        "f16": base.half(),
        "bf16": (base * 100).bfloat16(),
        "f8_e4m3": base.to(torch.float8_e4m3fn),
        "f8_e5m2": base.to(torch.float8_e5m2),
        "i64": torch.arange(-6, 6, dtype=torch.int64).reshape(2, 2, 3) * (1 << 40),
        "i32": torch.arange(-5, 5, dtype=torch.int32) * 70000,
        "i16": torch.arange(-4, 4, dtype=torch.int16) * 1000,
        "i8": torch.arange(-128, 128, 16, dtype=torch.int8),
        "u8": torch.arange(0, 256, 17, dtype=torch.uint8),
        "bool": torch.tensor([True, False, True, True]),
        "scalar": torch.tensor(3.25),
        "empty": torch.zeros(0, 3),
        "empty_bf16": torch.zeros(4, 0, dtype=torch.bfloat16),
        "model.layers.0.weight": torch.randn(7, 2, generator=g),
    }
    metadata = {"format": "pt", "note": "dokpa reference ünïcode"}
    os.makedirs(os.path.join(out, "single"), exist_ok=True)
    save_file(tensors, os.path.join(out, "single", "model.safetensors"), metadata=metadata)
    expected = {
        "metadata": metadata,
        "tensors": {
            name: {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "hex": raw_bytes(t).hex()}
            for name, t in tensors.items()
        },
    }
    with open(os.path.join(out, "single", "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def write_sharded(out):
    from safetensors import safe_open
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                         tie_word_embeddings=False)
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    folder = os.path.join(out, "sharded")
    model.save_pretrained(folder, max_shard_size="8KB", safe_serialization=True)
    with open(os.path.join(folder, "model.safetensors.index.json")) as f:
        weight_map = json.load(f)["weight_map"]
    tensors = {}
    for shard in sorted(set(weight_map.values())):
        with safe_open(os.path.join(folder, shard), framework="pt") as f:
            for name in f.keys():
                t = f.get_tensor(name)
                tensors[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                                 "sha256": hashlib.sha256(raw_bytes(t)).hexdigest(), "shard": shard}
    expected = {"shards": sorted(set(weight_map.values())), "tensors": tensors,
                "parameter_count": sum(p.numel() for p in model.state_dict().values())}
    with open(os.path.join(out, "sharded_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    write_single(args.out)
    write_sharded(args.out)
