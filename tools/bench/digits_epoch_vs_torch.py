#!/usr/bin/python3
"""One epoch of the digits network: Descent (JMH, DigitsEpochBench.epoch) against PyTorch
(tools/bench/torch_digits_epoch.py), measured back to back so that both see the same machine,
and their ratio. The figures of benchmarks/README.md ("Training: one epoch of the digits
network") come from this script.

From the repository root, after building the benchmarks (benchmarks/README.md):

    /usr/bin/python3 tools/bench/digits_epoch_vs_torch.py                # 2 rounds
    /usr/bin/python3 tools/bench/digits_epoch_vs_torch.py --rounds 1 --jmh "-wi 5 -i 10 -f 1 -w 1s -r 1s"

Each round runs JMH in sample mode (every epoch timed alone; the median and the fastest epoch
are read from its percentiles) for the engines, then torch in float64 and float32
(--warmup epochs, then --reps epochs each timed alone). Descent / torch < 1 means Descent is
faster. JAVA_HOME picks the JDK (default /usr/lib/jvm/temurin-25-jdk-amd64).
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_digits_epoch  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
JAR = os.path.join(ROOT, "benchmarks", "target", "benchmarks.jar")
ENGINES = ["simd_f64", "simd_f32", "auto_f64", "compiled_f64", "scalar"]
DTYPE = {e: ("f32" if e.endswith("f32") else "f64") for e in ENGINES}


def jmh(java, extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "jmh.json")
        cmd = [java, "--add-modules", "jdk.incubator.vector", "-jar", JAR, "DigitsEpochBench.epoch",
               "-bm", "sample", "-tu", "ms", "-p", "engine=" + ",".join(ENGINES)] + shlex.split(extra) + ["-rf", "json", "-rff", out]
        print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            rows = json.load(f)
    res = {}
    for r in rows:
        p = r["primaryMetric"]["scorePercentiles"]
        res[r["params"]["engine"]] = (p["50.0"], p["0.0"], r["primaryMetric"]["scoreConfidence"])
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jmh", default="-wi 3 -i 5 -f 1 -w 1s -r 1s", help="JMH options (iterations, forks)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--reps", type=int, default=50)
    a = ap.parse_args()
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")
    if not os.path.exists(JAR):
        sys.exit("no " + JAR + ": build the benchmarks first (benchmarks/README.md)")
    torch.set_num_threads(1)
    for k in range(1, a.rounds + 1):
        d = jmh(java, a.jmh)
        t = {}
        for name, dt in (("f64", torch.float64), ("f32", torch.float32)):
            med, lo, hi, *_ = torch_digits_epoch.measure(dt, a.warmup, a.reps, False)
            t[name] = (med, lo)
        print("round %d: ms per epoch, median (fastest); torch %s, 1 thread" % (k, torch.__version__))
        print("  %-12s %-17s %-21s %s" % ("engine", "Descent", "torch", "Descent / torch: median (fastest)"))
        for e in ENGINES:
            dm, dl, _ = d[e]
            tm, tl = t[DTYPE[e]]
            print("  %-12s %6.2f (%6.2f)   %6.2f (%6.2f) %s   %.2f (%.2f)" % (e, dm, dl, tm, tl, DTYPE[e], dm / tm, dl / tl))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
