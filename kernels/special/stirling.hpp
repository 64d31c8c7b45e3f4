// Building blocks for large-argument gamma-function algebra without cancellation.
//
// log Gamma(x) for large x is ~x log x; differences such as lgamma(b) - lgamma(a + b) lose
// every digit to cancellation when b is 1e7. Writing lgamma through Stirling's formula,
//   lgamma(x) = (x - 1/2) log x - x + log(2 pi)/2 + stirling_error(x),
// lets callers combine the large terms analytically (usually into log1pmx) and keep only
// small, accurately known corrections.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/polynomial.hpp"

namespace hbayes::special {

// log(2 pi) / 2.
constexpr double kHalfLogTwoPi = 0.91893853320467274178032973640562;

// log(1 + x) - x for |x| <= 1/2, accurate also when |x| is tiny (where it is about -x^2/2).
// Straight-line arithmetic (see log1pmx for the whole range).
HBAYES_HD inline double log1pmx_small(double x) {
  // With r = x / (2 + x): log1p(x) = 2 atanh(r) = 2 (r + r^3/3 + r^5/5 + ...), and
  // 2r - x = -r x exactly, so log1p(x) - x = 2 r y P(y) - r x with y = r^2 <= 1/9 and
  // P(y) = sum_k y^k / (2k + 3), free of cancellation. Sixteen terms leave a truncation error
  // below 5e-17 of the result; a fixed polynomial rather than a loop to convergence, since this
  // sits on the hot path of every incomplete beta evaluation with large shapes.
  constexpr double kOddInverses[16] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
                                       1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25,
                                       1.0 / 27, 1.0 / 29, 1.0 / 31, 1.0 / 33};
  const double r = x / (2.0 + x);
  const double y = r * r;
  return 2.0 * r * y * detail::polynomial(kOddInverses, y) - r * x;
}

// log(1 + x) - x for x > -1.
HBAYES_HD inline double log1pmx(double x) {
  if (x < -0.5 || x > 0.5) return log1p(x) - x;
  return log1pmx_small(x);
}

// lgamma(x) - [(x - 1/2) log x - x + log(2 pi)/2], the remainder of Stirling's formula, x > 0.
// It is about 1/(12 x) for large x and is returned with small absolute error everywhere.
HBAYES_HD inline double stirling_error(double x) {
  if (x < 15.0) return lgamma(x) - ((x - 0.5) * log(x) - x + kHalfLogTwoPi);
  // Asymptotic series sum_k B_2k / (2k (2k - 1) x^(2k - 1)); at x >= 15 the omitted terms are
  // below 1e-20 relative.
  const double y = 1.0 / (x * x);
  const double series =
      1.0 / 12.0 -
      y * (1.0 / 360.0 -
           y * (1.0 / 1260.0 -
                y * (1.0 / 1680.0 -
                     y * (1.0 / 1188.0 -
                          y * (691.0 / 360360.0 - y * (1.0 / 156.0 - y * (3617.0 / 122400.0)))))));
  return series / x;
}

}  // namespace hbayes::special
