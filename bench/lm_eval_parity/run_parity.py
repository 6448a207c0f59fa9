"""Parity of dokpa with lm-evaluation-harness 0.4.13 on the phase-2 Korean tasks, item by item.

Runs `dokpa run` and `lm-eval run` (HF backend) on the same fixture files with the same model,
then compares every request and result:
  (a) prompts byte for byte (lm-eval's arg_0/arg_1 vs dokpa's context/continuation or prompt);
      documented, deliberate differences (CLIcK CSAT items show option E in dokpa) are listed apart;
  (b) per-choice log-likelihoods, |Δ| <= --tolerance (default 1e-4);
  (c) predictions (argmax) and task scores (acc, acc_norm, macro-F1); for generation tasks the raw
      greedy text, and both harnesses' scores where their answer extraction differs.
Writes parity.json and parity.md to --out and exits 1 if any comparison that should be identical
is not (2 on a setup problem).

    .venv/bin/python bench/lm_eval_parity/run_parity.py            # every comparable task
    .venv/bin/python bench/lm_eval_parity/run_parity.py --quick    # 5 KMMLU subjects + the rest
    .venv/bin/python bench/lm_eval_parity/run_parity.py --tasks 'kobest_*,click_*'

lm-eval is a bench-only dependency:
    .venv/bin/pip install -r bench/requirements.txt -c scripts/requirements.txt
"""
from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PIP_COMMAND = ".venv/bin/pip install -r bench/requirements.txt -c scripts/requirements.txt"
LM_EVAL_VERSION = "0.4.13"
QUICK_SUBJECTS = ["accounting", "biology", "korean_history", "law", "math"]
FAMILIES = ["kmmlu", "kmmlu_5shot", "kmmlu_hard", "kmmlu_direct", "haerae", "kobest", "click", "kormedmcqa", "hrm8k"]


def die(message: str) -> None:
    """A setup problem (not a parity failure): message on stderr, exit status 2."""
    print(f"parity: {message}", file=sys.stderr)
    sys.exit(2)


def check_install() -> str:
    try:
        import lm_eval  # noqa: F401
        import yaml  # noqa: F401
        import pandas  # noqa: F401
        import datasets  # noqa: F401
    except ImportError as e:
        die(f"{e}.\nlm-evaluation-harness is not installed in this Python ({sys.executable}).\n"
            f"Install it (from the repository root) with:\n    {PIP_COMMAND}\n"
            f"and run this script with .venv/bin/python.")
    from importlib.metadata import version
    v = version("lm_eval")
    if v != LM_EVAL_VERSION:
        print(f"parity: warning: lm-eval {v} is installed; this comparison was written for {LM_EVAL_VERSION} "
              f"({PIP_COMMAND})", file=sys.stderr)
    return v


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] + " See bench/lm_eval_parity/README.md.",
        epilog="Exit status: 0 all comparisons as expected, 1 a parity failure, 2 a setup problem.")
    p.add_argument("--out", type=pathlib.Path, default=ROOT / "build/lm_eval_parity",
                   help="folder for parity.json, parity.md and (by default) the work folder (default: build/lm_eval_parity)")
    p.add_argument("--work-dir", type=pathlib.Path, default=None,
                   help="override YAMLs, HAE-RAE query copies, lm-eval's output and the logs; rewritten "
                        "on every run (default: OUT/work)")
    p.add_argument("--tasks", default="",
                   help="comma-separated dokpa task names, fnmatch patterns ('kobest_*') or families "
                        f"({', '.join(FAMILIES)}); default: every comparable task")
    p.add_argument("--quick", action="store_true",
                   help=f"a fast check: only {len(QUICK_SUBJECTS)} KMMLU subjects ({', '.join(QUICK_SUBJECTS)}) in each KMMLU "
                        "family; every other task in full")
    p.add_argument("--generation-cap", type=int, default=32,
                   help="new-token cap for every generation task, passed to both harnesses "
                        "(dokpa --generation-cap, lm-eval --gen_kwargs max_gen_toks=N); default 32")
    p.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed per-choice |Δ log-likelihood| (default 1e-4)")
    p.add_argument("--suite", type=pathlib.Path, default=ROOT / "configs/phase2.yaml",
                   help="dokpa suite (default: configs/phase2.yaml)")
    p.add_argument("--data-root", type=pathlib.Path, default=ROOT / "suites/fixtures/phase2",
                   help="data folder in the publishers' layout, read by both (default: suites/fixtures/phase2)")
    p.add_argument("--submission", type=pathlib.Path, default=ROOT / "configs/submissions/smollm2.yaml",
                   help="dokpa submission manifest (default: configs/submissions/smollm2.yaml)")
    p.add_argument("--model", type=pathlib.Path, default=None,
                   help="checkpoint folder for lm-eval (default: the submission's checkpoint)")
    p.add_argument("--dokpa", type=pathlib.Path, default=ROOT / "build/dokpa", help="the dokpa binary (default: build/dokpa)")
    p.add_argument("--device", default="cpu", help="device for both harnesses (default: cpu)")
    p.add_argument("--dtype", default="float32", help="dtype for both harnesses (default: float32)")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads for both (dokpa --threads, OMP_NUM_THREADS for lm-eval); default: each one's own")
    p.add_argument("--lm-eval-batch-size", default="1",
                   help="lm-eval --batch_size (default 1: every request alone, no padding)")
    p.add_argument("--prompt-format", choices=["raw", "chat", "chat_multiturn"], default="raw",
                   help="raw (default); chat: the checkpoint's chat template, few-shot in one user turn "
                        "(lm-eval --apply_chat_template --fewshot_as_multiturn false); chat_multiturn: "
                        "each shot its own turns (--apply_chat_template --fewshot_as_multiturn true). "
                        "HAE-RAE is left out of chat comparisons (its lm-eval copy is built from dokpa's "
                        "rendered prompts)")
    p.add_argument("--fresh", action="store_true",
                   help="recompute everything: drop this configuration's dokpa store and lm-eval response "
                        "cache in OUT/cache (by default an interrupted or repeated run resumes from them)")
    p.add_argument("--dokpa-store", type=pathlib.Path, default=None,
                   help="compare this existing dokpa store instead of running dokpa")
    p.add_argument("--lm-eval-output", type=pathlib.Path, default=None,
                   help="compare this existing lm-eval --output_path folder instead of running lm-eval "
                        "(it must hold the parity__* tasks this selection needs)")
    return p.parse_args(argv)


def select(tasks, pattern_text: str, quick: bool):
    patterns = [p.strip() for p in pattern_text.split(",") if p.strip()]
    out = []
    for t in tasks:
        if quick and t.family.startswith("kmmlu") and t.dokpa not in {f"{t.family}_{s}" for s in QUICK_SUBJECTS}:
            continue
        if patterns and not any(t.family == p or fnmatch.fnmatchcase(t.dokpa, p) for p in patterns):
            continue
        out.append(t)
    return out


def run_logged(cmd, log: pathlib.Path, env=None, label="", quiet_progress=False) -> float:
    """Runs cmd with its output in `log`; prints its plain lines (tqdm redraws only every 30 s)."""
    print(f"[parity] {label}: {' '.join(map(str, cmd))}\n[parity]   log: {log}", flush=True)
    start = time.monotonic()
    last = 0.0
    with log.open("w", encoding="utf-8") as f:
        proc = subprocess.Popen(list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                                cwd=ROOT, text=True, encoding="utf-8", errors="replace", bufsize=1)
        buf = ""
        while True:
            chunk = proc.stdout.read(256)
            if not chunk:
                break
            f.write(chunk)
            buf += chunk
            while True:
                cut = min((i for i in (buf.find("\n"), buf.find("\r")) if i >= 0), default=-1)
                if cut < 0:
                    break
                line, sep, buf = buf[:cut], buf[cut], buf[cut + 1:]
                now = time.monotonic()
                is_bar = sep == "\r" or any(m in line for m in ("it/s]", "s/it]", "examples/s]", "%|"))
                if line.strip() and (not is_bar or now - last > 30):
                    if quiet_progress and not is_bar and "INFO" in line:
                        continue
                    print(f"[{label} {now - start:6.0f}s] {line.strip()[:160]}", flush=True)
                    if is_bar:
                        last = now
        rc = proc.wait()
    elapsed = time.monotonic() - start
    if rc != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        die(f"{label} failed (exit {rc}); last lines of {log}:\n{tail}")
    return elapsed


def cache_key(parts) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()[:16]


def file_sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkpoint_identity(model: pathlib.Path) -> list:
    return sorted((p.name, p.stat().st_size, int(p.stat().st_mtime)) for p in model.iterdir() if p.is_file())


def cached_counts(log: pathlib.Path) -> dict:
    """lm-eval's 'Cached requests: N, Requests remaining: M' lines, per request type."""
    import re
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    found = re.findall(r"Loading '(\w+)' responses from cache.*?Cached requests: (\d+), Requests remaining: (\d+)",
                       text, flags=re.S)
    return {kind: {"cached": int(c), "computed": int(r)} for kind, c, r in found}


def main(argv=None) -> int:
    args = parse_args(argv)
    lm_version = check_install()
    import yaml
    sys.path.insert(0, str(HERE))
    import parity_tasks as pt
    from parity_compare import Comparer, read_dokpa_store, read_lm_eval
    import report
    from importlib.metadata import version

    data_root = args.data_root.resolve()
    out = args.out.resolve()
    work = (args.work_dir or out / "work").resolve()
    submission = yaml.safe_load(args.submission.read_text(encoding="utf-8"))
    model = (args.model or pathlib.Path(os.path.expanduser(submission["checkpoint"]))).resolve()

    table, overrides, no_counterpart = pt.build_table(data_root)
    if not args.suite.exists():
        die(f"the suite {args.suite} does not exist")
    suite = pt.suite_tasks(args.suite)
    problems = pt.bind_to_suite(table, suite, data_root)
    if problems:
        die("the suite and the lm-eval overrides disagree on the data:\n  " + "\n  ".join(problems))
    selected = select(table, args.tasks, args.quick)
    if args.prompt_format != "raw":
        selected = [t for t in selected if t.family != "haerae"]
    missing = [t.dokpa for t in selected if t.dokpa not in suite]
    selected = [t for t in selected if t.dokpa in suite]
    if not selected:
        die(f"no comparable task selected (--tasks {args.tasks!r}; not in the suite: {missing})")
    uncomparable = [n for n in suite if n in no_counterpart or any(n.startswith(p + "_") for p in no_counterpart)]

    # Per invocation: override YAMLs, query-layout copies, logs, lm-eval's output (all rewritten).
    # Across invocations (OUT/cache, keyed by everything that decides the results): dokpa's store,
    # which dokpa resumes or leaves as it is when the run key is unchanged, and lm-eval's response
    # cache (--use_cache), so an interrupted run resumes. --fresh recomputes both.
    work.mkdir(parents=True, exist_ok=True)
    for name in ["lm_eval_tasks", "haerae_query_layout", "dokpa.log", "lm_eval.log"] + \
            ([] if args.lm_eval_output else ["lm_eval_out", "hf_datasets_cache"]):
        path = work / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    cache = out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    timings = {}

    # 1. dokpa
    dokpa_tasks = [t.dokpa for t in selected]
    store = args.dokpa_store
    if not store:
        if not args.dokpa.exists():
            die(f"{args.dokpa} does not exist: build dokpa first (README.md), or pass --dokpa")
        help_text = subprocess.run([str(args.dokpa), "run", "--help"], capture_output=True, text=True).stdout
        for flag in ("--tasks", "--generation-cap"):
            if flag not in help_text:
                die(f"{args.dokpa} run has no {flag} option; rebuild dokpa")
        submission_file = args.submission.resolve()
        if args.prompt_format != "raw":
            submission_file = work / f"submission-{args.prompt_format}.yaml"
            submission_file.write_text(args.submission.read_text(encoding="utf-8").rstrip("\n") +
                                       f"\nprompt_format: {args.prompt_format}\n", encoding="utf-8")
        cmd = [args.dokpa.resolve(), "run", "--suite", args.suite.resolve(), "--data-root", data_root,
               "--submission", submission_file, "--device", args.device, "--dtype", args.dtype,
               "--tasks", ",".join(dokpa_tasks), "--generation-cap", args.generation_cap]
        if args.threads:
            cmd += ["--threads", args.threads]
        # keyed by the command and the binary: dokpa's own run key leaves out the dokpa build, and a
        # rebuilt dokpa must be run again, not resumed
        store = cache / f"dokpa-{cache_key(cmd[1:] + [file_sha256(args.dokpa.resolve()), file_sha256(submission_file)])}.db"
        if args.fresh:
            for suffix in ("", "-wal", "-shm"):
                pathlib.Path(str(store) + suffix).unlink(missing_ok=True)
        cmd += ["--store", store]
        timings["dokpa_s"] = run_logged(cmd, work / "dokpa.log", label="dokpa")
    run, dokpa_items, dokpa_metrics = read_dokpa_store(store)

    # 2. lm-eval: override YAMLs (HAE-RAE from dokpa's prompts), then one lm-eval run
    for t in selected:
        if t.family == "haerae":
            items = dokpa_items.get(t.dokpa, [])
            ov = pt.make_haerae_override(t, data_root, work, [i.requests[0]["context"] for i in items])
            overrides[ov.name] = ov
    needed = sorted({o for t in selected for o in t.overrides})
    task_dir = work / "lm_eval_tasks"
    task_dir.mkdir(exist_ok=True)
    pt.write_loader_module(task_dir)
    for name in needed:
        (task_dir / f"{name}.yaml").write_text(overrides[name].yaml_text(), encoding="utf-8")
    lm_out = args.lm_eval_output or work / "lm_eval_out"
    lm_cache = None
    if not args.lm_eval_output:
        env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
                   HF_DATASETS_CACHE=str(work / "hf_datasets_cache"))
        if args.threads:
            env.update(OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
        model_args = f"pretrained={model},dtype={args.dtype}"
        # The response cache is keyed by request text only, so its file name carries the model's
        # identity (file names, sizes, mtimes), the settings and the lm-eval version.
        identity = [model_args, args.device, args.lm_eval_batch_size, checkpoint_identity(model)]
        identity += [f"{d}=={version(d)}" for d in ("lm_eval", "torch", "transformers", "tokenizers")]
        lm_cache = cache / f"lm_eval-{cache_key(identity)}"
        if args.fresh:
            pathlib.Path(str(lm_cache) + "_rank0.db").unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "lm_eval", "run", "--model", "hf", "--model_args", model_args,
               "--device", args.device, "--include_path", task_dir, "--tasks", ",".join(needed),
               "--batch_size", args.lm_eval_batch_size, "--seed", "0,1234,1234,1234", "--log_samples",
               "--output_path", lm_out, "--use_cache", lm_cache]
        if args.prompt_format != "raw":
            cmd += ["--apply_chat_template", "--fewshot_as_multiturn",
                    "true" if args.prompt_format == "chat_multiturn" else "false"]
        if any(t.kind == "gen" for t in selected):
            cmd += ["--gen_kwargs", f"max_gen_toks={args.generation_cap}"]
        timings["lm_eval_s"] = run_logged(cmd, work / "lm_eval.log", env=env, label="lm-eval", quiet_progress=True)
    lm_results, lm_samples = read_lm_eval(lm_out)
    cached = cached_counts(work / "lm_eval.log") if lm_cache else {}

    # 3. compare
    comparer = Comparer(data_root, lm_results, lm_samples, args.tolerance)
    reports = [comparer.compare(t, dokpa_items.get(t.dokpa), dokpa_metrics.get(t.dokpa, {})) for t in selected]
    try:
        dokpa_timings = json.loads(run["timings"]) if run.get("timings") else None
    except json.JSONDecodeError:
        dokpa_timings = run["timings"]
    meta = {
        "command": " ".join([pathlib.Path(sys.executable).name, *sys.argv]) if argv is None else " ".join(argv),
        "lm_eval_version": lm_version, "prompt_format": args.prompt_format, "generation_cap": args.generation_cap, "tolerance": args.tolerance,
        "model": str(model), "device": args.device, "dtype": args.dtype, "suite": str(args.suite),
        "data_root": str(data_root), "dokpa_store": str(store), "lm_eval_output": str(lm_out),
        "timings_s": timings, "dokpa_run_timings": dokpa_timings, "host": platform.platform(),
        "cpus": os.cpu_count(), "not_in_suite": missing, "not_comparable": uncomparable,
        "lm_eval_tasks": needed, "lm_eval_responses_from_cache": cached,
    }
    meta["out"] = str(out) + "/"
    report.write(out, meta, reports)
    report.print_summary(meta, reports)
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    from parity_tasks import SetupError
    try:
        sys.exit(main())
    except SetupError as e:
        die(str(e))
