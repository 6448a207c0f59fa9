"""`dokpa run --shard i/N` and `dokpa merge`, with the native runner on the smoke suite.

  merge       shards 1/2 and 2/2 in separate stores, merged: the merged run's results, item
              scores and task metrics equal an unsharded run's exactly, and so does its printed
              run digest (dokpa verify --digest accepts it); a shard of another run
              (a different batch size: another run key) is refused before anything is written.
  concurrent  three shard processes write one store file at the same time, while a fourth
              process runs another submission into it: all exit 0 (no "database is locked"),
              every planned request has exactly one result, and the scores equal the unsharded run's.
"""
import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOKPA = os.environ.get("DOKPA_BIN", str(ROOT / "build" / "dokpa"))
SMOKE = ROOT / "configs" / "smoke.yaml"
NATIVE = ROOT / "configs" / "submissions" / "smollm2.yaml"
CHAT = ROOT / "configs" / "submissions" / "smollm2-chat.yaml"


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def run(*args, ok=True):
    result = subprocess.run([DOKPA, *map(str, args)], capture_output=True, text=True)
    if ok and result.returncode != 0:
        fail(f"dokpa {' '.join(map(str, args))} exited {result.returncode}:\n{result.stderr}")
    return result


def tables(store, run_key=None):
    """Results, item scores and task metrics of one run (the only one, or the one with run_key)."""
    with sqlite3.connect(store) as db:
        run_id = db.execute("SELECT id FROM runs WHERE ?1 IS NULL OR run_key = ?1", (run_key,)).fetchone()[0]
        return {
            "results": db.execute("SELECT task, item_id, request_index, prompt_hash, logprob, is_greedy, n_tokens, "
                                  "response_text, finish_reason FROM results WHERE run_id = ? ORDER BY 1, 2, 3",
                                  (run_id,)).fetchall(),
            "item_scores": db.execute("SELECT task, item_id, metric, value FROM item_scores WHERE run_id = ? "
                                      "ORDER BY 1, 2, 3", (run_id,)).fetchall(),
            "task_metrics": db.execute("SELECT task, metric, value, stderr, n FROM task_metrics WHERE run_id = ? "
                                       "ORDER BY 1, 2", (run_id,)).fetchall(),
            "status": db.execute("SELECT status, run_key FROM runs WHERE id = ?", (run_id,)).fetchone(),
        }


def same(a, b, what):
    for key in ("results", "item_scores", "task_metrics"):
        if a[key] != b[key]:
            fail(f"{what}: {key} differ ({len(a[key])} rows against {len(b[key])})")
    print(f"{what}: {len(a['results'])} results, {len(a['item_scores'])} item scores, {len(a['task_metrics'])} "
          "task metrics equal the unsharded run's exactly")


def base(workdir, *extra):
    return ["run", "--suite", SMOKE, "--submission", NATIVE, "--threads", "1", *extra]


def printed_digest(result):
    found = re.search(r"^run \d+ digest ([0-9a-f]{64})$", result.stdout, re.M)
    if not found:
        fail(f"no run digest printed:\n{result.stdout}")
    return found.group(1)


def test_merge(workdir):
    unsharded = workdir / "unsharded.db"
    unsharded_digest = printed_digest(run(*base(workdir, "--store", unsharded)))
    shards = [workdir / "shard1.db", workdir / "shard2.db"]
    for i, store in enumerate(shards, 1):
        partial = run(*base(workdir, "--store", store, "--shard", f"{i}/2"))
        if "waits for" not in partial.stderr:
            fail(f"shard {i}/2 did not say that it waits for the other shard:\n{partial.stderr}")
    merged = workdir / "merged.db"
    merged_digest = printed_digest(run("merge", "--into", merged, "--suite", SMOKE, "--submission", NATIVE, *shards))
    # The digest covers the rows, not how they were batched: the merged run's equals the unsharded one's.
    if merged_digest != unsharded_digest:
        fail(f"merged run digest {merged_digest} differs from the unsharded run's {unsharded_digest}")
    run("verify", "--store", merged, "--digest", unsharded_digest)
    reference = tables(unsharded)
    result = tables(merged)
    if result["status"] != reference["status"]:
        fail(f"merged run {result['status']} against {reference['status']}")
    same(result, reference, "merge of 2 shards")
    verify = run("verify", "--store", merged, ok=False)
    if verify.returncode != 0:
        fail(f"the merged store does not verify:\n{verify.stdout}")

    # A shard of another run (another batch size, so another run key) is refused up front.
    other = workdir / "other.db"
    run(*base(workdir, "--store", other, "--shard", "2/2", "--batch-size", "4"))
    before = merged.with_name("mismatch.db")
    refused = run("merge", "--into", before, "--suite", SMOKE, "--submission", NATIVE, shards[0], other, ok=False)
    if refused.returncode != 1 or "not shards of one run" not in refused.stderr:
        fail(f"a mismatched shard was not refused clearly (exit {refused.returncode}):\n{refused.stderr}")
    if before.exists():
        fail("the refused merge created its store")
    print("a shard of another run: refused before writing")


def test_concurrent(workdir):
    unsharded = workdir / "unsharded.db"
    run(*base(workdir, "--store", unsharded))
    shared = workdir / "shared.db"
    commands = [[DOKPA, *map(str, base(workdir, "--store", shared, "--shard", f"{i}/3"))] for i in (1, 2, 3)]
    commands.append([DOKPA, "run", "--suite", str(SMOKE), "--submission", str(CHAT), "--threads", "1", "--store",
                     str(shared)])
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for c in commands]
    outputs = [p.communicate()[0] for p in processes]
    for command, process, output in zip(commands, processes, outputs):
        if process.returncode != 0 or "locked" in output:
            fail(f"{' '.join(command[1:])} exited {process.returncode}:\n{output}")
    key = tables(unsharded)["status"][1]
    result = tables(shared, key)
    if result["status"][0] != "complete":
        fail(f"the sharded run is {result['status'][0]}")
    with sqlite3.connect(shared) as db:
        planned, stored, distinct = db.execute(
            "SELECT (SELECT count(*) FROM requests), count(*), count(DISTINCT run_id || '/' || task || '/' || item_id "
            "|| '/' || request_index) FROM results").fetchone()
        runs = db.execute("SELECT count(*), sum(status = 'complete') FROM runs").fetchone()
    if not (planned == stored == distinct) or runs != (2, 2):
        fail(f"{stored} results ({distinct} distinct) for {planned} planned requests; runs {runs}")
    same(result, tables(unsharded), "3 shards and another submission writing one store at once")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("test", choices=["merge", "concurrent"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix=f"dokpa-shards-{args.test}-") as workdir:
        globals()[f"test_{args.test}"](Path(workdir))
    print(f"{args.test}: passed")


if __name__ == "__main__":
    main()
