"""Reads both harnesses' outputs and compares them item by item.

dokpa: its SQLite store (docs/store-schema.md): requests (plan order), results, item_scores,
task_metrics. lm-eval: `results_<ts>.json` and `samples_<task>_<ts>.jsonl` written with --log_samples.

Per task the comparison yields, for every item pair (lm-eval doc, dokpa item):
  prompts     lm-eval's request arguments (arg_0 context / prompt, arg_1 continuation) vs dokpa's
              context / continuation / prompt, byte for byte;
  log-probs   per choice |lm-eval ll - dokpa logprob| (only where the prompts are identical);
  prediction  argmax of the log-likelihoods (first max on ties, like numpy) and per-item acc/acc_norm;
  generation  the raw generated text (token-identical greedy decoding), and per-item scores.
A prompt that differs for a documented reason (CLIcK CSAT items, where dokpa shows option E; CSV
cells that lm-eval's pandas loader re-renders) is counted and listed apart and does not fail.
"""
from __future__ import annotations

import glob
import json
import math
import pathlib
import re
import sqlite3
import string
from dataclasses import dataclass, field

from parity_tasks import EXTRACTION_DIFFERS, ParityTask, SetupError, csv_rerendered_cells, load_module, lm_eval_tasks_dir

SCORE_TOLERANCE = 1e-9


# ----------------------------------------------------------------------------------------- dokpa
@dataclass
class DokpaItem:
    item_id: str
    requests: list = field(default_factory=list)  # request JSON dicts, by request_index
    results: list = field(default_factory=list)  # result row dicts, by request_index
    scores: dict = field(default_factory=dict)  # metric -> value


def read_dokpa_store(path: pathlib.Path) -> tuple[dict, dict, dict]:
    """(run row, task -> [DokpaItem in plan order], task -> {metric: value})."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    runs = db.execute("SELECT id, status, timings, started_at, finished_at FROM runs ORDER BY id").fetchall()
    if not runs:
        raise SetupError(f"{path} holds no run")
    run = dict(runs[-1])
    rid = run["id"]
    items: dict[str, dict[str, DokpaItem]] = {}
    for r in db.execute("SELECT task, item_id, request_index, request FROM requests WHERE run_id=? "
                        "ORDER BY plan_order", (rid,)):
        item = items.setdefault(r["task"], {}).setdefault(r["item_id"], DokpaItem(r["item_id"]))
        assert r["request_index"] == len(item.requests), "requests out of order"
        item.requests.append(json.loads(r["request"]))
        item.results.append(None)
    for r in db.execute("SELECT task, item_id, request_index, logprob, is_greedy, n_tokens, response_text, "
                        "finish_reason FROM results WHERE run_id=?", (rid,)):
        items[r["task"]][r["item_id"]].results[r["request_index"]] = dict(r)
    for r in db.execute("SELECT task, item_id, metric, value FROM item_scores WHERE run_id=?", (rid,)):
        items[r["task"]][r["item_id"]].scores[r["metric"]] = r["value"]
    metrics: dict[str, dict[str, float]] = {}
    for r in db.execute("SELECT task, metric, value, n FROM task_metrics WHERE run_id=?", (rid,)):
        metrics.setdefault(r["task"], {})[r["metric"]] = r["value"]
    db.close()
    return run, {t: list(v.values()) for t, v in items.items()}, metrics


# --------------------------------------------------------------------------------------- lm-eval
SAMPLES_RE = re.compile(r"^samples_(?P<task>.+)_(?P<ts>\d{4}-\d{2}-\d{2}T[0-9.\-]+)\.jsonl$")


def read_lm_eval(out_dir: pathlib.Path) -> tuple[dict, dict]:
    """(results json, task -> samples sorted by doc_id) of the newest lm-eval run under out_dir."""
    results_files = sorted(glob.glob(str(out_dir / "**" / "results_*.json"), recursive=True))
    if not results_files:
        raise SetupError(f"no lm-eval results_*.json under {out_dir}")
    results_path = pathlib.Path(results_files[-1])
    results = json.loads(results_path.read_text(encoding="utf-8"))
    ts = results_path.stem[len("results_"):]
    samples = {}
    for p in results_path.parent.glob(f"samples_*_{ts}.jsonl"):
        m = SAMPLES_RE.match(p.name)
        rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        samples[m.group("task")] = sorted(rows, key=lambda s: s["doc_id"])
    return results, samples


# ------------------------------------------------------------------------------------ comparison
def argmax(values):
    best = 0
    for i, v in enumerate(values):
        if v > values[best] or (math.isnan(v) and not math.isnan(values[best])):
            best = i
    return best


def lm_requests(sample) -> list[tuple]:
    args = sample["arguments"]
    return [(args[f"gen_args_{i}"]["arg_0"], args[f"gen_args_{i}"]["arg_1"]) for i in range(len(args))]


@dataclass
class TaskReport:
    task: str
    family: str
    kind: str
    lm_reference: str
    items: int = 0  # dokpa items compared
    pairs: int = 0  # (lm-eval doc, dokpa item) pairs (CLIcK: an item may be in several subtasks)
    prompts_identical: int = 0
    prompts_documented: list = field(default_factory=list)  # {item, reason}
    prompts_failed: list = field(default_factory=list)  # {item, lm_eval, dokpa}
    max_abs_dlogprob: float | None = None
    max_abs_dlogprob_per_token: float | None = None  # |Δ| / continuation tokens (dokpa's n_tokens)
    predictions_identical: int = 0
    predictions_compared: int = 0
    texts_identical: int = 0
    score_disagreements: list = field(default_factory=list)  # generation: {item, lm_eval, dokpa, why}
    lm_score: dict = field(default_factory=dict)
    dokpa_score: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)  # strings: comparisons that should be identical
    notes: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


class Comparer:
    def __init__(self, data_root: pathlib.Path, lm_results: dict, lm_samples: dict, tolerance: float):
        self.data_root = data_root
        self.lm_results = lm_results
        self.lm_samples = lm_samples
        self.tol = tolerance
        tasks_dir = lm_eval_tasks_dir()
        self.kormed_utils = load_module(tasks_dir / "kormedmcqa/utils.py", "parity_kormedmcqa_utils")
        self.hrm8k_utils = load_module(tasks_dir / "hrm8k/default/utils.py", "parity_hrm8k_utils")
        eos = lm_results.get("tokenizer_eos_token") or [None]
        self.eos_text = eos[0]

    # -- pairing
    def pairs(self, t: ParityTask, items: list[DokpaItem], rep: TaskReport):
        if t.match == "order":
            docs = self.lm_samples.get(t.overrides[0])
            if docs is None:
                rep.failures.append(f"lm-eval wrote no samples for {t.overrides[0]}")
                return []
            if len(docs) != len(items):
                rep.failures.append(f"item count differs: lm-eval {len(docs)}, dokpa {len(items)}")
            return [(d, i, i.item_id) for d, i in zip(docs, items)]
        out = []
        for item in items:
            found = [(s, d) for s in t.overrides for d in self.lm_samples.get(s, []) if d["doc"]["id"] == item.item_id]
            if not found:
                rep.notes.append(f"item {item.item_id}: in no lm-eval subtask (lm-eval's id filters skip it)")
            for sub, d in found:
                out.append((d, item, f"{item.item_id} [{sub.split('__', 1)[1]}]"))
        return out

    # -- documented prompt differences
    def documented_reason(self, t: ParityTask, doc: dict, lm_req, dk_req) -> str | None:
        if t.family == "click" and "CSAT" in doc["doc"].get("id", ""):
            lm_cont = [c for _, c in lm_req]
            dk_cont = [r["continuation"] for r in dk_req]
            if lm_cont == dk_cont:
                return ("CLIcK CSAT item: dokpa lists option E in the prompt; lm-eval's get_context shows only "
                        "A-D while scoring A-E (same continuations)")
        if t.family.startswith("kmmlu"):
            if self.csv_rerender_explains(t, lm_req, dk_req):
                return "CSV cell re-rendered by lm-eval's pandas loader (numeric inference / empty cell -> None)"
        return None

    def csv_rerender_explains(self, t: ParityTask, lm_req, dk_req) -> bool:
        """True when substituting lm-eval's rendering of the CSV cells its loader changes into dokpa's
        prompt gives lm-eval's prompt exactly (dokpa renders the file's text)."""
        altered = csv_rerendered_cells([self.data_root / f for f in (t.lm_files or t.dokpa_files)])
        if not altered:
            return False
        for (lm_ctx, _), dk in zip(lm_req, dk_req):
            text = dk.get("context", dk.get("prompt"))
            for col, raw, rendered in altered:
                if col == "question":
                    text = re.sub(r"(^|\n\n)" + re.escape(raw.strip()) + r"(?=\nA\. )",
                                  lambda m: m.group(1) + rendered.strip(), text)
                else:
                    text = text.replace(f"\n{col}. {raw}\n", f"\n{col}. {rendered}\n")
            if text != lm_ctx:
                return False
        return True

    # -- multiple choice
    def compare_mc(self, t, rep, doc, item, label):
        lm_req = lm_requests(doc)
        prompt_same = (len(lm_req) == len(item.requests) and
                       all(c == r.get("context") and k == r.get("continuation")
                           for (c, k), r in zip(lm_req, item.requests)))
        lm_ll = [float(x[0][0]) for x in doc["resps"]]
        dk_ll = [r["logprob"] if r else None for r in item.results]
        if None in dk_ll:
            rep.failures.append(f"{label}: dokpa has no result for some choice")
            return
        if prompt_same:
            rep.prompts_identical += 1
            d = max(abs(a - b) for a, b in zip(lm_ll, dk_ll))
            rep.max_abs_dlogprob = d if rep.max_abs_dlogprob is None else max(rep.max_abs_dlogprob, d)
            per_token = max(abs(a - b) / max(1, r["n_tokens"] or 1) for a, b, r in zip(lm_ll, dk_ll, item.results))
            rep.max_abs_dlogprob_per_token = max(per_token, rep.max_abs_dlogprob_per_token or 0.0)
            if d > self.tol:
                rep.failures.append(f"{label}: |Δ logprob| {d:.3g} > {self.tol:g}")
            rep.predictions_compared += 1
            same_pred = argmax(lm_ll) == argmax(dk_ll)
            same_scores = all(abs(doc[m] - item.scores[m]) <= SCORE_TOLERANCE
                              for m in ("acc", "acc_norm") if m in doc and m in item.scores)
            if same_pred and same_scores:
                rep.predictions_identical += 1
            else:
                rep.failures.append(f"{label}: prediction lm-eval {argmax(lm_ll)} (ll {lm_ll}), "
                                    f"dokpa {argmax(dk_ll)} (ll {dk_ll}); acc {doc.get('acc')} vs {item.scores.get('acc')}")
            return
        reason = self.documented_reason(t, doc, lm_req, item.requests)
        entry = {"item": label, "lm_eval_context": lm_req[0][0] if lm_req else None,
                 "dokpa_context": item.requests[0].get("context"),
                 "lm_eval_continuations": [k for _, k in lm_req],
                 "dokpa_continuations": [r.get("continuation") for r in item.requests],
                 "lm_eval_pred": argmax(lm_ll), "dokpa_pred": argmax(dk_ll)}
        if reason:
            rep.prompts_documented.append({"reason": reason, **entry})
        else:
            rep.prompts_failed.append(entry)
            rep.failures.append(f"{label}: prompt differs")

    # -- generation
    def compare_gen(self, t, rep, doc, item, label):
        (lm_prompt, lm_kwargs), = lm_requests(doc)
        dk_req, dk_res = item.requests[0], item.results[0]
        if dk_res is None:
            rep.failures.append(f"{label}: dokpa has no result")
            return
        lm_text, dk_text = doc["resps"][0][0], dk_res["response_text"]
        lm_until = list(lm_kwargs.get("until", []))
        if self.eos_text and self.eos_text not in lm_until:
            lm_until.append(self.eos_text)  # lm-eval's HF backend appends the EOS text (handle_stop_sequences)
        caps = (lm_kwargs.get("max_gen_toks"), dk_req.get("max_tokens"))
        if caps[0] != caps[1]:
            rep.failures.append(f"{label}: token caps differ: lm-eval {caps[0]}, dokpa {caps[1]}")
        # lm-eval adds the EOS text to `until`; dokpa's runner stops on the EOS token itself
        lm_stops = [s for s in lm_until if s != self.eos_text]
        dk_stops = [s for s in dk_req.get("stop", []) if s != self.eos_text]
        if set(lm_stops) != set(dk_stops):
            note = f"stop strings differ: lm-eval {lm_until}, dokpa {dk_req.get('stop')}"
            if note not in rep.notes:
                rep.notes.append(note)
        if lm_prompt != dk_req.get("prompt"):
            entry = {"item": label, "lm_eval_prompt": lm_prompt, "dokpa_prompt": dk_req.get("prompt")}
            rep.prompts_failed.append(entry)
            rep.failures.append(f"{label}: prompt differs")
            return
        rep.prompts_identical += 1
        rep.predictions_compared += 1
        if lm_text == dk_text:
            rep.texts_identical += 1
        else:
            why = self.text_difference(lm_text, dk_text, lm_until, dk_req.get("stop", []))
            if caps[0] != caps[1]:
                why += "; the token caps differ"
            rep.failures.append(f"{label}: generated text differs ({why}): lm-eval {lm_text!r}, dokpa {dk_text!r}")
        metric = "exact_match"
        lm_v, dk_v = doc.get(metric), item.scores.get(metric)
        if lm_v is None or dk_v is None:
            rep.notes.append(f"{label}: exact_match missing (lm-eval {lm_v}, dokpa {dk_v})")
            return
        if abs(lm_v - dk_v) <= SCORE_TOLERANCE:
            rep.predictions_identical += 1
            return
        entry = {"item": label, "generation_lm_eval": lm_text, "generation_dokpa": dk_text,
                 "target": doc.get("target"), "lm_eval_filtered": doc.get("filtered_resps"),
                 "lm_eval": lm_v, "dokpa": dk_v, "why": self.why_scores_differ(t, doc, lm_text, dk_v)}
        rep.score_disagreements.append(entry)
        if t.family not in EXTRACTION_DIFFERS:
            rep.failures.append(f"{label}: exact_match lm-eval {lm_v}, dokpa {dk_v}")

    @staticmethod
    def text_difference(a: str, b: str, a_stops, b_stops) -> str:
        short, long_, stops = (a, b, a_stops) if len(a) <= len(b) else (b, a, b_stops)
        if long_.startswith(short.rstrip("\ufffd")):  # a cut inside a character decodes to U+FFFD
            rest = long_[len(short):]
            if any(s and rest.startswith(s) for s in stops):
                return "one side stopped at a stop string the other does not use"
            return "one side stopped earlier"
        n = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
        return f"diverges at character {n}"

    def why_scores_differ(self, t: ParityTask, doc, text: str, dokpa_value: float) -> str:
        gold = str(doc.get("target"))
        if t.family == "kmmlu_direct":
            norm = text.replace(" ", "").lower().translate(str.maketrans("", "", string.punctuation))
            return (f"lm-eval compares the whole generation, spaces and ASCII punctuation removed and "
                    f"lower-cased ({norm!r}), with {gold.lower()!r}; dokpa extracts an option label "
                    f"(answer_extraction.h) and scored {dokpa_value:g}")
        if t.family == "kormedmcqa":
            fired = next(((i + 1, p.pattern, p.findall(text)[-1].upper())
                          for i, p in enumerate(self.kormed_utils.CHOICE_PATTERNS) if p.findall(text)), None)
            lm = (f"lm-eval's pattern {fired[0]} `{fired[1]}` read {fired[2]!r}" if fired
                  else "no lm-eval pattern matched (extracted '')")
            hint = ""
            if fired and fired[0] >= 3:
                hint = " — a stray letter in prose, which dokpa does not guess from"
            return f"{lm}{hint}; dokpa's extract_choice scored {dokpa_value:g} against gold {gold!r}"
        if t.family == "hrm8k":
            parsed = self.hrm8k_utils.parse_math_answer(text)
            boxed = "\\boxed" in text or "\\fbox" in text
            how = "a \\boxed answer" if boxed else "no \\boxed: fallback to the last $...$ / = / number"
            present = "present" if boxed else "absent"
            return (f"lm-eval parsed {parsed!r} from the generation ({how}) and compared it with gold "
                    f"{gold!r}; dokpa requires a complete \\boxed{{}} ({present}) and scored {dokpa_value:g}")
        return "scoring rules differ"

    # -- task
    def compare(self, t: ParityTask, items: list[DokpaItem] | None, dokpa_metrics: dict) -> TaskReport:
        rep = TaskReport(t.dokpa, t.family, t.kind, t.lm_reference)
        if t.note:
            rep.notes.append(t.note)
        if items is None:
            rep.failures.append("dokpa's store has no items for this task")
            return rep
        rep.items = len(items)
        for name in t.overrides:
            n_shot = self.lm_results.get("n-shot", {}).get(name)
            if n_shot is not None and n_shot != t.shots:
                rep.failures.append(f"lm-eval ran {name} with {n_shot} shots, expected {t.shots}")
        pairs = self.pairs(t, items, rep)
        rep.pairs = len(pairs)
        matched = []
        for doc, item, label in pairs:
            matched.append(doc)
            if t.kind == "mc":
                self.compare_mc(t, rep, doc, item, label)
            else:
                self.compare_gen(t, rep, doc, item, label)
        self.scores(t, rep, matched, dokpa_metrics)
        return rep

    def scores(self, t: ParityTask, rep: TaskReport, docs: list, dokpa_metrics: dict):
        names = {"acc": "acc", "acc_norm": "acc_norm", "f1": "macro_f1", "exact_match": "exact_match"}
        if t.match == "order" and docs:
            res = self.lm_results["results"].get(t.overrides[0], {})
            for key, value in res.items():
                metric, _, filt = key.partition(",")
                if metric in names and not metric.endswith("_stderr") and isinstance(value, (int, float)):
                    rep.lm_score[metric] = value
        elif docs:  # CLIcK: lm-eval's subtask means restricted to this dokpa task's items
            for m in ("acc", "acc_norm"):
                rep.lm_score[m] = sum(d[m] for d in docs) / len(docs)
        for metric, value in dokpa_metrics.items():
            if metric in names.values() or metric == "circular_exact_match":
                rep.dokpa_score[metric] = value
        if not rep.dokpa_score:
            rep.failures.append("dokpa's store has no task metrics for this task (run not scored?)")
        must_match = (t.kind == "mc" and not rep.prompts_documented and not rep.prompts_failed) or \
                     (t.kind == "gen" and t.family not in EXTRACTION_DIFFERS)
        if must_match:
            for lm_name, dk_name in names.items():
                a, b = rep.lm_score.get(lm_name), rep.dokpa_score.get(dk_name)
                if a is not None and b is not None and abs(a - b) > SCORE_TOLERANCE:
                    rep.failures.append(f"task {lm_name}: lm-eval {a}, dokpa {dk_name} {b}")
