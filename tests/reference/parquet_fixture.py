"""Parquet files written by pyarrow, and the text Python's str() gives for each value pyarrow
reads back, for tests/harness/core/data_formats_test.cpp (dokpa's Parquet reader must agree).

--out DIR gets
  values.parquet    Korean strings, integers of every width, float64/float32/float16, booleans,
                    nulls everywhere, list<string>, list<int64>, a dictionary-encoded column and an
                    all-null column, in several row groups (row_group_size=3)
  floats.parquet    one float64 column of edge cases and random bit patterns (repr's two notations)
  struct.parquet    an `image` struct<bytes: binary, path: string> column (dokpa refuses it)
  expected.json     {"<file>": {"columns": [...], "rows": [{column: text or [text, ...]}, ...]}}
                    where text is "" for None and str(value) otherwise, as lm-eval's templates
                    would render it
"""
import argparse
import json
import math
import os
import random
import struct

import pyarrow as pa
import pyarrow.parquet as pq


def text(value):
    return "" if value is None else str(value)


def expected(table):
    rows = []
    for row in table.to_pylist():
        out = {}
        for name, value in row.items():
            out[name] = [text(v) for v in value] if isinstance(value, list) else text(value)
        rows.append(out)
    return {"columns": table.column_names, "rows": rows}


def values_table():
    questions = ["대한민국의 수도는?", "다음 중 옳은 것은?\n(줄바꿈 포함)", None, "", "따옴표 \"와 쉼표, 그리고 탭\t",
                 "emoji 🙂 and 한글", "마지막 질문", "ASCII only", "null 다음", "열 번째"]
    n = len(questions)
    return pa.table({
        "id": pa.array([f"q{i}" for i in range(n)], pa.string()),
        "question": pa.array(questions, pa.large_string()),
        "label": pa.array([0, 1, 2, 3, None, -1, 9223372036854775807, -9223372036854775808, 42, 7], pa.int64()),
        "small": pa.array([-128, 127, 0, None, 1, 2, 3, 4, 5, 6], pa.int8()),
        "big": pa.array([18446744073709551615, 0, None, 1, 2, 3, 4, 5, 6, 7], pa.uint64()),
        "u16": pa.array([65535, 0, 1, 2, 3, 4, 5, 6, 7, None], pa.uint16()),
        "score": pa.array([1.0, 0.5, 0.1, None, 1e16, 1e15, 1e-05, 0.0001, -0.0, 123456789.125], pa.float64()),
        "f32": pa.array([0.1, 1.0, None, 3.4028234663852886e38, 1e-7, -2.5, 0.3, 100.0, 1e-45, 16777217.0],
                        pa.float32()),
        "f16": pa.array([0.1, 1.5, None, 65504.0, -0.0, 6e-08, 2.0, 0.333, 1000.0, 3.14], pa.float16()),
        "ok": pa.array([True, False, None, True, False, True, None, False, True, True], pa.bool_()),
        "options": pa.array([["가", "나", "다", "라"], [], None, ["하나", None, "셋"], ["a"], ["b", "c"], [""],
                             ["x"] * 5, ["예", "아니오"], ["끝"]], pa.list_(pa.string())),
        "numbers": pa.array([[1, 2], [], None, [-5], [None], [0], [10, 20, 30], [7], [8], [9]],
                            pa.list_(pa.int64())),
        "category": pa.array(["A", "B", "A", None, "C", "A", "B", "B", "C", "A"]).dictionary_encode(),
        "nothing": pa.nulls(n),
    })


def floats_table():
    values = [0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, 100.0, 1e15, 1e16, 1e17,
              9999999999999998.0, 1234567890123456.7, 12345678901234567.0, 0.001, 0.0001, 0.00001, 0.000123,
              1.5e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2.0 ** 63, 2.0 ** 53 + 2,
              float("inf"), float("-inf"), float("nan"), 123.456, 1e22, 1e21, 1e-300, 4.35, 0.07, 1e100]
    rng = random.Random(20240601)
    while len(values) < 2000:
        bits = rng.getrandbits(64)
        value = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if math.isnan(value):
            continue
        values.append(value)
        values.append(rng.uniform(-1000, 1000))
        values.append(round(rng.uniform(0, 1), rng.randint(1, 6)))  # short decimals, as data has
    return pa.table({"x": pa.array(values, pa.float64())})


def struct_table():
    image = pa.array([{"bytes": b"\x89PNG", "path": "a.png"}, {"bytes": None, "path": "b.png"}],
                     pa.struct([("bytes", pa.binary()), ("path", pa.string())]))
    return pa.table({"id": pa.array(["a", "b"]), "image": image})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    tables = {"values.parquet": values_table(), "floats.parquet": floats_table()}
    result = {}
    for name, table in tables.items():
        pq.write_table(table, os.path.join(args.out, name), row_group_size=3 if name == "values.parquet" else 512)
        # Expected values come from reading the file back, as a Python user of the data would.
        result[name] = expected(pq.read_table(os.path.join(args.out, name)))
    assert pq.ParquetFile(os.path.join(args.out, "values.parquet")).num_row_groups == 4
    pq.write_table(struct_table(), os.path.join(args.out, "struct.parquet"))
    with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
