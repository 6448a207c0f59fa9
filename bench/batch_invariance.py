"""Batch invariance of log-likelihood scoring: the same requests scored by `dokpa run` at several
batch sizes (default 1, 4 and 16) must give the same predictions; this prints how many stored
log-probabilities are bit-identical across batch sizes and the largest difference.

The workload is mc_throughput.py's (KMMLU layout, 4 choices, contexts of about 90-350 tokens),
so batches mix context lengths and rows are padded to different widths at different batch sizes.

    .venv/bin/python bench/batch_invariance.py --items 32 --threads 2
"""
import argparse
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from dokpa_run import item_predictions, run_suite, stored_run, write_submission  # noqa: E402
from mc_throughput import DEFAULT_MODEL, ROOT, write_workload  # noqa: E402


def score(folder, args, batch_size):
    store = folder / f"b{batch_size}.db"
    submission = write_submission(folder / "submission.yaml", args.model, 8, args.threads)
    run_suite(args.dokpa, folder / "bench.yaml", submission, store, "--chunk-items", 64, "--batch-size", batch_size)
    _, rows = stored_run(store, ["r.item_id", "r.logprob"])
    return [lp for _, lp in rows], [item for item, _ in rows]


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
    base_pred = item_predictions(items, base_lp)
    print(f"workload: {args.items} items x 4 choices ({len(base_lp)} requests), {args.threads} threads, "
          f"model {pathlib.Path(args.model).name}, fp32 CPU")
    for b in sizes[1:]:
        lp, _ = runs[b]
        worst = max(abs(x - y) for x, y in zip(base_lp, lp))
        exact = sum(x == y for x, y in zip(base_lp, lp))
        same_pred = sum(x == y for x, y in zip(base_pred, item_predictions(items, lp)))
        print(f"batch {sizes[0]} vs {b}: predictions identical {same_pred}/{len(base_pred)}, "
              f"log-probs bit-identical {exact}/{len(lp)}, largest |Δ| {worst:.3e}")


if __name__ == "__main__":
    main()
