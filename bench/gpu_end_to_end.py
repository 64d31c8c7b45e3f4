#!/usr/bin/env python3
"""`hbayes score` end to end with --backend cuda against --backend cpu, on one machine.

On the distinct-pairs beta-binomial catalog of peer_scipy.py: times both backends CSV to CSV
(reading, scoring, writing) and checks that their outputs agree (every column, 1e-12 relative).
Run through bench/run_gpu.sh on a machine with a CUDA device.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

from peer_scipy import ALPHA, BETA, catalog


def write_catalog(path, n):
    y, t = catalog(n)
    pd.DataFrame({"store_id": np.arange(n), "successes": y, "trials": t}).to_csv(path, index=False)


def run(hbayes, backend, csv_in, csv_out):
    start = time.perf_counter()
    done = subprocess.run([hbayes, "score", "--model", "beta-binomial", "--alpha", str(ALPHA),
                           "--beta", str(BETA), "--backend", backend, "--input", csv_in,
                           "--output", csv_out], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, done.stderr.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--stores", type=int, default=10_000_000)
    parser.add_argument("--workdir", default="/tmp/hbayes-gpu-e2e")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    hbayes = os.path.join(args.build, "src", "hbayes")
    csv_in = os.path.join(args.workdir, "catalog.csv")
    write_catalog(csv_in, args.stores)
    outputs = {}
    for backend in ("cuda", "cpu"):
        outputs[backend] = os.path.join(args.workdir, f"posterior_{backend}.csv")
        seconds, summary = run(hbayes, backend, csv_in, outputs[backend])
        print(f"{backend:>4}: {args.stores:,} rows in {seconds:.2f} s = "
              f"{args.stores / seconds / 1e6:.3f} M rows/s  [{summary}]")
    cuda = pd.read_csv(outputs["cuda"])
    cpu = pd.read_csv(outputs["cpu"])
    worst = 0.0
    for column in cpu.columns:
        a, b = cpu[column].to_numpy(float), cuda[column].to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        scale = np.maximum(np.abs(a), np.abs(b))
        rel = np.where(both_nan | (a == b), 0.0, np.abs(a - b) / np.where(scale > 0, scale, 1.0))
        worst = max(worst, float(np.nanmax(rel)) if not np.isnan(rel).any() else np.inf)
    print(f"max relative difference cuda vs cpu over every column: {worst:.2e}")
    return 0 if worst <= 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main())
