#!/usr/bin/python3
"""examples/mlp_digits.dsc written in PyTorch (1.13) as a user would, one thread: the baseline
of issue 11's mlp-digits target, timed as a whole process (python3 start and import torch
included) by tools/bench/whole_process.py.

    /usr/bin/python3 tools/bench/torch_mlp_digits.py [--dtype f64|f32] [--epochs 20] [--threads 1] [--literal]

The same training as the script (and as tools/bench/torch_digits_epoch.py, whose data split,
network, loss and epoch it reuses): examples/data/digits.csv, a fifth of the rows held out for
validation, 64 -> 32 tanh -> 10, the softmax cross-entropy (F.cross_entropy; --literal: spelled
out as the script writes it), Adam lr 0.01, 20 epochs of shuffled mini-batches of 32, the
validation loss after every epoch (as `descent run` computes it, for early stopping), float64
(Descent's default precision). Prints one JSON line with the final training loss (on all
training rows) and validation loss, and the epochs and steps made.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_digits_epoch as tde  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dtype", choices=["f64", "f32"], default="f64")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--literal", action="store_true", help="the loss as the script writes it, not F.cross_entropy")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dtype = torch.float64 if a.dtype == "f64" else torch.float32

    xt, yt, xv, yv = tde.load(dtype)
    net = tde.Net(dtype, a.literal)
    opt = torch.optim.Adam(net.params, lr=tde.LR)
    gen = torch.Generator().manual_seed(1)
    validation = None
    for _ in range(a.epochs):
        validation = tde.epoch(net, opt, xt, yt, xv, yv, gen, tde.BATCH)
    with torch.no_grad():
        train = net.loss(xt, yt).item()
        validation = net.loss(xv, yv).item()
    steps = a.epochs * ((xt.shape[0] + tde.BATCH - 1) // tde.BATCH)
    print(json.dumps({"dtype": a.dtype, "threads": torch.get_num_threads(), "epochs": a.epochs, "steps": steps,
                      "train_rows": xt.shape[0], "validation_rows": xv.shape[0],
                      "train_loss": train, "validation_loss": validation}))


if __name__ == "__main__":
    main()
