#!/usr/bin/env python3
"""Writes configs/phase2.yaml, the official phase-2 suite, from the tables below.

The suite has 200-odd tasks (KMMLU alone is 45 subjects in four variants), so it is generated
rather than written by hand; this script is the reviewable source and the YAML is its output.
Data files are pinned by the sha256 of the files under --data-root (default: the project's
fixtures in suites/fixtures/phase2, which mirror the publishers' repositories). To pin the
official data, run it with --data-root pointing at the frozen download.

  python configs/make_phase2.py            # rewrite configs/phase2.yaml
  python configs/make_phase2.py --check    # exit 1 if configs/phase2.yaml is out of date
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# lm-eval task suffix, KMMLU file prefix, super-category (lm-eval's kmmlu tags; 11/12/11/11).
KMMLU_SUBJECTS = [
    ("accounting", "Accounting", "humss"),
    ("agricultural_sciences", "Agricultural-Sciences", "other"),
    ("aviation_engineering_and_maintenance", "Aviation-Engineering-and-Maintenance", "applied_science"),
    ("biology", "Biology", "stem"),
    ("chemical_engineering", "Chemical-Engineering", "stem"),
    ("chemistry", "Chemistry", "stem"),
    ("civil_engineering", "Civil-Engineering", "stem"),
    ("computer_science", "Computer-Science", "stem"),
    ("construction", "Construction", "other"),
    ("criminal_law", "Criminal-Law", "humss"),
    ("ecology", "Ecology", "stem"),
    ("economics", "Economics", "humss"),
    ("education", "Education", "humss"),
    ("electrical_engineering", "Electrical-Engineering", "stem"),
    ("electronics_engineering", "Electronics-Engineering", "applied_science"),
    ("energy_management", "Energy-Management", "applied_science"),
    ("environmental_science", "Environmental-Science", "applied_science"),
    ("fashion", "Fashion", "other"),
    ("food_processing", "Food-Processing", "other"),
    ("gas_technology_and_engineering", "Gas-Technology-and-Engineering", "applied_science"),
    ("geomatics", "Geomatics", "applied_science"),
    ("health", "Health", "other"),
    ("industrial_engineer", "Industrial-Engineer", "applied_science"),
    ("information_technology", "Information-Technology", "stem"),
    ("interior_architecture_and_design", "Interior-Architecture-and-Design", "other"),
    ("korean_history", "Korean-History", "humss"),
    ("law", "Law", "humss"),
    ("machine_design_and_manufacturing", "Machine-Design-and-Manufacturing", "applied_science"),
    ("management", "Management", "humss"),
    ("maritime_engineering", "Maritime-Engineering", "applied_science"),
    ("marketing", "Marketing", "other"),
    ("materials_engineering", "Materials-Engineering", "stem"),
    ("math", "Math", "stem"),
    ("mechanical_engineering", "Mechanical-Engineering", "stem"),
    ("nondestructive_testing", "Nondestructive-Testing", "applied_science"),
    ("patent", "Patent", "other"),
    ("political_science_and_sociology", "Political-Science-and-Sociology", "humss"),
    ("psychology", "Psychology", "humss"),
    ("public_safety", "Public-Safety", "other"),
    ("railway_and_automotive_engineering", "Railway-and-Automotive-Engineering", "applied_science"),
    ("real_estate", "Real-Estate", "other"),
    ("refrigerating_machinery", "Refrigerating-Machinery", "other"),
    ("social_welfare", "Social-Welfare", "humss"),
    ("taxation", "Taxation", "humss"),
    ("telecommunications_and_wireless_technology", "Telecommunications-and-Wireless-Technology", "applied_science"),
]
SUPER_CATEGORIES = ["stem", "applied_science", "humss", "other"]

KMMLU_PROMPT = "{{question|trim}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답："

HAERAE_TASKS = [  # dokpa name, HAE-RAE 1.0 file code
    ("standard_nomenclature", "SN"), ("loan_words", "LW"), ("rare_words", "RW"),
    ("general_knowledge", "KGK"), ("history", "HI"), ("reading_comprehension", "RC"),
]
CLICK_FILES = [  # dokpa name, file under EunsuKim/CLIcK/Dataset
    ("click_cul_economy", "Culture/Korean Economy/Economy_KIIP.json"),
    ("click_cul_geography", "Culture/Korean Geography/Geography_CSAT.json"),
    ("click_cul_history", "Culture/Korean History/History_Kedu.json"),
    ("click_cul_tradition", "Culture/Korean Tradition/Tradition_KIIP.json"),
    ("click_lang_grammar", "Language/Grammar/Grammar_Kedu.json"),
    ("click_lang_text", "Language/Textual/Textual_CSAT.json"),
]
KORMEDMCQA_EXAMS = ["doctor", "nurse", "pharm", "dentist"]
HRM8K_SUBSETS = [("gsm8k", "gsm8k_test.csv"), ("ksm", "ksm_test.csv"), ("math", "math_do_test.csv"),
                 ("mmmlu", "mmmlu_test.csv"), ("omni_math", "omni-math_do_test.csv")]
HRM8K_PROMPT = ("주어진 문제를 풀어보세요.\n문제를 푼 후, 최종 답변을 다음과 같은 형식으로 작성하세요: $\\boxed{N}$.\n\n"
                "문제: {{question|trim}}\n답변:")
HRM8K_MMMLU_PROMPT = ("주어진 문제를 풀어보세요.\n문제를 푼 후, 주어진 선택지 (1, 2, 3, 4) 중 최종 선택지를 다음 형식으로 "
                      "작성하세요: $\\boxed{N}$.\n\n문제: {{question|trim}}\n답변:")


def q(text):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


class Writer:
    def __init__(self, data_root):
        self.data_root = data_root
        self.lines = []

    def source(self, fmt, path):
        file = self.data_root / path
        if not file.is_file():
            sys.exit(f"make_phase2.py: {file}: missing (every data file is pinned by its sha256)")
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        return f"{{format: {fmt}, path: {q(path)}, sha256: {digest}}}"

    def task(self, **fields):
        self.lines.append(f"  - name: {fields.pop('name')}")
        for key, value in fields.items():
            if isinstance(value, dict):
                self.lines.append(f"    {key}:")
                for sub, subvalue in value.items():
                    self.lines.append(f"      {sub}: {subvalue}")
            else:
                self.lines.append(f"    {key}: {value}")

    def comment(self, text):
        self.lines.append("")
        for line in text.strip().splitlines():
            self.lines.append(f"  # {line}".rstrip())


def kmmlu_tasks(w):
    w.comment("KMMLU, 0-shot: lm-eval `kmmlu` (log-likelihood over A-D, U+FF1A colon, question stripped).")
    for suffix, prefix, _ in KMMLU_SUBJECTS:
        w.task(name=f"kmmlu_{suffix}", output="multiple_choice",
               dataset=w.source("csv", f"HAERAE-HUB/KMMLU/data/{prefix}-test.csv"),
               prompt=q(KMMLU_PROMPT), choices="[A, B, C, D]", gold="{field: answer, base: 1}")
    w.comment("KMMLU, 5-shot from dev (the paper's setting): lm-eval `kmmlu --num_fewshot 5`, whose default\n"
              "sampler is CPython's random.Random(1234).sample per task (lm_eval_random).")
    for suffix, prefix, _ in KMMLU_SUBJECTS:
        w.task(name=f"kmmlu_5shot_{suffix}", output="multiple_choice",
               dataset=w.source("csv", f"HAERAE-HUB/KMMLU/data/{prefix}-test.csv"),
               fewshot={"count": 5, "source": w.source("csv", f"HAERAE-HUB/KMMLU/data/{prefix}-dev.csv"),
                        "sampler": "lm_eval_random"},
               prompt=q(KMMLU_PROMPT), choices="[A, B, C, D]", gold="{field: answer, base: 1}")
    w.comment("KMMLU-Hard, 0-shot: lm-eval `kmmlu_hard`.")
    for suffix, _, _ in KMMLU_SUBJECTS:
        w.task(name=f"kmmlu_hard_{suffix}", output="multiple_choice",
               dataset=w.source("csv", f"HAERAE-HUB/KMMLU-HARD/data/{suffix}-hard-test.csv"),
               prompt=q(KMMLU_PROMPT), choices="[A, B, C, D]", gold="{field: answer, base: 1}")
    w.comment("KMMLU direct, 0-shot generation: lm-eval `kmmlu_direct` prompt and stops; the answer letter is\n"
              "extracted (configs/phase2.md: where this differs from lm-eval's raw-text comparison).")
    for suffix, prefix, _ in KMMLU_SUBJECTS:
        w.task(name=f"kmmlu_direct_{suffix}", output="generate_choice",
               dataset=w.source("csv", f"HAERAE-HUB/KMMLU/data/{prefix}-test.csv"),
               prompt=q(KMMLU_PROMPT), labels="[A, B, C, D]", option_fields="[A, B, C, D]",
               gold="{field: answer, base: 1}",
               generation="{until: " + q(["Q:", "\n\n", "</s>", "."]).replace('", "', '", "') + ", max_tokens: 256}")


def other_tasks(w):
    w.comment("HAE-RAE Bench 1.0, all six tasks (lm-eval's haerae leaves reading comprehension out; dokpa\n"
              "keeps it). The 1.0 files hold question, a-e, answer; dokpa renders (A)-(E) itself.")
    for name, code in HAERAE_TASKS:
        w.task(name=f"haerae_{name}", output="multiple_choice",
               dataset=w.source("csv", f"HAERAE-HUB/HAE_RAE_BENCH_1.0/data/HAERAE-Bench-v1-{code}.csv"),
               prompt=q("{{question}}\n(A) {{a}}\n(B) {{b}}\n(C) {{c}}\n(D) {{d}}\n(E) {{e}}\n정답:"),
               choices=q(["(A)", "(B)", "(C)", "(D)", "(E)"]).replace('"', "'"),
               gold="{field: answer, values: [a, b, c, d, e]}", metrics="[acc, acc_norm]")
    w.comment("KoBEST: lm-eval `kobest_*` prompts byte for byte (COPA's and BoolQ's double spaces included).")
    w.task(name="kobest_boolq", output="multiple_choice", dataset=w.source("jsonl", "skt/kobest_v1/boolq/test.jsonl"),
           prompt=q("{{paragraph}} 질문: {{question}} 답변: "), choices="[아니오, 예]", gold="{field: label}",
           metrics="[acc, macro_f1]")
    w.task(name="kobest_copa", output="multiple_choice", dataset=w.source("jsonl", "skt/kobest_v1/copa/test.jsonl"),
           preprocess="kobest_copa", prompt=q("{{premise}} {{connector}}"),
           choices=q(["{{alternative_1}}", "{{alternative_2}}"]), gold="{field: label}", metrics="[acc, macro_f1]")
    w.task(name="kobest_hellaswag", output="multiple_choice",
           dataset=w.source("jsonl", "skt/kobest_v1/hellaswag/test.jsonl"), prompt=q("문장: {{context}}"),
           choices=q(["{{ending_1}}", "{{ending_2}}", "{{ending_3}}", "{{ending_4}}"]), gold="{field: label}",
           metrics="[acc, acc_norm, macro_f1]")
    w.task(name="kobest_sentineg", output="multiple_choice",
           dataset=w.source("jsonl", "skt/kobest_v1/sentineg/test.jsonl"), prompt=q("문장: {{sentence}} 긍부정:"),
           choices="[부정, 긍정]", gold="{field: label}", metrics="[acc, macro_f1]")
    w.task(name="kobest_wic", output="multiple_choice", dataset=w.source("jsonl", "skt/kobest_v1/wic/test.jsonl"),
           prompt=q("문장1: {{context_1}} 문장2: {{context_2}} 두 문장에서 {{word}}가 같은 뜻으로 쓰였나?"),
           choices="[아니오, 예]", gold="{field: label}", metrics="[acc, macro_f1]")
    w.comment("CLIcK: lm-eval `click` prompt (suites/click/click_preprocessor.h), one task per published file;\n"
              "five-option CSAT items show option E (lm-eval scores E but never shows it).")
    for name, path in CLICK_FILES:
        w.task(name=name, output="multiple_choice", dataset=w.source("json", f"EunsuKim/CLIcK/Dataset/{path}"),
               preprocess="click", prompt=q("{{click_prompt}}"), choices_field="click_letters",
               gold="{field: answer, match_field: choices}", metrics="[acc, acc_norm]")
    w.comment("KorMedMCQA: 5-shot from the fewshot split (first five, lm-eval's shot layout), generation, the\n"
              "answer letter extracted.")
    med = "{{question|trim}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\nE. {{E}}\n정답："
    for exam in KORMEDMCQA_EXAMS:
        w.task(name=f"kormedmcqa_{exam}", output="generate_choice",
               dataset=w.source("parquet", f"sean0042/KorMedMCQA/{exam}/test-00000-of-00001.parquet"),
               fewshot={"count": 5,
                        "source": w.source("parquet", f"sean0042/KorMedMCQA/{exam}/fewshot-00000-of-00001.parquet"),
                        "sampler": "first_n", "prompt": q(med + " {{@gold}}\n\n"), "target": "false"},
               prompt=q(med), labels="[A, B, C, D, E]", option_fields="[A, B, C, D, E]",
               gold="{field: answer, base: 1}",
               generation="{until: " + q(["Q:", "</s>", "<|im_end|>", ".", "\n\n"]) + ", max_tokens: 1024}")
    w.comment("HRM8K: 0-shot, lm-eval `hrm8k` prompts, greedy up to 2,048 tokens, the last \\boxed{} compared\n"
              "numerically (configs/phase2.md: lm-eval's gold parser drops minus signs).")
    for name, file in HRM8K_SUBSETS:
        w.task(name=f"hrm8k_{name}", output="generate",
               dataset=w.source("csv", f"HAERAE-HUB/HRM8K/HRM8K/{file}"),
               prompt=q(HRM8K_MMMLU_PROMPT if name == "mmmlu" else HRM8K_PROMPT), gold="{field: answer}",
               answer="{extract: boxed, compare: numeric}",
               generation="{until: " + q(["</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>"]) +
               ", max_tokens: 2048}")
    w.comment("KoBALT-700: ten options A-J inside the question; 0-shot generation, letter extracted. No reference\n"
              "harness defines it; the instruction is dokpa's (configs/phase2.md).")
    w.task(name="kobalt", output="generate_choice", dataset=w.source("jsonl", "snunlp/KoBALT-700/data/train.jsonl"),
           prompt=q("다음 문제를 읽고 A부터 J까지의 선택지 중 정답을 하나 고르세요. 마지막 줄에 '정답: X' 형식으로 답하세요.\n\n"
                    "{{Question}}\n\n정답:"),
           labels="[A, B, C, D, E, F, G, H, I, J]",
           gold="{field: Answer, match: choices}", generation="{until: " + q(["\n\n"]) + ", max_tokens: 256}")


def groups(w):
    lines = ["", "groups:"]

    def group(name, tasks, metrics, averaging="[macro, micro]"):
        lines.append(f"  - name: {name}")
        lines.append(f"    tasks: [{', '.join(tasks)}]")
        lines.append(f"    metrics: {metrics}")
        lines.append(f"    averaging: {averaging}")

    for variant, metric in [("kmmlu", "[acc]"), ("kmmlu_5shot", "[acc]"), ("kmmlu_hard", "[acc]"),
                            ("kmmlu_direct", "[exact_match]")]:
        for category in SUPER_CATEGORIES:
            group(f"{variant}_{category}", [f"{variant}_{s}" for s, _, c in KMMLU_SUBJECTS if c == category], metric)
        group(f"{variant}_all", [f"{variant}_{s}" for s, _, _ in KMMLU_SUBJECTS], metric)
    group("haerae", [f"haerae_{n}" for n, _ in HAERAE_TASKS], "[acc, acc_norm]")
    group("kobest", ["kobest_boolq", "kobest_copa", "kobest_hellaswag", "kobest_sentineg", "kobest_wic"],
          "[acc, macro_f1]")
    group("click", [n for n, _ in CLICK_FILES], "[acc]")
    group("kormedmcqa", [f"kormedmcqa_{e}" for e in KORMEDMCQA_EXAMS], "[exact_match]")
    group("hrm8k", [f"hrm8k_{n}" for n, _ in HRM8K_SUBSETS], "[exact_match]")
    w.lines.extend(lines)


def render(data_root):
    w = Writer(data_root)
    w.lines = [
        "# The official phase-2 suite of the 독자 AI 파운데이션 모델 assessment: Korean knowledge and reasoning,",
        "# tasks in their official order. GENERATED by configs/make_phase2.py (edit that, then run it); the",
        "# protocol of every task, its source and its data files are in configs/phase2.md.",
        "#",
        "# Data paths mirror the publishers' Hugging Face repositories under --data-root, e.g.",
        "#   huggingface-cli download HAERAE-HUB/KMMLU --repo-type dataset --local-dir <root>/HAERAE-HUB/KMMLU",
        "# The sha256 pins below are those of the files under " + str(data_root.relative_to(ROOT)
                                                                  if data_root.is_relative_to(ROOT) else data_root) + ".",
        "# Check a data folder with: dokpa data check configs/phase2.yaml --data-root <root>",
        "name: phase2",
        "version: 1",
        "seed: 1234",
        'description: "독자 AI 파운데이션 모델 phase-2 assessment: KMMLU (0-shot, 5-shot, Hard, direct), HAE-RAE 1.0, '
        'KoBEST, CLIcK, KorMedMCQA, HRM8K, KoBALT-700"',
        "data_root: ../suites/fixtures/phase2",
        "tasks:",
    ]
    kmmlu_tasks(w)
    other_tasks(w)
    groups(w)
    return "\n".join(w.lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", type=Path, default=ROOT / "suites/fixtures/phase2")
    parser.add_argument("--out", type=Path, default=ROOT / "configs/phase2.yaml")
    parser.add_argument("--check", action="store_true", help="exit 1 if --out differs from what would be written")
    args = parser.parse_args()
    text = render(args.data_root.resolve())
    if args.check:
        if not args.out.is_file() or args.out.read_text(encoding="utf-8") != text:
            sys.exit(f"{args.out}: out of date; run python configs/make_phase2.py")
        print(f"{args.out}: up to date")
        return
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
