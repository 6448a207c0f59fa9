"""The parity task table: which dokpa task is compared with which lm-eval task, on which files.

Every comparable dokpa task of the phase-2 suite gets one lm-eval *override task*: a YAML file that
`include:`s the task file installed with lm-eval (so prompt, choices, target, metrics, filters and
generation settings are lm-eval's own) and only points `dataset_path` / `dataset_kwargs.data_files`
at the local fixture files (plus `num_fewshot` where the phase-2 protocol fixes it). The override
tasks are named `parity__<dokpa task>` and tagged `dokpa_parity`.

Two families need more than that:
  * CLIcK: lm-eval has one subtask per category, chosen by id filters (`process_docs`) over the
    single `train` split. All CLIcK fixture files form that split (as on the Hub), every lm-eval
    subtask that claims at least one item is run, and its docs are matched to dokpa's items by `id`.
  * HAE-RAE: lm-eval's `haerae` reads a `query` field (question with options written in) from
    `HAERAE-HUB/HAE_RAE_BENCH`; the phase-2 fixtures use the HAE-RAE 1.0 CSV layout (question, a..e,
    answer). The comparison builds a query-layout copy of the same items whose `query` is the exact
    prompt dokpa rendered (read from dokpa's store), answer `(X)`. Prompts are then equal by
    construction; what is compared is lm-eval's scoring of them (continuations, log-likelihoods,
    acc, acc_norm). Reading comprehension has no lm-eval task: it is scored with lm-eval's haerae
    base config the same way and marked as such.
"""
from __future__ import annotations

import csv
import glob
import importlib.util
import json
import pathlib
import re
from dataclasses import dataclass, field

import yaml

OVERRIDE_PREFIX = "parity__"


class SetupError(Exception):
    """Inputs that make the comparison impossible (missing files, disagreeing suite); exit status 2."""

TAG = "dokpa_parity"

# dokpa's HAE-RAE 1.0 task suffix -> (fixture file code, installed lm-eval task file or None)
HAERAE = {
    "standard_nomenclature": ("SN", "haerae_sn.yaml"),
    "loan_words": ("LW", "haerae_lw.yaml"),
    "rare_words": ("RW", "haerae_rw.yaml"),
    "general_knowledge": ("KGK", "haerae_gk.yaml"),
    "history": ("HI", "haerae_hi.yaml"),
    "reading_comprehension": ("RC", None),  # excluded from lm-eval ("copyright issues")
}
KOBEST = ["boolq", "copa", "hellaswag", "sentineg", "wic"]
KORMEDMCQA = ["doctor", "nurse", "pharm", "dentist"]
# dokpa suffix -> (installed lm-eval task file, fixture file under HAERAE-HUB/HRM8K/HRM8K/)
HRM8K = {
    "gsm8k": ("hrm8k_gsm8k.yaml", "gsm8k_test.csv"),
    "ksm": ("hrm8k_ksm.yaml", "ksm_test.csv"),
    "math": ("hrm8k_math.yaml", "math_do_test.csv"),
    "mmmlu": ("hrm8k_mmmlu.yaml", "mmmlu_test.csv"),
    "omni_math": ("hrm8k_omni_math.yaml", "omni-math_do_test.csv"),
}
CLICK_GLOB = "EunsuKim/CLIcK/Dataset/**/*.json"
# Families whose scoring rules differ between the two harnesses (answer extraction): both scores
# are reported and disagreeing items explained, but only the raw generations must be identical.
EXTRACTION_DIFFERS = {"kmmlu_direct", "kormedmcqa", "hrm8k"}


@dataclass
class LmOverride:
    """One lm-eval task YAML written into the --include_path folder."""
    name: str
    include: pathlib.Path
    body: dict

    def yaml_text(self) -> str:
        doc = {"include": str(self.include), "task": self.name, "tag": TAG}
        doc.update(self.body)
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
        return re.sub(r"'?" + FUNCTION_MARK + r"([\w.]+)'?", r"!function \1", text)


FUNCTION_MARK = "__lm_eval_function__:"
LOADER_MODULE = "parity_loader"  # written next to the override YAMLs (write_loader_module)
TEXT_COLUMNS = ["question", "A", "B", "C", "D", "Category", "Human Accuracy"]


def write_loader_module(folder: pathlib.Path) -> None:
    """The converter the KMMLU overrides use where lm-eval's default CSV loading fails."""
    (folder / f"{LOADER_MODULE}.py").write_text(
        '"""pandas converter for lm-eval parity overrides: keep a CSV cell\'s text as written."""\n\n\n'
        "def keep_text(cell):\n    return cell\n", encoding="utf-8")


def lm_eval_csv_view(files: list[pathlib.Path]) -> tuple[str | None, list[list[dict]]]:
    """What lm-eval's `csv` loading (datasets: pandas inference per file, then every later split cast
    to the first split's Arrow schema) makes of these files: (error or None, rows as rendered text
    per file). Cells are rendered the way a Jinja template prints them (Python str(); empty -> None)."""
    import pandas as pd
    import pyarrow as pa
    schema, out = None, []
    for f in files:
        table = pa.Table.from_pandas(pd.read_csv(f), preserve_index=False)
        if schema is None:
            schema = table.schema
        else:
            try:
                table = table.cast(schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as e:
                return f"{f.name}: {str(e).splitlines()[0]}", []
        out.append([{k: str(v) for k, v in row.items()} for row in table.to_pylist()])
    return None, out


def csv_rerendered_cells(files: list[pathlib.Path]) -> list[tuple[str, str, str]]:
    """(column, text in the file, text lm-eval renders) for prompt cells the loader changes."""
    err, views = lm_eval_csv_view(files)
    if err:
        return []
    altered = []
    for f, rows in zip(files, views):
        with f.open(encoding="utf-8", newline="") as fh:
            raw = list(csv.DictReader(fh))
        for r, v in zip(raw, rows):
            altered += [(c, r[c], v[c]) for c in ("question", "A", "B", "C", "D") if r[c] != v[c]]
    return altered


@dataclass
class ParityTask:
    dokpa: str  # task name in configs/phase2.yaml
    family: str  # kmmlu, kmmlu_5shot, kmmlu_hard, kmmlu_direct, haerae, kobest, click, kormedmcqa, hrm8k
    kind: str  # "mc" (log-likelihood) or "gen" (generation)
    lm_reference: str  # the installed lm-eval task(s) this stands for, for the report
    overrides: list[str]  # override task names whose docs are this task's items
    match: str = "order"  # "order": doc_id i = dokpa's i-th item; "id": by the docs' `id` field
    dokpa_files: list[str] = field(default_factory=list)  # data-root-relative files dokpa should read
    lm_files: list[str] = field(default_factory=list)  # files lm-eval loads (KMMLU: test and dev), if more
    note: str = ""
    shots: int = 0  # num_fewshot the lm-eval override sets (checked against lm-eval's n-shot)


def lm_eval_tasks_dir() -> pathlib.Path:
    import lm_eval
    return pathlib.Path(lm_eval.__file__).resolve().parent / "tasks"


def load_module(path: pathlib.Path, name: str):
    """Imports one of lm-eval's task utils.py files by path (they are not regular packages)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _subject_configs(folder: pathlib.Path, prefix: str) -> dict[str, str]:
    """suffix -> dataset_name of the per-subject YAMLs `<prefix><suffix>.yaml` in an lm-eval folder."""
    out = {}
    for path in sorted(folder.glob(prefix + "*.yaml")):
        suffix = path.stem[len(prefix):]
        out[suffix] = yaml.safe_load(path.read_text(encoding="utf-8"))["dataset_name"]
    return out


def _csv_body(files: dict[str, pathlib.Path], shots: int) -> dict:
    return {"dataset_path": "csv", "dataset_name": None,
            "dataset_kwargs": {"data_files": {k: str(v) for k, v in files.items()}},
            "num_fewshot": shots}


def _kmmlu_body(files: dict[str, pathlib.Path], shots: int) -> tuple[dict, str]:
    """The override body, and a note when lm-eval's default loading of these files fails (then the
    prompt columns are read as text with a pandas converter; everything else stays lm-eval's)."""
    body = _csv_body(files, shots)
    err, _ = lm_eval_csv_view(list(files.values()))
    if not err:
        return body, ""
    body["dataset_kwargs"]["converters"] = {c: FUNCTION_MARK + LOADER_MODULE + ".keep_text" for c in TEXT_COLUMNS}
    return body, (f"lm-eval's default CSV loading fails on these files ({err}: datasets casts every split to "
                  f"the first split's inferred schema); the override reads {', '.join(TEXT_COLUMNS)} as text")


def _one(pattern: pathlib.Path) -> pathlib.Path:
    hits = sorted(glob.glob(str(pattern)))
    if len(hits) != 1:
        raise SetupError(f"expected exactly one file matching {pattern}, found {len(hits)}")
    return pathlib.Path(hits[0])


def build_table(data_root: pathlib.Path) -> tuple[list[ParityTask], dict[str, LmOverride], list[str]]:
    """All comparable tasks, their override YAMLs, and dokpa tasks with no lm-eval counterpart.

    HAE-RAE overrides are created later (make_haerae_override) because their data is built from
    dokpa's prompts."""
    tasks_dir = lm_eval_tasks_dir()
    tasks: list[ParityTask] = []
    overrides: dict[str, LmOverride] = {}

    def add(task: ParityTask, include: pathlib.Path | None, body: dict | None):
        task.shots = (body or {}).get("num_fewshot", 0)
        tasks.append(task)
        if include is not None:
            name = OVERRIDE_PREFIX + task.dokpa
            overrides[name] = LmOverride(name, include, body)

    kmmlu = data_root / "HAERAE-HUB/KMMLU/data"
    hard = data_root / "HAERAE-HUB/KMMLU-HARD/data"
    default_cfg = _subject_configs(tasks_dir / "kmmlu/default", "kmmlu_")
    hard_cfg = _subject_configs(tasks_dir / "kmmlu/hard", "kmmlu_hard_")
    direct_cfg = _subject_configs(tasks_dir / "kmmlu/direct", "kmmlu_direct_")
    for s, cfg in default_cfg.items():
        files = {"test": kmmlu / f"{cfg}-test.csv", "dev": kmmlu / f"{cfg}-dev.csv"}
        rel = [str(p.relative_to(data_root)) for p in files.values()]
        inc = tasks_dir / f"kmmlu/default/kmmlu_{s}.yaml"
        body0, note = _kmmlu_body(files, 0)
        body5, _ = _kmmlu_body(files, 5)
        add(ParityTask(f"kmmlu_{s}", "kmmlu", "mc", f"kmmlu_{s}", [OVERRIDE_PREFIX + f"kmmlu_{s}"],
                       dokpa_files=rel[:1], lm_files=rel, note=note), inc, body0)
        add(ParityTask(f"kmmlu_5shot_{s}", "kmmlu_5shot", "mc", f"kmmlu_{s} --num_fewshot 5",
                       [OVERRIDE_PREFIX + f"kmmlu_5shot_{s}"], dokpa_files=rel, lm_files=rel, note=note), inc, body5)
    for s, cfg in hard_cfg.items():
        files = {"test": hard / f"{cfg}-hard-test.csv", "dev": hard / f"{cfg}-hard-dev.csv"}
        body, note = _kmmlu_body(files, 0)
        rel = [str(p.relative_to(data_root)) for p in files.values()]
        add(ParityTask(f"kmmlu_hard_{s}", "kmmlu_hard", "mc", f"kmmlu_hard_{s}",
                       [OVERRIDE_PREFIX + f"kmmlu_hard_{s}"], dokpa_files=rel[:1], lm_files=rel, note=note),
            tasks_dir / f"kmmlu/hard/kmmlu_hard_{s}.yaml", body)
    for s, cfg in direct_cfg.items():
        files = {"test": kmmlu / f"{cfg}-test.csv", "dev": kmmlu / f"{cfg}-dev.csv"}
        body, note = _kmmlu_body(files, 0)
        rel = [str(p.relative_to(data_root)) for p in files.values()]
        add(ParityTask(f"kmmlu_direct_{s}", "kmmlu_direct", "gen", f"kmmlu_direct_{s}",
                       [OVERRIDE_PREFIX + f"kmmlu_direct_{s}"], dokpa_files=rel[:1], lm_files=rel, note=note),
            tasks_dir / f"kmmlu/direct/kmmlu_direct_{s}.yaml", body)

    for s, (code, lm_file) in HAERAE.items():
        rel = f"HAERAE-HUB/HAE_RAE_BENCH_1.0/data/HAERAE-Bench-v1-{code}.csv"
        lm_ref = (yaml.safe_load((tasks_dir / "haerae" / lm_file).read_text(encoding="utf-8"))["task"]
                  if lm_file else "(none: lm-eval excludes reading comprehension)")
        tasks.append(ParityTask(f"haerae_{s}", "haerae", "mc", lm_ref, [OVERRIDE_PREFIX + f"haerae_{s}"],
                                dokpa_files=[rel],
                                note="query-layout copy built from dokpa's prompts; prompts equal by construction"))

    for t in KOBEST:
        test = data_root / f"skt/kobest_v1/{t}/test.jsonl"
        body = {"dataset_path": "json", "dataset_name": None,
                "dataset_kwargs": {"data_files": {"test": str(test)}},
                # the fixtures have no train/validation files; 0-shot never reads them
                "training_split": None, "validation_split": None, "num_fewshot": 0}
        add(ParityTask(f"kobest_{t}", "kobest", "mc", f"kobest_{t}", [OVERRIDE_PREFIX + f"kobest_{t}"],
                       dokpa_files=[str(test.relative_to(data_root))]),
            tasks_dir / f"kobest/kobest_{t}.yaml", body)

    for c in KORMEDMCQA:
        test = _one(data_root / f"sean0042/KorMedMCQA/{c}/test-*.parquet")
        shots = _one(data_root / f"sean0042/KorMedMCQA/{c}/fewshot-*.parquet")
        body = {"dataset_path": "parquet", "dataset_name": None,
                "dataset_kwargs": {"data_files": {"test": str(test), "fewshot": str(shots)}},
                "num_fewshot": 5}
        add(ParityTask(f"kormedmcqa_{c}", "kormedmcqa", "gen", f"kormedmcqa_{c} --num_fewshot 5",
                       [OVERRIDE_PREFIX + f"kormedmcqa_{c}"],
                       dokpa_files=[str(test.relative_to(data_root)), str(shots.relative_to(data_root))]),
            tasks_dir / f"kormedmcqa/{c}.yaml", body)

    for s, (lm_file, fname) in HRM8K.items():
        test = data_root / f"HAERAE-HUB/HRM8K/HRM8K/{fname}"
        add(ParityTask(f"hrm8k_{s}", "hrm8k", "gen", lm_file[:-5], [OVERRIDE_PREFIX + f"hrm8k_{s}"],
                       dokpa_files=[str(test.relative_to(data_root))]),
            tasks_dir / f"hrm8k/default/{lm_file}", _csv_body({"test": test}, 0))

    click_tasks, click_overrides = build_click(data_root, tasks_dir)
    tasks += click_tasks
    overrides.update(click_overrides)
    no_counterpart = ["kobalt"]  # not in lm-eval 0.4.13
    return tasks, overrides, no_counterpart


def click_subtask_ids(files: list[pathlib.Path], tasks_dir: pathlib.Path) -> tuple[dict[str, list[str]], list[dict]]:
    """lm-eval click subtask -> ids it claims (its own process_docs filters), and all records."""
    import datasets
    datasets.disable_progress_bars()
    records = []
    for f in files:
        records += json.loads(f.read_text(encoding="utf-8"))
    ds = datasets.Dataset.from_list(records)
    claimed = {}
    for group in ("click_cul", "click_lang"):
        utils = load_module(tasks_dir / f"click/{group}/utils.py", f"parity_{group}_utils")
        for yml in sorted((tasks_dir / f"click/{group}").glob(f"{group}_*.yaml")):
            fn_name = yaml.load(yml.read_text(encoding="utf-8"), Loader=_FunctionLoader)["process_docs"]
            claimed[yml.stem] = [r["id"] for r in getattr(utils, fn_name)(ds)]
    return claimed, records


def build_click(data_root: pathlib.Path, tasks_dir: pathlib.Path):
    files = sorted(pathlib.Path(p) for p in glob.glob(str(data_root / CLICK_GLOB), recursive=True))
    claimed, _ = click_subtask_ids(files, tasks_dir)
    overrides = {}
    for sub, ids in claimed.items():
        if not ids:
            continue
        group = "click_cul" if sub.startswith("click_cul") else "click_lang"
        name = OVERRIDE_PREFIX + sub
        overrides[name] = LmOverride(name, tasks_dir / f"click/{group}/{sub}.yaml", {
            "dataset_path": "json", "dataset_name": None,
            "dataset_kwargs": {"data_files": {"train": [str(f) for f in files]}}, "num_fewshot": 0})
    tasks = []
    for f in files:
        ids = [r["id"] for r in json.loads(f.read_text(encoding="utf-8"))]
        subs = sorted({s for s, claimed_ids in claimed.items() for i in ids if i in claimed_ids})
        rel = str(f.relative_to(data_root))
        # the dokpa task name is taken from the suite (see bind_click_names); a placeholder until then
        tasks.append(ParityTask("click:" + rel, "click", "mc", ", ".join(subs) or "(no lm-eval subtask)",
                                [OVERRIDE_PREFIX + s for s in subs], match="id", dokpa_files=[rel]))
    return tasks, overrides


class _FunctionLoader(yaml.SafeLoader):
    """Reads lm-eval YAML with `!function utils.name` tags as the plain string `name`."""


_FunctionLoader.add_constructor("!function",
                                lambda loader, node: loader.construct_scalar(node).split(".", 1)[-1])


def suite_tasks(suite_path: pathlib.Path) -> dict[str, list[str]]:
    """dokpa task name -> data files it reads (dataset path, then few-shot source path), in suite order."""
    doc = yaml.safe_load(suite_path.read_text(encoding="utf-8"))
    out = {}
    for t in doc.get("tasks", []):
        files = [t["dataset"]["path"]]
        shots = t.get("fewshot") or {}
        src = shots.get("source")
        if src and shots.get("count", 0) > 0:
            files.append(src["path"])
        out[t["name"]] = files
    return out


def bind_to_suite(tasks: list[ParityTask], suite: dict[str, list[str]], data_root: pathlib.Path) -> list[str]:
    """Names the CLIcK tasks after the suite task reading each file and checks that every dokpa task
    reads the files the lm-eval override reads. Returns problems (empty when all agree)."""
    problems = []

    def resolve(rel: str) -> set[str]:
        hits = glob.glob(str(data_root / rel), recursive=True)
        return {str(pathlib.Path(h).resolve()) for h in hits} or {str((data_root / rel).resolve())}

    by_file = {}
    for name, files in suite.items():
        if name.startswith("click"):
            for f in resolve(files[0]):
                by_file.setdefault(f, []).append(name)
    for t in tasks:
        if t.family == "click":
            f = str((data_root / t.dokpa_files[0]).resolve())
            names = by_file.get(f, [])
            if len(names) == 1:
                t.dokpa = names[0]
            elif names:
                problems.append(f"CLIcK file {t.dokpa_files[0]} is read by several suite tasks: {names}")
            continue
        if t.dokpa not in suite:
            continue
        expected = set().union(*(resolve(r) for r in t.dokpa_files))
        actual = set().union(*(resolve(r) for r in suite[t.dokpa]))
        if expected != actual:
            problems.append(f"{t.dokpa}: the suite reads {sorted(suite[t.dokpa])}, "
                            f"lm-eval is pointed at {t.dokpa_files}")
    return problems


def read_haerae_rows(path: pathlib.Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def make_haerae_override(task: ParityTask, data_root: pathlib.Path, work: pathlib.Path,
                         dokpa_contexts: list[str]) -> LmOverride:
    """Writes the query-layout copy of one HAE-RAE 1.0 file: query = dokpa's rendered prompt of the
    item (request 0's context), answer = "(X)" from the CSV's answer letter."""
    rows = read_haerae_rows(data_root / task.dokpa_files[0])
    if len(rows) != len(dokpa_contexts):
        raise SetupError(f"{task.dokpa}: {len(rows)} rows in the CSV, {len(dokpa_contexts)} items in dokpa's store")
    out = work / "haerae_query_layout" / f"{task.dokpa}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for row, ctx in zip(rows, dokpa_contexts):
            f.write(json.dumps({"query": ctx, "answer": f"({row['answer'].strip().upper()})"},
                               ensure_ascii=False) + "\n")
    tasks_dir = lm_eval_tasks_dir()
    code = task.dokpa[len("haerae_"):]
    lm_file = HAERAE[code][1]
    include = tasks_dir / "haerae" / (lm_file or "_default_haerae_yaml")
    body = {"dataset_path": "json", "dataset_name": None,
            "dataset_kwargs": {"data_files": {"test": str(out)}}, "num_fewshot": 0}
    return LmOverride(OVERRIDE_PREFIX + task.dokpa, include, body)
