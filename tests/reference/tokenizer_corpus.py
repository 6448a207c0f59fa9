#!/usr/bin/env python3
"""Deterministic text written by this project for the tokenizer parity tests.

  tokenizer_corpus.py corpus OUT.json      # >= 1,000 test lines (a JSON list of strings)
  tokenizer_corpus.py training OUT.txt     # Korean + English text to train test tokenizers on

The test lines mix Korean (NFC and NFD, isolated jamo, hanja), English, digits, code, emoji
(with ZWJ sequences), whitespace runs, tabs, CRLF and special-token strings inside text.
Lines are stored as JSON because many contain newlines.
"""
import json
import random
import sys
import unicodedata

KOREAN_WORDS = [
    "안녕하세요", "감사합니다", "한국어", "토크나이저", "모델", "평가", "데이터", "문장", "학교", "선생님",
    "학생", "오늘", "내일", "어제", "날씨", "맑음", "비가", "옵니다", "사람", "친구", "가족", "회사",
    "컴퓨터", "프로그램", "서울", "부산", "제주도", "바다", "산", "강", "하늘", "구름", "바람", "음식",
    "김치", "비빔밥", "불고기", "떡볶이", "커피", "물", "책", "읽기", "쓰기", "말하기", "듣기", "공부",
    "시험", "결과", "점수", "정답", "질문", "대답", "생각", "마음", "시간", "분", "초", "년", "월", "일",
    "그리고", "하지만", "그래서", "왜냐하면", "아주", "정말", "조금", "많이", "빨리", "천천히", "함께",
    "했습니다", "합니다", "입니다", "있습니다", "없습니다", "좋아요", "싫어요", "먹었어요", "갔어요",
    "똠방각하", "뷁", "쀍", "괜찮아요", "읽었다", "닭", "값", "앉다", "넓은", "흙",
]
KOREAN_PARTICLES = ["은", "는", "이", "가", "을", "를", "에", "에서", "의", "도", "로", "와", "과", ""]
ENGLISH_WORDS = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "evaluation", "harness",
    "tokenizer", "model", "reproducible", "benchmark", "accuracy", "loss", "Hello", "World", "GPU",
    "CPU", "NVIDIA", "Korean", "English", "language", "transformer", "attention", "is", "all", "you",
    "need", "it's", "don't", "we'll", "they've", "I'm", "she'd", "you're", "IT'S", "DON'T", "O'Reilly",
    "naïve", "café", "résumé", "coöperate", "e-mail", "state-of-the-art", "x86_64", "snake_case",
    "camelCase", "HTTPServer", "URL", "https://example.com/a?b=c&d=e", "user@example.com",
]
HANJA = ["大韓民國", "漢字", "學校", "人間", "自然", "言語", "韓國語", "中國", "日本", "東京", "北京"]
JAMO = ["ㄱ", "ㄴ", "ㄷ", "ㅏ", "ㅓ", "ㅗ", "ㅜ", "ㅋㅋㅋ", "ㅎㅎ", "ㅠㅠ", "ㅜㅜ", "ㄱㄴㄷㄹ",
        "\u1100", "\u1161", "\u11a8", "\u1100\u1161", "\u1112\u1161\u11ab", "\u3131\u314f"]
EMOJI = ["😀", "😂", "👍", "👍🏽", "👨‍👩‍👧‍👦", "👩‍💻", "🧑🏾‍🚀", "🇰🇷", "🇺🇸", "❤️", "🏳️‍🌈",
         "✨", "🔥", "🙏", "🤖", "☕", "1️⃣", "#️⃣", "🫠"]
DIGITS = ["0", "7", "42", "123", "2024", "12345", "3.14159", "1,000,000", "2024-06-01", "10:30",
          "-17", "+82", "010-1234-5678", "１２３", "٣٤٥", "½", "²", "Ⅻ", "0x1F", "1e-9", "99.9%"]
CODE = [
    "def f(x):\n    return x + 1\n",
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}",
    "if x == 1:\n\tprint('한국어')\n",
    "#include <vector>\nint main() { return 0; }",
    "SELECT * FROM users WHERE id = 42;",
    "const f = (a, b) => a ?? b;",
    "    x = [i**2 for i in range(10)]  # squares",
    "std::vector<int32_t> ids{1, 2, 3};",
    "<div class=\"a\">안녕</div>",
    "{\"key\": \"값\", \"n\": 1}",
    "$ ls -la ~/.cache | grep -v '^d'",
    "a\\nb\\tc",
]
OTHER = ["こんにちは世界", "中文文本测试", "Привет, мир", "مرحبا بالعالم", "שלום", "Γειά σου",
         "नमस्ते", "∀x∈ℝ: x²≥0", "—–…«»“”‘’", "©®™", "\u200b", "\ufeff", "e\u0301", "A\u030a",
         "ﬁ", "Ａｂｃ", "\u00a0", "\u3000", "\u2028", "\u0085", "ŉ", "ǅ", "\u0000", "\x7f"]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>", "<|eot_id|>",
            "<s>", "</s>", "<mask>", "[SEP]", "<unk>", "<|im_start|>user\n", "<|im_start", "im_end|>",
            "< s>", "<file_sep>", "<repo_name>"]
WHITESPACE = [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r\n\r\n", " \n ", "    ", " \t ",
              "\u3000", "\u00a0"]

FIXED = [
    "", " ", "  ", "\n", "\r\n", "\t", "a", "안", "한국어", "Hello world", " Hello world",
    "Hello  world  ", "안녕하세요, 세계!", "안녕하세요,\u3000세계!",
    unicodedata.normalize("NFD", "안녕하세요 한국어 토크나이저"),
    "<|endoftext|>", "<|endoftext|><|endoftext|>", "text<|endoftext|>text", " <|im_start|> ",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\n안녕?<|im_end|>\n",
    "<mask>", "a <mask> b", "a  <mask>  b", "[SEP]", "x [SEP]   y", "word", "a word b", "swordfish",
    "words", "word!", "한국어를", "한국어 한국어", unicodedata.normalize("NFD", "한국어를 배워요"),
    "<s>", "</s>", "<unk>", "<<s>>", "<|begin_of_text|>Hi<|eot_id|>",
    "I'm here. It's fine. We'll see. They've gone. I'd go. You're right.",
    "IT'S LOUD AND I'M DONE", "'s 't 're 've 'm 'll 'd", "''''",
    "1234567890", "a1b22c333d4444", "３．１４", "١٢٣", "v1.2.3-rc.4",
    "👨‍👩‍👧‍👦👨‍👩‍👧‍👦", "🇰🇷🇯🇵🇺🇸", "👍🏻👍🏼👍🏽👍🏾👍🏿",
    "\t\tindented\twith\ttabs", "line1\r\nline2\r\n", "trailing spaces   ", "   leading spaces",
    "many     spaces     between", "\n\n\n", " \n \n ", "mixed \t\n whitespace",
    "ㄱㄴㄷㄹㅁㅂㅅ", "ㅋㅋㅋㅋㅋㅋㅋ", "\u1100\u1161\u11a8\u1100\u1161", "漢字와 한글", "大韓民國 憲法",
    "café " + unicodedata.normalize("NFD", "café"), "Ω≈ç√∫˜µ≤≥÷", "😀" * 20, "가" * 100,
    "a" * 300, "ab " * 80, "ﬁ ﬂ ﬀ", "x\u200by", "\ufeffBOM", "\u0000nul", "tab\x0bvt\x0cff",
]


def korean_sentence(rng):
    words = [rng.choice(KOREAN_WORDS) + rng.choice(KOREAN_PARTICLES) for _ in range(rng.randint(2, 9))]
    return " ".join(words) + rng.choice([".", "?", "!", "", "...", ","])


def english_sentence(rng):
    words = [rng.choice(ENGLISH_WORDS) for _ in range(rng.randint(2, 12))]
    if rng.random() < 0.5:
        words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", "?", "!", "", ";", ":"])


def fragment(rng):
    kind = rng.random()
    if kind < 0.25:
        return korean_sentence(rng)
    if kind < 0.32:
        return unicodedata.normalize("NFD", korean_sentence(rng))
    if kind < 0.50:
        return english_sentence(rng)
    pools = [HANJA, JAMO, EMOJI, DIGITS, CODE, OTHER, SPECIALS]
    return rng.choice(rng.choice(pools))


def corpus_lines():
    rng = random.Random(20240601)
    lines = list(FIXED)
    while len(lines) < 1200:
        parts = [fragment(rng) for _ in range(rng.randint(1, 5))]
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(WHITESPACE + ["", "", " ", " ", " "]) + part
        if rng.random() < 0.1:
            text = rng.choice(WHITESPACE) + text
        if rng.random() < 0.1:
            text += rng.choice(WHITESPACE)
        lines.append(text)
    return lines


def training_lines():
    rng = random.Random(7)
    lines = []
    for _ in range(4000):
        kind = rng.random()
        if kind < 0.6:
            lines.append(korean_sentence(rng))
        elif kind < 0.9:
            lines.append(english_sentence(rng))
        else:
            lines.append(korean_sentence(rng) + " " + rng.choice(HANJA + DIGITS) + " " + english_sentence(rng))
    return lines


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("corpus", "training"):
        sys.exit(__doc__)
    if sys.argv[1] == "corpus":
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(corpus_lines(), f, ensure_ascii=False, indent=0)
    else:
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write("\n".join(training_lines()) + "\n")


if __name__ == "__main__":
    main()
