"""Writes bpe_tokenizer.json, the fixed tokenizer of the fuzz_bpe_encode target, with the
reference `tokenizers` library (the project venv): byte-level BPE over the full 256-byte alphabet
(so every input byte has a token and decode(encode(text)) == text), the llama-3 Split regex, a
BOS template and three added tokens. Run: .venv/bin/python tests/fuzz/make_bpe_tokenizer.py"""
import os

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
LINES = [
    "The quick brown fox jumps over the lazy dog. It's 2025, isn't it?",
    "대한민국의 수도는 서울입니다. 한국어 문장을 토큰으로 나눕니다.",
    "def f(x):\n    return x * 2  # 12345 67890",
    "질문: 다음 중 옳은 것은? 답: (A) 1 (B) 2 (C) 3 (D) 4",
]

tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated"),
    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
])
trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<s>", "</s>"], show_progress=False,
                              initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
tok.train_from_iterator(LINES * 4, trainer=trainer)
tok.decoder = decoders.ByteLevel()
tok.add_tokens([AddedToken("<|im_start|>", special=True, normalized=False), AddedToken("[MASK]", normalized=False)])
tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", tok.token_to_id("<s>"))])
tok.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bpe_tokenizer.json"))
