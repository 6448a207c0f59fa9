"""CPython's random.Random(seed).sample draws, the reference for dokpa's PythonRandom.

Each case is one generator consumed by a sequence of sample(range(n), k) calls, as lm-eval's
few-shot sampler consumes one generator per task item after item. Writes JSON to --out.
"""
import argparse
import json
import random
from pathlib import Path

CASES = [
    # (seed, [(n, k), ...]): small pools (the pool method), large ones (the set method, n > 21
    # for k <= 5), k > 5 (a larger set threshold), 64-bit seeds and seed 0.
    (1234, [(5, 5)] * 10 + [(6, 6)] * 5),
    (1234, [(5, 2), (12, 6), (3, 3), (40, 5), (100, 1), (22, 5), (21, 5)]),
    (0, [(7, 3)] * 8),
    (42, [(1000, 10), (50, 20), (65, 30), (1 << 20, 5)]),
    ((1 << 40) + 12345, [(9, 4)] * 6),
    (2**64 - 1, [(30, 5), (5, 1)]),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    out = []
    for seed, draws in CASES:
        rng = random.Random(seed)
        out.append({"seed": str(seed), "draws": [{"n": n, "k": k, "sample": rng.sample(range(n), k)} for n, k in draws],
                    "getrandbits": [rng.getrandbits(b) for b in (1, 7, 31, 32, 33, 53, 64)]})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out))


if __name__ == "__main__":
    main()
