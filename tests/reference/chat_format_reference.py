"""Expected chat-format prompts for dokpa's end-to-end chat test.

Writes, under --out: test.csv and dev.csv (Korean multiple-choice items written here), and
expected.json: for each prompt format, each item's context as transformers' apply_chat_template
renders the SmolLM2 checkpoint's template over the turns lm-evaluation-harness 0.4 builds with
--apply_chat_template (chat: system + one user turn holding the whole few-shot text;
chat_multiturn: system, then per shot a user turn and an assistant turn, then the item), with
add_generation_prompt=True.
"""
import argparse
import csv
import json
import os
import pathlib

from transformers import AutoTokenizer

TEST = [("태양계에서 가장 큰 행성은?", "목성", "화성", 1), ("김치의 주재료로 알맞은 것은?", "사과", "배추", 2)]
DEV = [("물의 화학식은?", "H2O", "CO2", 1), ("1 더하기 1은?", "3", "2", 2)]
SYSTEM = "당신은 한국어 시험을 푸는 조수입니다."


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["question", "A", "B", "answer"])
        w.writerows(rows)


def prompt(row):
    return f"{row[0]}\nA. {row[1]}\nB. {row[2]}\n답:"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--model", default=os.environ.get(
        "DOKPA_MODEL", os.path.expanduser("~/.cache/dokpa/models/SmolLM2-135M-Instruct")))
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "test.csv", TEST)
    write_csv(out / "dev.csv", DEV)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    shots = [(prompt(row), "AB"[row[3] - 1]) for row in DEV]  # fewshot first_n: both dev rows in order
    expected = {}
    for fmt in ("chat", "chat_multiturn"):
        contexts = []
        for row in TEST:
            turns = [{"role": "system", "content": SYSTEM}]
            if fmt == "chat":
                text = "".join(q + " " + a + "\n\n" for q, a in shots) + prompt(row)
                turns.append({"role": "user", "content": text})
            else:
                for q, a in shots:
                    turns += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
                turns.append({"role": "user", "content": prompt(row)})
            contexts.append(tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True))
        expected[fmt] = contexts
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
