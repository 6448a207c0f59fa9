"""`dokpa report` and `dokpa compare` end to end.

  statistics  a store of four synthetic runs plus three a report must leave out
              (dokpa_synthetic_store): every number of report.json is recomputed here from the
              store's item scores with statsmodels (Wilson, exact McNemar, Holm) and by redrawing
              dokpa's bootstrap with random.Random; ranks follow from the adjusted tests; a second
              report is byte-identical; lm-eval's own make_table reads the lm-eval export.
  compare     the regression gate: a significantly worse candidate exits 3, a better one 0, a
              threshold larger than the drop 0; flipped items are listed with their prompts; runs
              on other data are refused with the reason.
  digest      the run digests in the report: `dokpa verify --digest` accepts each on the intact
              store, and refuses it after a result, an item score or a task metric is edited,
              deleted or moved to another item with the sqlite3 shell.
  browser     the default model on two smoke tasks, plain and chat prompts: the HTML report opened
              in headless Chromium renders without console messages, has its leaderboard rows and
              SVG charts, fetches nothing; a screenshot is saved (test-artifacts/report.png). A
              page with a console error must be caught (the check can fail).
"""
import argparse
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
from report_stats_reference import bootstrap_means, bootstrap_p, bootstrap_seed  # noqa: E402

DOKPA = os.environ.get("DOKPA_BIN", str(ROOT / "build" / "dokpa"))
SYNTHETIC = os.environ.get("DOKPA_SYNTHETIC_STORE", str(ROOT / "build" / "dokpa_synthetic_store"))
ARTIFACTS = Path(os.environ.get("DOKPA_ARTIFACT_DIR", ROOT / "build" / "test-artifacts"))
CHROMIUM = "/usr/lib/chromium/chromium"  # the Debian package's binary (its /usr/bin wrapper only adds flags)
B = 400  # bootstrap resamples: enough for the checks, quick to redraw in Python


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def close(a, b, tolerance=1e-12):
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= tolerance * max(1.0, abs(b)))


def dokpa(*args, expect=0):
    result = subprocess.run([DOKPA, *map(str, args)], capture_output=True, text=True)
    if expect is not None and result.returncode != expect:
        fail(f"dokpa {' '.join(map(str, args))} exited {result.returncode}, expected {expect}:\n{result.stdout}\n{result.stderr}")
    return result


def synthetic_store(folder, items=60):
    store = folder / "synthetic.db"
    subprocess.run([SYNTHETIC, "--out", store, "--items", str(items), "--extras"], check=True)
    return store


def item_values(store):
    """(run, task, metric) -> {item: value}, from the store."""
    values = defaultdict(dict)
    with sqlite3.connect(store) as db:
        for run, task, item, metric, value in db.execute("SELECT run_id, task, item_id, metric, value FROM item_scores"):
            values[(run, task, metric)][item] = value
    return values


def check_statistics(report, values):
    from statsmodels.stats.contingency_tables import mcnemar
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportion_confint

    runs = [run["run_id"] for run in report["runs"]]
    seed = report["suite"]["seed"]
    checked = defaultdict(int)
    # Per-task estimates: means, Wilson for 0/1 metrics, the bootstrap redrawn for the others.
    for row in report["tasks"]:
        for entry in row["runs"]:
            column = values[(entry["run_id"], row["task"], row["metric"])]
            items = [column[k] for k in sorted(column)]
            mean = sum(items) / len(items)
            check(close(entry["value"], mean), f"{row['task']} {row['metric']} run {entry['run_id']}: {entry['value']} != {mean}")
            if row["interval_method"] == "wilson":
                low, high = proportion_confint(round(sum(items)), len(items), alpha=0.05, method="wilson")
                check(close(entry["ci_low"], low) and close(entry["ci_high"], high),
                      f"{row['task']} run {entry['run_id']}: Wilson {entry['ci_low']}, {entry['ci_high']} != {low}, {high}")
                checked["wilson"] += 1
            else:
                check(row["interval_method"] == "bootstrap-percentile", f"{row['task']}: method {row['interval_method']}")
                checked["bootstrap task"] += 1
    # Paired tests: McNemar on 0/1 metrics, Holm over the tasks of each pair.
    for pair in report["pairs"]:
        raw = []
        for test in pair["tests"]:
            a = values[(pair["run_a"], test["task"], test["metric"])]
            b = values[(pair["run_b"], test["task"], test["metric"])]
            if test["test"] == "mcnemar-exact":
                only_a = sum(1 for k in a if a[k] == 1 and b[k] == 0)
                only_b = sum(1 for k in a if b[k] == 1 and a[k] == 0)
                expected = mcnemar([[0, only_a], [only_b, 0]], exact=True).pvalue
                check((test["only_a"], test["only_b"]) == (only_a, only_b), f"{test['task']}: discordant counts differ")
                checked["mcnemar"] += 1
            else:
                keys = sorted(a)
                matrix = [[a[k], b[k]] for k in keys]
                replicates = bootstrap_means(matrix, B, bootstrap_seed(seed, test["task"]))
                expected = bootstrap_p([r[0] - r[1] for r in replicates])
                checked["paired bootstrap"] += 1
            check(close(test["p"], expected, 1e-9), f"pair {pair['run_a']}-{pair['run_b']} {test['task']}: p {test['p']} != {expected}")
            raw.append(test["p"])
        holm = multipletests(raw, method="holm")[1]
        for test, adjusted in zip(pair["tests"], holm):
            check(close(test["p_holm"], adjusted, 1e-9), f"{test['task']}: Holm {test['p_holm']} != {adjusted}")
            check(test["significant"] == (adjusted < report["statistics"]["alpha"]), f"{test['task']}: significance flag")
        checked["holm families"] += 1
    # Group averages: the stratified bootstrap redrawn task by task.
    for ranking in report["rankings"]:
        if ranking["name"] == "overall":
            tasks = [row for row in report["tasks"] if row["primary"]]
        else:
            group = next(g for g in json.loads(report["suite_text"])["groups"] if g["name"] == ranking["name"])
            tasks = [row for row in report["tasks"] if row["task"] in group["tasks"] and row["metric"] == ranking["metric"]]
        total = sum(row["n"] for row in tasks)
        replicate_sums = [[0.0] * len(runs) for _ in range(B)]
        for row in tasks:
            keys = sorted(values[(runs[0], row["task"], row["metric"])])
            matrix = [[values[(run, row["task"], row["metric"])][k] for run in runs] for k in keys]
            weight = len(keys) / total if ranking["averaging"] == "micro" else 1 / len(tasks)
            for b, replicate in enumerate(bootstrap_means(matrix, B, bootstrap_seed(seed, row["task"]))):
                for r in range(len(runs)):
                    replicate_sums[b][r] += weight * replicate[r]
        import numpy as np
        for r, entry in enumerate(ranking["runs"]):
            column = [replicate_sums[b][r] for b in range(B)]
            low, high = np.percentile(column, 2.5), np.percentile(column, 97.5)
            check(close(entry["ci_low"], low, 1e-9) and close(entry["ci_high"], high, 1e-9),
                  f"{ranking['name']} {ranking['averaging']} run {entry['run_id']}: interval {entry['ci_low']}, {entry['ci_high']} != {low}, {high}")
        # Ranks: 1 + the runs significantly better after Holm over this ranking's pairs.
        raw = [bootstrap_p([replicate_sums[b][runs.index(p["run_a"])] - replicate_sums[b][runs.index(p["run_b"])] for b in range(B)])
               for p in ranking["pairs"]]
        holm = multipletests(raw, method="holm")[1]
        better = defaultdict(int)
        for p, adjusted in zip(ranking["pairs"], holm):
            check(close(p["p"], raw[ranking["pairs"].index(p)], 1e-9), f"{ranking['name']}: pair p differs")
            if adjusted < report["statistics"]["alpha"]:
                worse = p["run_b"] if p["delta"] > 0 else p["run_a"]
                better[worse] += 1
        for entry in ranking["runs"]:
            check(entry["rank"] == 1 + better[entry["run_id"]], f"{ranking['name']}: run {entry['run_id']} rank {entry['rank']}")
        checked["rankings"] += 1
    print("checked against statsmodels / a Python redraw:", dict(checked))
    check(checked["wilson"] > 0 and checked["mcnemar"] > 0 and checked["paired bootstrap"] > 0 and checked["rankings"] > 1,
          "some statistic was never checked")


def statistics_case(folder):
    store = synthetic_store(folder)
    out = folder / "report"
    dokpa("report", "--store", store, "--out", out, "--bootstrap-iters", B)
    report = json.loads((out / "report.json").read_text())
    with sqlite3.connect(store) as db:
        report["suite_text"] = db.execute("SELECT canonical_text FROM suites WHERE hash = ?", (report["suite"]["hash"],)).fetchone()[0]
    check([run["run_id"] for run in report["runs"]] == [1, 2, 3, 4], f"runs compared: {report['runs']}")
    reasons = {run["run_id"]: run["reason"] for run in report["excluded"]}
    check(sorted(reasons) == [5, 6, 7, 8, 9], f"runs left out: {reasons}")
    check("data files differ" in reasons[5] and "not complete" in reasons[6] and "not the reported suite" in reasons[7]
          and "--generation-cap 8" in reasons[8] and "--tasks subset" in reasons[9], str(reasons))
    for page in ("report.html", "report.md"):
        text = (out / page).read_text()
        check(all(reason in text.replace("&#39;", "'") for reason in reasons.values()), f"{page} does not say why runs were left out")
    check_statistics(report, item_values(store))

    # The same store through another path (relative, another working directory): the same bytes.
    again = folder / "again"
    result = subprocess.run([DOKPA, "report", "--store", store.name, "--out", "again", "--bootstrap-iters", str(B)],
                            cwd=folder, capture_output=True, text=True)
    check(result.returncode == 0, result.stderr)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    check(len(files) == 11, f"report files: {files}")
    for name in files:
        check((out / name).read_bytes() == (again / name).read_bytes(), f"{name} differs between two reports of one store")
    print(f"{len(files)} report files byte-identical across two reports")

    # lm-eval's own reader on the export.
    from lm_eval.utils import make_table
    for path in sorted((out / "lm-eval").glob("*.json")):
        results = json.loads(path.read_text())
        table = make_table(results)
        check("mc_0" in table and "acc" in table and "gen_f1" in table, f"make_table on {path.name}:\n{table}")
        if "groups" in results:
            make_table(results, "groups")
        run_id = path.stem.removeprefix("results_run")
        check(report["lm_eval"][run_id] == results, f"report.json's lm_eval[{run_id}] is not {path.name}")
    print("lm_eval.utils.make_table reads the lm-eval export:\n" + table)

    # items.csv holds every stored item score of the compared runs.
    with (out / "items.csv").open() as f:
        rows = f.read().splitlines()
    with sqlite3.connect(store) as db:
        stored = db.execute("SELECT count(*) FROM item_scores WHERE run_id = 1").fetchone()[0]
    check(len(rows) - 1 == stored, f"items.csv has {len(rows) - 1} rows, the store {stored} per run")

    # Bad input: one clear error naming the file, exit 1.
    missing = dokpa("report", "--store", folder / "missing.db", "--out", folder / "x", expect=1)
    check("missing.db" in missing.stderr and "not found" in missing.stderr, missing.stderr)
    unknown = dokpa("report", "--store", store, "--suite", "no-such-suite", "--out", folder / "x", expect=1)
    check("synthetic.db" in unknown.stderr and "no-such-suite" in unknown.stderr, unknown.stderr)
    few = dokpa("report", "--store", store, "--bootstrap-iters", 10, "--out", folder / "x", expect=1)
    check("too few" in few.stderr, few.stderr)


def compare_case(folder):
    store = synthetic_store(folder)
    values = item_values(store)
    worse = dokpa("compare", "--store", store, "4", "1", "--fail-on-regression", "0.05", "--bootstrap-iters", B, expect=3)
    check("significantly worse" in worse.stdout and "(right -> wrong)" in worse.stdout and "질문 mc_" in worse.stdout, worse.stdout)
    check("regression" in worse.stderr, worse.stderr)
    # The printed deltas are the differences of the item means.
    for task in ("mc_0", "mc_1", "mc_2", "mc_3"):
        line = next(l for l in worse.stdout.splitlines() if l.startswith(task + " "))
        a = values[(4, task, "acc")]
        b = values[(1, task, "acc")]
        delta = sum(b.values()) / len(b) - sum(a.values()) / len(a)
        check(f"{delta:+.4f}" in line, f"{task}: delta {delta:+.4f} not in {line!r}")
    print(worse.stdout.splitlines()[-1])
    better = dokpa("compare", "--store", store, "1", "4", "--fail-on-regression", "0.05", "--bootstrap-iters", B, expect=0)
    check("significantly worse" in better.stdout and "0 significantly worse" in better.stdout, better.stdout.splitlines()[-1])
    dokpa("compare", "--store", store, "4", "1", "--fail-on-regression", "0.9", "--bootstrap-iters", B, expect=0)
    refused = dokpa("compare", "--store", store, "1", "5", expect=1)
    check("run 5 cannot be compared" in refused.stderr and "data files differ" in refused.stderr, refused.stderr)
    print("gate: exit 3 on a significant drop, 0 on a gain or a drop under the threshold; other data refused")


def digest_case(folder):
    import shutil
    store = synthetic_store(folder, items=20)
    dokpa("report", "--store", store, "--out", folder / "report", "--format", "json,html")
    report = json.loads((folder / "report" / "report.json").read_text())
    digests = {run["run_id"]: run["digest"] for run in report["runs"]}
    check(len(set(digests.values())) == 4 and all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests.values()), str(digests))
    html = (folder / "report" / "report.html").read_text()
    check(all(d in html for d in digests.values()), "the HTML report does not show the run digests")
    for run_id, digest in digests.items():
        dokpa("verify", "--store", store, "--digest", digest, "--run", run_id)
    wrong_run = dokpa("verify", "--store", store, "--digest", digests[1], "--run", 2, expect=1)
    check("run 2 does not match digest" in wrong_run.stderr, wrong_run.stderr)
    edits = {
        "result edited": "UPDATE results SET logprob = logprob - 0.25 WHERE run_id = 2 AND task = 'mc_1' AND item_id = '00003' AND request_index = 1",
        "result moved": "UPDATE results SET item_id = '99999' WHERE run_id = 2 AND task = 'gen_f1' AND item_id = '00004'",
        "item score edited": "UPDATE item_scores SET value = 1 - value WHERE run_id = 2 AND task = 'mc_0' AND item_id = '00007' AND metric = 'acc'",
        "item score deleted": "DELETE FROM item_scores WHERE run_id = 2 AND task = 'mc_2' AND item_id = '00001' AND metric = 'acc_norm'",
        "task metric edited": "UPDATE task_metrics SET value = value + 0.01 WHERE run_id = 2 AND task = 'mc_3' AND metric = 'acc'",
    }
    for what, sql in edits.items():
        copy = folder / f"{what.replace(' ', '_')}.db"
        shutil.copy(store, copy)
        edited = subprocess.run(["sqlite3", copy, "PRAGMA foreign_keys=OFF; " + sql + "; SELECT changes();"], capture_output=True, text=True)
        check(edited.returncode == 0 and edited.stdout.strip().endswith("1"), f"{what}: the edit did not apply: {edited.stderr}")
        refused = dokpa("verify", "--store", copy, "--digest", digests[2], expect=1)
        check("no run matches digest" in refused.stderr, f"{what}: {refused.stderr}")
        # Run 3 is untouched: its digest still matches, while the audit chain reports the edit.
        other = dokpa("verify", "--store", copy, "--digest", digests[3], "--run", 3, expect=1)
        check("run 3 digest matches" in other.stdout and "audit problem" in other.stderr, f"{what}: {other.stdout}{other.stderr}")
    print(f"run digests: intact store accepted; {len(edits)} kinds of edit refused")


def console_lines(stderr):
    return re.findall(r"^\[\d+:\d+:\d+/\d+\.\d+:\w+:CONSOLE:?\d*\] (.*)$", stderr, re.M)


def open_in_chromium(page, screenshot, folder):
    profile = tempfile.mkdtemp(dir=folder)
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                             f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1280,2400",
                             "--virtual-time-budget=2000", f"--screenshot={screenshot}", "--dump-dom", page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    check(result.returncode == 0, f"chromium exited {result.returncode}:\n{result.stderr[-2000:]}")
    return result.stdout, console_lines(result.stderr)


def browser_case(folder):
    check(Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run scripts/setup.sh --test-browser")
    # The check must be able to fail: a page with a console error and an uncaught exception.
    bad = folder / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>console.error('boom'); undefinedFunction();</script></body></html>")
    _, messages = open_in_chromium(bad, folder / "bad.png", folder)
    check(any("boom" in m for m in messages) and any("Uncaught" in m for m in messages), f"console errors not caught: {messages}")

    store = folder / "smoke.db"
    for submission in ("smollm2.yaml", "smollm2-chat.yaml"):
        dokpa("run", "--suite", ROOT / "configs" / "smoke.yaml", "--submission", ROOT / "configs" / "submissions" / submission,
              "--store", store, "--tasks", "kmmlu_fixture,kobest_boolq_fixture")
    out = folder / "report"
    dokpa("report", "--store", store, "--out", out, "--drilldown-all")  # the two runs may agree on every item
    html = (out / "report.html").read_text()
    check(not re.search(r"<script|<link|<img|<iframe|\bsrc=|url\(|https?://(?!www\.w3\.org/2000/svg)", html),
          "the report refers to something outside itself")
    report = json.loads((out / "report.json").read_text())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    dom, messages = open_in_chromium(out / "report.html", screenshot, folder)
    check(not messages, f"console messages on the report: {messages}")
    rows = len(re.findall(r'<tr class="leaderboard-row"', dom))
    expected_rows = len(report["rankings"]) * len(report["runs"])
    check(rows == expected_rows and rows > 0, f"{rows} leaderboard rows rendered, expected {expected_rows}")
    charts = len(re.findall(r"<svg class=\"chart", dom))
    check(charts == len(report["rankings"]) + 1, f"{charts} SVG charts rendered, expected {len(report['rankings']) + 1}")
    check(len(re.findall(r"<rect ", dom)) >= expected_rows, "the bar charts have no bars")
    shown = sum(len(d["items"]) for d in report["drilldown"])
    check(shown > 0 and report["drilldown"][0]["items"][0]["prompt"][:20] in dom.replace("&amp;", "&"), "the drill-down does not show the prompts")
    png = screenshot.read_bytes()
    check(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000, f"screenshot {screenshot} is not a rendered PNG")
    print(f"chromium: no console messages, {rows} leaderboard rows, {charts} charts; screenshot {screenshot} ({len(png)} bytes)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["statistics", "compare", "digest", "browser"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        {"statistics": statistics_case, "compare": compare_case, "digest": digest_case, "browser": browser_case}[args.case](Path(tmp))
    print("PASS")


if __name__ == "__main__":
    main()
