"""Log-likelihoods computed with transformers the way lm-evaluation-harness's HF backend does.

Input: a JSON file [{"context": str, "continuation": str}, ...]. Output: a JSON file
[{"logprob": float, "is_greedy": bool, "n_tokens": int, "context_ids": [...], "continuation_ids": [...]}].
Follows lm_eval/models/huggingface.py: `_encode_pair` (trailing context whitespace moves to the
continuation; the pair is encoded whole; the continuation is what follows the context's own
encoding; no special tokens for causal models), an empty context becomes the prefix token (BOS,
else EOS), and `(context + continuation)[-(max_length + 1):][:-1]` is the model input. Each
request runs alone and unpadded, in fp32 on the CPU unless --dtype/--device say otherwise.
"""
import argparse
import json

import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM, AutoTokenizer


def encode_pair(tokenizer, context, continuation):
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces > 0:
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    whole = tokenizer.encode(context + continuation, add_special_tokens=False)
    context_ids = tokenizer.encode(context, add_special_tokens=False)
    return context_ids, whole[len(context_ids):]


@torch.no_grad()
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--max-length", type=int, default=0)
    parser.add_argument("--device", default="cpu", help="torch device (bench/gpu runs it on cuda)")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    args = parser.parse_args()
    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=getattr(torch, args.dtype)).to(args.device).eval()
    max_length = args.max_length or model.config.max_position_embeddings
    prefix_token = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    results = []
    for request in json.load(open(args.requests, encoding="utf-8")):
        context, continuation = request["context"], request["continuation"]
        if context == "":
            context_ids, continuation_ids = [prefix_token], tokenizer.encode(continuation, add_special_tokens=False)
        else:
            context_ids, continuation_ids = encode_pair(tokenizer, context, continuation)
        inp = (context_ids + continuation_ids)[-(max_length + 1):][:-1]
        logits = model(torch.tensor([inp], device=args.device)).logits[0]
        log_probs = F.log_softmax(logits.float(), dim=-1)[-len(continuation_ids):]
        target = torch.tensor(continuation_ids, device=args.device)
        picked = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
        results.append({
            "logprob": float(picked.double().sum()),
            "is_greedy": bool((log_probs.argmax(-1) == target).all()),
            "n_tokens": len(continuation_ids),
            "context_ids": context_ids,
            "continuation_ids": continuation_ids,
        })
    json.dump(results, open(args.out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
