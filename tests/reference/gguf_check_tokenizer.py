#!/usr/bin/env python3
"""Test-side entry to scripts/check_gguf_tokenizer.py (same arguments, same exit status).

Checks the converted default model's tokenizer ($DOKPA_CACHE/models/SmolLM2-135M-Instruct)
against the GGUF it came from: vocabulary, merges, special tokens, chat template, and identical
ids on a few hundred Korean / English / code lines.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import check_gguf_tokenizer  # noqa: E402

if __name__ == "__main__":
    sys.exit(check_gguf_tokenizer.main())
