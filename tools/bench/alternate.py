#!/usr/bin/env python3
"""Whole-process timings, alternated: each round runs every command once, in turn, so a
noisy machine (other builds on 2 cores) slows all of them alike. Prints, per command, the
median and the fastest wall time, the median CPU time (user + sys of the process and its
children) and their ratios to the first command.

    tools/bench/alternate.py ROUNDS LABEL=COMMAND ...

Issue 11 (start-up), from the repository root, JDK 25 at $J:

    J=/usr/lib/jvm/temurin-25-jdk-amd64
    env -u JAVA_HOME tools/bench/alternate.py 21 "version=$J/bin/java -version" \\
        "check=bin/descent check examples/quickstart.dsc" \\
        "check_no_cache=DESCENT_AOT=0 bin/descent check examples/quickstart.dsc"
    tools/bench/alternate.py 9 "version=$J/bin/java -version" \\
        "mlp=bin/descent run examples/mlp_digits.dsc" \\
        "torch=/usr/bin/python3 tools/bench/torch_digits_epoch.py --dtype f64 --warmup 0 --reps 20"

Each command runs once before the rounds (not timed): caches warm, the jar built.
"""
import resource
import statistics
import subprocess
import sys
import time


def run(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, executable="/bin/bash")
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    rounds = int(sys.argv[1])
    cmds = [a.split("=", 1) for a in sys.argv[2:]]
    wall = {label: [] for label, _ in cmds}
    cpu = {label: [] for label, _ in cmds}
    for _, cmd in cmds:
        run(cmd)
    for _ in range(rounds):
        for label, cmd in cmds:
            p, w, c = run(cmd)
            if p.returncode != 0:
                sys.exit("%s: exit %d\n%s" % (label, p.returncode, p.stderr.decode()[-2000:]))
            wall[label].append(w)
            cpu[label].append(c)
    base = cmds[0][0]
    bw, bm, bc = statistics.median(wall[base]), min(wall[base]), statistics.median(cpu[base])
    for label, _ in cmds:
        w, m, c = statistics.median(wall[label]), min(wall[label]), statistics.median(cpu[label])
        print("%-24s wall median %6.0f ms (x%5.2f)  fastest %6.0f ms (x%5.2f)  cpu median %6.0f ms (x%5.2f)"
              % (label, w * 1000, w / bw, m * 1000, m / bm, c * 1000, c / bc))


if __name__ == "__main__":
    main()
