#!/usr/bin/python3
"""One training epoch of the digits network (examples/mlp_digits.dsc) in PyTorch, on one
thread: the reference that benchmarks/README.md compares Descent's DigitsEpochBench with.

Run with the Debian interpreter (python3-torch 1.13, python3-numpy):

    /usr/bin/python3 tools/bench/torch_digits_epoch.py                 # float64 and float32
    /usr/bin/python3 tools/bench/torch_digits_epoch.py --dtype f64 --reps 30
    /usr/bin/python3 tools/bench/torch_digits_epoch.py --batch 1438        # one step an epoch

What one epoch is, as `descent run examples/mlp_digits.dsc` runs it:
  - the 1797 rows of examples/data/digits.csv; a fifth (round(0.2 * 1797) = 359 rows) held
    out for validation, the other 1438 trained on;
  - the training rows shuffled, then taken in consecutive mini-batches of 32 (45 batches,
    the last of 30 rows); for each: the batch's rows gathered, the forward pass
    64 -> 32 tanh -> 10, the softmax cross-entropy, the backward pass, one Adam step
    (lr = 0.01, betas 0.9/0.999, eps 1e-8, as the example);
  - after the epoch, the loss on the validation rows (forward only, no gradient).

The network is written as the script writes it (X @ W1 + b1 with W1 of 64x32, etc.); the
loss is torch's fused F.cross_entropy, the idiomatic and fastest way to write the script's
mean(logsumexp(Z, axis = 1) - sum(onehot(label, 10) * Z, axis = 1)) in torch
(--literal: spell it out the same way; a little slower). Starting weights are drawn as the
script draws them (normal(0, 0.125), normal(0, 0.18), zeros); only shapes matter for time.

Timing: --warmup epochs first (not timed), then --reps epochs each timed alone with
time.perf_counter; prints the median (and min, max) in ms per epoch.
"""

import argparse
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(ROOT, "examples", "data", "digits.csv")
BATCH = 32
VALIDATION = 0.2
LR = 0.01


def load(dtype):
    raw = np.loadtxt(DATA, delimiter=",", skiprows=1)
    x = torch.tensor(raw[:, :64], dtype=dtype)
    y = torch.tensor(raw[:, 64], dtype=torch.long)
    n = x.shape[0]
    g = torch.Generator().manual_seed(1)
    perm = torch.randperm(n, generator=g)
    held = int(round(VALIDATION * n))  # 359 of 1797, as Descent's csv(…, validation = 0.2)
    val, train = perm[:held].sort().values, perm[held:].sort().values
    return x[train].contiguous(), y[train].contiguous(), x[val].contiguous(), y[val].contiguous()


class Net:
    def __init__(self, dtype, literal):
        g = torch.Generator().manual_seed(1)
        self.W1 = (0.125 * torch.randn(64, 32, generator=g, dtype=dtype)).requires_grad_()
        self.b1 = torch.zeros(32, dtype=dtype, requires_grad=True)
        self.W2 = (0.18 * torch.randn(32, 10, generator=g, dtype=dtype)).requires_grad_()
        self.b2 = torch.zeros(10, dtype=dtype, requires_grad=True)
        self.params = [self.W1, self.b1, self.W2, self.b2]
        self.literal = literal

    def loss(self, x, y):
        h = torch.tanh(x @ self.W1 + self.b1)
        z = h @ self.W2 + self.b2
        if self.literal:
            onehot = F.one_hot(y, 10).to(z.dtype)
            return (torch.logsumexp(z, dim=1) - (onehot * z).sum(dim=1)).mean()
        return F.cross_entropy(z, y)


def epoch(net, opt, xt, yt, xv, yv, gen, batch):
    order = torch.randperm(xt.shape[0], generator=gen)
    for start in range(0, xt.shape[0], batch):
        idx = order[start:start + batch]
        xb, yb = xt[idx], yt[idx]
        opt.zero_grad(set_to_none=True)
        loss = net.loss(xb, yb)
        loss.backward()
        opt.step()
    with torch.no_grad():
        return net.loss(xv, yv).item()


def measure(dtype, warmup, reps, literal, batch=BATCH):
    xt, yt, xv, yv = load(dtype)
    net = Net(dtype, literal)
    opt = torch.optim.Adam(net.params, lr=LR)
    gen = torch.Generator().manual_seed(1)
    for _ in range(warmup):
        epoch(net, opt, xt, yt, xv, yv, gen, batch)
    times = []
    v = None
    for _ in range(reps):
        t0 = time.perf_counter()
        v = epoch(net, opt, xt, yt, xv, yv, gen, batch)
        times.append((time.perf_counter() - t0) * 1e3)
    batches = (xt.shape[0] + batch - 1) // batch
    return statistics.median(times), min(times), max(times), batches, xt.shape[0], xv.shape[0], v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dtype", choices=["f64", "f32", "both"], default="both")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=BATCH, help="mini-batch size (1438: the whole training set, one step an epoch)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--literal", action="store_true", help="the loss as the script writes it, not F.cross_entropy")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dtypes = {"f64": [torch.float64], "f32": [torch.float32], "both": [torch.float64, torch.float32]}[a.dtype]
    print("torch %s, %d thread(s), loss %s" % (torch.__version__, torch.get_num_threads(),
                                               "as written (logsumexp - sum(onehot*Z))" if a.literal else "F.cross_entropy"))
    for dt in dtypes:
        med, lo, hi, batches, nt, nv, v = measure(dt, a.warmup, a.reps, a.literal, a.batch)
        name = "f64" if dt == torch.float64 else "f32"
        print("%s: %.3f ms/epoch (median of %d; min %.3f, max %.3f) — %d batches of %d over %d rows, validation %d rows, "
              "validation loss %.4f" % (name, med, a.reps, lo, hi, batches, a.batch, nt, nv, v))


if __name__ == "__main__":
    main()
