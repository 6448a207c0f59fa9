"""Host memory while loading a checkpoint: dokpa's native runner vs transformers, side by side.

Each side runs in its own child process, polled every 10 ms from /proc/<pid>/status for the peak
of RssAnon (private memory: copies, allocations) and RssFile (file pages mapped in: the memory-
mapped checkpoint, and the shared libraries). dokpa loads the checkpoint and scores one request
(`dokpa run` on a one-item suite); transformers runs AutoModelForCausalLM.from_pretrained and one
forward pass of the same size. The checkpoint's weight files are the yardstick: the issue's bound is
peak memory while loading <= 1.1 x their size. Also printed: each process's RSS just before the
first weight file is mapped (its runtime: libtorch, tokenizer, Python), and the peak above that.

    .venv/bin/python bench/load_memory.py
    .venv/bin/python bench/load_memory.py --model ~/.cache/dokpa/models/random-qwen2-0.5b --dtype bfloat16
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

from dokpa_run import write_submission

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_MODEL = os.environ.get("DOKPA_MODEL", os.path.expanduser("~/.cache/dokpa/models/SmolLM2-135M-Instruct"))

TRANSFORMERS_CHILD = r'''
import sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
torch.set_num_threads(1)
model_dir, dtype = sys.argv[1], getattr(torch, sys.argv[2])
tok = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype).eval()
with torch.inference_mode():
    model(torch.tensor([tok.encode("하늘의 색은? 정답: 파랑", add_special_tokens=False)]))
'''


def peak_memory(command, weight_file, env=None):
    """Peak RssAnon, RssFile and RSS (MiB) of a child process, and `before`: its RSS at the last poll
    before `weight_file` appeared in its memory maps (the runtime, before any weight is loaded)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = {"RssAnon": 0, "RssFile": 0, "VmHWM": 0, "before": 0}
    mapped = False
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                now = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status if line.startswith(("Rss", "VmHWM"))}
            if not mapped:
                with open(f"/proc/{process.pid}/maps") as maps:
                    mapped = weight_file in maps.read()
                if not mapped:
                    peak["before"] = now["RssAnon"] + now["RssFile"]
        except (FileNotFoundError, ProcessLookupError, KeyError):
            break
        for key in ("RssAnon", "RssFile", "VmHWM"):
            peak[key] = max(peak[key], now.get(key, 0))
        time.sleep(0.01)
    if process.returncode != 0:
        sys.exit(f"{command[0]} failed: {process.stderr.read().decode(errors='replace')[-2000:]}")
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    args = parser.parse_args()
    model = pathlib.Path(os.path.expanduser(args.model)).resolve()
    weight_files = sorted(model.glob("*.safetensors"))
    weights_mib = sum(p.stat().st_size for p in weight_files) / 2**20
    weight_file = str(weight_files[0])
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        (folder / "one.csv").write_text("question,answer,A,B\n하늘의 색은?,1,파랑,빨강\n", encoding="utf-8")
        (folder / "one.yaml").write_text(
            "name: load_memory\nversion: 1\nseed: 1\ntasks:\n  - name: one\n    output: multiple_choice\n"
            "    dataset: {format: csv, path: one.csv}\n    prompt: \"{{question}} 정답:\"\n"
            "    choices: [\"{{A}}\", \"{{B}}\"]\n    gold: {field: answer, base: 1}\n", encoding="utf-8")
        write_submission(folder / "sub.yaml", model, threads=1, dtype=args.dtype)
        dokpa = peak_memory([str(ROOT / "build/dokpa"), "run", "--suite", str(folder / "one.yaml"), "--submission",
                             str(folder / "sub.yaml"), "--store", str(folder / "one.db")], weight_file)
    reference = peak_memory([sys.executable, "-c", TRANSFORMERS_CHILD, str(model), args.dtype], weight_file,
                            env=dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1"))
    print(f"model {model.name}, weight files {weights_mib:.0f} MiB, load dtype {args.dtype}, CPU")
    print(f"{'':14} {'peak RssAnon':>13} {'peak RssFile':>13} {'peak RSS':>9} {'RSS / weights':>14} "
          f"{'before load':>12} {'(peak - before) / weights':>26}")
    for name, peak in (("dokpa", dokpa), ("transformers", reference)):
        print(f"{name:14} {peak['RssAnon']:10.0f} MiB {peak['RssFile']:10.0f} MiB {peak['VmHWM']:6.0f} MiB "
              f"{peak['VmHWM'] / weights_mib:13.2f}x {peak['before']:8.0f} MiB "
              f"{(peak['VmHWM'] - peak['before']) / weights_mib:25.2f}x")
    print(f"ratio dokpa / transformers, peak RSS: {dokpa['VmHWM'] / reference['VmHWM']:.2f}x")


if __name__ == "__main__":
    main()
