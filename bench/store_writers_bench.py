"""Four processes writing one store: dokpa's ResultStore against plain SQLite inserts.

  .venv/bin/python bench/store_writers_bench.py [--repeat 3]

dokpa: the `dokpa_store_tests` case "four processes writing one store for a sustained period"
(20,000 results of one run, batches of 8, two shard writers and two racing over everything;
every batch is a BEGIN IMMEDIATE transaction that checks the planned request and prompt hash,
inserts the rows, hashes them and appends the audit entry). It prints its rows/s.
Peer: four Python processes inserting the same number of rows in the same 8-row transactions
into a bare table with the same primary key, WAL and synchronous=FULL (what SQLite itself costs,
with no checks and no audit). Both on the same disk, one after the other, best of --repeat.
"""
import argparse
import multiprocessing
import os
import re
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS = 20000
BATCH = 8
WRITERS = 4


def dokpa_rows_per_second(build):
    test = Path(build) / "tests" / "harness" / "store" / "dokpa_store_tests"
    out = subprocess.run([str(test), "four processes writing one store for a sustained period*", "-s"],
                         capture_output=True, text=True, check=True, env=dict(os.environ, OMP_NUM_THREADS="1"),
                         cwd=ROOT).stdout
    match = re.search(r"(\d+) rows in (\d+) batches in ([\d.]+) s = (\d+) rows/s", out.replace("\n  ", " "))
    if not match:
        raise SystemExit(f"no rows/s line in the test's output:\n{out[-2000:]}")
    return int(match.group(4)), float(match.group(3))


def peer_writer(path, worker, start):
    db = sqlite3.connect(path, timeout=120, isolation_level=None)
    db.execute("PRAGMA synchronous=FULL")
    start.wait()
    for first in range(worker * BATCH, ROWS, WRITERS * BATCH):
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO results VALUES (1, 'arc_ko', ?, ?, ?, ?, 1, 3, NULL, NULL, 4.5)",
                       [(f"item-{i // 2}", i % 2, f"{i:064x}", -1.25 - i / 8) for i in range(first, min(first + BATCH, ROWS))])
        db.execute("COMMIT")
    db.close()


def peer_rows_per_second(folder):
    path = os.path.join(folder, "peer.sqlite")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE results (run_id INTEGER, task TEXT, item_id TEXT, request_index INTEGER, prompt_hash TEXT,"
               " logprob REAL, is_greedy INTEGER, n_tokens INTEGER, response_text TEXT, finish_reason TEXT,"
               " latency_ms REAL, PRIMARY KEY (run_id, task, item_id, request_index))")
    db.close()
    start = multiprocessing.Barrier(WRITERS + 1)
    workers = [multiprocessing.Process(target=peer_writer, args=(path, w, start)) for w in range(WRITERS)]
    for w in workers:
        w.start()
    start.wait()
    began = time.perf_counter()
    for w in workers:
        w.join()
        assert w.exitcode == 0
    seconds = time.perf_counter() - began
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM results").fetchone()[0] == ROWS
    return ROWS / seconds, seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", default=os.environ.get("DOKPA_BUILD_DIR", str(ROOT / "build")))
    args = parser.parse_args()
    dokpa = max(dokpa_rows_per_second(args.build) for _ in range(args.repeat))
    with tempfile.TemporaryDirectory(dir=ROOT / "build") as folder:
        peer = max(peer_rows_per_second(folder) for _ in range(args.repeat))
    print(f"dokpa ResultStore: {dokpa[0]:.0f} rows/s ({ROWS} rows in {dokpa[1]:.1f} s)")
    print(f"plain SQLite peer: {peer[0]:.0f} rows/s ({ROWS} rows in {peer[1]:.1f} s)")
    print(f"dokpa / peer: {dokpa[0] / peer[0]:.2f}x")


if __name__ == "__main__":
    main()
