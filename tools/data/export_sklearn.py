#!/usr/bin/python3
"""Exports three of the small datasets bundled with scikit-learn to CSV files
in examples/data/, for the examples and the tests.

  breast_cancer.csv  569 rows: f0..f29, the 30 features standardized with the
                     mean and (population) standard deviation of the whole set
                     (all 569 rows, so a held-out split is not independent of
                     that scaling), then label: 1 = benign, 0 = malignant
                     (sklearn's target).
  digits.csv         1797 rows: p0..p63, the 8x8 pixels (row by row) divided
                     by 16 so that they lie in [0, 1], then label 0..9.
  diabetes.csv       442 rows: age, sex, bmi, bp, s1..s6 as sklearn ships them
                     (already mean-centred and scaled), then target (a measure
                     of disease progression one year after baseline).

Run with Debian's python3-sklearn (apt-get install python3-sklearn):
  /usr/bin/python3 tools/data/export_sklearn.py
It writes with repr() of each double, so a re-run gives the same bytes.
"""
import os
import numpy as np
from sklearn import datasets

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "data")


def fmt(x):
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def write(name, header, rows):
    path = os.path.normpath(os.path.join(OUT, name))
    with open(path, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(fmt(v) for v in r) + "\n")
    print(f"{path}: {len(rows)} rows, {len(header)} columns")


def main():
    bc = datasets.load_breast_cancer()
    X = bc.data.astype(np.float64)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    write("breast_cancer.csv", [f"f{i}" for i in range(X.shape[1])] + ["label"],
          np.column_stack([X, bc.target]))

    dg = datasets.load_digits()
    X = dg.data.astype(np.float64) / 16.0
    write("digits.csv", [f"p{i}" for i in range(X.shape[1])] + ["label"],
          np.column_stack([X, dg.target]))

    db = datasets.load_diabetes()
    names = [n.replace(" ", "_") for n in db.feature_names]
    write("diabetes.csv", names + ["target"], np.column_stack([db.data, db.target]))


if __name__ == "__main__":
    main()
