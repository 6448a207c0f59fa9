"""Multiple-choice scoring throughput: dokpa's native runner vs lm-evaluation-harness's `hf` backend.

Two workloads written by this script (Korean, deterministic):
  letters   KMMLU-style: a question with four options, choices " A".." D" (one token each); lm-eval
            already scores them with one forward pass per context (its logits cache)
  endings   HellaSwag-style: a context of three sentences and four one-sentence endings;
            lm-eval runs context + ending for every ending, dokpa encodes the context once

For each, `dokpa run` scores the suite (its execution time is read from the store's run timings;
model loading excluded), then lm-eval's HFLM (PyPI lm-eval, the class its `hf` model name
constructs) scores exactly the requests dokpa stored, in a child process, timing only its
`loglikelihood` call, at every batch size of --lm-eval-batch-sizes (the fastest is the peer: its
batch size tuned). Both sides use the same thread count. Per-item predictions (argmax over the
choices) must be identical; the largest |Δ log-likelihood| is printed.

    .venv/bin/pip install -r bench/requirements.txt -c scripts/requirements.txt   # once: lm-eval
    .venv/bin/python bench/mc_vs_lm_eval.py --items 48 --threads 2
    .venv/bin/python bench/mc_vs_lm_eval.py --model ~/.cache/dokpa/models/random-qwen2-0.5b --items 16
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

from dokpa_run import item_predictions, run_suite, stored_run, write_submission

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_MODEL = os.environ.get("DOKPA_MODEL", os.path.expanduser("~/.cache/dokpa/models/SmolLM2-135M-Instruct"))

SUBJECTS = ["역사", "과학", "지리", "경제", "문학", "수학", "음악", "법률"]
PLACES = ["시장", "학교", "공원", "도서관", "병원", "바닷가", "산", "역"]


def csv_field(text):
    return '"' + text.replace('"', '""') + '"'


def write_letters(folder, items):
    lines = ["question,answer,A,B,C,D"]
    for i in range(items):
        subject = SUBJECTS[i % len(SUBJECTS)]
        detail = " 그리고 그 이유를 설명하는 보기로 가장 알맞은 것은?" * (1 + i % 4)
        question = f"{subject} 문제 {i + 1}: 다음 중 {subject}에 관한 설명으로 옳은 것은?{detail}"
        options = [f"{subject}의 {k}번째 설명 {'가나다라'[k]} {i * 7 % 13}" for k in range(4)]
        lines.append(",".join([csv_field(question), str(1 + i % 4)] + [csv_field(o) for o in options]))
    (folder / "letters.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ("  - name: letters\n    output: multiple_choice\n    dataset: {format: csv, path: letters.csv}\n"
            '    prompt: "{{question|trim}}\\nA. {{A}}\\nB. {{B}}\\nC. {{C}}\\nD. {{D}}\\n정답："\n'
            "    choices: [A, B, C, D]\n    gold: {field: answer, base: 1}\n")


def write_endings(folder, items):
    """HellaSwag-shaped: a context of three sentences, four one-sentence endings."""
    lines = ["context,answer,e1,e2,e3,e4"]
    verbs = ["천천히 걸었다", "사진을 찍었다", "책을 읽었다", "노래를 불렀다"]
    for i in range(items):
        place = PLACES[i % len(PLACES)]
        context = (f"민수는 아침 일찍 {place}에 갔다. 날씨가 {'맑고 따뜻했다' if i % 2 else '흐리고 바람이 불었다'}. "
                   f"그는 친구 {i % 5 + 1}명과 함께 오랫동안 이야기를 나누었고, 점심으로 김밥을 먹었다. 그 다음에")
        endings = [f"그들은 {place} 근처에서 {k + 1}시간 동안 {verbs[(i + k) % 4]}." for k in range(4)]
        lines.append(",".join([csv_field(context), str(i % 4)] + [csv_field(e) for e in endings]))
    (folder / "endings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ("  - name: endings\n    output: multiple_choice\n    dataset: {format: csv, path: endings.csv}\n"
            '    prompt: "{{context}}"\n'
            '    choices: ["{{e1}}", "{{e2}}", "{{e3}}", "{{e4}}"]\n    gold: {field: answer}\n')


def run_dokpa(folder, task, args):
    (folder / f"{task}.db").unlink(missing_ok=True)
    run_suite(ROOT / "build" / "dokpa", folder / "bench.yaml", folder / "submission.yaml", folder / f"{task}.db",
              "--tasks", task, "--chunk-items", args.items)
    timings, rows = stored_run(folder / f"{task}.db", ["q.request", "r.logprob", "q.item_id"])
    return timings["execute_s"], [json.loads(r[0]) for r in rows], [r[1] for r in rows], [r[2] for r in rows]


LM_EVAL_CHILD = r'''
import json, sys, time, torch
from lm_eval.api.instance import Instance
from lm_eval.models.huggingface import HFLM
model_dir, requests_file, batch_size, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
lm = HFLM(pretrained=model_dir, device="cpu", dtype="float32", batch_size=batch_size)
reqs = json.load(open(requests_file, encoding="utf-8"))
instances = [Instance(request_type="loglikelihood", doc={}, arguments=(r["context"], r["continuation"]), idx=i)
             for i, r in enumerate(reqs)]
start = time.perf_counter()
out = lm.loglikelihood(instances, disable_tqdm=True)
elapsed = time.perf_counter() - start
json.dump({"seconds": elapsed, "logprobs": [float(lp) for lp, _ in out]}, sys.stdout)
'''


def run_lm_eval(folder, requests, batch_size, args):
    path = folder / "requests.json"
    path.write_text(json.dumps(requests, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), TOKENIZERS_PARALLELISM="false",
               HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    result = subprocess.run([sys.executable, "-c", LM_EVAL_CHILD, args.model, str(path), str(batch_size),
                             str(args.threads)], check=True, capture_output=True, text=True, env=env)
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=48, help="items per workload (default 48)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8, help="dokpa's batch size (default 8)")
    parser.add_argument("--lm-eval-batch-sizes", default="1,4,16", help="tried for lm-eval; the fastest counts")
    parser.add_argument("--workloads", default="letters,endings")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    args.model = os.path.expanduser(args.model)
    workloads = args.workloads.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        tasks = "".join({"letters": write_letters, "endings": write_endings}[w](folder, args.items) for w in workloads)
        (folder / "bench.yaml").write_text(f"name: bench_mc_vs_lm_eval\nversion: 1\nseed: 1\ntasks:\n{tasks}",
                                           encoding="utf-8")
        write_submission(folder / "submission.yaml", args.model, args.batch_size, args.threads)
        print(f"model {pathlib.Path(args.model).name}, fp32 CPU, {args.threads} threads, {args.items} items x 4 choices")
        print(f"{'workload':9} {'dokpa s':>8} {'lm-eval s (batch)':>22} {'ratio':>7} {'preds same':>10} {'max |Δ|':>9}")
        for task in workloads:
            dokpa_s, requests, dokpa_lp, item_ids = run_dokpa(folder, task, args)
            runs = {int(b): run_lm_eval(folder, requests, int(b), args) for b in args.lm_eval_batch_sizes.split(",")}
            best = min(runs, key=lambda b: runs[b]["seconds"])
            ref = runs[best]
            same = item_predictions(item_ids, dokpa_lp) == item_predictions(item_ids, ref["logprobs"])
            worst = max(abs(a - b) for a, b in zip(dokpa_lp, ref["logprobs"]))
            tried = ", ".join(f"{runs[b]['seconds']:.1f}@{b}" for b in runs)
            print(f"{task:9} {dokpa_s:8.2f} {ref['seconds']:9.2f} ({best:>2}; {tried}) "
                  f"{ref['seconds'] / dokpa_s:6.2f}x {'yes' if same else 'NO':>10} {worst:9.1e}")


if __name__ == "__main__":
    main()
