"""How long `dokpa report` and `dokpa compare` take, against two named peers on the same store.

Two stores:
  smoke  four real runs of the smoke suite with the default model (plain and chat prompts, batch
         sizes 8 and 4: four run keys), about 46 items each;
  large  four synthetic runs (build/dokpa_synthetic_store) of 40 multiple-choice tasks x 1,000
         items + one generation task of 1,000 items: 41,000 items and 161,000 results per run.

Timed (wall, best of --repeat, each in its own process; peak RSS from wait4):
  dokpa --help   the process start alone: the binary links libtorch, whose loading costs about
                 0.7 s and 480 MiB of RSS before any report code runs
  dokpa report   every format, 1,000 bootstrap resamples, drill-down of 50 items per task
  dokpa compare  runs 1 and 2
  peer sqlite3   the sqlite3 shell averaging item_scores per run, task and metric: reading the
                 per-item scores once, the floor of any report
  peer python    Python 3 + statsmodels: per-task means and Wilson intervals, McNemar for every
                 pair of runs and task, Holm per pair, read from the same store (a subset of
                 what dokpa report computes: no bootstrap, no output files)

  .venv/bin/python bench/report_bench.py [--repeat 3] [--skip-smoke]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOKPA = ROOT / "build" / "dokpa"
SYNTHETIC = ROOT / "build" / "dokpa_synthetic_store"

PYTHON_PEER = r"""
import sqlite3, sys
from collections import defaultdict
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
db = sqlite3.connect(sys.argv[1])
values = defaultdict(dict)
for run, task, item, value in db.execute("SELECT run_id, task, item_id, value FROM item_scores WHERE metric = 'acc' ORDER BY 1, 2, 3"):
    values[(run, task)][item] = value
runs = sorted({run for run, _ in values})
tasks = sorted({task for _, task in values})
for run in runs:
    for task in tasks:
        column = values[(run, task)]
        proportion_confint(sum(column.values()), len(column), method="wilson")
for i, a in enumerate(runs):
    for b in runs[i + 1:]:
        p = []
        for task in tasks:
            x, y = values[(a, task)], values[(b, task)]
            only_a = sum(1 for k in x if x[k] == 1 and y[k] == 0)
            only_b = sum(1 for k in x if y[k] == 1 and x[k] == 0)
            p.append(mcnemar([[0, only_a], [only_b, 0]], exact=True).pvalue)
        multipletests(p, method="holm")
"""


def timed(command, env=None):
    """(seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{command[0]} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def best(command, repeat):
    runs = [timed(command) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def measure(name, store, folder, repeat):
    rows = [
        ("dokpa --help (start-up floor)", [str(DOKPA), "--help"]),
        ("dokpa report", [str(DOKPA), "report", "--store", str(store), "--out", str(folder / f"{name}-report")]),
        ("dokpa compare", [str(DOKPA), "compare", "--store", str(store), "1", "2"]),
        ("peer sqlite3", ["sqlite3", str(store), "SELECT run_id, task, metric, avg(value), count(*) FROM item_scores GROUP BY 1, 2, 3"]),
        ("peer python", [sys.executable, "-c", PYTHON_PEER, str(store)]),
    ]
    results = {label: best(command, repeat) for label, command in rows}
    items = subprocess.run(["sqlite3", str(store), "SELECT count(DISTINCT task || '/' || item_id), count(DISTINCT run_id) FROM item_scores"],
                           capture_output=True, text=True, check=True).stdout.strip()
    print(f"\n## {name}: {items.split('|')[1]} runs x {items.split('|')[0]} items\n")
    print("| | wall s | peak RSS MiB | dokpa report / this |\n|---|---:|---:|---:|")
    report_seconds = results["dokpa report"][0]
    for label, (seconds, rss) in results.items():
        print(f"| {label} | {seconds:.3f} | {rss:.0f} | {report_seconds / seconds:.2f}x |")
    size = sum(p.stat().st_size for p in (folder / f"{name}-report").rglob("*") if p.is_file())
    print(f"\nreport files: {size / 2**20:.1f} MiB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-smoke", action="store_true", help="only the large synthetic store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_smoke:
            smoke = folder / "smoke.db"
            for submission in ("smollm2.yaml", "smollm2-chat.yaml"):
                for batch in ("8", "4"):
                    subprocess.run([str(DOKPA), "run", "--suite", str(ROOT / "configs" / "smoke.yaml"), "--submission",
                                    str(ROOT / "configs" / "submissions" / submission), "--store", str(smoke),
                                    "--batch-size", batch], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            measure("smoke", smoke, folder, args.repeat)
        large = folder / "large.db"
        seconds, _ = timed([str(SYNTHETIC), "--out", str(large), "--runs", "4", "--tasks", "40", "--items", "1000"])
        print(f"\n(synthetic store of 4 x 41,000 items written in {seconds:.1f} s)")
        measure("large", large, folder, args.repeat)


if __name__ == "__main__":
    main()
