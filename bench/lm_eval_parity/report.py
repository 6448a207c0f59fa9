"""parity.json and parity.md: per-task table, per-family summary, and every difference found."""
from __future__ import annotations

import dataclasses
import json
import pathlib

PRIMARY = {"mc": ("acc", "acc"), "gen": ("exact_match", "exact_match")}
HEADERS = ["task", "lm-eval task", "items", "prompts identical", "max |Δ logprob|", "predictions identical",
           "lm-eval score", "dokpa score", "status"]


def fmt_scores(scores: dict) -> str:
    return ", ".join(f"{k} {v:.4f}" for k, v in scores.items()) or "—"


def fmt_delta(d) -> str:
    return "—" if d is None else f"{d:.1e}"


def prompts_cell(r) -> str:
    s = f"{r.prompts_identical}/{r.pairs}" + (" (by construction)" if r.family == "haerae" else "")
    if r.prompts_documented:
        s += f" (+{len(r.prompts_documented)} documented)"
    return s


def predictions_cell(r) -> str:
    if r.kind == "mc":
        return f"{r.predictions_identical}/{r.predictions_compared}"
    return f"text {r.texts_identical}/{r.predictions_compared}, score {r.predictions_identical}/{r.predictions_compared}"


def status_cell(r) -> str:
    if r.failures:
        return f"FAIL ({len(r.failures)})"
    if r.score_disagreements:
        return f"ok; {len(r.score_disagreements)} extraction diff"
    if r.prompts_documented:
        return "ok (documented diff)"
    return "ok"


def task_row(r) -> list[str]:
    return [r.task, r.lm_reference, str(r.items), prompts_cell(r), fmt_delta(r.max_abs_dlogprob),
            predictions_cell(r), fmt_scores(r.lm_score), fmt_scores(r.dokpa_score), status_cell(r)]


def family_rows(reports) -> list[list[str]]:
    rows = []
    for fam in dict.fromkeys(r.family for r in reports):
        rs = [r for r in reports if r.family == fam]
        kind = rs[0].kind
        lm_m, dk_m = PRIMARY[kind]
        items = sum(r.items for r in rs)
        pairs = sum(r.pairs for r in rs)

        def micro(get):
            vals = [(get(r), r.pairs) for r in rs if get(r) is not None]
            n = sum(w for _, w in vals)
            return "—" if not n else f"{sum(v * w for v, w in vals) / n:.4f}"

        deltas = [r.max_abs_dlogprob for r in rs if r.max_abs_dlogprob is not None]
        pred = sum(r.predictions_identical for r in rs)
        comp = sum(r.predictions_compared for r in rs)
        if kind == "gen":
            pred_cell = f"text {sum(r.texts_identical for r in rs)}/{comp}, score {pred}/{comp}"
        else:
            pred_cell = f"{pred}/{comp}"
        documented = sum(len(r.prompts_documented) for r in rs)
        fails = sum(len(r.failures) for r in rs)
        rows.append([fam, str(len(rs)), str(items),
                     f"{sum(r.prompts_identical for r in rs)}/{pairs}" + (f" (+{documented} documented)" if documented else ""),
                     fmt_delta(max(deltas) if deltas else None), pred_cell,
                     f"{lm_m} {micro(lambda r: r.lm_score.get(lm_m))}",
                     f"{dk_m} {micro(lambda r: r.dokpa_score.get(dk_m))}",
                     f"FAIL ({fails})" if fails else "ok"])
    return rows


def md_table(headers, rows) -> str:
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", "\\n")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(headers, rows) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda row: "  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def short(s, n=300) -> str:
    s = repr(s)
    return s if len(s) <= n else s[:n] + "…'"


def cache_line(meta: dict) -> str:
    parts = []
    dk = meta.get("dokpa_run_timings")
    if isinstance(dk, dict) and "execute_s" in dk:
        parts.append(f"dokpa's run, as recorded in its store (`runs.timings`), executed "
                     f"{dk.get('requests_executed', '?')} requests in {dk['execute_s']:.0f} s")
    cached = meta.get("lm_eval_responses_from_cache") or {}
    if cached:
        parts.append("lm-eval responses computed / from its cache: " +
                     ", ".join(f"{k} {v['computed']} / {v['cached']}" for k, v in cached.items()))
    return ("; ".join(parts) + ".") if parts else ""


def write(out: pathlib.Path, meta: dict, reports) -> None:
    data = {"meta": meta, "families": [dict(zip(["family", "tasks"] + HEADERS[2:], row)) for row in family_rows(reports)],
            "tasks": [dataclasses.asdict(r) | {"ok": r.ok} for r in reports]}
    (out / "parity.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    md = ["# dokpa vs lm-evaluation-harness: parity on the phase-2 fixtures", "",
          f"Command: `{meta['command']}`  ", f"lm-eval {meta['lm_eval_version']}, model `{meta['model']}`, "
          f"{meta['device']} {meta['dtype']}, prompt format {meta.get('prompt_format', 'raw')}, generation cap {meta['generation_cap']} tokens, "
          f"log-prob tolerance {meta['tolerance']:g}.  ",
          f"Wall time: " + ", ".join(f"{k[:-2]} {v:.0f} s" for k, v in meta["timings_s"].items()) +
          f" ({meta['cpus']} CPUs, {meta['host']}).  ",
          cache_line(meta), "",
          "## Per family", "", md_table(["family", "tasks"] + HEADERS[2:], family_rows(reports)), "",
          "## Per task", "", md_table(HEADERS, [task_row(r) for r in reports]), ""]
    md += differences_md(meta, reports)
    (out / "parity.md").write_text("\n".join(md) + "\n", encoding="utf-8")


def differences_md(meta, reports) -> list[str]:
    md = ["## Differences", ""]
    fails = [(r.task, f) for r in reports for f in r.failures]
    md += ["### Failures (should be identical, are not)", ""]
    md += [f"- `{t}`: {short(f, 600)[1:-1]}" for t, f in fails] or ["None."]
    md += ["", "### Documented prompt differences (not failures)", ""]
    doc = [(r.task, d) for r in reports for d in r.prompts_documented]
    for t, d in doc:
        md.append(f"- `{t}` item {d['item']}: {d['reason']}. Predictions: lm-eval {d['lm_eval_pred']}, "
                  f"dokpa {d['dokpa_pred']}.")
    md += [] if doc else ["None."]
    md += ["", "### Generation scores where the answer extraction differs", ""]
    dis = [(r.task, d) for r in reports for d in r.score_disagreements]
    for t, d in dis:
        md.append(f"- `{t}` item {d['item']}: lm-eval {d['lm_eval']:g}, dokpa {d['dokpa']:g}; generation "
                  f"{short(d['generation_lm_eval'], 160)}; {d['why']}.")
    md += [] if dis else ["None: on every item both harnesses' answer rules gave the same score (the raw "
                          "generations being identical, only the rules could differ)."]
    by_note: dict[str, list[str]] = {}
    for r in reports:
        for n in r.notes:
            if not n.startswith("query-layout"):
                by_note.setdefault(n, []).append(r.task)
    per_tok = [(r.max_abs_dlogprob_per_token, r.task) for r in reports if r.max_abs_dlogprob_per_token is not None]
    md += ["", "### Notes", ""]
    if per_tok:
        worst = max(per_tok)
        whole = max((r.max_abs_dlogprob, r.task) for r in reports if r.max_abs_dlogprob is not None)
        md.append(f"- Largest |Δ log-likelihood| of a choice: {whole[0]:.2e} (`{whole[1]}`); per continuation "
                  f"token: {worst[0]:.2e} (`{worst[1]}`). The difference grows with the continuation's length.")
    for n, tasks in sorted(by_note.items()):
        names = ", ".join(f"`{t}`" for t in tasks[:6]) + (f" and {len(tasks) - 6} more" if len(tasks) > 6 else "")
        md.append(f"- {n} ({names})")
    md += [] if by_note else ["None."]
    if any(r.family == "haerae" for r in reports):
        md += ["- HAE-RAE: lm-eval's `haerae` reads a `query` field from `HAERAE-HUB/HAE_RAE_BENCH`; the "
               "fixtures are HAE-RAE 1.0 CSVs (question, a–e, answer). lm-eval was run on a query-layout copy "
               "whose `query` is dokpa's rendered prompt, so prompt identity is by construction and says nothing "
               "about the prompt format; continuations, log-likelihoods, acc and acc_norm are compared. "
               "Reading comprehension has no lm-eval task (scored with lm-eval's haerae base config)."]
    if meta.get("not_comparable"):
        md.append(f"- Not comparable (no lm-eval 0.4.13 task): {', '.join(meta['not_comparable'])}.")
    if meta.get("not_in_suite"):
        md.append(f"- Selected but not in the suite: {', '.join(meta['not_in_suite'])}.")
    return md


def print_summary(meta, reports) -> None:
    print()
    print(text_table(HEADERS, [task_row(r) for r in reports]))
    print()
    print(text_table(["family", "tasks"] + HEADERS[2:], family_rows(reports)))
    print()
    for r in reports:
        for f in r.failures[:10]:
            print(f"FAIL {r.task}: {f[:300]}")
        if len(r.failures) > 10:
            print(f"FAIL {r.task}: ... {len(r.failures) - 10} more (parity.json)")
    n_fail = sum(1 for r in reports if r.failures)
    print(f"\n{len(reports) - n_fail}/{len(reports)} tasks ok; timings {meta['timings_s']}; "
          f"report: {meta.get('out', '')}parity.md / parity.json")
