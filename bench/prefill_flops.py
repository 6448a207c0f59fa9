"""Prefill FLOP/s of dokpa's native runner against the fp32 matmul rate libtorch reaches on the
same machine, measured in the same script.

Workload: N two-choice items whose contexts are about --context-tokens long and whose
continuations are one token (" A" / " B"), scored by `dokpa run`. dokpa encodes each context
once and reads the one-token continuations off its last hidden state, so the run is almost
entirely the prompt (prefill) pass. Time: the store's execute_s (tokenization, the forward
passes, the LM head at the scored positions, storing results); model loading excluded.

FLOPs counted (useful work, padding not counted; multiply-add = 2 FLOPs):
    sum over contexts of T tokens:  2 * P_lin * T  +  4 * L * H * D * T^2
    plus the LM head at scored positions:  2 * V * C * (number of requests)
where P_lin = the decoder's linear weights (q, k, v, o, gate, up, down in every layer; not the
embedding), L layers, H query heads of size D. The attention term counts QK^T and AV over the full
T x T square, which is what a dense masked attention computes (causal-useful work is half).

Reference: the best rate of torch.mm on 2048 x 2048 fp32 matrices (same libtorch, same threads),
plus a model-shaped matmul (the MLP up-projection at 2048 tokens) for context.

    .venv/bin/python bench/prefill_flops.py --items 16 --context-tokens 512 --batch-size 8 --threads 2
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from dokpa_run import run_suite, stored_run, write_submission  # noqa: E402
from mc_throughput import DEFAULT_MODEL, ROOT  # noqa: E402

SENTENCE = "The history of science is the study of how people came to understand the natural world. "

MATMUL_CHILD = r'''
import json, sys, time, torch
threads, c, i = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
def rate(m, k, n, repeats):
    a, b = torch.randn(m, k), torch.randn(k, n)
    torch.mm(a, b)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter(); torch.mm(a, b); best = min(best, time.perf_counter() - start)
    return 2.0 * m * k * n / best
json.dump({"square": rate(2048, 2048, 2048, 5), "model_shaped": rate(2048, c, i, 5)}, sys.stdout)
'''


def write_workload(folder, items, context_tokens, tokenizer):
    lines = []
    for i in range(items):
        text = f"Passage {i + 1}. "
        while len(tokenizer.encode(text + SENTENCE, add_special_tokens=False)) < context_tokens:
            text += SENTENCE
        lines.append(json.dumps({"question": text + "Is this passage about science?", "label": i % 2}))
    (folder / "prefill.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "prefill.yaml").write_text(
        "name: bench_prefill\nversion: 1\nseed: 1\ntasks:\n"
        "  - name: bench_prefill\n    output: multiple_choice\n"
        "    dataset: {format: jsonl, path: prefill.jsonl}\n"
        '    prompt: "{{question}}\\nAnswer:"\n    choices: [A, B]\n    gold: {field: label}\n',
        encoding="utf-8")
    contexts = [json.loads(line)["question"] + "\nAnswer:" for line in lines]
    return [len(tokenizer.encode(c, add_special_tokens=False)) for c in contexts]


def model_flops(config, context_lengths, n_requests):
    c, i, L = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    h, hkv = config["num_attention_heads"], config.get("num_key_value_heads", config["num_attention_heads"])
    d = config.get("head_dim") or c // h
    p_lin = L * (c * h * d + 2 * c * hkv * d + h * d * c + 3 * c * i)
    flops = sum(2 * p_lin * t + 4 * L * h * d * t * t for t in context_lengths)
    return flops + 2 * config["vocab_size"] * c * n_requests, p_lin


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=16)
    parser.add_argument("--context-tokens", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--dokpa", default=str(ROOT / "build" / "dokpa"))
    args = parser.parse_args()
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    config = json.load(open(pathlib.Path(args.model) / "config.json", encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        lengths = write_workload(folder, args.items, args.context_tokens, tokenizer)
        submission = write_submission(folder / "submission.yaml", args.model, args.batch_size, args.threads)
        run_suite(args.dokpa, folder / "prefill.yaml", submission, folder / "bench.db", "--chunk-items", args.items)
        timings, rows = stored_run(folder / "bench.db", ["r.item_id"])
        seconds, n_requests = timings["execute_s"], len(rows)
    flops, p_lin = model_flops(config, lengths, n_requests)
    matmul = json.loads(subprocess.run([sys.executable, "-c", MATMUL_CHILD, str(args.threads),
                                        str(config["hidden_size"]), str(config["intermediate_size"])],
                                       check=True, capture_output=True, text=True).stdout)
    rate = flops / seconds
    print(f"workload: {args.items} contexts of {min(lengths)}-{max(lengths)} tokens ({sum(lengths)} in all), "
          f"{n_requests} one-token continuations, batch {args.batch_size}, {args.threads} threads, "
          f"model {pathlib.Path(args.model).name} (P_lin {p_lin / 1e6:.1f}M), fp32 CPU")
    print(f"dokpa prefill        {rate / 1e9:8.2f} GFLOP/s  ({flops / 1e9:.1f} GFLOP in {seconds:.2f} s, "
          f"{sum(lengths) / seconds:.0f} tokens/s)")
    print(f"torch.mm 2048^3      {matmul['square'] / 1e9:8.2f} GFLOP/s")
    print(f"torch.mm 2048x{config['hidden_size']}x{config['intermediate_size']} {matmul['model_shaped'] / 1e9:8.2f} GFLOP/s")
    print(f"ratio prefill / torch.mm 2048^3: {rate / matmul['square']:.1%}; "
          f"/ model-shaped mm: {rate / matmul['model_shaped']:.1%}")


if __name__ == "__main__":
    main()
