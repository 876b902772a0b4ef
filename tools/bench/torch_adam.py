#!/usr/bin/python3
"""Adam on minimize sum(0.5*(p-3)^2), param p[N] = 0, in PyTorch (1.13), one thread: the PyTorch
baseline of issue 11 (the same job as tools/bench/HandAdam.java and as `descent run` on

    param p[N] = 0
    minimize sum(0.5*(p-3)^2)
    optimize with adam(lr = LR) for STEPS steps

written the way a PyTorch user writes it: a leaf tensor, torch.optim.Adam with its defaults
(betas 0.9/0.999, eps 1e-8), the loss through autograd each step.

    /usr/bin/python3 tools/bench/torch_adam.py N STEPS [--dtype f32|f64] [--lr 0.01] [--threads 1]

Prints one JSON line: n, steps, dtype, threads, last_step_loss (the loss at θ before the last
update), loss (at the final θ, as `descent run` reports it) and p0. The whole process (python3
start, import torch included) is what tools/bench/whole_process.py times.
"""

import argparse
import json

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=float)
    ap.add_argument("steps", type=int)
    ap.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dtype = torch.float32 if a.dtype == "f32" else torch.float64
    n = int(a.n)

    p = torch.zeros(n, dtype=dtype, requires_grad=True)
    opt = torch.optim.Adam([p], lr=a.lr)
    loss = None
    for _ in range(a.steps):
        opt.zero_grad()
        loss = (0.5 * (p - 3) ** 2).sum()
        loss.backward()
        opt.step()
    with torch.no_grad():
        final = (0.5 * (p - 3) ** 2).sum().item()
    print(json.dumps({"n": n, "steps": a.steps, "dtype": a.dtype, "threads": torch.get_num_threads(),
                      "torch": torch.__version__,
                      "last_step_loss": loss.item() if loss is not None else None,
                      "loss": final, "p0": p[0].item()}))


if __name__ == "__main__":
    main()
