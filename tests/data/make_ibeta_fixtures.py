#!/usr/bin/python3
"""Write ibeta_mpmath.csv: mpmath reference values for the incomplete beta tests.

Reference: mpmath (python3-mpmath, 1.2.1 here) at 50 significant digits of working precision.
Tails come from mpmath.betainc (both tails directly, regularized); where its hypergeometric series
cannot converge (both shapes ~1e6 and beyond) they come from the continued fraction of DiDonato &
Morris (1992) summed in 50-digit arithmetic, which this script first checks against
mpmath.betainc wherever both work. Quantiles are solved here by bisection on log x and Newton
polishing, each step an mpmath tail evaluation. Every input is a double, printed by Python's repr
so that the C++ test reads back exactly the value mpmath was given; expected values are printed
with 20 significant digits.

Rows: function,a,b,arg,expected,note with function one of
  ibeta, ibetac            I_x(a, b) and 1 - I_x(a, b) at x = arg;
  ibeta_inv, ibetac_inv    x with I_x(a, b) = arg, or with 1 - I_x(a, b) = arg.
Covered: the named traps of the quantile (note column), the points where Boost.Math 1.74 fails,
a small grid of extreme shapes from 1e-3 to 1e7 in both tails, and tail values where Boost's
long double evaluation is itself off by more than 1e-13 (both shapes above 1e6).

Run from anywhere: /usr/bin/python3 tests/data/make_ibeta_fixtures.py
"""

import os

import mpmath as mp

mp.mp.dps = 50


def continued_fraction_lower(a, b, x):
    """I_x(a, b) for x at or below the mean a / (a + b): DiDonato & Morris' continued fraction."""
    y = 1 - x
    lam = a - (a + b) * x
    log_power = a * mp.log(x) + b * mp.log(y) - (mp.loggamma(a) + mp.loggamma(b) -
                                                  mp.loggamma(a + b))
    tiny = mp.mpf(10) ** (-3 * mp.mp.dps)
    f = a * (lam + 1) / (a + 1)
    c, d = f, mp.mpf(0)
    m = 0
    while True:
        m += 1
        k = a + 2 * m - 1
        alpha = (a + m - 1) * (a + b + m - 1) * m * (b - m) * x * x / (k * k)
        beta = m + m * (b - m) * x / k + (a + m) * (lam + 1 + m * (1 + y)) / (k + 2)
        d = beta + alpha * d
        d = 1 / (d if d != 0 else tiny)
        c = beta + alpha / c
        c = c if c != 0 else tiny
        delta = c * d
        f *= delta
        if abs(delta - 1) < mp.eps:
            break
    return mp.exp(log_power) / f


def tails_by_fraction(a, b, x):
    """Both tails, each summed by the continued fraction on its own near side of the mean."""
    if x <= a / (a + b):
        lower = continued_fraction_lower(a, b, x)
        with mp.workdps(mp.mp.dps + 40):
            return lower, 1 - lower
    upper = continued_fraction_lower(b, a, 1 - x)
    with mp.workdps(mp.mp.dps + 40):
        return 1 - upper, upper


def tails_by_betainc(a, b, x):
    """Both tails from mpmath.betainc, the upper one as I_{1-x}(b, a); None where its series
    cannot reach the precision (large shapes, where it would need thousands of digits)."""
    try:
        lower = mp.betainc(a, b, 0, x, regularized=True)
        # 1 - x must keep every digit of a tiny x.
        with mp.workdps(mp.mp.dps + max(0, int(-mp.log10(x))) + 10):
            upper = mp.betainc(b, a, 0, 1 - x, regularized=True)
        return lower, +upper
    except (ValueError, mp.libmp.NoConvergence):
        return None


def tails(a, b, x):
    """(I_x(a, b), 1 - I_x(a, b)) for mpf arguments, each tail to full relative precision."""
    if a + b < 1e4:
        direct = tails_by_betainc(a, b, x)
        if direct is not None:
            return direct
    return tails_by_fraction(a, b, x)


def check_fraction_against_betainc():
    """The continued fraction must agree with mpmath.betainc wherever the latter converges."""
    checked = 0
    for a in (0.7, 3.5, 120.0, 2500.0, 1e4):
        for b in (0.7, 3.5, 120.0, 2500.0, 1e4):
            for x in (1e-6, 0.01, 0.3, 0.5, 0.9, 0.999):
                a_, b_, x_ = mp.mpf(a), mp.mpf(b), mp.mpf(x)
                direct = tails_by_betainc(a_, b_, x_)
                if direct is None:
                    continue
                for u, v in zip(direct, tails_by_fraction(a_, b_, x_)):
                    assert abs(u - v) <= mp.mpf(10) ** -35 * abs(u), (a, b, x, u, v)
                checked += 1
    assert checked > 100, checked


def quantile_below_half(a, b, t, upper):
    """x <= 1/2 with I_x(a, b) = t (upper False) or 1 - I_x(a, b) = t: bisection on u = log x
    over every double, then Newton in u, where d log S / du = +-x f(x) / S."""
    log_t = mp.log(t)
    sign = -1 if upper else 1

    def excess(u):  # log S(e^u) - log t, increasing in u for the lower tail
        s = tails(a, b, mp.exp(u))[1 if upper else 0]
        return mp.log(s) - log_t if s > 0 else -sign * mp.inf

    lo, hi = mp.log(mp.mpf(10) ** -330), mp.log(mp.mpf(0.5))
    if sign * excess(lo) > 0:
        return mp.mpf(0)  # below the smallest double
    for _ in range(200):
        mid = (lo + hi) / 2
        if sign * excess(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo < mp.mpf(10) ** -12:
            break
    u = (lo + hi) / 2
    step = mp.inf
    for _ in range(20):
        x = mp.exp(u)
        s = tails(a, b, x)[1 if upper else 0]
        density_x = mp.exp(a * mp.log(x) + (b - 1) * mp.log(1 - x) -
                           (mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)))
        step = (mp.log(s) - log_t) / (sign * density_x / s)
        u -= step
        if abs(step) < mp.mpf(10) ** -40:
            break
    # Near x = 1 mpmath's series may hold a little under 50 digits; 25 are plenty here.
    if not abs(step) < mp.mpf(10) ** -25:
        raise RuntimeError("no convergence for %r" % ((a, b, t, upper),))
    return mp.exp(u)


def quantile(a, b, t, upper):
    """x with I_x(a, b) = t (upper False) or 1 - I_x(a, b) = t. A root above 1/2 is found as
    1 - y from the mirrored problem, Beta(b, a) at y = 1 - x with the tails exchanged."""
    a, b, t = mp.mpf(a), mp.mpf(b), mp.mpf(t)
    at_half = tails(a, b, mp.mpf(0.5))[1 if upper else 0]
    if (at_half > t) == upper:  # the tail at 1/2 says on which side of 1/2 the root lies
        with mp.workdps(mp.mp.dps + 350):
            return 1 - quantile_below_half(b, a, t, not upper)
    return quantile_below_half(a, b, t, upper)


def exact_repr(v):
    return repr(float(v))


def main():
    check_fraction_against_betainc()
    rows = []

    def add_quantile(a, b, t, upper, note):
        v = quantile(a, b, t, upper)
        if v > mp.mpf("1e-300"):
            rows.append(("ibetac_inv" if upper else "ibeta_inv", exact_repr(a), exact_repr(b),
                         exact_repr(t), mp.nstr(v, 20), note))

    # ---- the named traps -----------------------------------------------------------------------
    add_quantile(75.0, 66334470.0, 2.631e-13, True, "trap: far upper tail of a very skewed Beta")
    add_quantile(4.0, 99997.0, 0.999995, False, "trap: lower tail p near one")
    add_quantile(4.0, 99997.0, 5e-6, True, "trap: the same quantile from its upper tail")
    add_quantile(1e5, 10.0, 1e-6, False, "trap: lower tail of a Beta concentrated near one")
    add_quantile(7.0, 113.0, 0.025, False, "seed example: 95% interval lower end")
    add_quantile(7.0, 113.0, 0.975, False, "seed example: 95% interval upper end as p")
    add_quantile(7.0, 113.0, 0.025, True, "seed example: 95% interval upper end as q")
    # Boost.Math 1.74 fails here (no result, or 2.45e-25 instead of 4.44e-21; no root at the
    # median of a symmetric Beta); the Boost grid test skips exactly these points.
    add_quantile(0.5, 2.0, 1e-10, False, "boost fails")
    add_quantile(2.0, 0.5, 1e-10, True, "boost fails")
    add_quantile(5.0, 5.0, 0.5, False, "boost fails")
    add_quantile(5.0, 5.0, 0.5, True, "boost fails")

    # ---- quantiles at extreme shapes -----------------------------------------------------------
    shapes = (1e-3, 0.5, 2.5, 75.0, 1e4, 1e7)
    for a in shapes:
        for b in shapes:
            for t in (1e-10, 0.025, 0.5):
                for upper in (False, True):
                    add_quantile(a, b, t, upper, "")

    # ---- tail values -----------------------------------------------------------------------------
    values = [
        # Both shapes above 1e6, where Boost's long double result is off by 1e-13 to 5e-13.
        (8947321.5577167012, 9677246.0605202895, 0.48006712720955314),
        (5535370.6703163926, 9192392.287152417, 0.37645413529266053),
        (3872383.3283416745, 6893597.1827934245, 0.35900132244801614),
        (1e7, 1e7, 0.4995),
        (1e7, 1e7, 0.5),
        (1e7, 1e7, 0.5012),
        (1e7, 1e6, 0.9085),
        # Tiny shapes, where each tail's relative accuracy is what the quantile needs.
        (1e-3, 1e7, 1e-6),
        (1e-3, 1e7, 1e-12),
        (1e7, 1e-3, 0.999999),
        (1e-3, 1e-3, 0.5),
        (1e-3, 1e-3, 1e-100),
        (0.5, 0.5, 1e-10),
        (1e-3, 8.5, 1e-5),
        (1e-3, 14.5, 0.3),
        # Every regime of incomplete_beta.hpp near its boundaries.
        (0.7, 30.0, 0.02),
        (0.7, 30.0, 0.2),
        (3.3, 39.5, 0.05),
        (39.5, 3.3, 0.95),
        (20.0, 0.5, 0.99),
        (120.0, 150.0, 0.44),
        (150.0, 120.0, 0.56),
        (7.0, 113.0, 0.05),
    ]
    for a, b, x in values:
        lower, upper = tails(mp.mpf(a), mp.mpf(b), mp.mpf(x))
        for name, v in (("ibeta", lower), ("ibetac", upper)):
            if v > mp.mpf("1e-300") and float(v) != 1.0:  # a tail that rounds to 1 tells nothing
                rows.append((name, exact_repr(a), exact_repr(b), exact_repr(x), mp.nstr(v, 20),
                             ""))

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ibeta_mpmath.csv")
    with open(path, "w") as out:
        out.write("# Generated by make_ibeta_fixtures.py: mpmath %s, 50 significant digits.\n"
                  % mp.__version__)
        out.write("function,a,b,arg,expected,note\n")
        for row in rows:
            out.write(",".join(row) + "\n")


if __name__ == "__main__":
    main()
