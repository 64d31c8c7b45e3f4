// The trigamma function psi'(x) = d^2/dx^2 log Gamma(x), one implementation for host and device.
//
// psi'(x) = sum_k 1 / (x + k)^2 is a sum of positive terms, so the shift to large x loses
// nothing; x >= 10 uses the asymptotic (Stirling) series, negative non-integers the reflection
// formula.
#pragma once

#include <math.h>

#include "device_macros.hpp"

namespace hbayes::special {

namespace detail {

// psi'(x) for x > 0.
HBAYES_HD inline double trigamma_positive(double x) {
  double shift = 0.0;
  while (x < 10.0) {
    shift += 1.0 / (x * x);
    x += 1.0;
  }
  // psi'(x) = 1/x + 1/(2x^2) + sum_{k>=1} B_2k / x^(2k+1); through k = 9 the first omitted term is
  // below 6e-18 relative at x = 10.
  const double y = 1.0 / (x * x);
  const double tail =
      y *
      (1.0 / 6.0 -
       y * (1.0 / 30.0 -
            y * (1.0 / 42.0 -
                 y * (1.0 / 30.0 -
                      y * (5.0 / 66.0 - y * (691.0 / 2730.0 -
                                             y * (7.0 / 6.0 - y * (3617.0 / 510.0 -
                                                                   y * (43867.0 / 798.0)))))))));
  return (1.0 + 0.5 / x + tail) / x + shift;
}

}  // namespace detail

// psi'(x), the trigamma function, for real x: NaN at the poles x = 0, -1, -2, ... and for NaN.
// Relative error about 1e-15 for x > 0 and for x < 0 away from cancellation in the reflection.
HBAYES_HD inline double trigamma(double x) {
  if (x > 0.0) return detail::trigamma_positive(x);
  if (!(x > -INFINITY) || x == floor(x)) return NAN;  // NaN, -inf and the poles
  // Reflection psi'(x) + psi'(1 - x) = pi^2 / sin^2(pi x); reduce to r in [-1/2, 1/2] first.
  const double r = x - nearbyint(x);
  constexpr double kPi = 3.14159265358979323846;
  const double s = sin(kPi * r);
  return kPi * kPi / (s * s) - detail::trigamma_positive(1.0 - x);
}

}  // namespace hbayes::special
