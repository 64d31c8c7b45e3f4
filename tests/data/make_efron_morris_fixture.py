#!/usr/bin/python3
"""ML-II (maximum marginal likelihood) beta-binomial fit of the Efron-Morris baseball data, as an
independent oracle for tests/fit/test_fit_published.cpp.

Data: efron_morris_1975.csv (18 players, hits in 45 at-bats; source cited there).
Method: mpmath at 40 significant digits. The exact log marginal likelihood
    sum_j [log C(45, y_j) + log B(alpha + y_j, beta + 45 - y_j) - log B(alpha, beta)]
is maximised over (mu, c) = (alpha / (alpha + beta), alpha + beta): for each c, mu by Newton on
d/dmu (mpmath.diff), then c by Newton on the profile's derivative in log c, from c = 100. Also
printed: the method of moments on the raw proportions (sample mean and sample variance of
y_j / 45, divisor J - 1, concentration mean (1 - mean) / variance - 1), which ignores the
binomial sampling variance. The issue quotes ~793 and ~39 for these.

Run: /usr/bin/python3 tests/data/make_efron_morris_fixture.py
"""

import csv
import os

import mpmath as mp

mp.mp.dps = 40

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "efron_morris_1975.csv")) as f:
    rows = [r for r in csv.reader(line for line in f if not line.startswith("#"))][1:]
hits = [int(r[1]) for r in rows]
n = int(rows[0][2])


def loglik(mu, c):
    a, b = mu * c, (1 - mu) * c
    return mp.fsum(mp.log(mp.binomial(n, y)) + mp.log(mp.beta(a + y, b + n - y)) -
                   mp.log(mp.beta(a, b)) for y in hits)


def best_mu(c):
    mu = mp.mpf(sum(hits)) / (n * len(hits))
    for _ in range(60):
        g = mp.diff(lambda m: loglik(m, c), mu)
        h = mp.diff(lambda m: loglik(m, c), mu, 2)
        step = g / h
        mu -= step
        if abs(step) < mp.mpf(10) ** -35:
            break
    return mu


def profile(t):  # t = log c
    c = mp.exp(t)
    return loglik(best_mu(c), c)


t = mp.log(100)
for _ in range(60):
    g = mp.diff(profile, t)
    h = mp.diff(profile, t, 2)
    step = g / h
    t -= step
    if abs(step) < mp.mpf(10) ** -25:
        break
c = mp.exp(t)
mu = best_mu(c)
print("ml concentration alpha+beta =", mp.nstr(c, 20))
print("ml mean                     =", mp.nstr(mu, 20))
print("ml alpha, beta              =", mp.nstr(mu * c, 20), mp.nstr((1 - mu) * c, 20))
print("max log marginal likelihood =", mp.nstr(loglik(mu, c), 20))
p = [mp.mpf(y) / n for y in hits]
m = mp.fsum(p) / len(p)
v = mp.fsum((x - m) ** 2 for x in p) / (len(p) - 1)
print("raw-proportion mom concentration =", mp.nstr(m * (1 - m) / v - 1, 20))
