"""Reference values for the reports' statistics (reports/stats/), computed with statsmodels,
scipy, numpy and CPython's random on the same numbers the C++ test feeds dokpa.

- wilson:     statsmodels proportion_confint(k, n, alpha=0.05, method="wilson")
- mcnemar:    statsmodels mcnemar([[0, b], [c, 0]], exact=True).pvalue
- holm:       statsmodels multipletests(p, method="holm")[1]
- percentile: numpy.percentile (linear)
- bootstrap:  dokpa's resampling redrawn here with random.Random(seed).randrange(n), seeded with
              the first 8 bytes of sha256("dokpa-bootstrap\n<seed>\n<task>"); dokpa must match it
              exactly. The same data through scipy.stats.bootstrap (percentile method, 20,000
              resamples, its own generator) gives an interval dokpa's must agree with to within
              Monte Carlo error.
Writes JSON to --out.
"""
import argparse
import hashlib
import json
import random
from pathlib import Path

import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

WILSON = [(0, 10), (10, 10), (1, 1), (0, 1), (37, 120), (5, 9), (12345, 40000), (39999, 40000)]
MCNEMAR = [(0, 0), (1, 0), (0, 1), (5, 12), (12, 5), (30, 31), (0, 25), (100, 140), (2000, 2100), (17000, 17420)]
HOLM = [
    [0.01, 0.04, 0.03, 0.005],
    [0.5, 0.5, 0.5],
    [0.001, 0.2, 0.04, 0.04, 0.9, 0.0001],
    [1.0],
    [0.02, 0.02],
]


def bootstrap_seed(suite_seed, task):
    digest = hashlib.sha256(f"dokpa-bootstrap\n{suite_seed}\n{task}".encode()).hexdigest()
    return int(digest[:16], 16)


def bootstrap_means(matrix, iterations, seed):
    """matrix: items x runs. Returns iterations x runs replicate means, drawn as dokpa draws."""
    rng = random.Random(seed)
    n = len(matrix)
    out = []
    for _ in range(iterations):
        sums = [0.0] * len(matrix[0])
        for _ in range(n):
            row = matrix[rng.randrange(n)]
            for run, value in enumerate(row):
                sums[run] += value
        out.append([s / n for s in sums])
    return out


def bootstrap_p(deltas):
    le = sum(1 for d in deltas if d <= 0)
    ge = sum(1 for d in deltas if d >= 0)
    return min(1.0, 2.0 * (1 + min(le, ge)) / (len(deltas) + 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    out = {}
    out["wilson"] = [{"k": k, "n": n, "interval": list(proportion_confint(k, n, alpha=0.05, method="wilson"))} for k, n in WILSON]
    out["mcnemar"] = [{"b": b, "c": c, "p": float(mcnemar([[0, b], [c, 0]], exact=True).pvalue)} for b, c in MCNEMAR]
    out["holm"] = [{"p": p, "adjusted": multipletests(p, method="holm")[1].tolist()} for p in HOLM]

    gen = np.random.default_rng(20261128)
    percentile_cases = []
    for size in (1, 2, 7, 1000):
        values = gen.normal(size=size).tolist()
        percentile_cases.append({"values": values, "q": [0, 2.5, 50, 97.5, 100],
                                 "expected": [float(np.percentile(values, q)) for q in (0, 2.5, 50, 97.5, 100)]})
    out["percentile"] = percentile_cases

    # Exact redraw: 37 items, 3 runs (binary, binary, fractional), 200 resamples.
    matrix = [[float(gen.random() < 0.4), float(gen.random() < 0.6), round(float(gen.random()), 6)] for _ in range(37)]
    seed = bootstrap_seed(1234, "kmmlu_accounting")
    replicates = bootstrap_means(matrix, 200, seed)
    deltas = [r[0] - r[1] for r in replicates]
    run2 = sorted(r[2] for r in replicates)
    out["bootstrap"] = {"suite_seed": 1234, "task": "kmmlu_accounting", "seed": str(seed), "matrix": matrix,
                        "iterations": 200, "replicates": replicates, "p_run0_vs_run1": bootstrap_p(deltas),
                        "interval_run2": [float(np.percentile(run2, 2.5)), float(np.percentile(run2, 97.5))]}

    # Against scipy: one fractional metric of 300 items, and a paired difference.
    a = np.round(gen.beta(2, 3, size=300), 4)
    b = np.clip(a + np.round(gen.normal(0.03, 0.1, size=300), 4), 0, 1)
    single = stats.bootstrap((a,), np.mean, n_resamples=20000, method="percentile", random_state=0).confidence_interval
    paired = stats.bootstrap((b - a,), np.mean, n_resamples=20000, method="percentile", random_state=0).confidence_interval
    out["scipy"] = {"a": a.tolist(), "b": b.tolist(), "iterations": 20000, "tolerance": 0.005,
                    "interval_a": [float(single.low), float(single.high)],
                    "interval_b_minus_a": [float(paired.low), float(paired.high)]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out))


if __name__ == "__main__":
    main()
