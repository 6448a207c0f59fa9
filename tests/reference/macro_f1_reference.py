#!/usr/bin/env python3
"""Reference macro F1 for dokpa::macro_f1: scikit-learn's f1_score called as lm-eval's KoBEST
tasks call it (lm_eval/tasks/kobest/utils.py, macro_f1_score):

    f1_score(golds, preds, average="macro")

  macro_f1_reference.py --out DIR     # writes DIR/macro_f1.json

The JSON is a list of cases {"name", "predictions", "golds", "f1"}: hand-written degenerate
ones (one class only, a label never predicted, a label only predicted, all wrong, negative and
sparse label values) and seeded random ones of many sizes and label counts. Floats are written
with Python's repr, so they read back exactly.
"""
import argparse
import json
import random
import warnings
from pathlib import Path

import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score

SEED = 20240611

DEGENERATE = [
    ("one class everywhere", [1, 1, 1, 1], [1, 1, 1, 1]),
    ("one item", [0], [0]),
    ("one item wrong", [1], [0]),
    ("all wrong binary", [1, 0, 1, 0], [0, 1, 0, 1]),
    ("a gold label never predicted", [0, 0, 0, 0, 1], [0, 1, 2, 0, 1]),
    ("a label only predicted", [0, 1, 2, 3, 3], [0, 1, 1, 0, 1]),
    ("predictions constant", [0, 0, 0, 0, 0, 0], [0, 1, 0, 1, 1, 0]),
    ("golds constant", [0, 1, 0, 1, 1, 0], [1, 1, 1, 1, 1, 1]),
    ("disjoint label sets", [5, 6, 7], [1, 2, 3]),
    ("negative and sparse labels", [-1, 3, 100, 3, -1, 7], [-1, 3, 3, 100, 7, 7]),
    ("perfect four class", [0, 1, 2, 3, 3, 2, 1, 0], [0, 1, 2, 3, 3, 2, 1, 0]),
]


def random_cases(rng):
    cases = []
    for k in range(300):
        n = rng.choice([2, 3, 5, 10, 37, 100, 500, 2000])
        labels = rng.choice([2, 3, 4, 5, 8, 12, 20, 150])
        offset = rng.choice([0, 0, 0, 1, -3, 1000])
        accuracy = rng.random()  # from mostly wrong to mostly right
        golds = [rng.randrange(labels) + offset for _ in range(n)]
        predictions = [g if rng.random() < accuracy else rng.randrange(labels) + offset for g in golds]
        cases.append((f"random {k} n={n} labels={labels}", predictions, golds))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    rng = random.Random(SEED)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # the zero_division="warn" cases
        for name, predictions, golds in DEGENERATE + random_cases(rng):
            score = f1_score(golds, predictions, average="macro")  # lm-eval's argument order
            out.append({"name": name, "predictions": predictions, "golds": golds, "f1": float(score)})
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "macro_f1.json"
    path.write_text(json.dumps({"sklearn": sklearn.__version__, "cases": out}))
    print(f"{path}: {len(out)} cases (scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
