#!/usr/bin/env python3
"""hbayes scoring against scipy.stats.beta, in the same run, on the same catalog.

Generates a beta-binomial catalog whose (successes, trials) pairs are all distinct (every pair
with 0 <= y <= t for t = 1, 2, ..., truncated and shuffled with a fixed seed), then times:
  * scipy computing mean, sd and the 95% equal-tailed interval (beta.ppf / beta.isf) in memory;
  * the hbayes scoring kernel on the same pairs (bench_score, no I/O);
  * `hbayes score` end to end, CSV in and CSV out, with its peak resident memory;
and checks the largest relative difference between hbayes's and scipy's interval ends.
Run through bench/run_peer_scipy.sh, which installs scipy from Debian if it is missing.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import scipy
from scipy import stats

ALPHA, BETA, LEVEL = 5.0, 95.0, 0.95


def catalog(n):
    t_max = int(np.ceil(np.sqrt(2.0 * n))) + 2
    t = np.repeat(np.arange(1, t_max + 1), np.arange(2, t_max + 2))
    y = np.concatenate([np.arange(0, k + 1) for k in range(1, t_max + 1)])
    t, y = t[:n], y[:n]
    order = np.random.default_rng(42).permutation(n)
    return y[order].astype(np.int64), t[order].astype(np.int64)


def write_csv(path, y, t):
    with open(path, "w") as f:
        f.write("store_id,successes,trials\n")
        ids = np.char.add("s", np.arange(len(y)).astype(str))
        np.savetxt(f, np.column_stack([ids, y.astype(str), t.astype(str)]), fmt="%s",
                   delimiter=",")


def time_scipy(y, t):
    tail = (1.0 - LEVEL) / 2.0
    start = time.perf_counter()
    a = ALPHA + y
    b = BETA + (t - y)
    mean = stats.beta.mean(a, b)
    sd = stats.beta.std(a, b)
    lower = stats.beta.ppf(tail, a, b)
    upper = stats.beta.isf(tail, a, b)
    return time.perf_counter() - start, mean, sd, lower, upper


def time_kernel(build, n):
    name = f"score/beta_binomial/cpu/{n}/real_time"
    out = subprocess.run(
        [os.path.join(build, "bench", "bench_score"), f"--benchmark_filter=^{name}$",
         "--benchmark_format=json", "--benchmark_min_time=2"],
        check=True, capture_output=True, text=True).stdout
    runs = json.loads(out)["benchmarks"]
    return runs[0]["items_per_second"]


def time_end_to_end(build, csv_in, csv_out):
    hbayes = os.path.join(build, "src", "hbayes")
    command = [hbayes, "score", "--model", "beta-binomial", "--alpha", str(ALPHA), "--beta",
               str(BETA), "--backend", "cpu", "--input", csv_in, "--output", csv_out]
    # Peak RSS of hbayes alone. Not RUSAGE_CHILDREN here: it is the largest of all children so
    # far, bench_score included. Nor wait4 on a child of this process: Linux keeps a process's
    # high-water mark across exec, so any child of this script (numpy and scipy resident) would
    # report at least this script's size. A fresh interpreter without them (about 10 MiB) runs
    # hbayes as its only child and reports the time and that child's peak.
    runner = ("import resource, subprocess, sys, time\n"
              "start = time.perf_counter()\n"
              "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
              "print(time.perf_counter() - start,"
              " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", runner] + command, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def max_relative_difference(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--stores", type=int, default=1_000_000)
    parser.add_argument("--big-stores", type=int, default=10_000_000)
    parser.add_argument("--workdir", default="/tmp/hbayes-peer-scipy")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")
    y, t = catalog(args.stores)
    csv_in = os.path.join(args.workdir, "catalog.csv")
    csv_out = os.path.join(args.workdir, "posterior.csv")
    write_csv(csv_in, y, t)

    scipy_seconds, mean, sd, lower, upper = time_scipy(y, t)
    scipy_rate = args.stores / scipy_seconds
    kernel_rate = time_kernel(args.build, args.stores)
    e2e_seconds, peak_kib = time_end_to_end(args.build, csv_in, csv_out)
    e2e_rate = args.stores / e2e_seconds

    out = np.genfromtxt(csv_out, delimiter=",", names=True, dtype=None, encoding="ascii")
    # Output rows follow input rows, so they align with scipy's arrays directly.
    worst = max(max_relative_difference(out["lower"], lower),
                max_relative_difference(out["upper"], upper),
                max_relative_difference(out["post_mean"], mean),
                max_relative_difference(out["post_sd"], sd))

    print(f"stores: {args.stores:,} (all (successes, trials) pairs distinct), prior Beta(5, 95)")
    print(f"scipy.stats.beta mean+std+ppf+isf, in memory: {scipy_seconds:.2f} s = "
          f"{scipy_rate / 1e6:.3f} M stores/s")
    print(f"hbayes kernel (bench_score, no I/O):          {kernel_rate / 1e6:.3f} M stores/s = "
          f"{kernel_rate / scipy_rate:.1f}x scipy")
    print(f"hbayes score end to end, CSV to CSV:          {e2e_seconds:.2f} s = "
          f"{e2e_rate / 1e6:.3f} M rows/s = {e2e_rate / scipy_rate:.1f}x scipy; "
          f"peak RSS {peak_kib / 1024:.0f} MiB")
    print(f"max relative difference hbayes vs scipy (mean, sd, lower, upper): {worst:.2e}")

    if args.big_stores:
        y, t = catalog(args.big_stores)
        big_in = os.path.join(args.workdir, "catalog_big.csv")
        write_csv(big_in, y, t)
        del y, t
        seconds, peak_kib = time_end_to_end(args.build, big_in, csv_out)
        print(f"hbayes score end to end, {args.big_stores:,} rows: {seconds:.2f} s = "
              f"{args.big_stores / seconds / 1e6:.3f} M rows/s; peak RSS {peak_kib / 1024:.0f} MiB")
        os.remove(big_in)
    os.remove(csv_in)
    os.remove(csv_out)


if __name__ == "__main__":
    sys.exit(main())
