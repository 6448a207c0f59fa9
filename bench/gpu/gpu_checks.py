"""GPU checks of the native runner: bf16 parity with transformers on the GPU, and a throughput table.

Run by bench/gpu/run_gpu_checks.sh after it has built dokpa against the machine's torch; with
`--device cpu` and small sizes it is a dry run of this script on any machine.

1. Parity. Multiple-choice workloads (bench/mc_vs_lm_eval.py's `letters` and `endings`) scored by
   `dokpa run` (--dtype, --device) and by transformers the way lm-eval's HF backend scores
   (tests/reference/lm_eval_way_loglikelihood.py: each request alone, same dtype and device).
   Pass: max |Δ log-likelihood| / max |reference log-likelihood| <= 2e-2, and the same predicted
   choice (argmax over an item's choices) on >= 99% of items.
2. Throughput. Prefill: bench/prefill_flops.py's workload (long contexts, one-token continuations)
   -> tokens/s, model FLOP/s, MFU against the GPU's dense bf16 peak (by its name) and against
   torch.mm measured in this run. Decode: bench/generation_throughput.py's prompts, greedy, a large
   batch -> generated tokens/s, and the memory traffic a decode step needs (every weight once, plus
   the KV cache) as a share of the spec bandwidth and of a device copy measured in this run.

Writes OUT/gpu_checks.json and OUT/gpu_checks.md; exits 1 when parity fails.

    python3 bench/gpu/gpu_checks.py --dokpa build-gpu/dokpa --model MODEL_DIR --out OUT
    .venv/bin/python bench/gpu/gpu_checks.py --device cpu --items 4 --prefill-items 2 --prefill-tokens 64 \
        --decode-items 2 --decode-batch 2 --decode-tokens 4 --out /tmp/gpu-dry-run    # dry run
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

BENCH = pathlib.Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from dokpa_run import item_predictions, run_suite, stored_run, write_submission  # noqa: E402
from generation_throughput import write_workload as write_generation_workload  # noqa: E402
from mc_vs_lm_eval import write_endings, write_letters  # noqa: E402
from prefill_flops import model_flops, write_workload as write_prefill_workload  # noqa: E402

# Dense (no sparsity) bf16 tensor-core peak FLOP/s and memory bandwidth (bytes/s) from NVIDIA's data
# sheets, matched on the device name; a GPU not listed is compared with the measured rates only.
SPEC = [  # (name contains, bf16 FLOP/s, bytes/s)
    ("H200", 989.4e12, 4.8e12),
    ("H100 NVL", 835.0e12, 3.9e12),
    ("H100 PCIe", 756.0e12, 2.0e12),
    ("H100", 989.4e12, 3.35e12),  # SXM / HBM3
    ("A100-SXM4-80GB", 312.0e12, 2.039e12),
    ("A100", 312.0e12, 1.555e12),
]

MEASURE_CHILD = r'''
import json, sys, time, torch
device, dtype = sys.argv[1], getattr(torch, sys.argv[2])
def best(fn, repeats):
    fn()
    if device.startswith("cuda"): torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); fn()
        if device.startswith("cuda"): torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return min(times)
n = 8192 if device.startswith("cuda") else 1024
a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
flops = 2 * n ** 3 / best(lambda: torch.mm(a, b), 10)
size = (1 << 30) if device.startswith("cuda") else (1 << 26)
x, y = torch.empty(size, dtype=torch.uint8, device=device), torch.empty(size, dtype=torch.uint8, device=device)
bandwidth = 2 * size / best(lambda: y.copy_(x), 10)  # a copy reads and writes every byte
name = torch.cuda.get_device_name(device) if device.startswith("cuda") else "cpu"
json.dump({"matmul_flops": flops, "copy_bandwidth": bandwidth, "device_name": name, "torch": torch.__version__}, sys.stdout)
'''


def spec_for(name):
    for key, flops, bandwidth in SPEC:
        if key in name:
            return flops, bandwidth
    return None, None


def parity(args, folder):
    tasks = write_letters(folder, args.items) + write_endings(folder, args.items)
    (folder / "parity.yaml").write_text(f"name: gpu_parity\nversion: 1\nseed: 1\ntasks:\n{tasks}", encoding="utf-8")
    submission = write_submission(folder / "parity_sub.yaml", args.model, args.batch_size, 0, args.dtype, args.device)
    run_suite(args.dokpa, folder / "parity.yaml", submission, folder / "parity.db", "--chunk-items", args.items)
    _, rows = stored_run(folder / "parity.db", ["q.request", "r.logprob", "q.task || '/' || q.item_id"])
    requests = [json.loads(r[0]) for r in rows]
    (folder / "requests.json").write_text(json.dumps(requests, ensure_ascii=False), encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "tests/reference/lm_eval_way_loglikelihood.py"), "--model", args.model,
                    "--requests", str(folder / "requests.json"), "--out", str(folder / "reference.json"),
                    "--device", args.device, "--dtype", args.dtype], check=True)
    reference = [r["logprob"] for r in json.loads((folder / "reference.json").read_text(encoding="utf-8"))]
    ours, items = [r[1] for r in rows], [r[2] for r in rows]
    ours_pred, ref_pred = item_predictions(items, ours), item_predictions(items, reference)
    same = sum(a == b for a, b in zip(ours_pred, ref_pred))
    max_delta = max(abs(a - b) for a, b in zip(ours, reference))
    relative = max_delta / max(abs(r) for r in reference)
    share = same / len(ref_pred)
    return {"requests": len(rows), "items": len(ref_pred), "max_abs_delta": max_delta, "relative": relative,
            "same_prediction": same, "same_share": share, "passed": relative <= 2e-2 and share >= 0.99}


def prefill(args, folder, config, tokenizer):
    lengths = write_prefill_workload(folder, args.prefill_items, args.prefill_tokens, tokenizer)
    submission = write_submission(folder / "prefill_sub.yaml", args.model, args.prefill_batch, 0, args.dtype, args.device)
    run_suite(args.dokpa, folder / "prefill.yaml", submission, folder / "prefill.db", "--chunk-items", args.prefill_items)
    timings, rows = stored_run(folder / "prefill.db", ["r.item_id"])
    flops, p_lin = model_flops(config, lengths, len(rows))
    seconds = timings["execute_s"]
    return {"contexts": len(lengths), "tokens": sum(lengths), "seconds": seconds, "tokens_per_s": sum(lengths) / seconds,
            "flops_per_s": flops / seconds, "p_lin": p_lin, "batch": args.prefill_batch}


def parameter_bytes(model_dir, dtype):
    from safetensors import safe_open
    numel = 0
    for path in sorted(pathlib.Path(model_dir).glob("*.safetensors")):
        with safe_open(str(path), "np") as f:
            for name in f.keys():
                count = 1
                for dim in f.get_slice(name).get_shape():
                    count *= dim
                numel += count
    return numel * (4 if dtype == "float32" else 2)


def decode(args, folder, config, tokenizer):
    write_generation_workload(folder, args.decode_items, args.decode_tokens)
    submission = write_submission(folder / "decode_sub.yaml", args.model, args.decode_batch, 0, args.dtype, args.device)
    run_suite(args.dokpa, folder / "gen.yaml", submission, folder / "gen.db", "--chunk-items", args.decode_items)
    timings, rows = stored_run(folder / "gen.db", ["q.request", "r.n_tokens"])
    generated = sum(r[1] for r in rows)
    seconds = timings["execute_s"]
    # Bytes one decode step reads: every weight once, plus each running sequence's KV cache (its
    # prompt and, on average, half of its output).
    element = 4 if args.dtype == "float32" else 2
    hkv = config.get("num_key_value_heads", config["num_attention_heads"])
    head_dim = config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]
    kv_per_token = 2 * config["num_hidden_layers"] * hkv * head_dim * element
    contexts = [len(tokenizer.encode(json.loads(r[0])["prompt"], add_special_tokens=False)) + r[1] / 2 for r in rows]
    batch = min(args.decode_batch, len(rows))
    step_bytes = parameter_bytes(args.model, args.dtype) + kv_per_token * batch * sum(contexts) / len(contexts)
    steps_per_s = generated / seconds / batch
    return {"sequences": len(rows), "generated_tokens": generated, "seconds": seconds, "tokens_per_s": generated / seconds,
            "batch": batch, "step_bytes": step_bytes, "bytes_per_s": step_bytes * steps_per_s}


def table(result):
    m, p, d, q = result["measured"], result["prefill"], result["decode"], result["parity"]
    spec_flops, spec_bw = spec_for(m["device_name"])
    def share(x, peak):
        return f"{x / peak:.1%}" if peak else "n/a"
    return "\n".join([
        f"GPU checks: {m['device_name']}, torch {m['torch']}, model {result['model']}, {result['dtype']}",
        "",
        "| check | value |",
        "|---|---|",
        f"| parity: max \\|Δ log-lik\\| / max \\|ref\\| (≤ 2e-2) | {q['relative']:.2e} (max \\|Δ\\| {q['max_abs_delta']:.2e}) |",
        f"| parity: same prediction (≥ 99%) | {q['same_prediction']}/{q['items']} ({q['same_share']:.1%}) |",
        f"| prefill tokens/s ({p['contexts']} contexts, {p['tokens']} tokens, batch {p['batch']}) | {p['tokens_per_s']:.0f} |",
        f"| prefill model FLOP/s | {p['flops_per_s'] / 1e12:.1f} T |",
        f"| prefill MFU vs spec bf16 peak | {share(p['flops_per_s'], spec_flops)} |",
        f"| prefill vs torch.mm measured ({m['matmul_flops'] / 1e12:.0f} T) | {share(p['flops_per_s'], m['matmul_flops'])} |",
        f"| decode tokens/s ({d['sequences']} sequences, batch {d['batch']}) | {d['tokens_per_s']:.0f} |",
        f"| decode memory traffic | {d['bytes_per_s'] / 1e9:.0f} GB/s |",
        f"| decode share of spec bandwidth | {share(d['bytes_per_s'], spec_bw)} |",
        f"| decode share of measured copy bandwidth ({m['copy_bandwidth'] / 1e9:.0f} GB/s) | "
        f"{share(d['bytes_per_s'], m['copy_bandwidth'])} |",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dokpa", default=str(ROOT / "build-gpu" / "dokpa"))
    parser.add_argument("--model", required=False, default=str(pathlib.Path.home() / ".cache/dokpa/models/random-qwen2-0.5b"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--items", type=int, default=128, help="parity items per workload (default 128)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--prefill-items", type=int, default=256)
    parser.add_argument("--prefill-tokens", type=int, default=1024)
    parser.add_argument("--prefill-batch", type=int, default=32)
    parser.add_argument("--decode-items", type=int, default=256)
    parser.add_argument("--decode-batch", type=int, default=64)
    parser.add_argument("--decode-tokens", type=int, default=128)
    args = parser.parse_args()
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    config = json.loads((pathlib.Path(args.model) / "config.json").read_text(encoding="utf-8"))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    result = {"model": pathlib.Path(args.model).name, "dtype": args.dtype, "device": args.device,
              "date": time.strftime("%Y-%m-%d")}
    result["measured"] = json.loads(subprocess.run([sys.executable, "-c", MEASURE_CHILD, args.device, args.dtype],
                                                   check=True, capture_output=True, text=True).stdout)
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        result["parity"] = parity(args, folder)
        print(f"parity: {json.dumps(result['parity'])}", flush=True)
        result["prefill"] = prefill(args, folder, config, tokenizer)
        print(f"prefill: {json.dumps(result['prefill'])}", flush=True)
        result["decode"] = decode(args, folder, config, tokenizer)
        print(f"decode: {json.dumps(result['decode'])}", flush=True)
    (out / "gpu_checks.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (out / "gpu_checks.md").write_text(table(result) + "\n", encoding="utf-8")
    print(table(result))
    sys.exit(0 if result["parity"]["passed"] else 1)


if __name__ == "__main__":
    main()
