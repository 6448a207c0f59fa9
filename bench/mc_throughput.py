"""Multiple-choice scoring throughput: dokpa's native runner vs transformers, same machine, one script.

Writes a KMMLU-layout workload (N items, 4 choices, Korean questions written by this script), runs
`dokpa run` on it (0-shot), then scores exactly the requests dokpa stored with transformers the
way lm-evaluation-harness's HF backend does (each choice a full forward over context+continuation,
longest first, batches of --batch-size, right padding). Each side runs in its own child process so
peak RSS is its own. Prints items/s, tokens/s, their ratio, and peak RSS.

    .venv/bin/python bench/mc_throughput.py --items 64 --batch-size 8 --threads 2
"""
import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile

from dokpa_run import run_suite, stored_run, write_submission

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_MODEL = os.environ.get("DOKPA_MODEL", os.path.expanduser("~/.cache/dokpa/models/SmolLM2-135M-Instruct"))

SUBJECTS = ["역사", "과학", "지리", "경제", "문학", "수학", "음악", "법률"]


def write_workload(folder, items):
    """A KMMLU-layout CSV with varied lengths; deterministic."""
    lines = ["question,answer,A,B,C,D,Category,Human Accuracy"]
    for i in range(items):
        subject = SUBJECTS[i % len(SUBJECTS)]
        detail = " 그리고 그 이유를 설명하는 보기로 가장 알맞은 것은?" * (1 + i % 4)
        question = f"{subject} 문제 {i + 1}: 다음 중 {subject}에 관한 설명으로 옳은 것은?{detail}"
        options = [f"{subject}의 {k}번째 설명 {'가나다라'[k]} {i * 7 % 13}" for k in range(4)]
        lines.append(",".join([f'"{question}"', str(1 + i % 4)] + [f'"{o}"' for o in options] + [subject, "0.5"]))
    (folder / "bench.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "bench.yaml").write_text(
        "name: bench_mc\nversion: 1\nseed: 1\ntasks:\n"
        "  - name: bench_mc\n    output: multiple_choice\n"
        "    dataset: {format: csv, path: bench.csv}\n"
        '    prompt: "{{question|trim}}\\nA. {{A}}\\nB. {{B}}\\nC. {{C}}\\nD. {{D}}\\n정답："\n'
        "    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n    metrics: [acc]\n",
        encoding="utf-8")


def child_peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def run_dokpa(folder, args):
    submission = write_submission(folder / "submission.yaml", args.model, args.batch_size, args.threads)
    run_suite(ROOT / "build" / "dokpa", folder / "bench.yaml", submission, folder / "bench.db", "--chunk-items", 64)
    timings, rows = stored_run(folder / "bench.db", ["q.request", "r.logprob"])
    return timings["execute_s"], [json.loads(r[0]) for r in rows], [r[1] for r in rows]


TRANSFORMERS_CHILD = r'''
import json, sys, time, torch, torch.nn.functional as F
from transformers import AutoModelForCausalLM, AutoTokenizer
model_dir, requests_file, batch_size, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
tok = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
reqs = json.load(open(requests_file, encoding="utf-8"))
def encode_pair(context, continuation):
    n = len(context) - len(context.rstrip())
    if n:
        continuation, context = context[-n:] + continuation, context[:-n]
    whole = tok.encode(context + continuation, add_special_tokens=False)
    ctx = tok.encode(context, add_special_tokens=False)
    return ctx, whole[len(ctx):]
start = time.perf_counter()
encoded = [encode_pair(r["context"], r["continuation"]) for r in reqs]
order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i][0] + encoded[i][1]))
out, tokens = [0.0] * len(encoded), 0
with torch.inference_mode():
    for b in range(0, len(order), batch_size):
        idx = order[b:b + batch_size]
        seqs = [(encoded[i][0] + encoded[i][1])[:-1] for i in idx]
        width = max(len(s) for s in seqs)
        batch = torch.tensor([s + [0] * (width - len(s)) for s in seqs])
        tokens += sum(len(s) for s in seqs)
        logp = F.log_softmax(model(batch).logits.float(), dim=-1)
        for row, i in enumerate(idx):
            cont, n = encoded[i][1], len(seqs[row])
            picked = logp[row, n - len(cont):n].gather(1, torch.tensor(cont).unsqueeze(1))
            out[i] = float(picked.sum())
elapsed = time.perf_counter() - start
json.dump({"seconds": elapsed, "tokens": tokens, "logprobs": out}, sys.stdout)
'''


def run_transformers(folder, requests, args):
    (folder / "requests.json").write_text(json.dumps(requests, ensure_ascii=False), encoding="utf-8")
    before = child_peak_rss_mib()
    result = subprocess.run([sys.executable, "-c", TRANSFORMERS_CHILD, args.model, str(folder / "requests.json"),
                             str(args.batch_size), str(args.threads)], check=True, capture_output=True, text=True)
    return json.loads(result.stdout), max(before, child_peak_rss_mib())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        write_workload(folder, args.items)
        dokpa_seconds, requests, dokpa_logprobs = run_dokpa(folder, args)
        dokpa_rss = child_peak_rss_mib()  # only dokpa has run as a child so far
        reference, transformers_rss = run_transformers(folder, requests, args)
    tokens = reference["tokens"]  # model input tokens of the lm-eval-style forward passes
    worst = max(abs(a - b) for a, b in zip(dokpa_logprobs, reference["logprobs"]))
    items = args.items
    print(f"workload: {items} items x 4 choices, {tokens} input tokens (lm-eval style), batch {args.batch_size}, "
          f"{args.threads} threads, model {pathlib.Path(args.model).name}, fp32 CPU")
    print(f"dokpa        {items / dokpa_seconds:8.2f} items/s {tokens / dokpa_seconds:9.1f} tokens/s  "
          f"peak RSS {dokpa_rss:7.1f} MiB  ({dokpa_seconds:.2f} s)")
    print(f"transformers {items / reference['seconds']:8.2f} items/s {tokens / reference['seconds']:9.1f} tokens/s  "
          f"peak RSS {transformers_rss:7.1f} MiB  ({reference['seconds']:.2f} s)")
    print(f"ratio dokpa / transformers: {reference['seconds'] / dokpa_seconds:.2f}x throughput, "
          f"{dokpa_rss / transformers_rss:.2f}x peak RSS; largest |Δ logprob| {worst:.2e}")


if __name__ == "__main__":
    main()
