// The digamma function psi(x) = d/dx log Gamma(x), one implementation for host and device.
//
// Regimes: x >= 10 uses the asymptotic (Stirling) series; smaller positive x is shifted up with
// psi(x) = psi(x + n) - sum_k 1 / (x + k); near the positive root x0 = 1.4616..., where that sum
// cancels against psi(x + n) ~ 2.3 and would leave only absolute accuracy, a Taylor series about
// x0 keeps the relative accuracy; negative non-integers use the reflection formula.
#pragma once

#include <math.h>

#include "device_macros.hpp"

namespace hbayes::special {

namespace detail {

// psi(x) for x > 0.
HBAYES_HD inline double digamma_positive(double x) {
  // The positive root of psi, split into a double and its remainder so that x - x0 is formed to
  // full relative accuracy however close x is to the root.
  constexpr double kRootHi = 1.4616321449683622;
  constexpr double kRootLo = 9.549995429965697e-17;
  const double h = (x - kRootHi) - kRootLo;
  if (fabs(h) <= 0.25) {
    // psi(x0 + h) = sum_k psi^(k)(x0) / k! h^k, coefficients from mpmath. The radius of
    // convergence is x0 (the pole at 0), so |h| <= 1/4 needs 22 terms for 1e-17. Outside this
    // window |psi| > 0.2, and the shifted sum below, whose absolute error is about 2e-15, stays
    // within 1e-14 relative.
    constexpr double kTaylor[22] = {
        0.9676722454476212,     -0.4427631689835921,    0.258499760955651,
        -0.16394270544240652,   0.10782405069126237,    -0.07219956125645471,
        0.04880428816414311,    -0.03316112647484736,   0.022597648232218104,
        -0.01542476590494896,   0.010538791616612175,   -0.007204534386356869,
        0.004926781395729853,   -0.003369801655439328,  0.002305126326734928,
        -0.0015769367714301972, 0.0010788252019162967,  -0.0007380709389960052,
        0.000504953265834602,   -0.0003454680251063077, 0.00023635601564027053,
        -0.00016170622091974803};
    double series = kTaylor[21];
    for (int k = 20; k >= 0; --k) series = series * h + kTaylor[k];
    return h * series;
  }
  // Shift up to x >= 10, where the asymptotic series needs only eight terms.
  double shift = 0.0;
  while (x < 10.0) {
    shift += 1.0 / x;
    x += 1.0;
  }
  // psi(x) = log x - 1/(2x) - sum_{k>=1} B_2k / (2k x^2k); the first omitted term (k = 9) is
  // below 3e-18 at x = 10.
  const double y = 1.0 / (x * x);
  const double tail =
      y * (1.0 / 12.0 -
           y * (1.0 / 120.0 -
                y * (1.0 / 252.0 -
                     y * (1.0 / 240.0 -
                          y * (1.0 / 132.0 - y * (691.0 / 32760.0 -
                                                  y * (1.0 / 12.0 - y * (3617.0 / 8160.0))))))));
  return log(x) - 0.5 / x - tail - shift;
}

}  // namespace detail

// psi(x), the digamma function, for real x: NaN at the poles x = 0, -1, -2, ... and for NaN.
// Relative error below 1e-14 for x > 0 (about 5e-15 at worst, just outside the Taylor window
// around the root); for x < 0 the reflection formula keeps absolute error about 1e-15 times
// |psi(1 - x)|, so relative accuracy degrades next to psi's negative roots.
HBAYES_HD inline double digamma(double x) {
  if (x > 0.0) return detail::digamma_positive(x);
  if (!(x > -INFINITY) || x == floor(x)) return NAN;  // NaN, -inf and the poles
  // Reflection psi(x) = psi(1 - x) - pi / tan(pi x); tan has period 1, so reduce x to
  // r in [-1/2, 1/2] first, which keeps pi r exact enough for tan.
  const double r = x - nearbyint(x);
  constexpr double kPi = 3.14159265358979323846;
  return detail::digamma_positive(1.0 - x) - kPi / tan(kPi * r);
}

}  // namespace hbayes::special
