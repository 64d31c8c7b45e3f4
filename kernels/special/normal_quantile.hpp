// The standard normal quantile Phi^{-1}(p), one implementation for host and device.
//
// A rational approximation with relative error below 1e-8 (fitted for hbayes by linearised
// least squares against mpmath) is refined by one Halley step on the normal CDF. Halley's error
// constant here is x^2/12 + 1/6, so one step takes 1e-8 to below 1e-18 even at p = 1e-300
// (|x| = 37); the result is then as accurate as libm's erf/erfc, a few units in the last place.
// The CDF is evaluated where it has no cancellation: erf(x / sqrt 2) against p - 1/2 in the
// centre (exact for p in [1/4, 3/4] by Sterbenz's lemma), erfc against the smaller tail elsewhere.
#pragma once

#include <math.h>

#include "device_macros.hpp"

namespace hbayes::special {

namespace detail {

// Phi^{-1}(p) to about 1e-8 relative for p in (0, 1): the starting point of normal_quantile, and
// alone good enough for the starting points of other quantile iterations.
HBAYES_HD inline double normal_quantile_approx(double p) {
  const double c = p - 0.5;
  if (fabs(c) <= 0.25) {
    // Centre: Phi^{-1}(p) / (p - 1/2) is an even, smooth function of p - 1/2; fit it in r = c^2
    // on [0, 1/16] with a (3, 2) rational (max relative error 1.1e-10).
    const double r = c * c;
    const double num = 2.5066282743703625 +
                       r * (-10.177412286726952 + r * (6.719082929400076 + r * 1.2182938261909941));
    const double den = 1.0 + r * (-5.107397724503071 + r * 5.726090862150784);
    return c * num / den;
  }
  // Tails: in s = sqrt(-2 log t), t = min(p, 1 - p) in (0, 1/4], the quantile's magnitude is
  // nearly linear (about s - log(s)/s); a (5, 4) rational fits it on s in [1.66, 38.6], i.e.
  // down to the smallest subnormal t, with max relative error 1.0e-8.
  const double t = c < 0.0 ? p : 1.0 - p;
  const double s = sqrt(-2.0 * log(t));
  const double num =
      -3.1242777447295045 +
      s * (-6.742689844224501 +
           s * (2.842577247479745 +
                s * (3.666969683969815 + s * (0.5728820798835044 + s * 0.016043675749997578))));
  const double den =
      1.0 + s * (4.898819565763978 +
                 s * (3.756073474599944 + s * (0.5730497226496963 + s * 0.01604314322758318)));
  const double magnitude = num / den;
  return c < 0.0 ? -magnitude : magnitude;
}

}  // namespace detail

// Phi^{-1}(p), the standard normal quantile, for p in [0, 1]: -inf at 0, +inf at 1, NaN outside.
// Accurate to a few ulp in both tails down to subnormal p; the upper-tail quantile for an upper
// tail probability q is -normal_quantile(q).
HBAYES_HD inline double normal_quantile(double p) {
  if (!(p >= 0.0 && p <= 1.0)) return NAN;  // also catches NaN
  if (p == 0.0) return -INFINITY;
  if (p == 1.0) return INFINITY;
  const double x = detail::normal_quantile_approx(p);
  const double c = p - 0.5;
  constexpr double kInvSqrt2 = 0.70710678118654752440;
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  // Residual g(x) = Phi(x) - p, written without cancellation for the region.
  double residual;
  if (fabs(c) <= 0.25) {
    residual = 0.5 * erf(x * kInvSqrt2) - c;
  } else if (c < 0.0) {
    residual = 0.5 * erfc(-x * kInvSqrt2) - p;
  } else {
    residual = (1.0 - p) - 0.5 * erfc(x * kInvSqrt2);  // Phi(x) - p = (1 - p) - (1 - Phi(x))
  }
  // Halley step: g' = phi(x), g'' / g' = -x.
  const double h = residual / (kInvSqrt2Pi * exp(-0.5 * x * x));
  return x - h / (1.0 + 0.5 * x * h);
}

}  // namespace hbayes::special
