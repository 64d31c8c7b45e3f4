#!/usr/bin/env python3
"""Coefficients of kernels/special/log_branch_free.hpp's polynomial (Debian's python3-mpmath).

log((1 + s) / (1 - s)) = 2 s + 2 s t R(t) with t = s^2 and R(t) = sum_k t^k / (2k + 3).
The header needs R on 0 <= t <= 1/9 (s = e / (2 + e) for 0 <= e <= 1). A Chebyshev fit of 10
coefficients there is within 5e-17 of R (mpmath's error estimate, printed), which moves the
logarithm by at most t * 5e-17 <= 6e-18 relative. Prints the coefficients, constant term first,
as C++ double literals.
"""
import mpmath as mp

mp.mp.dps = 40


def series_remainder(t):
    if t == 0:
        return mp.mpf(1) / 3
    s = mp.sqrt(t)
    return (mp.atanh(s) / s - 1) / t


coefficients, error = mp.chebyfit(series_remainder, [0, mp.mpf(1) / 9], 10, error=True)
print(f"// max |error| of the fit: {mp.nstr(error, 3)}")
for c in reversed(coefficients):  # chebyfit lists the highest power first
    print(f"{float(c)!r},")
