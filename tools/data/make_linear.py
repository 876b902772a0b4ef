"""Writes examples/data/linear.csv: 200 rows of y = 2*x1 - 3*x2 + 1 + noise (sd 0.1), seeded.

Run from the repository root: /usr/bin/python3 tools/data/make_linear.py
"""
import random

random.seed(7)
with open("examples/data/linear.csv", "w") as f:
    f.write("x1,x2,y\n")
    for _ in range(200):
        x1 = round(random.uniform(-1, 1), 4)
        x2 = round(random.uniform(-1, 1), 4)
        y = round(2 * x1 - 3 * x2 + 1 + random.gauss(0, 0.1), 4)
        f.write(f"{x1},{x2},{y}\n")
