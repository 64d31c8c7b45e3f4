// Sums of log(p + k theta) over a range of k, with derivatives in (p, theta): the building block
// of the beta-binomial and negative-binomial marginal likelihoods.
//
// lgamma(a + y) - lgamma(a) = sum_{k<y} log(a + k). Written in the mean/dispersion form
// (a = p / theta) the sum is sum_{k<y} log(p + k theta) - y log theta, which stays finite as
// theta -> 0 (the binomial and Poisson limits) and whose log theta parts cancel between the
// numerator and denominator of the marginal. Over a catalog, sum_j sum_{k<y_j} f(k) equals
// sum_k H_k f(k) with H_k = #{j : y_j > k}: one histogram of the y_j ("counts of counts") replaces
// the pass over stores, and every Newton step then costs O(max count) or less (below).
#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "device_macros.hpp"
#include "marginal/derivatives.hpp"
#include "special/stirling.hpp"

namespace hbayes::kernels {
namespace detail {

// Segments up to this length are summed term by term; longer ones use gamma-function differences.
constexpr double kDirectTerms = 32.0;
// Where the asymptotic (Stirling) series below are accurate to double precision.
constexpr double kAsymptoticShape = 10.0;

// psi(y) = log y - 1/(2y) - 1/(12 y^2) - rest_t(y): rest_t is the tail of Stirling's series for
// digamma after its first inverse-power term (first omitted term below 1e-20 at y = 10).
HBAYES_HD inline double digamma_tail_rest(double y) {
  const double z = 1.0 / (y * y);
  return z * z *
         (-1.0 / 120.0 +
          z * (1.0 / 252.0 -
               z * (1.0 / 240.0 -
                    z * (1.0 / 132.0 -
                         z * (691.0 / 32760.0 - z * (1.0 / 12.0 - z * (3617.0 / 8160.0)))))));
}

// psi'(y) = 1/y + 1/(2 y^2) + 1/(6 y^3) + rest_u(y), likewise.
HBAYES_HD inline double trigamma_tail_rest(double y) {
  const double z = 1.0 / (y * y);
  return z * z / y *
         (-1.0 / 30.0 +
          z * (1.0 / 42.0 -
               z * (1.0 / 30.0 -
                    z * (5.0 / 66.0 -
                         z * (691.0 / 2730.0 -
                              z * (7.0 / 6.0 - z * (3617.0 / 510.0 - z * (43867.0 / 798.0))))))));
}

// q(u) = u - 2 log1p(u) + u / (1 + u) = u^3/3 - u^4/2 + ..., without cancellation for small u.
HBAYES_HD inline double cubic_log_remainder(double u) {
  if (u > 0.5) return u - 2.0 * log1p(u) + u / (1.0 + u);
  // q(u) = sum_{n>=3} (-1)^(n+1) (n - 2) / n u^n.
  double power = u * u * u;
  double sum = 0.0;
  for (int n = 3; n < 120; ++n) {
    const double term = power * (n - 2.0) / n;
    sum += (n % 2 == 1) ? term : -term;
    if (term <= 1e-17 * sum) break;
    power *= u;
  }
  return sum;
}

// Term-by-term sum over k in [lo, hi).
HBAYES_HD inline Derivs2 log_rising_direct(double p, double theta, double lo, double hi) {
  Derivs2 r;
  for (double k = lo; k < hi; k += 1.0) {
    const double t = p + k * theta;
    const double inv = 1.0 / t;
    const double inv2 = inv * inv;
    r.value += log(t);
    r.da += inv;
    r.db += k * inv;
    r.daa -= inv2;
    r.dab -= k * inv2;
    r.dbb -= k * k * inv2;
  }
  return r;
}

// The same sum for theta > 0 and x = p / theta + lo >= kAsymptoticShape, from differences of
// lgamma, digamma and trigamma at x and x + L (L = hi - lo). Every difference is written so that
// no two large terms cancel: with u = L / x, log1p(u), log1pmx(u) and q(u) carry the leading
// behaviour, and Stirling's series contribute small corrections whose leading terms are
// differenced analytically.
HBAYES_HD inline Derivs2 log_rising_asymptotic(double p, double theta, double lo, double hi) {
  const double L = hi - lo;
  const double x = p / theta + lo;
  const double xl = x + L;
  const double u = L / x;
  const double log1p_u = log1p(u);
  const double log1pmx_u = special::log1pmx(u);
  // Stirling tails: dt = T(x + L) - T(x) and du = U(x) - U(x + L), with T = psi's and U = psi''s
  // inverse-power tails; their first terms differenced exactly.
  const double rx = 1.0 / x;
  const double dt = -(1.0 / 12.0) * rx * rx * u * (2.0 + u) / ((1.0 + u) * (1.0 + u)) +
                    (digamma_tail_rest(xl) - digamma_tail_rest(x));
  const double du =
      (1.0 / 6.0) * rx * rx * rx * u * (3.0 + u * (3.0 + u)) / ((1.0 + u) * (1.0 + u) * (1.0 + u)) +
      (trigamma_tail_rest(x) - trigamma_tail_rest(xl));
  // d1 = sum_m 1/(x+m), d2 = sum_m 1/(x+m)^2, e = sum_m m/(x+m), f = sum_m m/(x+m)^2,
  // g = sum_m m^2/(x+m)^2, over m in [0, L).
  const double d1 = log1p_u + L / (2.0 * x * xl) - dt;
  const double d2 = L / (x * xl) + L * (2.0 * x + L) / (2.0 * x * x * xl * xl) + du;
  const double e = -L * log1pmx_u / u - L / (2.0 * xl) + x * dt;
  // log1p(u) - u / (1 + u): ~u^2/2 for small u (from log1pmx), ~log u for large u (direct).
  const double lead_f = u > 0.5 ? log1p_u - u / (1.0 + u) : log1pmx_u + u * u / (1.0 + u);
  const double f = lead_f - L / (2.0 * xl * xl) - dt - x * du;
  const double g = x * cubic_log_remainder(u) - L * L / (2.0 * xl * xl) + 2.0 * x * dt + x * x * du;
  // k = lo + m and p + k theta = theta (x + m).
  const double inv_theta = 1.0 / theta;
  const double inv_theta2 = inv_theta * inv_theta;
  Derivs2 r;
  r.value = L * log(p + hi * theta) + x * log1pmx_u - 0.5 * log1p_u +
            (special::stirling_error(xl) - special::stirling_error(x));
  r.da = d1 * inv_theta;
  r.db = (lo * d1 + e) * inv_theta;
  r.daa = -d2 * inv_theta2;
  r.dab = -(lo * d2 + f) * inv_theta2;
  r.dbb = -(lo * lo * d2 + 2.0 * lo * f + g) * inv_theta2;
  return r;
}

}  // namespace detail

// R(p, theta) = sum_{k=lo}^{hi-1} log(p + k theta) and its derivatives in (a, b) = (p, theta),
// for p > 0, theta >= 0 and integers 0 <= lo <= hi (exact as doubles below 2^53). theta = 0 is
// the exact boundary value (R = L log p). Cost O(min(L, 32)).
HBAYES_HD inline Derivs2 log_rising(double p, double theta, double lo, double hi) {
  const double L = hi - lo;
  if (!(L > 0.0)) return Derivs2{};
  if (theta * hi <= 1e-17 * p) {
    // theta = 0, or so small that every term is log p to double precision: closed forms, with
    // sum k and sum k^2 over [lo, hi) built from positive parts (no cancellation).
    const double sum_m = L * (L - 1.0) / 2.0;
    const double sum_k = L * lo + sum_m;
    const double sum_k2 = L * lo * lo + 2.0 * lo * sum_m + (L - 1.0) * L * (2.0 * L - 1.0) / 6.0;
    const double inv = 1.0 / p;
    Derivs2 r;
    r.value = L * log(p);
    r.da = L * inv;
    r.db = sum_k * inv;
    r.daa = -L * inv * inv;
    r.dab = -sum_k * inv * inv;
    r.dbb = -sum_k2 * inv * inv;
    return r;
  }
  if (L <= detail::kDirectTerms) return detail::log_rising_direct(p, theta, lo, hi);
  // Sum the first terms directly until the shape x = p / theta + k reaches the asymptotic range.
  const double x = p / theta + lo;
  if (x >= detail::kAsymptoticShape) return detail::log_rising_asymptotic(p, theta, lo, hi);
  const double split = lo + ceil(detail::kAsymptoticShape - x);
  return detail::log_rising_direct(p, theta, lo, split) +
         detail::log_rising_asymptotic(p, theta, split, hi);
}

namespace detail {

// Neumaier's compensated running sum: the histogram sums add thousands of segment terms into
// totals far larger than the log likelihood they cancel down to.
struct CompensatedSum {
  double sum = 0.0, carry = 0.0;
  HBAYES_HD void add(double x) {
    const double t = sum + x;
    carry += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  HBAYES_HD double value() const { return sum + carry; }
};

}  // namespace detail

// sum_j R(p, theta; 0, c_j) over a catalog, from the counts-of-counts histogram of the c_j:
// values[i] strictly increasing, multiplicities[i] stores have count values[i]; n entries.
// Segment [values[i-1], values[i]) is shared by every store whose count is at least values[i].
// Cost O(sum over segments of min(length, 32)) <= O(max count).
HBAYES_HD inline Derivs2 log_rising_histogram(const int64_t* values, const int64_t* multiplicities,
                                              size_t n, double p, double theta) {
  detail::CompensatedSum value, da, db, daa, dab, dbb;
  double stores_at_or_above = 0.0;
  for (size_t i = n; i-- > 0;) {
    stores_at_or_above += static_cast<double>(multiplicities[i]);
    const double hi = static_cast<double>(values[i]);
    const double lo = i > 0 ? static_cast<double>(values[i - 1]) : 0.0;
    if (!(hi > lo)) continue;
    const Derivs2 segment = scaled(log_rising(p, theta, lo, hi), stores_at_or_above);
    value.add(segment.value);
    da.add(segment.da);
    db.add(segment.db);
    daa.add(segment.daa);
    dab.add(segment.dab);
    dbb.add(segment.dbb);
  }
  Derivs2 total;
  total.value = value.value();
  total.da = da.value();
  total.db = db.value();
  total.daa = daa.value();
  total.dab = dab.value();
  total.dbb = dbb.value();
  return total;
}

}  // namespace hbayes::kernels
