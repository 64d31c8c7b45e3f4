// Quantiles of the Beta distribution: x with I_x(a, b) = p (lower tail) or 1 - I_x(a, b) = q
// (upper tail), each tail probability used as given, never as one minus the other.
//
// Method. The tail to solve is the smaller one (a target above 1/2 is replaced by its exact
// complement), and the unknown is whichever of x, 1 - x is below 1/2, so that it carries full
// relative precision. An initial estimate comes from
//   - Temme's uniform asymptotic inversion (Temme 1992, "Asymptotic inversion of the incomplete
//     beta function", J. Comput. Appl. Math. 41) with its first correction term, for shapes >= 1:
//     relative error about 1e-3 of a standard deviation at a = 5 and better for larger shapes;
//   - the inverted leading term of the power series near 0 or 1 for shapes below one;
//   - the Gamma-tail approximation for a small shape against a large one.
// It is then refined by solving log S(z) = log t in the variable log z, where S is the tail in
// question: each step evaluates S once (incomplete_beta.hpp) and applies the inverse Taylor series
// through fourth order, whose coefficients follow from the density's logarithmic derivative
// (a - 1)/z - (b - 1)/(1 - z) at no extra cost. From Temme's estimate one step usually reaches full
// double precision; a bracket and bisection in log z make every other case converge too.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/incomplete_beta.hpp"
#include "special/log_beta.hpp"

namespace hbayes::special {
namespace detail {

constexpr double kSqrtTwoPi = 2.5066282746310002;
// log of the smallest positive subnormal double: quantiles below it are returned as 0.
constexpr double kLogMinPositive = -744.44007192138126;

// Phi^-1(p), the standard normal quantile, for 0 < p <= 1/2, to ~1e-10 relative: the rational
// approximation of Abramowitz & Stegun 26.2.23 (error < 4.5e-4) and one Halley step on erfc.
HBAYES_HD inline double normal_quantile_lower(double p) {
  const double t = sqrt(-2.0 * log(p));
  double z = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                       (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  // Halley's step for Phi(z) = p: with e = Phi(z) - p and u = e / phi(z), z -= u / (1 + z u / 2).
  const double e = 0.5 * erfc(-z * kSqrtHalf) - p;
  const double u = e * kSqrtTwoPi * exp(0.5 * z * z);
  z -= u / (1.0 + 0.5 * z * u);
  return z;
}

// A point and its complement, the smaller of the two carrying full relative precision.
struct UnitPair {
  double x;
  double y;
};

// The root r < 1 (lower = true) or r > 1 of r - 1 - log r = g >= 0: the Gamma-distribution
// case of Temme's map, to a few parts in 1e3 (used only to start temme_lower_point).
HBAYES_HD inline double gamma_eta_root(double g, bool lower) {
  if (g < 1.5) {
    // Inverse series in s = -+sqrt(2 g) about r = 1.
    const double s = lower ? -sqrt(2.0 * g) : sqrt(2.0 * g);
    return 1.0 + s * (1.0 + s * (1.0 / 3.0 + s * (1.0 / 36.0 + s * (-1.0 / 270.0 + s / 4320.0))));
  }
  // Far out, the fixed points r = exp(r - 1 - g) (small r) and r = 1 + g + log r (large r).
  if (lower) {
    const double r = exp(-1.0 - g);
    return exp(r - 1.0 - g);
  }
  const double r = 1.0 + g + log(1.0 + g);
  return 1.0 + g + log(r);
}

// The solution v < v0 of v0 log(v / v0) + w0 log((1 - v) / w0) = -h, for h > 0 and v0 + w0 = 1:
// Temme's map from his normal variable eta (h = eta^2 / 2) back to x, on the side below the mean
// v0. Returned as (v, 1 - v) with relative accuracy ~1e-9, ample for an initial value.
HBAYES_HD inline UnitPair temme_lower_point(double h, double v0, double w0) {
  // When v0 is the smaller mean, the equation is v0 (log r + 1 - r) + O(v0^2) with r = v / v0,
  // the Gamma case; when w0 is, it is the same for w = 1 - v above its mean w0.
  double v;
  if (v0 <= w0) {
    v = v0 * gamma_eta_root(h / v0, true);
  } else {
    const double w = w0 * gamma_eta_root(h / w0, false);
    // Beyond w = 1 the Gamma picture has failed; there v0 log(v / v0) - w0 log w0 = -h instead.
    v = w < 0.5 ? 1.0 - w : v0 * exp((w0 * log(w0) - h) / v0);
  }
  // Halley's method for F(L) = v0 L + w0 log1p(v0 (1 - e^L) / w0) + h = 0 in L = log(v / v0),
  // which is increasing and concave on L < 0: F' = (v0 - v) / (1 - v), F'' = -v w0 / (1 - v)^2.
  double log_r = log(v / v0);
  for (int i = 0; i < 2; ++i) {
    const double x = v0 * exp(log_r);
    const double w = 1.0 - x;
    const double f = v0 * log_r + w0 * log1p((v0 - x) / w0) + h;
    const double f1 = (v0 - x) / w;
    const double f2 = -x * w0 / (w * w);
    if (!(f1 > 0.0)) break;
    log_r -= f / f1 / (1.0 - 0.5 * f * f2 / (f1 * f1));
  }
  v = v0 * exp(log_r);
  return {v, 1.0 - v};
}

// Temme's estimate of the point where the lower tail of Beta(a, b), a, b >= 1, has probability
// e^(zeta^2/2)-scale normal quantile zeta (zeta < 0 below the median, > 0 above): eta0 =
// zeta / sqrt(a + b) plus his first correction eps1 / (a + b), mapped back to x.
HBAYES_HD inline UnitPair temme_point(double a, double b, double zeta) {
  const double r = a + b;
  const double x0 = a / r;
  const double y0 = b / r;
  const double eta0 = zeta / sqrt(r);
  const double root = sqrt(x0 * y0);
  // The map eta -> x on either side of the mean, by symmetry of the equation in (x, x0) <->
  // (y, y0).
  const auto point = [&](double eta) -> UnitPair {
    if (eta <= 0.0) return temme_lower_point(0.5 * eta * eta, x0, y0);
    const UnitPair m = temme_lower_point(0.5 * eta * eta, y0, x0);
    return {m.y, m.x};
  };
  const UnitPair p0 = point(eta0);
  // eps1 = log(eta sqrt(x0 y0) / (x - x0)) / eta, whose limit at eta = 0 is (x0 - y0) / (3 root);
  // near that limit the difference x - x0 cancels, so the limit is used.
  const double scaled = eta0 / sqrt(fmin(x0, y0));
  double eps1 = (x0 - y0) / (3.0 * root);
  if (fabs(scaled) > 1e-3) {
    const double dx = eta0 < 0.0 ? p0.x - x0 : y0 - p0.y;
    eps1 = log(eta0 * root / dx) / eta0;
  }
  return point(eta0 + eps1 / r);
}

// Initial estimate of the x at which the lower (upper = false) or upper tail of Beta(a, b) equals
// t, for 0 < t <= 1/2. log_a_beta = log(a B(a, b)) is needed only by the power-series estimates
// and is computed on demand.
HBAYES_HD inline UnitPair beta_quantile_estimate(double a, double b, double t, bool upper) {
  if (a >= 1.0 && b >= 1.0) {
    const double z = normal_quantile_lower(t);
    return temme_point(a, b, upper ? -z : z);
  }
  // Near 0 the lower tail is x^a / (a B(a, b)) (1 + a (1 - b) x / (a + 1) + ...), and near 1 the
  // upper tail is the same with (a, x) and (b, y) exchanged: invert the leading term, then the
  // first correction.
  const double s = upper ? b : a;  // shape of the tail's end point
  const double l = upper ? a : b;
  const double log_s_beta = s <= 1.0 ? -log_inv_a_beta(s, l) : log(s) + log_beta(s, l);
  const double v = exp((log(t) + log_s_beta) / s);
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
  const double c = -log(t) - lgamma(small);
  double g = fmax(c, 1.0);
  for (int i = 0; i < 3; ++i) g = fmax(c + (small - 1.0) * log(g), 0.5 * g);
  const double v2 = fmin(g / (large + 0.5 * (small - 1.0)), 0.5);
  return small == a ? UnitPair{v2, 1.0 - v2} : UnitPair{1.0 - v2, v2};
}

// The x in [0, 1] at which the lower (upper = false) or upper tail of Beta(a, b) equals t, for
// a, b > 0 and 0 < t <= 1/2; k = beta_power_constant(a, b).
HBAYES_HD inline double beta_quantile_solve(double a, double b, double k, double t, bool upper) {
  UnitPair start = beta_quantile_estimate(a, b, t, upper);
  if (!(start.x > 0.0 && start.y > 0.0)) start = {a / (a + b), b / (a + b)};
  // Iterate on z = min(x, 1 - x): mirroring Beta(a, b) at x to Beta(b, a) at 1 - x exchanges the
  // tails.
  const bool mirrored = start.x > 0.5;
  const double alpha = mirrored ? b : a;
  const double beta = mirrored ? a : b;
  const bool upper_tail = upper != mirrored;
  const double sign = upper_tail ? -1.0 : 1.0;
  double z = mirrored ? start.y : start.x;
  // Bracket [lo, hi] on z; S(z) is increasing for the lower tail and decreasing for the upper.
  double lo = 0.0;
  double hi = 1.0;
  const double log_t = log(t);
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
    // K = d log S / d log z = +-z f / S with the density f = power / (z w); the inverse series
    // in u = (log t - log S) / K. gamma = 1 + z (log f)' and its derivatives in log z.
    const double kk = sign * tails.power / (w * s);
    const double u = (log_t - log(s)) / kk;
    const double zw = z / w;
    const double g0 = alpha - (beta - 1.0) * zw;
    const double g1 = -(beta - 1.0) * zw / w;
    const double g2 = g1 * (1.0 + 2.0 * zw);
    const double c1 = g0 - kk;             // (log K)'
    const double c2 = g1 - kk * c1;        // (log K)''
    const double c3 = g2 - kk * c1 * c1 - kk * c2;
    const double step = u * (1.0 + u * (-0.5 * c1 + u * ((2.0 * c1 * c1 - c2) / 6.0 +
                                  u * (-c3 + 7.0 * c1 * c2 - 6.0 * c1 * c1 * c1) / 24.0)));
    // The series' next term is about |u| (|u| rho)^4 with rho the scale of the coefficients;
    // once that is far below double precision, and the step short enough for the local
    // coefficients to describe S over it, the step itself finishes the job.
    const double rho = fabs(c1) + sqrt(fabs(c2)) + cbrt(fabs(c3));
    const double au = fabs(u);
    const double m = au * rho;
    const bool done = au < 1e-3 && m < 1e-3 && au * m * m * m * m < 1e-17;
    double next = z * exp(step);
#ifdef HBAYES_IBETA_TRACE
    printf("it %d z=%.17g s=%.17g t=%.17g K=%g u=%g step=%g rho=%g lo=%g hi=%g done=%d\n", iter, z, s, t, kk, u, step, rho, lo, hi, (int)done);
#endif
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
  }
  return mirrored ? 1.0 - z : z;
}

}  // namespace detail

// Lower and upper quantiles of one Beta(a, b) distribution, sharing the work that depends on
// (a, b) only. a, b > 0; otherwise every quantile is NaN.
class BetaQuantiles {
 public:
  HBAYES_HD BetaQuantiles(double a, double b)
      : a_(a), b_(b), k_(a > 0.0 && b > 0.0 ? detail::beta_power_constant(a, b) : NAN) {}

  // x with I_x(a, b) = p, for 0 <= p <= 1 (0 -> 0, 1 -> 1); NaN for p outside [0, 1].
  HBAYES_HD double lower(double p) const { return solve(p, false); }

  // x with 1 - I_x(a, b) = q, for 0 <= q <= 1 (0 -> 1, 1 -> 0); NaN for q outside [0, 1].
  HBAYES_HD double upper(double q) const { return solve(q, true); }

 private:
  HBAYES_HD double solve(double t, bool upper) const {
    if (!(t >= 0.0 && t <= 1.0) || isnan(k_)) return NAN;
    if (t == 0.0) return upper ? 1.0 : 0.0;
    if (t == 1.0) return upper ? 0.0 : 1.0;
    // The other tail's probability 1 - t is exact for t > 1/2 (Sterbenz), and at most 1/2.
    if (t > 0.5) return detail::beta_quantile_solve(a_, b_, k_, 1.0 - t, !upper);
    return detail::beta_quantile_solve(a_, b_, k_, t, upper);
  }

  double a_;
  double b_;
  double k_;  // beta_power_constant(a, b)
};

// x with I_x(a, b) = p: the p-quantile of Beta(a, b), for a, b > 0 and 0 <= p <= 1; else NaN.
HBAYES_HD inline double ibeta_inv(double a, double b, double p) {
  return BetaQuantiles(a, b).lower(p);
}

// x with 1 - I_x(a, b) = q: the upper-tail q-quantile of Beta(a, b), q used directly; for
// a, b > 0 and 0 <= q <= 1; else NaN.
HBAYES_HD inline double ibetac_inv(double a, double b, double q) {
  return BetaQuantiles(a, b).upper(q);
}

}  // namespace hbayes::special
