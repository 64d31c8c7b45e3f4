// log B(a, b), the logarithm of the complete beta function, and the pieces of it that the
// incomplete beta function reuses.
//
// lgamma(a) + lgamma(b) - lgamma(a + b) is unusable for large arguments: with b = 1e7 the two
// large terms are ~1.5e8 and their difference keeps only ~8 digits. Stirling's formula (see
// stirling.hpp) lets the large terms cancel analytically, leaving log1p / log1pmx of ratios and
// the small remainders stirling_error(). For a shape below one, Gamma(1 + t) is used instead of
// Gamma(t), so that no term of size log(1 / a) has to cancel either.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/stirling.hpp"

namespace hbayes::special {
namespace detail {

// From this shape on, lgamma is replaced by Stirling's formula; below it, lgamma values are
// small enough (|lgamma(x)| < 9 for 1 <= x <= 8) that adding and subtracting them costs at most
// a few units in the last place of the result.
constexpr double kStirlingShape = 8.0;

// s(a) + s(b) - s(a + b) with s = stirling_error: the part of log B(a, b) that Stirling's formula
// leaves out. Positive, about 1/(12 min(a, b)) when both shapes are large.
HBAYES_HD inline double beta_stirling_correction(double a, double b) {
  return stirling_error(a) + stirling_error(b) - stirling_error(a + b);
}

// lgamma(a + b) - lgamma(b) - a log(a + b) for a > 0 and b >= kStirlingShape: the log of
// Gamma(a + b) / (Gamma(b) (a + b)^a), a small number (about -a (a + 1) / (2 b) for b >> a)
// that is returned with small absolute error however large b is.
HBAYES_HD inline double log_gamma_ratio_remainder(double a, double b) {
  // Stirling for lgamma(a + b) and lgamma(b): (b - 1/2) log b - (a + b - 1/2) log(a + b) + a
  // = -(b - 1/2) log1p(a / b) - a log(a + b) + a, and -b log1p(a / b) + a = -b log1pmx(a / b).
  const double u = a / b;
  return b * log1pmx(u) - 0.5 * log1p(u) + stirling_error(a + b) - stirling_error(b);
}

// 1 / Gamma(1 + t) - 1 for |t| <= 1/2, from its Taylor series about 0 (coefficients from mpmath;
// the first omitted term is below 1e-19 relative).
HBAYES_HD inline double rgamma1pm1_taylor(double t) {
  const double coef[] = {0.5772156649015329,    -0.6558780715202539,    -0.04200263503409524,
                         0.16653861138229148,   -0.04219773455554433,   -0.009621971527876973,
                         0.0072189432466631,    -0.0011651675918590652, -0.00021524167411495098,
                         0.0001280502823881162, -2.013485478078824e-05, -1.2504934821426706e-06,
                         1.133027231981696e-06, -2.056338416977607e-07, 6.116095104481416e-09,
                         5.002007644469223e-09, -1.18127457048702e-09,  1.0434267116911005e-10,
                         7.782263439905071e-12, -3.696805618642206e-12, 5.100370287454476e-13};
  const int n = sizeof(coef) / sizeof(coef[0]);
  double sum = coef[n - 1];
  for (int k = n - 2; k >= 0; --k) sum = sum * t + coef[k];
  return sum * t;
}

// 1 / Gamma(1 + t) - 1 for -1/2 <= t <= 3/2, with relative accuracy near its zeros t = 0 and 1.
HBAYES_HD inline double rgamma1pm1(double t) {
  if (t <= 0.5) return rgamma1pm1_taylor(t);
  // 1 / Gamma(1 + t) = (1 + rgamma1pm1(s)) / t with s = t - 1 exact; subtracting 1 gives
  // (rgamma1pm1(s) - s) / t without cancellation.
  const double s = t - 1.0;
  return (rgamma1pm1_taylor(s) - s) / t;
}

// lgamma(1 + t) for -1/2 <= t <= 5/2 with small absolute error relative to |lgamma(1 + t)|, also
// near its zeros t = 0 and t = 1.
HBAYES_HD inline double lgamma1p(double t) {
  if (t <= 1.5) return -log1p(rgamma1pm1(t));
  return log(t) - log1p(rgamma1pm1(t - 1.0));  // Gamma(1 + t) = t Gamma(t)
}

// -log(a B(a, b)) = log(Gamma(a + b) / (Gamma(1 + a) Gamma(b))) for 0 < a <= 1 and b > 0, with
// absolute error a few 1e-16 times max(a, |result|): it is about a (digamma(b) + Euler's gamma)
// for small a, and no term of size log(1 / a) or lgamma(b) is ever cancelled. (The lower tail of
// Beta(a, b) near 0 is proportional to exp(-this) and its quantile to exp(-this / a), so this
// absolute accuracy is what the quantile's relative accuracy needs.)
HBAYES_HD_OUTLINE inline double log_inv_a_beta(double a, double b) {
  const double lgamma1p_a = lgamma1p(a);
  // stirling_error is a short series from 15 on; below, it is a difference of lgamma values with
  // an absolute error of ~1e-15, too much next to a result of size a.
  if (b >= 15.0) return a * log(a + b) + log_gamma_ratio_remainder(a, b) - lgamma1p_a;
  // Gamma(a + b) / Gamma(b) = prod_i (1 + a / (b - i)) Gamma(a + r) / Gamma(r), with b reduced
  // by whole steps i = 1..m (at most 14) to r in (0, 1], and Gamma(a + r) / Gamma(r) =
  // Gamma(1 + a + r) / Gamma(1 + r) / (1 + a / r).
  double r = b;
  double sum = 0.0;
  while (r > 1.0) {
    r -= 1.0;
    sum += log1p(a / r);
  }
  return sum - log1p(a / r) + lgamma1p(a + r) - lgamma1p(r) - lgamma1p_a;
}

}  // namespace detail

// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) for a, b > 0, with absolute error about
// 1e-15 max(1, |log B|); NaN for other arguments.
HBAYES_HD_OUTLINE inline double log_beta(double a, double b) {
  if (!(a > 0.0 && b > 0.0)) return NAN;
  const double small = fmin(a, b);
  const double large = fmax(a, b);
  if (small >= detail::kStirlingShape) {
    // (a - 1/2) log a + (b - 1/2) log b - (c - 1/2) log c with c = a + b, regrouped into
    // logs of ratios so that no two large terms cancel.
    const double c = a + b;
    return kHalfLogTwoPi - 0.5 * log(c) + (small - 0.5) * log(small / c) -
           (large - 0.5) * log1p(small / large) + detail::beta_stirling_correction(a, b);
  }
  if (small <= 1.0) return -log(small) - detail::log_inv_a_beta(small, large);
  if (large >= detail::kStirlingShape) {
    // lgamma(large) - lgamma(small + large) = -small log(small + large) - remainder.
    return lgamma(small) - small * log(small + large) -
           detail::log_gamma_ratio_remainder(small, large);
  }
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

}  // namespace hbayes::special
