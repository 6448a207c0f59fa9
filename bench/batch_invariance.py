"""Batch invariance of log-likelihood scoring: the same requests scored by `dokpa run` at several
batch sizes (default 1, 4 and 16) must give the same predictions; this prints how many stored
log-probabilities are bit-identical across batch sizes and the largest difference.

The workload is mc_throughput.py's (KMMLU layout, 4 choices, contexts of about 90-350 tokens),
so batches mix context lengths and rows are padded to different widths at different batch sizes.

    .venv/bin/python bench/batch_invariance.py --items 32 --threads 2
"""
import argparse
import pathlib
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from mc_throughput import DEFAULT_MODEL, ROOT, write_workload  # noqa: E402


def score(folder, args, batch_size):
    store = folder / f"b{batch_size}.db"
    (folder / "submission.yaml").write_text(
        f"team: bench\nmodel: {pathlib.Path(args.model).name}\nkind: llm\ncheckpoint: {args.model}\nrunner: native\n"
        f"dtype: float32\ndevice: cpu\nbatch_size: 8\nthreads: {args.threads}\n")
    subprocess.run([args.dokpa, "run", "--suite", str(folder / "bench.yaml"), "--submission",
                    str(folder / "submission.yaml"), "--store", str(store), "--chunk-items", "64",
                    "--batch-size", str(batch_size)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = sqlite3.connect(store)
    rows = db.execute("SELECT r.item_id, r.logprob FROM results r JOIN requests q "
                      "USING (run_id, task, item_id, request_index) ORDER BY q.plan_order").fetchall()
    return [lp for _, lp in rows], [item for item, _ in rows]


def predictions(logprobs, items):
    """The argmax choice of each item (acc's prediction), in item order."""
    best = {}
    for index, (item, lp) in enumerate(zip(items, logprobs)):
        if item not in best or lp > best[item][0]:
            best[item] = (lp, index)
    return [best[item][1] for item in sorted(best)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument("--batch-sizes", default="1,4,16")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--dokpa", default=str(ROOT / "build" / "dokpa"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.batch_sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        write_workload(folder, args.items)
        runs = {b: score(folder, args, b) for b in sizes}
    base_lp, items = runs[sizes[0]]
    base_pred = predictions(base_lp, items)
    print(f"workload: {args.items} items x 4 choices ({len(base_lp)} requests), {args.threads} threads, "
          f"model {pathlib.Path(args.model).name}, fp32 CPU")
    for b in sizes[1:]:
        lp, _ = runs[b]
        worst = max(abs(x - y) for x, y in zip(base_lp, lp))
        exact = sum(x == y for x, y in zip(base_lp, lp))
        same_pred = sum(x == y for x, y in zip(base_pred, predictions(lp, items)))
        print(f"batch {sizes[0]} vs {b}: predictions identical {same_pred}/{len(base_pred)}, "
              f"log-probs bit-identical {exact}/{len(lp)}, largest |Δ| {worst:.3e}")


if __name__ == "__main__":
    main()
