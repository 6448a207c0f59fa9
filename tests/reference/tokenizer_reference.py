#!/usr/bin/env python3
"""Reference ids for the tokenizer parity tests, from Hugging Face `tokenizers` and Python
`sentencepiece`.

  tokenizer_reference.py fixtures TRAINING.txt OUT_DIR [NAME ...]
      Trains small tokenizers on TRAINING.txt and writes them (or only the NAMEs) to OUT_DIR:
        bytelevel_legacy.json   ByteLevel(add_prefix_space) BPE, merges as "a b" strings
        nfc_split.json          NFC + Split regex + Digits + ByteLevel, merges as ["a", "b"],
                                ignore_merges, added tokens with lstrip/rstrip/single_word/normalized
        metaspace_fallback.json Metaspace("first") BPE with byte_fallback, unk, fuse_unk
        prepend_replace.json    Llama-2 style: Prepend + Replace normalizer, no pre-tokenizer
        spm_bpe.model, spm_unigram.model   SentencePiece models trained with spm_train
  tokenizer_reference.py encode-json TOKENIZER.json CORPUS.json OUT.json
  tokenizer_reference.py encode-spm MODEL CORPUS.json OUT.json
      OUT.json: {"ids": [...], "ids_special": [...], "decoded": [...], "decoded_skip": [...],
                 "nfc_stable": [...], "round_trips": [...]}
      round_trips: whether the reference's decode(encode(line)) == line.
      with one entry per corpus line (ids_special: add_special_tokens=True; decoded: decode(ids);
      decoded_skip: decode(ids_special, skip_special_tokens=True)).
"""
import json
import os
import unicodedata
import shutil
import subprocess
import sys

LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def train_bpe(lines, vocab_size, pre_tokenizer, special_tokens, alphabet=None, limit_alphabet=None):
    from tokenizers import Tokenizer, models, trainers
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizer
    kwargs = {"vocab_size": vocab_size, "special_tokens": special_tokens, "show_progress": False}
    if alphabet is not None:
        kwargs["initial_alphabet"] = alphabet
    if limit_alphabet is not None:
        kwargs["limit_alphabet"] = limit_alphabet
    tokenizer.train_from_iterator(lines, trainer=trainers.BpeTrainer(**kwargs))
    return tokenizer


def save_json(tokenizer, path, edit=None):
    spec = json.loads(tokenizer.to_str())
    if edit:
        edit(spec)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False, indent=1)
    from tokenizers import Tokenizer
    Tokenizer.from_file(path)  # the edited file must still load in the reference


def make_bytelevel_legacy(lines, out_dir):
    from tokenizers import decoders, pre_tokenizers, processors
    tok = train_bpe(lines, 1500, pre_tokenizers.ByteLevel(add_prefix_space=True),
                    ["<|endoftext|>", "<s>", "</s>"], alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])

    def legacy_merges(spec):
        spec["model"]["merges"] = [" ".join(pair) for pair in spec["model"]["merges"]]
    save_json(tok, os.path.join(out_dir, "bytelevel_legacy.json"), legacy_merges)


def make_nfc_split(lines, out_dir):
    from tokenizers import AddedToken, Regex, decoders, normalizers, pre_tokenizers, processors
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated"),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok = train_bpe(lines, 2000, pre, [], alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.normalizer = normalizers.NFC()
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([
        AddedToken("<|begin_of_text|>", special=True, normalized=False),
        AddedToken("<|eot_id|>", special=True, normalized=False),
        AddedToken("<mask>", special=True, lstrip=True, normalized=False),
    ])
    tok.add_tokens([
        AddedToken("[SEP]", rstrip=True, normalized=False),
        AddedToken("한국어", normalized=True),
        AddedToken("word", single_word=True, normalized=True),
        AddedToken("<|endoftext|>", normalized=False),
    ])
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", bos)]),
    ])

    def set_ignore_merges(spec):
        spec["model"]["ignore_merges"] = True
    save_json(tok, os.path.join(out_dir, "nfc_split.json"), set_ignore_merges)


def make_metaspace_models(lines, out_dir):
    from tokenizers import decoders, normalizers, pre_tokenizers
    tok = train_bpe(lines, 1200, pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first"),
                    ["<unk>", "<s>", "</s>"], limit_alphabet=300)
    tok.normalizer = normalizers.NFC()
    tok.decoder = decoders.Sequence([
        decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])

    def byte_fallback(spec):
        model = spec["model"]
        model.update({"byte_fallback": True, "unk_token": "<unk>", "fuse_unk": True})
        next_id = max(model["vocab"].values()) + 1
        for b in range(256):
            if b in (0xF0, 0xF1):  # missing byte tokens: 4-byte characters fall back to <unk>
                continue
            model["vocab"][f"<0x{b:02X}>"] = next_id
            next_id += 1
    save_json(tok, os.path.join(out_dir, "metaspace_fallback.json"), byte_fallback)

    def prepend_replace(spec):
        byte_fallback(spec)
        spec["pre_tokenizer"] = None
        spec["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}
        spec["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
        spec["post_processor"] = {"type": "TemplateProcessing",
                                  "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                             {"Sequence": {"id": "A", "type_id": 0}}],
                                  "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                                           {"Sequence": {"id": "B", "type_id": 1}}],
                                  "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}
    save_json(tok, os.path.join(out_dir, "prepend_replace.json"), prepend_replace)


def make_spm(training, out_dir):
    spm_train = shutil.which("spm_train")
    if not spm_train:
        sys.exit("spm_train not found (Debian package `sentencepiece`)")
    for model_type, extra in (("bpe", ["--byte_fallback=true"]), ("unigram", [])):
        prefix = os.path.join(out_dir, f"spm_{model_type}")
        subprocess.run([spm_train, f"--input={training}", f"--model_prefix={prefix}", "--vocab_size=1000",
                        f"--model_type={model_type}", "--character_coverage=0.9995", "--seed_sentencepiece_size=100000",
                        "--num_threads=1", "--minloglevel=2", *extra],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def encode_json(tokenizer_path, corpus_path, out_path):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(tokenizer_path)
    with open(corpus_path, encoding="utf-8") as f:
        lines = json.load(f)
    ids = [e.ids for e in tok.encode_batch(lines, add_special_tokens=False)]
    ids_special = [e.ids for e in tok.encode_batch(lines, add_special_tokens=True)]
    result = {"ids": ids, "ids_special": ids_special,
              "decoded": tok.decode_batch(ids, skip_special_tokens=False),
              "decoded_skip": tok.decode_batch(ids_special, skip_special_tokens=True),
              "nfc_stable": [unicodedata.is_normalized("NFC", line) for line in lines]}
    result["round_trips"] = [d == line for d, line in zip(result["decoded"], lines)]
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)


def encode_spm(model_path, corpus_path, out_path):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=model_path)
    with open(corpus_path, encoding="utf-8") as f:
        lines = json.load(f)
    ids = [sp.encode(line) for line in lines]
    result = {"ids": ids, "ids_special": [[sp.bos_id()] + x for x in ids],
              "decoded": [sp.decode(x) for x in ids],
              # skip_special_tokens drops control pieces and <unk>, as transformers' Llama tokenizer does.
              "decoded_skip": [sp.decode([i for i in x if not (sp.is_control(i) or sp.is_unknown(i))]) for x in ids],
              "nfc_stable": [unicodedata.is_normalized("NFC", line) for line in lines]}
    result["round_trips"] = [d == line for d, line in zip(result["decoded"], lines)]
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)


def main():
    args = sys.argv[1:]
    if len(args) >= 3 and args[0] == "fixtures":
        lines = read_lines(args[1])
        os.makedirs(args[2], exist_ok=True)
        wanted = set(args[3:]) or {"bytelevel_legacy", "nfc_split", "metaspace_fallback", "spm"}
        if "bytelevel_legacy" in wanted:
            make_bytelevel_legacy(lines, args[2])
        if "nfc_split" in wanted:
            make_nfc_split(lines, args[2])
        if wanted & {"metaspace_fallback", "prepend_replace"}:
            make_metaspace_models(lines, args[2])
        if "spm" in wanted:
            make_spm(args[1], args[2])
    elif len(args) == 4 and args[0] == "encode-json":
        encode_json(args[1], args[2], args[3])
    elif len(args) == 4 and args[0] == "encode-spm":
        encode_spm(args[1], args[2], args[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
