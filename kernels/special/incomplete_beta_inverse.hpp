// Quantiles of the Beta distribution: x with I_x(a, b) = p (lower tail) or 1 - I_x(a, b) = q
// (upper tail), each tail probability used as given, never as one minus the other.
//
// Method. The tail to solve is the smaller one (a target above 1/2 is replaced by its exact
// complement), and the unknown is whichever of x, 1 - x is below 1/2, so that it carries full
// relative precision. An initial estimate comes from
//   - Temme's uniform asymptotic inversion (Temme 1992, "Asymptotic inversion of the incomplete
//     beta function", J. Comput. Appl. Math. 41) with its first correction term, for shapes >= 1:
//     about 1e-3 of a standard deviation off at a = 5, less for larger shapes;
//   - the inverted leading terms of the power series near 0 or 1 for shapes below one;
//   - the Gamma-tail approximation for a small shape against a large one.
// It is then refined by solving log S(z) = log t in the variable log z, where S is the tail in
// question: each step evaluates S once (incomplete_beta.hpp) and applies the inverse Taylor series
// through fifth order, whose coefficients follow from the density's logarithmic derivative
// (a - 1)/z - (b - 1)/(1 - z) at no extra cost; the size of its last terms says whether the step
// has reached full precision. From Temme's estimate one step usually does; a bracket and
// bisection in log z make every other case converge too.
//
// Cost: one normal quantile, a few logs and one incomplete beta evaluation per quantile in the
// common case (shapes above one, tail probabilities from 1e-10 up); BetaQuantiles computes what
// depends on (a, b) alone once for the lower and the upper quantile. Scoring runs that common
// path (for shapes of eight and more) many quantiles at a time: beta_quantile_lanes.hpp.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/eta_map.hpp"
#include "special/incomplete_beta.hpp"
#include "special/log_beta.hpp"
#include "special/normal_quantile.hpp"
#include "special/tail_probability.hpp"

namespace hbayes::special {
namespace detail {

// The smallest positive (subnormal) double and its log: no quantile below it is representable.
constexpr double kMinPositive = 4.9406564584124654e-324;
constexpr double kLogMinPositive = -744.44007192138126;

// A point and its complement, the smaller of the two carrying full relative precision.
struct UnitPair {
  double x;
  double y;
};

// What the quantiles of one Beta(a, b) share: the shapes, the constant of its density
// (beta_power_constant) and the constants of Temme's map.
struct BetaShape {
  double a;
  double b;
  double k;           // beta_power_constant(a, b)
  double c;           // a + b
  double x0;          // a / c, the mean
  double y0;          // b / c
  double root;        // sqrt(x0 y0)
  double inv_sqrt_c;  // 1 / sqrt(c)
  double sqrt_small;  // sqrt(min(a, b)), about the mean over the standard deviation
};

// The shared constants of Beta(a, b) for finite a, b > 0.
HBAYES_HD_OUTLINE inline BetaShape make_beta_shape(double a, double b) {
  BetaShape s;
  s.a = a;
  s.b = b;
  s.k = beta_power_constant(a, b);
  s.c = a + b;
  s.x0 = a / s.c;
  s.y0 = b / s.c;
  s.root = sqrt(s.x0 * s.y0);
  s.inv_sqrt_c = 1.0 / sqrt(s.c);
  s.sqrt_small = sqrt(a < b ? a : b);
  return s;
}

// The Gamma-case start of temme_point in the variable with the smaller mean m0: with
// r = m / m0 solving r - 1 - log r = h / m0 (the Gamma case), the estimate m corrected to third
// order in m0, and a bound on its relative error. Expanding the equation in m0 gives
//   m / m0 = r (1 + m0 (1 - r) [1/2 + m0 ((7 - 4 r) / 24 + m0 (2 r^2 - 8 r + 9) / 48)]).
// The first term left out is m0^4 r (r - 1) (48 r^3 - 314 r^2 + 784 r - 743) / 5760 (series
// derived with a computer-algebra system), below 0.15 m0^4 |1 - r| (1 + r^3 / 16) relative for
// every r > 0. The third-order term lets the common case of a small m0 skip the polish.
struct GammaCaseStart {
  double m;
  double error;
};

HBAYES_HD inline GammaCaseStart gamma_case_start(double m0, double r) {
  const double m = m0 * r *
                   (1.0 + m0 * (1.0 - r) *
                              (0.5 + m0 * ((7.0 - 4.0 * r) * (1.0 / 24.0) +
                                           m0 * (2.0 * r * r - 8.0 * r + 9.0) * (1.0 / 48.0))));
  const double m0_squared = m0 * m0;
  return {m, 0.15 * m0_squared * m0_squared * fabs(1.0 - r) * (1.0 + r * r * r * (1.0 / 16.0))};
}

// Temme's estimate of the Beta(a, b) quantile whose normal counterpart is zeta, with his first
// correction (error O(1/(a + b)^2)): with c = a + b and x0 = a / c, x solves
// -eta^2 / 2 = x0 log(x / x0) + y0 log(y / y0) with sign(x - x0) = sign(eta), at
// eta = eta0 + eps1 / c, where eta0 = zeta / sqrt(c) and
// eps1 = log(eta0 sqrt(x0 y0) / (x(eta0) - x0)) / eta0.
HBAYES_HD inline UnitPair temme_point(const BetaShape& shape, double zeta) {
  const double c = shape.c;
  const double x0 = shape.x0;
  const double y0 = shape.y0;
  const double root = shape.root;
  const double eta0 = zeta * shape.inv_sqrt_c;
  if (eta0 * eta0 < 1e-6 * (x0 < y0 ? x0 : y0)) {
    // Next to the mean: x - x0 = root (eta + kappa eta^2 + O(eta^3)) with
    // kappa = (y0 - x0) / (3 root), and eps1 tends to -kappa.
    const double kappa = (y0 - x0) / (3.0 * root);
    const double eta = eta0 - kappa / c;
    const double dx = root * eta * (1.0 + kappa * eta);
    return {x0 + dx, y0 - dx};
  }
  // Solve on the side below the mean of the variable v that moves away from its mean v0
  // towards 0: v = x (eta < 0) or v = y (eta > 0, where y decreases as eta grows).
  const bool lower = eta0 < 0.0;
  const double v0 = lower ? x0 : y0;
  const double w0 = lower ? y0 : x0;
  const double h = 0.5 * eta0 * eta0;
  // Start from the Gamma case in whichever variable has the smaller mean m0 (v below its mean,
  // or w above it): gamma_case_start.
  const bool v_small = v0 <= w0;
  const double m0 = v_small ? v0 : w0;
  const double g = sqrt(2.0 * h / m0);  // |eta| of the Gamma case
  const double r = lambda_from_eta_estimate(v_small ? -g : g);
  const GammaCaseStart start = gamma_case_start(m0, r);
  const double m = start.m;
  const double start_error = start.error;
  double v = m;
  if (!v_small) {
    // Where w = m leaves (w0, 1/2) the Gamma picture has failed; far out, v is small and
    // v0 log(v / v0) - w0 log w0 = -h instead.
    v = m > w0 && m < 0.5 ? 1.0 - m : v0 * exp((w0 * log(w0) - h) / v0);
  }
  // Halley's method on F(v) = v0 log(v / v0) + w0 log1p((v0 - v) / w0) = -h for 0 < v < v0,
  // where F is increasing and concave: F' = (v0 - v) / (v w), F'' = -v0 / v^2 - w0 / w^2. It is
  // skipped when the start is already good to 1e-4 of a standard deviation of the Beta (whose
  // relative size is about 1 / sqrt(min(a, b))), and otherwise one step usually suffices.
  const bool polish = !(start_error * shape.sqrt_small < 1e-4) || !(v > 0.0 && v < v0);
  double w = 1.0 - v;
  double f1 = (v0 - v) / (v * w);
  double f2 = -v0 / (v * v) - w0 / (w * w);
  for (int i = 0; polish && i < 6; ++i) {
    const double f = v0 * log(v / v0) + w0 * log1p((v0 - v) / w0) + h;
    const double step = f / f1 / (1.0 - 0.5 * f * f2 / (f1 * f1));
    // Steps that would leave (0, v0) go only halfway to the end they aim at.
    const double next = v - step;
    v = next <= 0.0 ? 0.5 * v : (next >= v0 ? 0.5 * (v + v0) : next);
    w = 1.0 - v;
    f1 = (v0 - v) / (v * w);
    f2 = -v0 / (v * v) - w0 / (w * w);
    if (fabs(step) < 3e-3 * v) break;
  }
  // eps1 from x(eta0) - x0, which has eta0's sign: v - v0 or -(v - v0).
  const double eps1 = log(fabs(eta0) * root / (v0 - v)) / eta0;
  // Move to eta0 + eps1 / c along the map by Taylor's formula: with eta_v = -|eta0| the variable's
  // own eta and d its increment, v' = -eta_v / F' and v'' = -(1 + F'' v'^2) / F'.
  const double d = (lower ? eps1 : -eps1) / c;
  const double v1 = fabs(eta0) / f1;
  const double v2 = -(1.0 + f2 * v1 * v1) / f1;
  v += d * (v1 + 0.5 * d * v2);
  return lower ? UnitPair{v, 1.0 - v} : UnitPair{1.0 - v, v};
}

// Initial estimate of the x at which the lower (upper = false) or upper tail of Beta(a, b) equals
// tail.t <= 1/2.
HBAYES_HD inline UnitPair beta_quantile_estimate(const BetaShape& shape,
                                                 const TailProbability& tail, bool upper) {
  const double a = shape.a;
  const double b = shape.b;
  if (a >= 1.0 && b >= 1.0) return temme_point(shape, upper ? -tail.normal : tail.normal);
  // Near 0 the lower tail is x^a / (a B(a, b)) (1 + a (1 - b) x / (a + 1) + ...), and near 1 the
  // upper tail is the same with (a, x) and (b, y) exchanged: invert the leading term, then the
  // first correction.
  const double s = upper ? b : a;  // the shape whose power law the tail's end follows
  const double l = upper ? a : b;
  const double log_s_beta = s <= 1.0 ? -log_inv_a_beta(s, l) : log(s) + log_beta(s, l);
  const double v = exp((tail.log_t + log_s_beta) / s);
  if (v < 0.5 && v * fabs(l - 1.0) < 0.2) {
    const double v1 = v * (1.0 + (l - 1.0) * v / (s + 1.0));
    return upper ? UnitPair{1.0 - v1, v1} : UnitPair{v1, 1.0 - v1};
  }
  // Otherwise the tail at the far end from the small shape s < 1: Beta(s, l) is then close to
  // Gamma(s) / l, whose upper tail Q(s, g) ~ g^(s-1) e^-g / Gamma(s) gives g by a fixed point.
  // (Any other case lies in the bulk of the distribution, where its mean is a fair start.)
  const double small = fmin(a, b);
  const double large = fmax(a, b);
  const bool far_tail = (small == a) == upper;
  if (!far_tail || large < 2.0) return {a / (a + b), b / (a + b)};
  const double log_target = -tail.log_t - lgamma(small);  // g = log_target + (s - 1) log g
  double g = fmax(log_target, 1.0);
  for (int i = 0; i < 3; ++i) g = fmax(log_target + (small - 1.0) * log(g), 0.5 * g);
  const double v2 = fmin(g / (large + 0.5 * (small - 1.0)), 0.5);
  return small == a ? UnitPair{v2, 1.0 - v2} : UnitPair{1.0 - v2, v2};
}

// -log1p(d) = log t - log S for d = (S - t) / t, |d| < 1e-3: its series, truncated after d^6
// (relative error below 2e-19), replaces a logarithm in the common case of a good start.
HBAYES_HD inline double minus_log1p_short(double d) {
  return -d * (1.0 - d * (0.5 - d * (1.0 / 3.0 - d * (0.25 - d * (0.2 - d * (1.0 / 6.0))))));
}

// e^s for |s| < 1e-3, by its Taylor series (the growth factor of a short step in log z).
HBAYES_HD inline double exp_short(double s) {
  return 1.0 + s * (1.0 + s * (0.5 + s * (1.0 / 6.0 + s * (1.0 / 24.0))));
}

// One step of the refinement in log z: for the tail S of Beta(alpha, beta) at z (w = 1 - z),
// K = d log S / d log z and log_gap = log t - log S, the step in log z towards S = t by the
// inverse Taylor series through fifth order in u = log_gap / K, and whether its error estimate
// says that the step reaches full precision.
struct InverseSeriesStep {
  double step;
  LaneFlag done;  // not bool: see LaneFlag (the quantile lanes take this step too)
};

HBAYES_HD inline InverseSeriesStep inverse_series_step(double alpha, double beta, double z,
                                                       double w, double kk, double log_gap) {
  // g0 = 1 + z (log f)' for the density f, and its derivatives g1, g2, g3 in log z (with
  // (z / w)' = z / w^2); c1 = (log K)' and its derivatives c2, c3, c4, using K' = K c1.
  const double u = log_gap / kk;
  const double zw = z / w;
  const double g0 = alpha - (beta - 1.0) * zw;
  const double g1 = -(beta - 1.0) * zw / w;
  const double g2 = g1 * (1.0 + 2.0 * zw);
  const double g3 = g2 * (1.0 + 2.0 * zw) + 2.0 * g1 * zw / w;
  const double c1 = g0 - kk;
  const double c2 = g1 - kk * c1;
  const double c3 = g2 - kk * (c1 * c1 + c2);
  const double c4 = g3 - kk * (c1 * c1 * c1 + 3.0 * c1 * c2 + c3);
  // Terms u^n P_n / n! of the inverse series, P_{n+1} = P_n' - n c1 P_n from P_1 = 1:
  // P_2 = -c1, P_3 = 2 c1^2 - c2, P_4 = -c3 + 7 c1 c2 - 6 c1^3,
  // P_5 = -c4 + 7 c2^2 + 11 c1 c3 - 46 c1^2 c2 + 24 c1^4.
  const double u2 = u * u;
  const double t2 = -0.5 * c1 * u2;
  const double t3 = (2.0 * c1 * c1 - c2) * (1.0 / 6.0) * u2 * u;
  const double t4 = (-c3 + 7.0 * c1 * c2 - 6.0 * c1 * c1 * c1) * (1.0 / 24.0) * u2 * u2;
  const double t5 =
      (-c4 + 7.0 * c2 * c2 + 11.0 * c1 * c3 - 46.0 * c1 * c1 * c2 + 24.0 * c1 * c1 * c1 * c1) *
      (1.0 / 120.0) * u2 * u2 * u;
  // The terms fall off like |u| q^(n-1); the first omitted one, |u| q^5, is estimated as
  // t5^2 / t4 and as t4^3 / t3^2 (a term may vanish by accident; the larger estimate counts).
  // Once it is below half a unit in the last place, and the step short enough for the local
  // coefficients to describe S over it, the step itself finishes the job.
  const double a3 = fabs(t3);
  const double a4 = fabs(t4);
  const double a5 = fabs(t5);
  const bool done = (fabs(u) < 0.03) & (a5 * a5 < 1e-16 * a4) & (a4 * a4 * a4 < 1e-16 * a3 * a3);
  return {u + t2 + t3 + t4 + t5, done};
}

// The x in [0, 1] at which the lower (upper = false) or upper tail of Beta(a, b) equals
// tail.t <= 1/2.
HBAYES_HD inline double beta_quantile_solve(const BetaShape& shape, const TailProbability& tail,
                                            bool upper) {
  const double a = shape.a;
  const double b = shape.b;
  const double k = shape.k;
  const double t = tail.t;
  UnitPair start = beta_quantile_estimate(shape, tail, upper);
  if (!(start.x > 0.0 && start.y > 0.0)) start = {a / (a + b), b / (a + b)};
  // Iterate on z = min(x, 1 - x), the variable with full relative precision: Beta(a, b) at x is
  // Beta(b, a) at 1 - x with the tails exchanged. `mirrored` says which of the two z is.
  bool mirrored = false;
  double alpha = a;
  double beta = b;
  bool upper_tail = upper;
  double z = start.x;
  // Bracket [lo, hi] on z; S(z) is increasing for the lower tail and decreasing for the upper.
  double lo = 0.0;
  double hi = 1.0;
  const auto mirror = [&]() {
    mirrored = !mirrored;
    const double t_alpha = alpha;
    alpha = beta;
    beta = t_alpha;
    upper_tail = !upper_tail;
    const double t_lo = lo;
    lo = 1.0 - hi;
    hi = 1.0 - t_lo;
  };
  if (z > 0.5) {
    mirror();
    z = start.y;
  }
  const double log_t = tail.log_t;
  for (int iter = 0; iter < 100; ++iter) {
    const double w = 1.0 - z;
    const BetaTails tails = ibeta_tails(alpha, beta, z, w, k, true);
    const double s = upper_tail ? tails.upper : tails.lower;
    if (s == t) break;
    if ((s < t) != upper_tail) {
      lo = z;
    } else {
      hi = z;
    }
    // K = d log S / d log z = +-z f / S with the density f = power / (z w).
    const double kk = (upper_tail ? -1.0 : 1.0) * tails.power / (w * s);
    // log t - log S; from Temme's start S is usually within 0.1% of t (see minus_log1p_short).
    const double d = (s - t) / t;
    const double log_gap = fabs(d) < 1e-3 ? minus_log1p_short(d) : log_t - log(s);
    const InverseSeriesStep series = inverse_series_step(alpha, beta, z, w, kk, log_gap);
    const double step = series.step;
    const bool done = series.done != 0;
    const double growth = fabs(step) < 1e-3 ? exp_short(step) : exp(step);
    double next = z * growth;
    if (done || fabs(step) < 4e-16) {
      z = next;
      break;
    }
    if (!(next > lo && next < hi)) {
      // Bisect, geometrically while the bracket spans orders of magnitude (from the smallest
      // positive double when there is no lower end yet).
      if (lo == 0.0) {
        next = exp(0.5 * (kLogMinPositive + log(hi)));
      } else if (hi > 4.0 * lo) {
        next = sqrt(lo) * sqrt(hi);
      } else {
        next = 0.5 * (lo + hi);
      }
      if (!(next > lo && next < hi)) break;  // the bracket has closed to adjacent doubles
    }
    z = next;
    if (z > 0.5) {
      mirror();
      z = 1.0 - z;  // exact for z >= 1/2
    }
  }
  // A root below the smallest positive double (the lower tail of a tiny shape, say) is 0.
  if (lo == 0.0 && hi <= kMinPositive) z = 0.0;
  return mirrored ? 1.0 - z : z;
}

}  // namespace detail

// Lower and upper quantiles of one Beta(a, b) distribution, sharing the work that depends on
// (a, b) only. a, b > 0; otherwise every quantile is NaN.
class BetaQuantiles {
 public:
  // Beta(a, b) for finite a, b > 0; any other shapes make every quantile NaN.
  HBAYES_HD BetaQuantiles(double a, double b)
      : valid_(a > 0.0 && b > 0.0 && isfinite(a) && isfinite(b)),
        shape_(valid_ ? detail::make_beta_shape(a, b) : detail::BetaShape{}) {}

  // x with I_x(a, b) = p, for 0 <= p <= 1 (0 -> 0, 1 -> 1); NaN for p outside [0, 1].
  HBAYES_HD double lower(double p) const { return solve(p, false); }

  // x with 1 - I_x(a, b) = q, for 0 <= q <= 1 (0 -> 1, 1 -> 0); NaN for q outside [0, 1].
  HBAYES_HD double upper(double q) const { return solve(q, true); }

  // The same for a tail probability prepared once for many distributions (tail.t <= 1/2).
  HBAYES_HD double lower(const TailProbability& tail) const { return solve(tail, false); }
  HBAYES_HD double upper(const TailProbability& tail) const { return solve(tail, true); }

 private:
  HBAYES_HD double solve(double t, bool upper) const {
    if (!valid_ || !(t >= 0.0 && t <= 1.0)) return NAN;
    if (t == 0.0) return upper ? 1.0 : 0.0;
    if (t == 1.0) return upper ? 0.0 : 1.0;
    // The other tail's probability 1 - t is exact for t > 1/2 (Sterbenz), and at most 1/2.
    if (t > 0.5) return solve(tail_probability(1.0 - t), !upper);
    return solve(tail_probability(t), upper);
  }

  HBAYES_HD double solve(const TailProbability& tail, bool upper) const {
    if (!valid_) return NAN;
    return detail::beta_quantile_solve(shape_, tail, upper);
  }

  bool valid_;
  detail::BetaShape shape_;
};

// x with I_x(a, b) = p: the p-quantile of Beta(a, b), for finite a, b > 0 and 0 <= p <= 1;
// else NaN.
HBAYES_HD inline double ibeta_inv(double a, double b, double p) {
  return BetaQuantiles(a, b).lower(p);
}

// x with 1 - I_x(a, b) = q: the upper-tail q-quantile of Beta(a, b), q used directly; for
// finite a, b > 0 and 0 <= q <= 1; else NaN.
HBAYES_HD inline double ibetac_inv(double a, double b, double q) {
  return BetaQuantiles(a, b).upper(q);
}

}  // namespace hbayes::special
