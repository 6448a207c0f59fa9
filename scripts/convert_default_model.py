#!/usr/bin/env python3
"""Convert dokpa's default model, SmolLM2-135M-Instruct (Q4_1 GGUF), to Hugging Face layout.

    convert_default_model.py --gguf FILE.gguf --out DIR [--wheel NAME]

Writes DIR/{config.json, generation_config.json, model.safetensors (fp32),
tokenizer.json, tokenizer_config.json (with the chat template), special_tokens_map.json,
SOURCE.txt}. Everything is written into a temporary sibling folder that is renamed onto DIR
only at the end, so a killed conversion never leaves a half model behind.

Weights: transformers' GGUF loader (dequantises Q4_1 to fp32 and undoes llama.cpp's q/k
permutation), then save_pretrained as safetensors.

Tokenizer, two paths, tried in order; SOURCE.txt records which one was taken:
  A. "transformers-gguf": transformers' own GGUF tokenizer conversion, kept only if it passes
     check_gguf_tokenizer.py (vocabulary, merges, special ids, BOS rule, chat template and
     identical ids on a few hundred lines against a tokenizer built from the GGUF fields).
  B. "gguf-fields": tokenizer.json built here from the GGUF fields with the `tokenizers`
     library, laid out like the original Hugging Face SmolLM2 tokenizer (byte-level BPE,
     individual digits, no normaliser, no BOS added), then checked the same way.
With transformers 4.57.6 path A fails (it adds <|im_start|> as a BOS to every encoding
although tokenizer.ggml.add_bos_token is false, names <|im_start|> as eos instead of
<|im_end|>, turns on byte_fallback, and drops the individual-digit split), so B is taken.
transformers' save_pretrained also copies the GGUF itself to tokenizer.model (it is not a
SentencePiece model); it is never kept.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in set-up logs
sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_gguf_tokenizer as chk  # noqa: E402

KEEP = {
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def log(msg: str) -> None:
    print(f"convert: {msg}", flush=True)


def convert_weights(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    model.save_pretrained(str(out), safe_serialization=True)


def tokenizer_path_a(gguf: Path, out: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tok.save_pretrained(str(out))
    # transformers 4.57 writes the template to chat_template.jinja; dokpa reads it from
    # tokenizer_config.json, so fold it in.
    jinja = out / "chat_template.jinja"
    cfg_path = out / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    if jinja.exists():
        cfg["chat_template"] = jinja.read_text(encoding="utf-8")
        cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def tokenizer_path_b(g: chk.GGUFTokenizerFields, out: Path) -> None:
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    if g.pre not in ("smollm", "starcoder", "refact"):
        raise SystemExit(f"convert: no tokenizer.json layout for tokenizer.ggml.pre={g.pre!r}")
    if g.add_bos or g.add_eos:
        raise SystemExit("convert: GGUF asks for BOS/EOS insertion; path B does not write a post-processor for it")
    vocab = {t: i for i, t in enumerate(g.tokens)}
    merges = [tuple(m.split(" ", 1)) for m in g.merges]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
        ]
    )
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    specials = [g.tokens[i] for i in g.special_ids]
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    tok.save(str(out / "tokenizer.json"))

    name = lambda i: None if i is None else g.tokens[i]  # noqa: E731
    added_decoder = {
        str(i): {"content": g.tokens[i], "lstrip": False, "normalized": False, "rstrip": False,
                 "single_word": False, "special": True}
        for i in g.special_ids
    }
    cfg = {
        "add_prefix_space": False,
        "added_tokens_decoder": added_decoder,
        "additional_special_tokens": [t for t in specials if t in ("<|im_start|>", "<|im_end|>")],
        "bos_token": name(g.bos_id),
        "chat_template": g.chat_template,
        "clean_up_tokenization_spaces": False,
        "eos_token": name(g.eos_id),
        "extra_special_tokens": {},
        "model_max_length": 8192,
        "pad_token": name(g.pad_id),
        "tokenizer_class": "GPT2Tokenizer",
        "unk_token": name(g.unk_id),
        "vocab_size": len(g.tokens),
    }
    (out / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    stm = {k: cfg[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token") if cfg[k] is not None}
    stm["additional_special_tokens"] = cfg["additional_special_tokens"]
    (out / "special_tokens_map.json").write_text(json.dumps(stm, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def prune(out: Path) -> None:
    for p in out.iterdir():
        if p.name not in KEEP:
            log(f"dropping {p.name}")
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def fix_configs(g: chk.GGUFTokenizerFields, out: Path) -> None:
    """Special-token ids in config.json / generation_config.json follow the GGUF."""
    for fname in ("config.json", "generation_config.json"):
        p = out / fname
        if not p.exists():
            continue
        c = json.loads(p.read_text(encoding="utf-8"))
        for key, val in (("bos_token_id", g.bos_id), ("eos_token_id", g.eos_id), ("pad_token_id", g.pad_id)):
            if val is not None:
                c[key] = int(val)
        c.pop("_model_name_or_path", None)
        p.write_text(json.dumps(c, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description="Convert the default GGUF model to Hugging Face layout")
    ap.add_argument("--gguf", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--wheel", default="", help="name of the wheel the GGUF came from (for SOURCE.txt)")
    ap.add_argument("--extra-source", action="append", default=[], help="KEY=VALUE lines for SOURCE.txt")
    args = ap.parse_args()
    gguf, out = args.gguf.resolve(), args.out.resolve()
    if not gguf.is_file():
        raise SystemExit(f"convert: {gguf}: not found")
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    g = chk.GGUFTokenizerFields(gguf)
    gguf_sha = sha256_file(gguf)

    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        log(f"weights: {gguf.name} -> fp32 safetensors")
        convert_weights(gguf, tmp)

        log("tokenizer: path A (transformers' GGUF tokenizer)")
        tok_a = tmp / "tok_a"
        tok_a.mkdir()
        tokenizer_path_a(gguf, tok_a)
        for f in ("config.json",):
            shutil.copy(tmp / f, tok_a / f)
        for stray in ("tokenizer.model",):
            (tok_a / stray).unlink(missing_ok=True)  # the GGUF copy; never shipped
        errors, n = chk.run_checks(gguf, tok_a, fields=g)
        if not errors:
            path = "A transformers-gguf"
            for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
                if (tok_a / f).exists():
                    shutil.copy(tok_a / f, tmp / f)
        else:
            log(f"tokenizer: path A rejected ({len(errors)} problems, first: {errors[0]})")
            log("tokenizer: path B (tokenizer.json built from the GGUF fields)")
            path = "B gguf-fields"
            tokenizer_path_b(g, tmp)
        shutil.rmtree(tok_a)
        fix_configs(g, tmp)
        prune(tmp)

        errors, n = chk.run_checks(gguf, tmp, fields=g)
        if errors:
            for e in errors:
                print(f"  - {e}", file=sys.stderr)
            raise SystemExit("convert: the converted tokenizer does not match the GGUF; not installing it")
        log(f"tokenizer: path {path}, {n} lines encoded identically")

        import tokenizers
        import torch
        import transformers
        import gguf as gguf_pkg
        import safetensors

        def pkg_version(mod):
            return getattr(mod, "__version__", None) or _dist_version(mod.__name__)

        lines = [
            "# Provenance of dokpa's default model (written by scripts/convert_default_model.py)",
            f"wheel={args.wheel}",
            f"gguf_file={gguf.name}",
            f"gguf_sha256={gguf_sha}",
            f"model_safetensors_sha256={sha256_file(tmp / 'model.safetensors')}",
            f"tokenizer_json_sha256={sha256_file(tmp / 'tokenizer.json')}",
            f"tokenizer_path={path}",
            f"tokenizer_check_lines={n}",
            f"converter_sha256={sha256_file(Path(__file__).resolve())}",
            f"python={sys.version.split()[0]}",
            f"transformers={transformers.__version__}",
            f"tokenizers={tokenizers.__version__}",
            f"torch={torch.__version__}",
            f"gguf={pkg_version(gguf_pkg)}",
            f"safetensors={safetensors.__version__}",
            "dtype=float32",
            *args.extra_source,
        ]
        (tmp / "SOURCE.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

        # Swap into place: old model (if any) moves aside first, then the new one is renamed in.
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / out.name)
        os.rename(tmp, out)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log(f"done in {time.time() - t0:.0f}s: {out}")
    return 0


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    sys.exit(main())
