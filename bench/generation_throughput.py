"""Greedy generation throughput: dokpa's native runner (continuous batching) vs transformers
`generate`, same machine, same prompts, one script.

Writes a generation workload (N chat-formatted prompts of varied length, English and Korean,
written by this script), runs `dokpa run` on it, then generates for exactly the prompts dokpa
stored with transformers `generate` (greedy, same batch size, same max_new_tokens, same EOS ids,
left padding, prompts longest first as lm-evaluation-harness orders them). Each side runs in its
own child process; model loading is excluded from both timings. Prints generated tokens/s (EOS
not counted), the ratio, and how many outputs are identical.

    .venv/bin/python bench/generation_throughput.py --items 32 --batch-size 8 --max-new-tokens 64 --threads 2
"""
import argparse
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import tempfile

from dokpa_run import run_suite, stored_run, write_submission

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_MODEL = os.environ.get("DOKPA_MODEL", os.path.expanduser("~/.cache/dokpa/models/SmolLM2-135M-Instruct"))

QUESTIONS = [
    "Say hello.", "What is the capital of France?", "Write a short poem about the sea.",
    "List three fruits.", "Explain what a prime number is.", "Give me a one-word answer: is water wet?",
    "대한민국의 수도는 어디인가요?", "한국의 전통 음식을 하나 소개해 주세요.",
    "Translate 'good morning' into Spanish.", "What is 12 times 12?",
    "Describe a cat in two sentences.", "Why is the sky blue?",
]


def write_workload(folder, items, max_new_tokens):
    """A JSONL file of chat-formatted prompts (SmolLM2's template) with varied lengths; deterministic."""
    with open(folder / "gen.jsonl", "w", encoding="utf-8") as out:
        for i in range(items):
            q = QUESTIONS[i % len(QUESTIONS)]
            context = " Please keep it brief." * (i % 5)  # prompt lengths vary
            prompt = f"<|im_start|>user\n{q}{context} (request {i + 1})<|im_end|>\n<|im_start|>assistant\n"
            out.write(json.dumps({"prompt": prompt, "answer": ""}, ensure_ascii=False) + "\n")
    (folder / "gen.yaml").write_text(
        "name: bench_gen\nversion: 1\nseed: 1\ntasks:\n"
        "  - name: bench_gen\n    output: generate\n"
        "    dataset: {format: jsonl, path: gen.jsonl}\n"
        '    prompt: "{{prompt}}"\n    gold: {field: answer}\n'
        f"    generation: {{until: [], max_tokens: {max_new_tokens}}}\n",
        encoding="utf-8")


def run_dokpa(folder, args):
    submission = write_submission(folder / "submission.yaml", args.model, args.batch_size, args.threads)
    run_suite(args.dokpa, folder / "gen.yaml", submission, folder / "bench.db", "--chunk-items", max(args.items, 1))
    timings, rows = stored_run(folder / "bench.db", ["q.request", "r.response_text", "r.n_tokens", "r.finish_reason"])
    db = sqlite3.connect(folder / "bench.db")
    provenance = json.loads(db.execute("SELECT provenance FROM runs").fetchone()[0])
    db.close()
    return timings["execute_s"], [json.loads(r[0]) for r in rows], [(r[1], r[2], r[3]) for r in rows], provenance


TRANSFORMERS_CHILD = r'''
import json, sys, time, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
model_dir, prompts_file, batch_size, threads, max_new, eos = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                                                             int(sys.argv[4]), int(sys.argv[5]), json.loads(sys.argv[6]))
torch.set_num_threads(threads)
tok = AutoTokenizer.from_pretrained(model_dir)
tok.padding_side = "left"
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
prompts = json.load(open(prompts_file, encoding="utf-8"))
pad = tok.pad_token_id if tok.pad_token_id is not None else eos[0]
start = time.perf_counter()
encoded = [tok.encode(p, add_special_tokens=False) for p in prompts]
order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
out = [None] * len(encoded)
with torch.inference_mode():
    for b in range(0, len(order), batch_size):
        idx = order[b:b + batch_size]
        width = max(len(encoded[i]) for i in idx)
        ids = torch.tensor([[pad] * (width - len(encoded[i])) + encoded[i] for i in idx])
        mask = torch.tensor([[0] * (width - len(encoded[i])) + [1] * len(encoded[i]) for i in idx])
        gen = model.generate(ids, attention_mask=mask, max_new_tokens=max_new, do_sample=False,
                             eos_token_id=eos, pad_token_id=pad)[:, width:].tolist()
        for row, i in enumerate(idx):
            tokens, ended = [], False
            for t in gen[row]:
                if t in eos:
                    ended = True
                    break
                tokens.append(t)
            out[i] = {"text": tok.decode(tokens, skip_special_tokens=True), "n_tokens": len(tokens), "eos": ended}
elapsed = time.perf_counter() - start
json.dump({"seconds": elapsed, "results": out}, sys.stdout)
'''


def run_transformers(folder, prompts, eos, args):
    (folder / "prompts.json").write_text(json.dumps(prompts, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", TRANSFORMERS_CHILD, args.model, str(folder / "prompts.json"),
                             str(args.batch_size), str(args.threads), str(args.max_new_tokens), json.dumps(eos)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--dokpa", default=str(ROOT / "build" / "dokpa"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        write_workload(folder, args.items, args.max_new_tokens)
        dokpa_seconds, requests, dokpa_out, provenance = run_dokpa(folder, args)
        settings = provenance.get("runner", {}).get("settings", {}) if isinstance(provenance, dict) else {}
        eos = [int(x) for x in str(settings.get("eos_token_ids", "")).split(",") if x] or [2]
        reference = run_transformers(folder, [r["prompt"] for r in requests], eos, args)
    ref = reference["results"]
    dokpa_tokens = sum(n for _, n, _ in dokpa_out)
    ref_tokens = sum(r["n_tokens"] for r in ref)
    same_text = sum(d[0] == r["text"] for d, r in zip(dokpa_out, ref))
    same_tokens = sum(d[1] == r["n_tokens"] for d, r in zip(dokpa_out, ref))
    print(f"workload: {args.items} prompts, max_new_tokens {args.max_new_tokens}, batch {args.batch_size}, "
          f"{args.threads} threads, model {pathlib.Path(args.model).name}, fp32 CPU, EOS ids {eos}")
    print(f"dokpa        {dokpa_tokens / dokpa_seconds:8.1f} tokens/s  ({dokpa_tokens} tokens, {dokpa_seconds:.2f} s)")
    print(f"transformers {ref_tokens / reference['seconds']:8.1f} tokens/s  ({ref_tokens} tokens, "
          f"{reference['seconds']:.2f} s)")
    print(f"ratio dokpa / transformers: {(dokpa_tokens / dokpa_seconds) / (ref_tokens / reference['seconds']):.2f}x "
          f"tokens/s; identical outputs {same_text}/{len(ref)} (token counts equal {same_tokens}/{len(ref)})")
    for i, (d, r) in enumerate(zip(dokpa_out, ref)):
        if d[0] != r["text"]:
            print(f"  differs #{i}: dokpa {d[0][:60]!r} ({d[1]} tok, {d[2]}) | transformers {r['text'][:60]!r} "
                  f"({r['n_tokens']} tok)")


if __name__ == "__main__":
    main()
