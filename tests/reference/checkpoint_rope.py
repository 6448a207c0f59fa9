"""RoPE inverse frequencies from transformers' ROPE_INIT_FUNCTIONS, for
tests/runners/native/checkpoint/test_rope_frequencies.cpp.

For each case, --out DIR gets <case>/legacy/config.json (rope_theta + rope_scaling, as
transformers 4.x writes it) and <case>/parameters/config.json (the same settings as
transformers 5's rope_parameters), and rope_expected.json holds, per case:
  inv_freq_f32       what transformers computes (float32, as in the model)
  inv_freq_f64       the same transformers functions run in float64 (torch.float patched)
  attention_scaling
"""
import argparse
import copy
import json
import os

import torch
from transformers import LlamaConfig, MistralConfig, Qwen2Config
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

BASE = {"vocab_size": 128, "intermediate_size": 64, "num_hidden_layers": 2, "rms_norm_eps": 1e-5,
        "max_position_embeddings": 4096}

CASES = {
    "default_llama": dict(model_type="llama", hidden_size=256, num_attention_heads=4, rope_theta=10000.0),
    "default_theta_1e6_qwen2": dict(model_type="qwen2", hidden_size=896, num_attention_heads=14,
                                    num_key_value_heads=2, rope_theta=1000000.0),
    "default_head_dim_mistral": dict(model_type="mistral", hidden_size=320, num_attention_heads=4, head_dim=96,
                                     rope_theta=123456.789),
    "default_partial_rotary": dict(model_type="llama", hidden_size=256, num_attention_heads=2,
                                   partial_rotary_factor=0.5, rope_theta=10000.0),
    "linear": dict(model_type="llama", hidden_size=512, num_attention_heads=4, rope_theta=10000.0,
                   rope_scaling={"rope_type": "linear", "factor": 4.0}),
    "linear_old_type_key": dict(model_type="llama", hidden_size=384, num_attention_heads=3, rope_theta=50000.0,
                                rope_scaling={"type": "linear", "factor": 2.5}),
    "llama3_1": dict(model_type="llama", hidden_size=4096, num_attention_heads=32, num_key_value_heads=8,
                     rope_theta=500000.0, max_position_embeddings=131072,
                     rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                   "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}),
    "llama3_odd": dict(model_type="llama", hidden_size=2048, num_attention_heads=32, rope_theta=250000.0,
                       max_position_embeddings=32768,
                       rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.5,
                                     "high_freq_factor": 5.0, "original_max_position_embeddings": 2048}),
    "yarn_qwen": dict(model_type="qwen2", hidden_size=1024, num_attention_heads=8, rope_theta=1000000.0,
                      max_position_embeddings=131072,
                      rope_scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}),
    "yarn_mscale_untruncated": dict(model_type="llama", hidden_size=512, num_attention_heads=4, rope_theta=10000.0,
                                    max_position_embeddings=8192,
                                    rope_scaling={"rope_type": "yarn", "factor": 4.0, "mscale": 0.707,
                                                  "mscale_all_dim": 1.0, "beta_fast": 16.0, "beta_slow": 2.0,
                                                  "truncate": False}),
    "yarn_attention_factor": dict(model_type="llama", hidden_size=384, num_attention_heads=6, rope_theta=50000.0,
                                  max_position_embeddings=4096,
                                  rope_scaling={"rope_type": "yarn", "factor": 2.0, "attention_factor": 1.25,
                                                "original_max_position_embeddings": 2048}),
}

CONFIG_CLASSES = {"llama": (LlamaConfig, "LlamaForCausalLM"), "mistral": (MistralConfig, "MistralForCausalLM"),
                  "qwen2": (Qwen2Config, "Qwen2ForCausalLM")}


def to_parameters_form(legacy):
    """transformers 5 layout: theta and every scaling field inside rope_parameters."""
    out = copy.deepcopy(legacy)
    scaling = out.pop("rope_scaling", None) or {"rope_type": "default"}
    params = {"rope_theta": out.pop("rope_theta")}
    params["rope_type"] = scaling.get("rope_type", scaling.get("type"))
    params.update({k: v for k, v in scaling.items() if k not in ("type", "rope_type")})
    if "partial_rotary_factor" in out:
        params["partial_rotary_factor"] = out.pop("partial_rotary_factor")
    out["rope_parameters"] = params
    return out


def inv_freq(config, dtype):
    rope_type = "default"
    scaling = getattr(config, "rope_scaling", None)  # MistralConfig has no such attribute
    if scaling:
        rope_type = scaling.get("rope_type", scaling.get("type"))
    saved = torch.float, torch.float32
    # the functions cast with dtype=torch.float (yarn's ramp: torch.float32); run them at this precision
    torch.float = torch.float32 = dtype
    try:
        values, scaling = ROPE_INIT_FUNCTIONS[rope_type](config, "cpu")
    finally:
        torch.float, torch.float32 = saved
    assert values.dtype == dtype
    return [float(v) for v in values.tolist()], float(scaling)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    expected = {}
    for name, case in CASES.items():
        legacy = dict(BASE, **case)
        config_class, architecture = CONFIG_CLASSES[legacy["model_type"]]
        legacy["architectures"] = [architecture]
        config = config_class(**{k: v for k, v in legacy.items() if k not in ("architectures", "model_type")})
        f32, scaling = inv_freq(config, torch.float32)
        f64, scaling64 = inv_freq(config, torch.float64)
        assert scaling == scaling64
        expected[name] = {"inv_freq_f32": f32, "inv_freq_f64": f64, "attention_scaling": scaling}
        for form, content in (("legacy", legacy), ("parameters", to_parameters_form(legacy))):
            os.makedirs(os.path.join(args.out, name, form), exist_ok=True)
            with open(os.path.join(args.out, name, form, "config.json"), "w") as f:
                json.dump(content, f, indent=1)
    with open(os.path.join(args.out, "rope_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
