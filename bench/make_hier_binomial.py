#!/usr/bin/python3
"""Writes a simulated hierarchical-binomial catalog to stdout: CSV `group,successes,trials`.

1,000 groups, 50 trials each, theta_j ~ N(mu = -1.0, tau = 0.6) on the logit scale,
successes_j ~ Binomial(50, logistic(theta_j)). The seed is fixed so that every peer in a benchmark
run (rstan, NumPyro, hbayes) and every later run sees the same data.
Usage: /usr/bin/python3 bench/make_hier_binomial.py [--groups N] [--seed S] > catalog.csv
"""
import argparse
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--groups", type=int, default=1000)
parser.add_argument("--trials", type=int, default=50)
parser.add_argument("--seed", type=int, default=20240611)
args = parser.parse_args()

rng = np.random.default_rng(args.seed)
theta = rng.normal(-1.0, 0.6, size=args.groups)
successes = rng.binomial(args.trials, 1.0 / (1.0 + np.exp(-theta)))

out = sys.stdout
out.write("group,successes,trials\n")
for j, s in enumerate(successes, start=1):
    out.write(f"{j},{s},{args.trials}\n")
