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
#include "special/normal_quantile.hpp"

namespace hbayes::special {
namespace detail {

// log of the smallest positive subnormal double: no quantile below it is representable.
constexpr double kLogMinPositive = -744.44007192138126;

// A point and its complement, the smaller of the two carrying full relative precision.
struct UnitPair {
  double x;
  double y;
};

// The root r < 1 (lower = true) or r > 1 of r - 1 - log r = g >= 0, to a few parts in 1e3: the
// Gamma-distribution case of Temme's map, used to start the Beta case.
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

// Temme's map eta -> x for Beta(a, b), to second order in 1/(a + b): with c = a + b, x0 = a / c,
// eta solves -eta^2 / 2 = x0 log(x / x0) + y0 log(y / y0) with sign(x - x0) = sign(eta), and
// eta = eta0 + eps1 / c where eta0 = zeta / sqrt(c) comes from the normal quantile zeta and
// eps1 = log(eta0 sqrt(x0 y0) / (x(eta0) - x0)) / eta0 is Temme's first correction.
HBAYES_HD inline UnitPair temme_point(double a, double b, double zeta) {
  const double c = a + b;
  const double x0 = a / c;
  const double y0 = b / c;
  const double root = sqrt(x0 * y0);
  const double eta0 = zeta / sqrt(c);
  if (eta0 * eta0 < 1e-6 * (x0 < y0 ? x0 : y0)) {
    // Next to the mean: x - x0 = root (eta + k eta^2 + O(eta^3)), k = (y0 - x0) / (3 root),
    // and eps1 tends to -k.
    const double k = (y0 - x0) / (3.0 * root);
    const double eta = eta0 - k / c;
    const double dx = root * eta * (1.0 + k * eta);
    return {x0 + dx, y0 - dx};
  }
  // Solve on the side below the mean of the variable v that moves away from its mean v0
  // towards 0: v = x (eta < 0) or v = y (eta > 0, where y decreases as eta grows).
  const bool lower = eta0 < 0.0;
  const double v0 = lower ? x0 : y0;
  const double w0 = lower ? y0 : x0;
  const double h = 0.5 * eta0 * eta0;
  // Start from the Gamma case in whichever variable has the smaller mean m0 (v below its mean,
  // or w above it), with the first correction in m0: r (1 + m0 (1 - r) / 2).
  double v;
  if (v0 <= w0) {
    const double r = gamma_eta_root(h / v0, true);
    v = v0 * r * (1.0 + 0.5 * v0 * (1.0 - r));
  } else {
    const double r = gamma_eta_root(h / w0, false);
    const double w = w0 * r * (1.0 + 0.5 * w0 * (1.0 - r));
    // Where w leaves (w0, 1/2) the Gamma picture has failed; far out, v is small and
    // v0 log(v / v0) - w0 log w0 = -h instead.
    v = w > w0 && w < 0.5 ? 1.0 - w : v0 * exp((w0 * log(w0) - h) / v0);
  }
  // Halley's method on F(v) = v0 log(v / v0) + w0 log1p((v0 - v) / w0) = -h for 0 < v < v0,
  // where F is increasing and concave: F' = (v0 - v) / (v w), F'' = -v0 / v^2 - w0 / w^2. From
  // the start above one step suffices unless it is far out in a tail.
  double f1 = 0.0;
  double f2 = 0.0;
  for (int i = 0; i < 6; ++i) {
    const double w = 1.0 - v;
    const double f = v0 * log(v / v0) + w0 * log1p((v0 - v) / w0) + h;
    f1 = (v0 - v) / (v * w);
    f2 = -v0 / (v * v) - w0 / (w * w);
    const double step = f / f1 / (1.0 - 0.5 * f * f2 / (f1 * f1));
    // Steps that would leave (0, v0) go only halfway to the end they aim at.
    const double next = v - step;
    v = next <= 0.0 ? 0.5 * v : (next >= v0 ? 0.5 * (v + v0) : next);
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
// t, for 0 < t <= 1/2. log_a_beta = log(a B(a, b)) is needed only by the power-series estimates
// and is computed on demand.
HBAYES_HD inline UnitPair beta_quantile_estimate(double a, double b, double t, bool upper) {
  if (a >= 1.0 && b >= 1.0) {
    const double z = normal_quantile_approx(t);
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
    // in u = (log t - log S) / K. g0 = 1 + z (log f)' and its derivatives g1, g2 in log z.
    const double kk = (upper_tail ? -1.0 : 1.0) * tails.power / (w * s);
    const double u = (log_t - log(s)) / kk;
    const double zw = z / w;
    const double g0 = alpha - (beta - 1.0) * zw;
    const double g1 = -(beta - 1.0) * zw / w;
    const double g2 = g1 * (1.0 + 2.0 * zw);
    const double c1 = g0 - kk;       // (log K)'
    const double c2 = g1 - kk * c1;  // (log K)''
    const double c3 = g2 - kk * c1 * c1 - kk * c2;
    // Terms u^n P_n / n! of the inverse series, with P_2 = -c1, P_3 = 2 c1^2 - c2 and
    // P_4 = -c3 + 7 c1 c2 - 6 c1^3.
    const double t2 = -0.5 * c1 * u * u;
    const double t3 = (2.0 * c1 * c1 - c2) / 6.0 * u * u * u;
    const double t4 = (-c3 + 7.0 * c1 * c2 - 6.0 * c1 * c1 * c1) / 24.0 * u * u * u * u;
    const double step = u + t2 + t3 + t4;
    // The series falls off like |u| q^n; the first omitted term, |u| q^4, is estimated from
    // t3 and from t4 (either may vanish by accident). Once it is far below double precision,
    // and the step short enough for the local coefficients to describe S over it, the step
    // itself finishes the job.
    const double au = fabs(u);
    const double a3 = fabs(t3);
    const double a4 = fabs(t4);
    const bool done = au < 1e-3 && a3 * a3 < 1e-17 * au && a4 * a4 < 1e-17 * a3;
    // z e^step, by its Taylor series when the step is short.
    const double growth =
        fabs(step) < 1e-3 ? 1.0 + step * (1.0 + step * (0.5 + step * (1.0 / 6.0 + step / 24.0)))
                          : exp(step);
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
