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

Second change: vLLM and SGLang take a prompt of token ids, stock llama-cpp-python answers 422.
Here `/v1/completions` takes one too (the request model accepts a list of ints, carried to the
completion unchanged), so the runner's token-id path is tested against llama.cpp as well.

Usage: python tests/servers/llama_cpp_server.py <the usual llama_cpp.server arguments>
(pass --logits_all true: prompt log-probabilities need every position's logits).
"""
import sys

import numpy as np
import pydantic
from llama_cpp import Llama
from llama_cpp.server import types

# A token-id prompt travels through the server's request handling (which expects text) as this
# marker string, and becomes the list of ids again in _create_completion.
_IDS = "\x00token-ids:"


class _CompletionRequestWithIds(types.CreateCompletionRequest):
    @pydantic.model_validator(mode="before")
    @classmethod
    def _ids_to_marker(cls, data):
        prompt = data.get("prompt") if isinstance(data, dict) else None
        if isinstance(prompt, list) and prompt and all(isinstance(t, int) for t in prompt):
            data = dict(data, prompt=_IDS + ",".join(map(str, prompt)))
        return data


types.CreateCompletionRequest = _CompletionRequestWithIds  # before the app module imports it
from llama_cpp.server.__main__ import main  # noqa: E402

_stock_create_completion = Llama._create_completion


def _echoed_prompt_logprobs(llama, prompt, k):
    tokens = prompt if isinstance(prompt, list) else llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
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
    prompt, echo, k = kwargs.get("prompt"), kwargs.get("echo"), kwargs.get("logprobs")
    prefix = ""
    if isinstance(prompt, str) and prompt.startswith(_IDS):
        prompt = [int(t) for t in prompt[len(_IDS):].split(",")]
        # The stock echo would add the list to a string: echo the ids' text here instead.
        prefix = self.detokenize(prompt, special=True).decode("utf-8", errors="ignore") if echo else ""
        kwargs.update(prompt=prompt, echo=False)
    fix_logprobs = echo and k is not None and not kwargs.get("stream")
    if fix_logprobs:
        kwargs.update(logprobs=None)  # skip the stock (shifted, slow) computation
    for chunk in _stock_create_completion(self, **kwargs):
        if "choices" in chunk:
            chunk["choices"][0]["text"] = prefix + chunk["choices"][0]["text"]
            if fix_logprobs:
                chunk["choices"][0]["logprobs"] = _echoed_prompt_logprobs(self, prompt, max(1, int(k)))
        yield chunk


Llama._create_completion = _create_completion

if __name__ == "__main__":
    sys.argv[0] = "llama_cpp.server"
    main()
