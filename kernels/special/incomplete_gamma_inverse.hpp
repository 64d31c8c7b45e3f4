// Inverses of the regularised incomplete gamma ratios: the quantiles of Gamma(a, 1).
//
// A starting point within about 1e-3 (usually far closer) is polished by Halley's method on the
// small tail, P(a, x) = p or Q(a, x) = q with p, q <= 1/2; Halley's derivatives are free, since
// d/dx P = prefactor / x and the ratio of second to first derivative is (a - 1) / x - 1.
// Starting points, after DiDonato & Morris (1986) and Gil, Segura & Temme (2012):
// - small x (lower tail, or an upper tail with a < 1 and P = 1 - q near 1): P ~ x^a / Gamma(1 + a)
//   inverted as a series in r = (P Gamma(1 + a))^(1/a);
// - upper tail, a < 1, x not small: Q ~ x^(a-1) e^-x / Gamma(a) solved by fixed point;
// - otherwise Temme's uniform asymptotic inversion: eta0 from the normal quantile, then
//   eta = eta0 + eps1(eta0) / a + eps2(eta0) / a^2 and x = a lambda(eta).
// For a >= 20 that start is good to O(a^-3): one Halley step usually reaches full accuracy, and
// its error estimate says so without a confirming evaluation.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/eta_map.hpp"
#include "special/incomplete_gamma.hpp"
#include "special/normal_quantile.hpp"
#include "special/tail_probability.hpp"

namespace hbayes::special {

namespace detail {

// eps1(eta) = log(eta / (lambda - 1)) / eta, the first correction of Temme's inversion.
HBAYES_HD inline double temme_eps1(double eta) {
  if (fabs(eta) <= 1.0) {
    // Its Taylor series (exact rational coefficients, rounded): -1/3 + eta/36 + eta^2/1620 - ...;
    // ten terms leave < 6e-8, far below the O(a^-2) error of the starting point itself.
    constexpr double kSeries[10] = {-0.3333333333333333,    0.027777777777777776,
                                    0.0006172839506172839,  -0.0010802469135802468,
                                    0.0002755731922398589,  -2.8741263309164543e-05,
                                    -6.185087203605722e-06, 3.776373375138807e-06,
                                    -9.120511014991658e-07, 7.735470535130866e-08};
    return polynomial(kSeries, eta);
  }
  return log(eta / (lambda_from_eta(eta) - 1.0)) / eta;
}

// eps2(eta), the second correction of Temme's inversion, for |eta| <= 1. Matching
// erfc(eta0 sqrt(a/2)) / 2 = Q(a, a lambda(eta)) order by order in 1/a gives
// eps2 = [(log f)' eps1 + eps1' - eps1^2 / 2 - 1/12] / eta with f = eta / (lambda - 1); its Taylor
// series (exact rational coefficients, rounded) starts -7/405 - 7 eta / 2592; ten terms leave
// < 2e-7.
HBAYES_HD inline double temme_eps2(double eta) {
  constexpr double kSeries[10] = {-0.01728395061728395,    -0.002700617283950617,
                                  0.002611209092690574,    -0.0007520766651425087,
                                  6.229995427526292e-05,   4.055292003251537e-05,
                                  -2.1264630522937184e-05, 4.963238978973187e-06,
                                  -1.762740701047537e-07,  -3.458654060048345e-07};
  return polynomial(kSeries, eta);
}

}  // namespace detail

// Quantiles of Gamma(a, 1) for one shape a > 0; construct once and invert both tails.
struct GammaInverse {
  GammaShape shape;
  // Below this lower-tail probability the quantile x is small against a + 1 (r < (a + 1) / 5),
  // where the power series start is better than Temme's.
  double small_x_p;

  // The inverse for shape a; every quantile is NaN unless a is positive and finite.
  HBAYES_HD explicit GammaInverse(double a)
      : shape(a > 0.0 && a < INFINITY ? make_gamma_shape(a) : GammaShape{NAN, NAN, NAN, NAN, NAN}),
        small_x_p(exp(a * log(0.2 * (a + 1.0)) - shape.log_gamma1p)) {}

  // x >= 0 with P(a, x) = p, for p in [0, 1]: 0 at p = 0, +inf at p = 1, NaN outside.
  HBAYES_HD double p_inv(double p) const {
    if (!(p >= 0.0 && p <= 1.0) || !(shape.a > 0.0)) return NAN;
    if (p == 0.0) return 0.0;
    if (p == 1.0) return INFINITY;
    if (shape.a == 1.0) return -log1p(-p);
    // P = p is Q = 1 - p; for p > 1/2 that subtraction is exact (Sterbenz), so always solve the
    // smaller tail.
    return p <= 0.5 ? solve(tail_probability(p), false) : solve(tail_probability(1.0 - p), true);
  }

  // x >= 0 with Q(a, x) = q, for q in [0, 1]: +inf at q = 0, 0 at q = 1, NaN outside.
  HBAYES_HD double q_inv(double q) const {
    if (!(q >= 0.0 && q <= 1.0) || !(shape.a > 0.0)) return NAN;
    if (q == 0.0) return INFINITY;
    if (q == 1.0) return 0.0;
    if (shape.a == 1.0) return -log(q);
    return q <= 0.5 ? solve(tail_probability(q), true) : solve(tail_probability(1.0 - q), false);
  }

  // The same for a tail probability prepared once for many shapes (tail.t <= 1/2).
  HBAYES_HD double p_inv(const TailProbability& tail) const {
    if (!(shape.a > 0.0)) return NAN;
    return shape.a == 1.0 ? -log1p(-tail.t) : solve(tail, false);
  }
  HBAYES_HD double q_inv(const TailProbability& tail) const {
    if (!(shape.a > 0.0)) return NAN;
    return shape.a == 1.0 ? -tail.log_t : solve(tail, true);
  }

 private:
  // x with P(a, x) = t (upper = false) or Q(a, x) = t (upper = true), for t = tail.t in (0, 1/2].
  HBAYES_HD double solve(const TailProbability& tail, bool upper) const {
    const double t = tail.t;
    double x = initial(tail, upper);
    if (x == 0.0) return 0.0;  // the quantile underflows
    const double a = shape.a;
    // The root stays bracketed by (low, high): a step that leaves the bracket is replaced by its
    // geometric midpoint, or by a factor-4 move while one side is still open.
    double low = 0.0;
    double high = INFINITY;
    for (int i = 0; i < 64; ++i) {
      const GammaRatios r = incomplete_gamma(shape, x);
      const double f = (upper ? r.q : r.p) - t;
      if (f == 0.0 || r.prefactor == 0.0) return x;
      // P increases and Q decreases with x: which side of the root x lies on.
      if ((f > 0.0) != upper) {
        high = x;
      } else {
        low = x;
      }
      // Halley's step for f = P - t (or Q - t), with f' = +-prefactor / x and f'' / f' = (a - 1)/x
      // - 1, written relative to x so that nothing under- or overflows when x is extreme.
      const double newton = f / (upper ? -r.prefactor : r.prefactor);  // Newton step / x
      const double curvature = (a - 1.0) - x;                          // x f'' / f'
      const double damping = 1.0 - 0.5 * newton * curvature;
      const double step = damping > 0.5 ? newton / damping : newton;  // step / x
      // Halley's error after a relative step h is about K h^3 with K = (x f''/f')^2 / 12 +
      // (a - 1) / 6; stop once that is below eps/16, which saves the evaluation that would only
      // confirm convergence.
      const double k = curvature * curvature / 12.0 + (a - 1.0) / 6.0;
      if (fabs(k * step * step * step) <= 0.0625 * detail::kUnitRoundoff) return x * (1.0 - step);
      double next = x * (1.0 - step);
      if (!(next > low && next < high)) {
        next = high == INFINITY ? 4.0 * x : (low == 0.0 ? 0.25 * x : sqrt(low * high));
      }
      x = next;
    }
    return x;
  }

  // Starting point for solve().
  HBAYES_HD double initial(const TailProbability& tail, bool upper) const {
    const double a = shape.a;
    const double t = tail.t;
    // The lower tail in question: P = t, or P = 1 - t >= 1/2 when an upper tail with a < 1 puts
    // the quantile near 0.
    const double p = upper ? 1.0 - t : t;
    if ((!upper && (a < 1.0 || t < small_x_p)) || (upper && a < 1.0 && p < small_x_p)) {
      // For small x, P(a, x) Gamma(1 + a) / x^a = 1 - a x / (a + 1) + ..., whose reversion is
      // x = r + r^2 / (a + 1) + (3a + 5) r^3 / (2 (a + 1)^2 (a + 2)) + O(r^4) in
      // r = (P Gamma(1 + a))^(1/a).
      const double r = exp(((upper ? log1p(-t) : tail.log_t) + shape.log_gamma1p) / a);
      const double b = a + 1.0;
      return r * (1.0 + r / b * (1.0 + (3.0 * a + 5.0) * r / (2.0 * b * (a + 2.0))));
    }
    if (upper && a < 1.0) {
      // Upper tail with x not small: Q ~ x^(a-1) e^-x / Gamma(a), i.e. x = u + (a - 1) log x with
      // u = -log(q Gamma(a)); the fixed point contracts by (1 - a) / x.
      const double u = -tail.log_t - (shape.log_gamma1p - log(a));
      double x = fmax(u, 1.0);
      for (int i = 0; i < 3; ++i) x = u + (a - 1.0) * log(x);
      return fmax(x, 0.5 * u);
    }
    // Temme: Q(a, x) ~ erfc(eta sqrt(a/2)) / 2 to leading order gives eta0; the corrections
    // eps1 / a + eps2 / a^2 account for the rest of the expansion (eps2 only where its series
    // holds, |eta0| <= 1, which covers every a >= 41 for t >= 1e-10).
    const double z = tail.normal;  // < 0 for t < 1/2
    const double eta0 = (upper ? -z : z) / sqrt(a);
    double eta = eta0 + detail::temme_eps1(eta0) / a;
    if (fabs(eta0) <= 1.0) eta += detail::temme_eps2(eta0) / (a * a);
    return a * detail::lambda_from_eta(eta);
  }
};

// x with P(a, x) = p: the p-quantile of Gamma(a, 1), for a > 0 and p in [0, 1]; NaN otherwise.
HBAYES_HD inline double gamma_p_inv(double a, double p) {
  return GammaInverse(a).p_inv(p);
}

// x with Q(a, x) = q: the upper-q quantile of Gamma(a, 1), for a > 0 and q in [0, 1], solved on
// q itself (never on 1 - q when q is small); NaN otherwise.
HBAYES_HD inline double gamma_q_inv(double a, double q) {
  return GammaInverse(a).q_inv(q);
}

}  // namespace hbayes::special
