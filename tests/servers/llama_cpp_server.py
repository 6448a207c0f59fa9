"""llama-cpp-python's OpenAI-compatible server, with its echoed prompt log-probabilities fixed.

The real server (`python -m llama_cpp.server`: its FastAPI app, its HTTP layer, llama.cpp
computing the model) with one change. Stock llama-cpp-python 0.3.x answers `/v1/completions`
with `echo: true, logprobs: k` by reading token i's log-probability from the logits computed
*at* token i, i.e. the distribution of token i+1 (abetlen/llama-cpp-python#1983), it drops
every token equal to BOS from the list, and it sorts the whole vocabulary in Python for every
prompt token (~0.15 s per token for a 49k vocabulary). dokpa's openai runner detects the shift
and refuses such a server for multiple-choice tasks; the tests use this script so they can check
the runner against llama.cpp's numbers. Here entry j of the echo is

    log_softmax(logits after tokens[0..j-1])[tokens[j]]     (null for the first prompt token),

exactly what vLLM and SGLang return, with `top_logprobs[j]` the top-k of that same distribution
plus the token itself, and `text_offset[j]` in code points of the prompt (the OpenAI layout).
Only the prompt's own tokens are listed (the one generated token is not).

Usage: python tests/servers/llama_cpp_server.py <the usual llama_cpp.server arguments>
(pass --logits_all true: prompt log-probabilities need every position's logits).
"""
import sys

import numpy as np
import llama_cpp
from llama_cpp import Llama
from llama_cpp.server.__main__ import main

_stock_create_completion = Llama._create_completion


def _echoed_prompt_logprobs(llama, prompt, k):
    if not isinstance(prompt, str):
        raise ValueError("this server takes text prompts only")
    tokens = llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
    evaluated = list(llama._input_ids[: llama.n_tokens])
    # The evaluated sequence is [BOS?] + tokens (+ nothing: the one generated token is sampled,
    # not evaluated). Find where `tokens` start in it.
    start = next((o for o in (0, 1) if evaluated[o : o + len(tokens)] == tokens), None)
    if start is None:
        raise RuntimeError("the evaluated tokens do not contain the prompt's tokens")
    pieces = [llama.detokenize([t], special=True) for t in tokens]
    rows = np.asarray(llama._scores[max(start - 1, 0) : start + len(tokens) - 1], dtype=np.float64)
    logprobs = rows - np.logaddexp.reduce(rows, axis=1, keepdims=True) if len(rows) else rows
    out = {"tokens": [], "text_offset": [], "token_logprobs": [], "top_logprobs": []}
    text_so_far = b""
    for j, token in enumerate(tokens):
        piece = pieces[j].decode("utf-8", errors="ignore")
        out["tokens"].append(piece)
        out["text_offset"].append(len(text_so_far.decode("utf-8", errors="ignore")))
        text_so_far += pieces[j]
        row = start + j - 1 - max(start - 1, 0)  # the row of logits after tokens[0..j-1]
        if start + j == 0:
            out["token_logprobs"].append(None)
            out["top_logprobs"].append(None)
            continue
        lp = logprobs[row]
        top = np.argpartition(-lp, k - 1)[:k] if k < len(lp) else np.arange(len(lp))
        entry = {llama.detokenize([int(t)], special=True).decode("utf-8", errors="ignore"): float(lp[t]) for t in top}
        entry[piece] = float(lp[token])
        out["token_logprobs"].append(float(lp[token]))
        out["top_logprobs"].append(entry)
    return out


def _create_completion(self, **kwargs):
    k = kwargs.get("logprobs")
    if not kwargs.get("echo") or k is None or kwargs.get("stream"):
        yield from _stock_create_completion(self, **kwargs)
        return
    kwargs["logprobs"] = None  # skip the stock (shifted, slow) computation
    for chunk in _stock_create_completion(self, **kwargs):
        chunk["choices"][0]["logprobs"] = _echoed_prompt_logprobs(self, kwargs["prompt"], max(1, int(k)))
        yield chunk


Llama._create_completion = _create_completion

if __name__ == "__main__":
    sys.argv[0] = "llama_cpp.server"
    main()
