"""What every bench does with dokpa: write a submission, run a suite into a fresh store, and read
back the run's timings and its results in plan order (results joined with their requests)."""
import json
import pathlib
import sqlite3
import subprocess


def write_submission(path, model, batch_size=8, threads=0, dtype="float32", device="cpu"):
    pathlib.Path(path).write_text(
        f"team: bench\nmodel: {pathlib.Path(model).name}\nkind: llm\ncheckpoint: {model}\nrunner: native\n"
        f"dtype: {dtype}\ndevice: {device}\nbatch_size: {batch_size}\nthreads: {threads}\n", encoding="utf-8")
    return pathlib.Path(path)


def run_suite(dokpa, suite, submission, store, *extra):
    """`dokpa run` with its output discarded; raises on a non-zero exit."""
    subprocess.run([str(dokpa), "run", "--suite", str(suite), "--submission", str(submission), "--store", str(store),
                    *map(str, extra)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stored_run(store, columns):
    """(timings of the store's run, rows of `columns` in plan order). Columns are SQL over the
    results `r` joined with the requests `q`, e.g. ["q.request", "r.logprob"]."""
    db = sqlite3.connect(store)
    try:
        timings = json.loads(db.execute("SELECT timings FROM runs").fetchone()[0])
        rows = db.execute(f"SELECT {', '.join(columns)} FROM results r JOIN requests q "
                          "USING (run_id, task, item_id, request_index) ORDER BY q.plan_order").fetchall()
    finally:
        db.close()
    return timings, rows


def item_predictions(item_ids, logprobs):
    """acc's prediction of each item (the index of its most likely choice), items in first-seen order."""
    choices = {}
    for item, logprob in zip(item_ids, logprobs):
        choices.setdefault(item, []).append(logprob)
    return [max(range(len(lps)), key=lps.__getitem__) for lps in choices.values()]
