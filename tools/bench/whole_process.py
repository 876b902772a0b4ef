#!/usr/bin/python3
"""Whole-process timings for issue 11's targets: Descent's command and its baselines run
alternately, round after round, on the same machine; wall time and peak RSS of each process;
medians and ratios.

From the repository root, after building (so the launcher does not rebuild inside a timing):

    JAVA_HOME="$(bin/find-jdk)" ./mvnw -B -q -DskipTests package
    /usr/bin/python3 tools/bench/whole_process.py                    # every job, 3 rounds
    /usr/bin/python3 tools/bench/whole_process.py --rounds 5 adam-1e6-f32 mlp-digits
    /usr/bin/python3 tools/bench/whole_process.py --list

Each job has several commands (Descent's and its baselines'). A round runs each command of the
job once, the order rotated from round to round (round k starts with command k), so that
Descent and its baseline alternate and a drift of the machine's load touches both alike. Wall
time: time.perf_counter around the process; peak RSS: ru_maxrss of the process from os.wait4
(for bin/descent that is the JVM, which the launcher execs; wait4 reports the largest of the
process and the children it waited for); cpu: user + system time from the same rusage, of
all the process's threads and of the children it waited for (for bin/descent: bin/find-jdk and
the JVMs it starts to probe the JDKs). On a loaded machine, cpu s shows the work done where wall time shows
the wait too; the load average at each job's start and end is printed beside it. Stdout goes to a file (its first
bytes are kept to show each command's result: final loss and first parameter), stderr to
another (shown on a failure).

Ratios are from the medians: speed = baseline time / Descent time (> 1: Descent is faster),
time = Descent time / baseline time, rss = Descent's peak RSS / the baseline's; the brackets
give the lowest and highest of the same ratio taken within each round. Rosenbrock's steps/s is
(N - 1) / (T(N steps) - T(1 step)), the same script and process with --set steps=1 as the
second command, taken per round (median shown) and from the medians.

Commands:
  bin/descent ...       the whole launcher (bin/find-jdk, the staleness check, the JVM), with
                        the environment this script runs in (JAVA_HOME as it is: when unset,
                        bin/find-jdk probes the JDKs it finds, which costs a JVM start or more)
  HandAdam              tools/bench/HandAdam.java, compiled ahead into target/bench-classes
                        by this script; timed as `java --add-modules jdk.incubator.vector -cp
                        target/bench-classes HandAdam N STEPS f32|f64 LR THREADS`
  torch_*.py            /usr/bin/python3 tools/bench/torch_*.py (torch 1.13), one thread
  java -version         of the JDK that bin/find-jdk picks

--json FILE writes every measurement (each round's wall time and RSS) and the summary.
"""

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BENCH = os.path.join(ROOT, "tools", "bench")
CLASSES = os.path.join(ROOT, "target", "bench-classes")
PYTHON = "/usr/bin/python3"
LR = 0.01            # as tools/bench/adam_n.dsc
STEPS = 200          # as tools/bench/adam_n.dsc
ROSEN_STEPS = 5_000_000  # as tools/bench/rosenbrock_steps.dsc

class Cmd:
    def __init__(self, label, argv, parse=None, env=None, note=""):
        self.label, self.argv, self.parse, self.env, self.note = label, argv, parse, env, note


class Job:
    def __init__(self, name, what, cmds, comparisons, rosenbrock=None, default=True):
        self.name, self.what, self.cmds, self.comparisons, self.rosenbrock = name, what, cmds, comparisons, rosenbrock
        self.default = default  # run when no job is named


# ---- result parsers: a short text from the first bytes of stdout ----

def parse_descent_run(head):
    loss = re.search(r"^loss\s+(\S+)", head, re.M)
    first = re.search(r"^\S+\s+\[+\s*([^,\]\s]+)", head, re.M)
    scalar = None if first else re.search(r"^(?!loss)\S+\s+(-?[0-9][^\s,]*)\s*$", head, re.M)
    parts = []
    if loss:
        parts.append("loss " + loss.group(1))
    if first or scalar:
        parts.append("θ[0] " + (first or scalar).group(1))
    tv = re.search(r"training loss (\S+), validation loss (\S+)", head)
    if tv:
        parts.append("train %s val %s" % (tv.group(1).rstrip(","), tv.group(2)))
    return ", ".join(parts)


def parse_json_line(head):
    line = head.strip().splitlines()[-1] if head.strip() else ""
    try:
        d = json.loads(line)
    except ValueError:
        return "?"
    if "p0" in d:
        return "loss %r, θ[0] %r" % (d["loss"], d["p0"])
    if "validation_loss" in d:
        return "train %r val %r" % (d["train_loss"], d["validation_loss"])
    return line[:80]


def parse_first_line(head):
    return head.strip().splitlines()[0][:80] if head.strip() else ""


# ---- the jobs ----

def jobs(ctx):
    d = ctx["descent"]
    java = ctx["java"]
    hand = [java, "--add-modules", "jdk.incubator.vector", "-cp", "target/bench-classes", "HandAdam"]
    threads = os.cpu_count() or 1
    out = []

    def adam_job(name, n, prec, torch):
        script = ctx["adam_dsc"]
        base = d + ["run", script, "-q", "--set", "n=%d" % n, "--precision", prec]
        cmds = [Cmd("descent", base, parse_descent_run),
                Cmd("descent-simd", base + ["--engine", "simd"], parse_descent_run),
                Cmd("hand-t1", hand + [str(n), str(STEPS), prec, str(LR), "1"], parse_json_line),
                Cmd("hand-t%d" % threads, hand + [str(n), str(STEPS), prec, str(LR), str(threads)], parse_json_line)]
        if threads == 1:
            cmds.pop()
        target = 0.9 if n >= 10_000_000 else 0.8
        comps = [("speed", "descent", "hand-t1", ">= %.1f" % target),
                 ("speed", "descent-simd", "hand-t1", ">= 0.6" if n >= 10_000_000 else ""),
                 ]
        if threads > 1:
            comps += [("speed", "descent", "hand-t%d" % threads, "(Descent's default uses every core)"),
                      ("speed", "descent-simd", "hand-t%d" % threads, "")]
        if n >= 10_000_000:
            comps += [("rss", "descent", "hand-t1", "<= 1.5"), ("rss", "descent-simd", "hand-t1", "")]
        if torch:
            cmds.append(Cmd("torch", [PYTHON, "tools/bench/torch_adam.py", str(n), str(STEPS),
                                      "--dtype", prec, "--lr", str(LR), "--threads", "1"], parse_json_line))
            comps += [("speed", "descent", "torch", ">= 3"), ("speed", "hand-t1", "torch", "(the hand loop against torch)")]
        return Job(name, "Adam, %g %s parameters, %d steps, sum(0.5*(p-3)^2)" % (n, prec, STEPS), cmds, comps)

    out.append(adam_job("adam-1e7-f32", 10_000_000, "f32", False))
    out.append(Job("adam-1e7-f32-1step", "the fixed cost of adam-1e7-f32: the same processes with 1 step (not run by default)",
                   [Cmd("descent", d + ["run", ctx["adam_dsc"], "-q", "--set", "n=10000000", "--set", "steps=1", "--precision", "f32"],
                        parse_descent_run),
                    Cmd("hand-t1", hand + ["10000000", "1", "f32", str(LR), "1"], parse_json_line)],
                   [("speed", "descent", "hand-t1", ""), ("rss", "descent", "hand-t1", "")], default=False))
    out.append(adam_job("adam-1e6-f32", 1_000_000, "f32", True))
    out.append(adam_job("adam-1e6-f64", 1_000_000, "f64", False))

    qs = "examples/quickstart.dsc"
    env_jh = dict(os.environ, JAVA_HOME=ctx["jdk"])
    out.append(Job("check-quickstart", "descent check examples/quickstart.dsc against java -version",
                   [Cmd("descent-check", d + ["check", qs], parse_first_line),
                    Cmd("descent-check-JAVA_HOME", d + ["check", qs], parse_first_line, env=env_jh,
                        note="JAVA_HOME set to the JDK (bin/find-jdk then probes one JDK)"),
                    Cmd("descent-check-jar", [java, "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xss64m",
                                              "-jar", "target/descent.jar", "check", qs], parse_first_line,
                        note="the launcher's java command alone, without bin/descent"),
                    Cmd("java-version", [java, "-version"], parse_first_line)],
                   [("time", "descent-check", "java-version", "<= 2.5"),
                    ("time", "descent-check-JAVA_HOME", "java-version", ""),
                    ("time", "descent-check-jar", "java-version", "")]))

    out.append(Job("eval-check-1e7", "descent eval / check of a script with param p[1e7], against the same on quickstart",
                   [Cmd("eval-1e7", d + ["eval", ctx["adam_dsc"]], parse_first_line),
                    Cmd("eval-quickstart", d + ["eval", qs], parse_first_line),
                    Cmd("check-1e7", d + ["check", ctx["adam_dsc"]], parse_first_line),
                    Cmd("check-quickstart", d + ["check", qs], parse_first_line),
                    # the floor: a hand-written program that allocates θ and g of 1e7 float64, sweeps them once
                    # (the loss and the gradient in one Vector API loop) and prints, against the same for 2 elements
                    Cmd("hand-eval-1e7", [java, "--add-modules", "jdk.incubator.vector", "-XX:+UseTransparentHugePages",
                                          "-cp", "target/bench-classes", "HandEval", "10000000"], parse_first_line),
                    Cmd("hand-eval-2", [java, "--add-modules", "jdk.incubator.vector", "-XX:+UseTransparentHugePages",
                                        "-cp", "target/bench-classes", "HandEval", "2"], parse_first_line)],
                   [("time", "eval-1e7", "eval-quickstart", "<= 1.5"),
                    ("time", "hand-eval-1e7", "hand-eval-2", "(the floor: allocating and sweeping 1e7 float64 twice)"),
                    ("time", "check-1e7", "check-quickstart", "<= 1.5")]))

    out.append(Job("mlp-digits", "examples/mlp_digits.dsc (20 epochs, batches of 32, f64) against the same in torch, 1 thread",
                   [Cmd("descent", d + ["run", "examples/mlp_digits.dsc", "-q"], parse_descent_run),
                    Cmd("torch", [PYTHON, "tools/bench/torch_mlp_digits.py", "--dtype", "f64", "--threads", "1"],
                        parse_json_line)],
                   [("speed", "descent", "torch", "> 1")]))

    rs = ctx["rosen_dsc"]
    out.append(Job("rosenbrock-2d", "2-D Rosenbrock, Adam(lr 0.05), %d steps against 1 step, through bin/descent run" % ROSEN_STEPS,
                   [Cmd("descent-%d" % ROSEN_STEPS, d + ["run", rs, "-q"], parse_descent_run),
                    Cmd("descent-1", d + ["run", rs, "-q", "--set", "steps=1"], parse_descent_run)],
                   [], rosenbrock=("descent-%d" % ROSEN_STEPS, "descent-1", ROSEN_STEPS, ">= 1e6")))
    return out


# ---- running ----

def run_once(cmd, tmp):
    out_path = os.path.join(tmp, "stdout")
    err_path = os.path.join(tmp, "stderr")
    with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd.argv, cwd=ROOT, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                             env=cmd.env if cmd.env is not None else os.environ)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, "rb") as f:
        head = f.read(4096).decode("utf-8", "replace")
    size = os.path.getsize(out_path)
    if p.returncode != 0:
        with open(err_path, "rb") as f:
            err = f.read(4000).decode("utf-8", "replace")
        raise SystemExit("%s exited %d:\n$ %s\n%s" % (cmd.label, p.returncode, " ".join(shlex.quote(a) for a in cmd.argv), err))
    return wall, ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime, head, size  # ru_maxrss: KiB on Linux


def ratio_range(vals_a, vals_b, f):
    rs = [f(a, b) for a, b in zip(vals_a, vals_b)]
    return min(rs), max(rs)


def run_job(job, rounds, tmp, log):
    res = {c.label: {"wall": [], "rss": [], "cpu": [], "result": None, "stdout_bytes": 0} for c in job.cmds}
    k = len(job.cmds)
    for r in range(rounds):
        order = [job.cmds[(r + i) % k] for i in range(k)]
        for c in order:
            wall, rss, cpu, head, size = run_once(c, tmp)
            e = res[c.label]
            e["wall"].append(wall)
            e["rss"].append(rss)
            e["cpu"].append(cpu)
            e["stdout_bytes"] = size
            if e["result"] is None and c.parse:
                e["result"] = c.parse(head)
            print("  round %d  %-26s %8.3f s  %8.1f MB  cpu %7.3f s" % (r + 1, c.label, wall, rss, cpu), file=log, flush=True)
    return res


def fmt_s(x):
    return "%.3f" % x if x < 100 else "%.1f" % x


def summarize(job, res, load):
    lines = []
    lines.append("## %s: %s (load average %s -> %s)" % (job.name, job.what, load[0], load[1]))
    lines.append("%-26s %9s %9s %9s %9s %9s  %-s" % ("command", "median s", "min s", "max s", "cpu s", "RSS MB", "result (first round)"))
    for c in job.cmds:
        e = res[c.label]
        w = e["wall"]
        lines.append("%-26s %9s %9s %9s %9s %9.0f  %s%s" % (c.label, fmt_s(statistics.median(w)), fmt_s(min(w)), fmt_s(max(w)),
                                                      fmt_s(statistics.median(e["cpu"])), statistics.median(e["rss"]), e["result"] or "",
                                                      "  [stdout %.0f MB]" % (e["stdout_bytes"] / 1e6) if e["stdout_bytes"] > 1e6 else ""))
    summary = []
    for kind, a, b, target in job.comparisons:
        ea, eb = res[a], res[b]
        if kind == "speed":
            v = statistics.median(eb["wall"]) / statistics.median(ea["wall"])
            lo, hi = ratio_range(ea["wall"], eb["wall"], lambda x, y: y / x)
            text = "speed %-24s vs %-18s %7.3fx  [%.3f-%.3f]" % (a, b, v, lo, hi)
        elif kind == "time":
            v = statistics.median(ea["wall"]) / statistics.median(eb["wall"])
            lo, hi = ratio_range(ea["wall"], eb["wall"], lambda x, y: x / y)
            text = "time  %-24s / %-18s %7.3fx  [%.3f-%.3f]" % (a, b, v, lo, hi)
        else:
            v = statistics.median(ea["rss"]) / statistics.median(eb["rss"])
            lo, hi = ratio_range(ea["rss"], eb["rss"], lambda x, y: x / y)
            text = "rss   %-24s / %-18s %7.3fx  [%.3f-%.3f]" % (a, b, v, lo, hi)
        lines.append(text + ("   target " + target if target else ""))
        summary.append({"kind": kind, "a": a, "b": b, "ratio": v, "round_min": lo, "round_max": hi, "target": target})
    if job.rosenbrock:
        a, b, n, target = job.rosenbrock
        per = [(n - 1) / (x - y) if x > y else float("inf") for x, y in zip(res[a]["wall"], res[b]["wall"])]
        med = (n - 1) / (statistics.median(res[a]["wall"]) - statistics.median(res[b]["wall"]))
        lines.append("steps/s  (N-1)/(T(N)-T(1)): per round median %.3g [%.3g-%.3g], from the medians %.3g   target %s"
                     % (statistics.median(per), min(per), max(per), med, target))
        summary.append({"kind": "steps_per_s", "per_round": per, "median": statistics.median(per), "from_medians": med,
                        "target": target})
    return "\n".join(lines), summary


def loadavg():
    return "/".join(open("/proc/loadavg").read().split()[:3])


def compile_hand(ctx):
    for name in ("HandAdam", "HandEval"):
        src = os.path.join(BENCH, name + ".java")
        cls = os.path.join(CLASSES, name + ".class")
        if os.path.exists(cls) and os.path.getmtime(cls) >= os.path.getmtime(src):
            continue
        os.makedirs(CLASSES, exist_ok=True)
        subprocess.run([os.path.join(ctx["jdk"], "bin", "javac"), "--add-modules", "jdk.incubator.vector", "-nowarn",
                        "-d", CLASSES, src], check=True, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("jobs", nargs="*", help="job names (default: all but adam-1e7-f32-1step)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--list", action="store_true", help="list the jobs and their commands")
    ap.add_argument("--json", metavar="FILE", help="write the measurements and the summary as JSON")
    a = ap.parse_args()

    jdk = subprocess.run([os.path.join(ROOT, "bin", "find-jdk")], check=True, capture_output=True, text=True).stdout.strip()
    ctx = {"jdk": jdk, "java": os.path.join(jdk, "bin", "java"), "descent": ["bin/descent"],
           "adam_dsc": "tools/bench/adam_n.dsc", "rosen_dsc": "tools/bench/rosenbrock_steps.dsc"}
    all_jobs = jobs(ctx)
    if a.list:
        for j in all_jobs:
            print("%s: %s%s" % (j.name, j.what, "" if j.default else " [only when named]"))
            for c in j.cmds:
                print("  %-26s %s%s" % (c.label, " ".join(shlex.quote(x) for x in c.argv), "  (" + c.note + ")" if c.note else ""))
        return
    names = {j.name for j in all_jobs}
    for n in a.jobs:
        if n not in names:
            sys.exit("no job %r; jobs: %s" % (n, ", ".join(j.name for j in all_jobs)))
    chosen = [j for j in all_jobs if j.name in a.jobs or (not a.jobs and j.default)]

    # untimed: build if stale, compile HandAdam, and bring the jar, the JDK and torch into the page cache
    compile_hand(ctx)
    subprocess.run(ctx["descent"] + ["--version"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([ctx["java"], "-version"], check=True, stderr=subprocess.DEVNULL)
    if any(c.argv[0] == PYTHON for j in chosen for c in j.cmds):
        subprocess.run([PYTHON, "-c", "import torch"], check=True)

    head = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s"], capture_output=True, text=True).stdout.strip()
    info = ("Descent %s; JDK %s; JAVA_HOME %s; %d CPUs; load average %s; %d rounds"
            % (head, jdk, os.environ.get("JAVA_HOME") or "unset", os.cpu_count() or 1,
               loadavg(), a.rounds))
    print(info, flush=True)
    report, data = [], {"info": info, "jobs": {}}
    for j in chosen:
        print("# %s" % j.name, flush=True)
        load0 = loadavg()
        with tempfile.TemporaryDirectory(prefix="descent-whole-") as tmp:  # each command's stdout and stderr
            res = run_job(j, a.rounds, tmp, sys.stdout)
        text, summary = summarize(j, res, (load0, loadavg()))
        print(text + "\n", flush=True)
        report.append(text)
        data["jobs"][j.name] = {"what": j.what, "commands": {c.label: {"argv": c.argv, **res[c.label]} for c in j.cmds},
                                "summary": summary}
    print("load average at the end: %s" % loadavg())
    print("\n# Summary\n" + "\n\n".join(report))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(data, f, indent=1)


if __name__ == "__main__":
    main()
