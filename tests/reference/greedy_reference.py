"""Greedy generations from transformers, the reference for dokpa's `generate`.

Input: a JSON file [{"prompt": str, "max_tokens": int}, ...]. Output: a JSON file
[{"text": str, "n_tokens": int, "ended_with_eos": bool}]: the new tokens decoded with special
tokens skipped, prompt encoded without special tokens (as lm-evaluation-harness does for causal
models), fp32, do_sample=False, stopping at the config's EOS.
"""
import argparse
import json

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


@torch.no_grad()
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    eos = model.config.eos_token_id
    eos = set(eos if isinstance(eos, list) else [eos])
    results = []
    for request in json.load(open(args.requests, encoding="utf-8")):
        ids = torch.tensor([tokenizer.encode(request["prompt"], add_special_tokens=False)])
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=request["max_tokens"],
                             do_sample=False, pad_token_id=tokenizer.pad_token_id or 0)[0][ids.shape[1]:].tolist()
        ended = bool(out) and out[-1] in eos
        if ended:
            out = out[:-1]
        results.append({"text": tokenizer.decode(out, skip_special_tokens=True), "n_tokens": len(out),
                        "ended_with_eos": ended})
    json.dump(results, open(args.out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
