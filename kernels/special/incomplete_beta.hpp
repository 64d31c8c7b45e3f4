// The regularized incomplete beta function I_x(a, b) and its complement 1 - I_x(a, b).
//
// Both tails are computed directly, each with relative accuracy, after DiDonato & Morris (1992),
// "Significant digit computation of the incomplete beta function ratios", ACM TOMS 18 (Algorithm
// 708, BRATIO): the tail on the near side of the mean is summed by whichever expansion converges
// there, and the other tail is one minus it. The expansions (with their Algorithm 708 names):
//   power series in x            x small, or a shape <= 1                   (BPSER)
//   finite sum a -> a + n        lifts a shape <= 15 into the next one's range (BUP)
//   continued fraction           both shapes > 1, x below the mean         (BFRAC)
//   incomplete-gamma expansion   a shape <= 1 against one >= 15            (BGRAT)
//   erfc (normal) expansion      both shapes > 100, x near the mean        (BASYM)
// One departure from BRATIO: it sums a smaller shape below 40 by BUP and BGRAT; the continued
// fraction is as accurate there (checked against Boost.Math in 50 digits) and about twice as
// fast, so it is used for every pair of shapes above one.
// The prefactor x^a y^b / B(a, b) is formed from Stirling's formula when both shapes are large,
// so that nothing of size a log x is ever exponentiated (see log_beta.hpp).
//
// Every function here that takes x and y = 1 - x trusts the smaller of the two to carry full
// relative precision, so that a caller near x = 1 can hand over y exactly.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/float_bits.hpp"
#include "special/incomplete_gamma.hpp"
#include "special/log_beta.hpp"
#include "special/stirling.hpp"

namespace hbayes::special {
namespace detail {

constexpr double kEpsilon = 2.220446049250313e-16;    // DBL_EPSILON
constexpr double kInvSqrtTwoPi = 0.3989422804014327;  // 1 / sqrt(2 pi)
constexpr double kTwoOverSqrtPi = 1.1283791670955126;
constexpr double kSqrtHalf = 0.7071067811865476;
constexpr double kSqrtPi = 1.7724538509055160;
// Series and continued fractions stop at this relative size of the next term.
constexpr double kSeriesTolerance = 1e-16;
// Bound on the terms of any series or continued fraction here; none needs more than a few
// hundred where it is used, so this is a guard against an infinite loop on a NaN only.
constexpr int kMaxTerms = 10000;

// I_x(a, b) and 1 - I_x(a, b), computed together.
struct BetaTails {
  double lower;
  double upper;
  double power;  // x^a y^b / B(a, b) when requested from ibeta_tails
};

// log(v) where v + w = 1: the larger of v and w was rounded when the other was subtracted from 1,
// so its log is taken as log1p of minus the other.
HBAYES_HD inline double log_of_complementary(double v, double w) {
  return v <= 0.5 ? log(v) : log1p(-w);
}

// lambda = a - (a + b) x = (a + b) y - b, the distance of x from the mean of Beta(a, b) scaled by
// a + b, to within a few units in its own last place. For large shapes I_x(a, b) depends on x
// through exp(-lambda^2 (a + b) / (2 a b)), so the rounding error of a plain a - (a + b) x, about
// 1e-16 a, would cost relative accuracy of order 1e-16 sqrt(a) in the result; the products and
// sums are therefore carried out exactly (fma two-products, two-sums). Straight-line code, for
// the quantile lanes (beta_quantile_lanes.hpp).
HBAYES_HD inline double beta_mean_deviation(double a, double b, double x, double y) {
  // Expand in the variable v <= 1/2 that holds full precision: lambda = (s - s v) - t v with
  // (s, t, v) = (a, b, x), or lambda = -[(b - b y) - a y].
  const bool use_x = x <= y;
  const double s = select_bits(use_x, a, b);
  const double t = select_bits(use_x, b, a);
  const double v = select_bits(use_x, x, y);
  const double sv = s * v;
  const double sv_err = fma(s, v, -sv);
  const double tv = t * v;
  const double tv_err = fma(t, v, -tv);
  const double d1 = s - sv;
  const double d1_err = (s - d1) - sv;  // Dekker's fast two-sum, valid as s >= s v
  const double d2 = d1 - tv;
  const double z = d2 - d1;  // Knuth's two-sum error of d1 - tv
  const double d2_err = (d1 - (d2 - z)) - (tv + z);
  const double lambda = d2 + (d1_err + d2_err - sv_err - tv_err);
  return select_bits(use_x, lambda, -lambda);
}

// The per-(a, b) constant of beta_power_ratio, symmetric in a and b so that it serves the mirrored
// problem too: -s(a) - s(b) + s(a + b) when both shapes are large, -log(s B(s, l)) for the smaller
// shape s <= 1, and otherwise the normalising log term of the formula used below.
HBAYES_HD_OUTLINE inline double beta_power_constant(double a, double b) {
  const double small = a < b ? a : b;
  const double large = a < b ? b : a;
  if (small >= kStirlingShape) return -beta_stirling_correction(a, b);
  if (small <= 1.0) return log_inv_a_beta(small, large);
  if (large >= kStirlingShape) return log_gamma_ratio_remainder(small, large) - lgamma(small);
  return -log_beta(a, b);
}

// s log1pmx(e) for the term of shape s whose variable v is at 1 + e = v / (s / c) of its value
// at the mode, c = a + b: far below it (e near -1) 1 + e keeps no relative precision when formed
// from e, so the log is taken of v itself.
HBAYES_HD inline double shape_log1pmx(double s, double e, double v, double c) {
  if (e >= -0.5) return s * log1pmx(e);
  const double cv = c * v;  // subnormal only for a subnormal v, where the logs are split instead
  const double log_ratio = cv >= 0x1p-1022 ? log(cv / s) : log(v) + log(c / s);
  return s * (log_ratio - e);
}

// x^a y^b / B(a, b) for a, b >= kStirlingShape, given lambda = beta_mean_deviation(a, b, x, y)
// and k = beta_power_constant(a, b): with c = a + b, x / (a / c) = 1 - lambda / a and
// y / (b / c) = 1 + lambda / b, and Stirling's formula for B(a, b) gives
// sqrt(a b / (2 pi c)) exp(a log1pmx(-lambda / a) + b log1pmx(lambda / b) - s(a) - s(b) + s(c)).
HBAYES_HD_OUTLINE inline double beta_power_ratio_stirling(double a, double b, double x, double y,
                                                          double lambda, double k) {
  const double c = a + b;
  const double e = shape_log1pmx(a, -lambda / a, x, c) + shape_log1pmx(b, lambda / b, y, c) + k;
  return sqrt(a * (b / c)) * kInvSqrtTwoPi * exp(e);
}

// x^a y^b / B(a, b) for a, b > 0, x + y = 1, x, y > 0, given k = beta_power_constant(a, b)
// (DiDonato & Morris' BRCOMP). Each regime keeps the exponent free of large cancelling terms.
HBAYES_HD_OUTLINE inline double beta_power_ratio(double a, double b, double x, double y, double k) {
  const double small = a < b ? a : b;
  const double large = a < b ? b : a;
  if (small >= kStirlingShape) {
    return beta_power_ratio_stirling(a, b, x, y, beta_mean_deviation(a, b, x, y), k);
  }
  const double log_x = log_of_complementary(x, y);
  const double log_y = log_of_complementary(y, x);
  if (small <= 1.0) {
    // x^a y^b / B(a, b) = s exp(a log x + b log y - log(s B(a, b))) for the small shape s.
    return small * exp(a * log_x + b * log_y + k);
  }
  if (large >= kStirlingShape) {
    // One shape s in (1, 8), one l >= 8, with variables v, w = 1 - v: v^s w^l Gamma(c) /
    // (Gamma(s) Gamma(l)) = exp(s log(c v) + l log w + remainder(s, l) - lgamma(s)), every term
    // of size ~s near the bulk of the distribution.
    const double c = a + b;
    const bool a_small = a <= b;
    const double v = a_small ? x : y;
    const double log_w = a_small ? log_y : log_x;
    // c v loses its precision when it is subnormal; log c + log v then does better.
    const double cv = c * v;
    const double log_cv = cv >= 0x1p-1022 ? log(cv) : log(c) + log(v);
    return exp(small * log_cv + large * log_w + k);
  }
  return exp(a * log_x + b * log_y + k);
}

// I_x(a, b) by its power series x^a / (a B(a, b)) [1 + a sum_{n>=1} (1-b)_n / n! x^n / (a + n)],
// for b <= 1 or b x <= 0.7, x <= 0.7, where the terms fall off like x^n (DiDonato & Morris' BPSER).
// k = beta_power_constant(a, b).
HBAYES_HD_OUTLINE inline double beta_power_series(double a, double b, double x, double y,
                                                  double k) {
  if (x == 0.0) return 0.0;
  // The leading factor x^a / (a B(a, b)); for a shape <= 1 it is formed without the y^b that
  // beta_power_ratio includes, since for tiny a its relative error is the quantile's times a.
  double factor;
  if (a <= 1.0 && a <= b) {
    factor = exp(a * log_of_complementary(x, y) + k);
  } else if (b <= 1.0) {
    factor = b / a * exp(a * log_of_complementary(x, y) + k);
  } else {
    // Callers keep |b log y| below ~1.2, so dividing y^b back out costs nothing measurable.
    factor = beta_power_ratio(a, b, x, y, k) * exp(-b * log_of_complementary(y, x)) / a;
  }
  if (factor == 0.0) return 0.0;
  double term = 1.0;
  double sum = 0.0;
  for (int n = 1; n < kMaxTerms; ++n) {
    term *= (1.0 - b / n) * x;
    const double next = term / (a + n);
    sum += next;
    if (fabs(next) <= kSeriesTolerance / a * fabs(1.0 + a * sum)) break;
  }
  return factor * (1.0 + a * sum);
}

// I_x(a, b) - I_x(a + n, b) for a positive integer n = sum_{i<n} x^(a+i) y^b / ((a+i) B(a+i, b)),
// a finite sum of positive terms (DiDonato & Morris' BUP); k = beta_power_constant(a, b).
HBAYES_HD_OUTLINE inline double beta_shift_sum(double a, double b, double x, double y, int n,
                                               double k) {
  const double first = beta_power_ratio(a, b, x, y, k) / a;
  if (first == 0.0) return 0.0;
  double term = 1.0;
  double sum = 1.0;
  for (int i = 1; i < n; ++i) {
    // term ratio x (a + b + i - 1) / (a + i): once below one it stays below one, so the rest of
    // the sum is at most (n - i) times the current term.
    const double ratio = x * (a + b + i - 1) / (a + i);
    term *= ratio;
    sum += term;
    if (ratio < 1.0 && term * (n - 1 - i) <= kSeriesTolerance * sum) break;
  }
  return first * sum;
}

// The continued fraction for I_x(a, b), a, b > 1 and lambda = a - (a + b) x >= 0 (DiDonato &
// Morris' BFRAC):
//   I_x(a, b) = [x^a y^b / B(a, b)] / (beta_0 + alpha_1 / (beta_1 + alpha_2 / (beta_2 + ...))).
// On the near side of the mean it converges in O(sqrt(min(a, b))) terms at worst and in a handful
// far out in the tails. The convergents num_m / den_m come from the forward three-term recurrence:
// unlike Lentz's method it has no division on its critical path, so a step runs at multiply-add
// speed.
//
// The state of L fractions is kept as arrays, one element per lane, and advance(l) moves lane l
// on by two steps: a loop over the lanes is then the form a CPU compiler vectorizes, so that the
// quantile lanes (beta_quantile_lanes.hpp) evaluate many fractions in lockstep. A converged lane
// stays as it is, so its value never depends on how long its neighbours run. L = 1 is the plain
// evaluation of beta_continued_fraction below.
template <int L>
struct BetaFractionLanes {
  // The fraction's constants.
  double a[L], b[L], x[L], x2[L], lambda1[L], y1[L];
  // The last two convergents, and the step's counters: k = a + 2m - 1 at the top of step m.
  double num_prev[L], den_prev[L], num[L], den[L], k[L], inv_k[L], m[L];
  LaneFlag converged[L];

  HBAYES_HD void start(int l, double a_l, double b_l, double x_l, double y_l, double lambda) {
    a[l] = a_l;
    b[l] = b_l;
    x[l] = x_l;
    x2[l] = x_l * x_l;
    lambda1[l] = lambda + 1.0;
    y1[l] = 1.0 + y_l;
    num_prev[l] = 1.0;
    den_prev[l] = 0.0;
    num[l] = a_l * (lambda + 1.0) / (a_l + 1.0);  // beta_0
    den[l] = 1.0;
    k[l] = a_l + 1.0;
    inv_k[l] = 1.0 / k[l];
    m[l] = 0.0;
    converged[l] = false;
  }

  // One step of the recurrence on lane l's values, held in registers by advance.
  HBAYES_HD void step(int l, double& np, double& dp, double& n, double& d, double& kk, double& ik,
                      double& mm) const {
    mm += 1.0;
    kk += 2.0;
    const double ik_next = 1.0 / kk;
    const double mbm = mm * (b[l] - mm);
    const double alpha = (a[l] - 1.0 + mm) * (a[l] + b[l] - 1.0 + mm) * mbm * x2[l] * (ik * ik);
    const double beta = mm + mbm * x[l] * ik + (a[l] + mm) * (lambda1[l] + mm * y1[l]) * ik_next;
    ik = ik_next;
    const double n_next = beta * n + alpha * np;
    const double d_next = beta * d + alpha * dp;
    np = n;
    dp = d;
    n = n_next;
    d = d_next;
  }

  // Two steps, then (every second step saves time, the fraction being short) a rescaling of the
  // convergents, which grow geometrically, long before they could overflow, and the test
  // |den / num - den_prev / num_prev| <= tolerance |den / num| without a division.
  HBAYES_HD void advance(int l) {
    double np = num_prev[l], dp = den_prev[l], n = num[l], d = den[l];
    double kk = k[l], ik = inv_k[l], mm = m[l];
    step(l, np, dp, n, d, kk, ik, mm);
    step(l, np, dp, n, d, kk, ik, mm);
    if constexpr (L == 1) {
      // One lane (the plain evaluation, a GPU thread) stops at convergence: branches are cheaper.
      if (fabs(n) > 1e100) {
        n *= 1e-100;
        d *= 1e-100;
        np *= 1e-100;
        dp *= 1e-100;
      }
      store(l, np, dp, n, d, kk, ik, mm, fabs(d * np - dp * n) <= kSeriesTolerance * fabs(d * np));
    } else {
      // Many lanes run in lockstep: the same operations as selects, a converged lane frozen.
      const double scale = select_bits(fabs(n) > 1e100, 1e-100, 1.0);  // exact either way
      n *= scale;
      d *= scale;
      np *= scale;
      dp *= scale;
      const bool done = fabs(d * np - dp * n) <= kSeriesTolerance * fabs(d * np);
      const bool frozen = converged[l] != 0;
      store(l, select_bits(frozen, num_prev[l], np), select_bits(frozen, den_prev[l], dp),
            select_bits(frozen, num[l], n), select_bits(frozen, den[l], d),
            select_bits(frozen, k[l], kk), select_bits(frozen, inv_k[l], ik),
            select_bits(frozen, m[l], mm), frozen | done);
    }
  }

  HBAYES_HD void store(int l, double np, double dp, double n, double d, double kk, double ik,
                       double mm, bool done) {
    num_prev[l] = np;
    den_prev[l] = dp;
    num[l] = n;
    den[l] = d;
    k[l] = kk;
    inv_k[l] = ik;
    m[l] = mm;
    converged[l] = done;
  }

  // The fraction's value, 1 / (beta_0 + alpha_1 / (...)), at the latest convergent.
  HBAYES_HD double value(int l) const { return den[l] / num[l]; }
};

// I_x(a, b) for a, b > 1 and lambda = a - (a + b) x >= 0 by the continued fraction above, given
// power = x^a y^b / B(a, b).
HBAYES_HD inline double beta_continued_fraction(double a, double b, double x, double y,
                                                double lambda, double power) {
  if (power == 0.0) return 0.0;
  BetaFractionLanes<1> fraction;
  fraction.start(0, a, b, x, y, lambda);
  for (int step = 2; step < kMaxTerms && !fraction.converged[0]; step += 2) fraction.advance(0);
  return power * fraction.value(0);
}

// w + I_x(a, b) for a >= 15 and b <= 1 (DiDonato & Morris' BGRAT, after Temme). With
// nu = a + (b - 1)/2 and z = -nu log x, Beta(b, a) is close to Gamma(b) / nu, so
// I_x(a, b) = 1 - I_y(b, a) = Gamma(a + b) / (Gamma(a) nu^b) sum_n d_n J_n, where J_0 = Q(b, z) /
// (z^b e^-z / Gamma(b)), the J_n are the next incomplete-gamma integrals in powers of
// (log x / 2)^2 / nu^2, and d_n are the Taylor coefficients of (sinh(s) / s)^(b - 1) in s^2.
// w is the part of the sum already known (from beta_shift_sum); it only sets the stopping point.
HBAYES_HD_OUTLINE inline double beta_large_a_expansion(double a, double b, double x, double y,
                                                       double w) {
  const double nu = a + 0.5 * (b - 1.0);
  const double log_x = log_of_complementary(x, y);
  const double z = -nu * log_x;
  if (b * z == 0.0) return w;
  // r = z^b e^-z / Gamma(b); scale = Gamma(a + b) / (Gamma(a) nu^b) r, where
  // lgamma(a + b) - lgamma(a) - b log nu = remainder + b log((a + b) / nu).
  const GammaRatios gamma = incomplete_gamma(make_gamma_shape(b), z);
  const double r = gamma.prefactor;
  const double scale = r * exp(log_gamma_ratio_remainder(b, a) + b * log1p(0.5 * (b + 1.0) / nu));
  if (scale == 0.0) return w;
  const double known = w / scale;
  const double v = 0.25 / (nu * nu);
  const double quarter_log_x2 = 0.25 * log_x * log_x;
  constexpr int kTerms = 30;
  double c[kTerms + 1];  // c_n = 1 / (2n + 1)!, the Taylor coefficients of sinh(s) / s
  double d[kTerms + 1];  // d_n, those of (sinh(s) / s)^(b - 1), by J. C. P. Miller's recurrence
  c[0] = 1.0;
  d[0] = 1.0;
  double j = gamma.q / r;
  double sum = j;
  double power = 1.0;  // (log x / 2)^(2n - 2)
  for (int n = 1; n <= kTerms; ++n) {
    const double b2n = b + 2 * n - 2;
    j = (b2n * (b2n + 1.0) * j + (z + b2n + 1.0) * power) * v;
    power *= quarter_log_x2;
    c[n] = c[n - 1] / ((2 * n) * (2 * n + 1.0));
    double s = 0.0;
    for (int i = 1; i < n; ++i) s += (i * b - n) * c[i] * d[n - i];
    d[n] = (b - 1.0) * c[n] + s / n;
    const double term = d[n] * j;
    sum += term;
    if (sum <= 0.0) return w;  // the expansion has broken down; only w is known
    if (fabs(term) <= 15.0 * kEpsilon * (sum + known)) break;
  }
  return w + scale * sum;
}

// I_x(a, b) for a, b >= 15 and lambda = a - (a + b) x >= 0 small compared with a and b
// (DiDonato & Morris' BASYM, after Temme): with f = -(a log1pmx(-lambda/a) + b log1pmx(lambda/b)),
// I_x(a, b) = erfc(sqrt(f)) / 2 + e^-f times a series in 1 / sqrt(min(a, b)), whose coefficients
// come from the Taylor expansion of the transformation to the normal variable.
HBAYES_HD_OUTLINE inline double beta_large_ab_expansion(double a, double b, double lambda) {
  const double f = -(a * log1pmx(-lambda / a) + b * log1pmx(lambda / b));
  const double t = exp(-f);
  if (t == 0.0) return 0.0;
  double h, r0, r1, w0;
  if (a >= b) {
    h = b / a;
    r0 = 1.0 / (1.0 + h);
    r1 = (b - a) / a;
    w0 = 1.0 / sqrt(b * (1.0 + h));
  } else {
    h = a / b;
    r0 = 1.0 / (1.0 + h);
    r1 = (b - a) / b;
    w0 = 1.0 / sqrt(a * (1.0 + h));
  }
  constexpr int kOrder = 20;  // even; the series is summed in pairs of terms
  double a0[kOrder + 2];
  double b0[kOrder + 2];
  double c[kOrder + 2];
  double d[kOrder + 2];
  const double z0 = sqrt(f);
  const double z = z0 / kSqrtHalf;  // sqrt(2 f)
  const double z2 = f + f;
  // j0, j1: the scaled repeated erfc integrals of even and odd order, times e^-f so that the
  // leading one is erfc(z0) itself and nothing overflows.
  double j0 = 0.25 * kSqrtPi * erfc(z0);
  double j1 = kSqrtHalf * 0.5 * t;
  a0[1] = (2.0 / 3.0) * r1;
  c[1] = -0.5 * a0[1];
  d[1] = -c[1];
  double sum = j0 + d[1] * w0 * j1;
  double s = 1.0;
  const double h2 = h * h;
  double hn = 1.0;
  double w = w0;
  double znm1 = z * t;
  double zn = z2 * t;
  for (int n = 2; n <= kOrder; n += 2) {
    hn *= h2;
    a0[n] = 2.0 * r0 * (1.0 + h * hn) / (n + 2.0);
    s += hn;
    a0[n + 1] = 2.0 * r1 * s / (n + 3.0);
    for (int i = n; i <= n + 1; ++i) {
      const double r = -0.5 * (i + 1.0);
      b0[1] = r * a0[1];
      for (int m = 2; m <= i; ++m) {
        double bsum = 0.0;
        for (int k = 1; k < m; ++k) bsum += (k * r - (m - k)) * a0[k] * b0[m - k];
        b0[m] = r * a0[m] + bsum / m;
      }
      c[i] = b0[i] / (i + 1.0);
      double dsum = 0.0;
      for (int k = 1; k < i; ++k) dsum += d[i - k] * c[k];
      d[i] = -(dsum + c[i]);
    }
    j0 = kSqrtHalf * 0.5 * znm1 + (n - 1.0) * j0;
    j1 = kSqrtHalf * 0.5 * zn + n * j1;
    znm1 *= z2;
    zn *= z2;
    w *= w0;
    const double t0 = d[n] * w * j0;
    w *= w0;
    const double t1 = d[n + 1] * w * j1;
    sum += t0 + t1;
    if (fabs(t0) + fabs(t1) <= 100.0 * kEpsilon * sum) break;
  }
  return kTwoOverSqrtPi * exp(-beta_stirling_correction(a, b)) * sum;
}

// Both tails I_x(a, b), 1 - I_x(a, b) for a, b > 0, x, y >= 0, x + y = 1, each with relative
// accuracy; the regime choice of DiDonato & Morris' BRATIO. k = beta_power_constant(a, b).
// With want_power, power is also set to x^a y^b / B(a, b) (which the continued fraction and the
// power series form anyway); otherwise it is left at zero.
HBAYES_HD inline BetaTails ibeta_tails(double a, double b, double x, double y, double k,
                                       bool want_power) {
  BetaTails out{0.0, 0.0, 0.0};
  if (x == 0.0 || y == 0.0) {
    out.lower = x == 0.0 ? 0.0 : 1.0;
    out.upper = x == 0.0 ? 1.0 : 0.0;
    return out;
  }
  // Work with (a0, b0, x0, y0) = (a, b, x, y) or the mirrored problem (b, a, y, x), chosen so that
  // the tail that is summed is the one on the near side; the other is one minus it.
  double a0 = a, b0 = b, x0 = x, y0 = y;
  bool mirrored = false;
  const auto mirror = [&]() {
    mirrored = true;
    a0 = b;
    b0 = a;
    x0 = y;
    y0 = x;
  };
  double w = 0.0;        // the summed tail: I_x0(a0, b0), or its complement if flipped
  bool flipped = false;  // whether w is 1 - I_x0(a0, b0) rather than I_x0(a0, b0)
  if (a <= 1.0 || b <= 1.0) {
    if (x > 0.5) mirror();
    if (a0 <= 1.0 && b0 <= 1.0) {
      if (a0 >= 0.2 || a0 >= b0 || pow(x0, a0) <= 0.9) {
        w = beta_power_series(a0, b0, x0, y0, k);
      } else if (x0 >= 0.3) {
        w = beta_power_series(b0, a0, y0, x0, k);
        flipped = true;
      } else {
        // a0 tiny next to b0 <= 1 and x0^a0 near one: the upper tail I_y0(b0, a0) is the small
        // one; lift b0 by 20 so that the large-a expansion applies.
        w = beta_shift_sum(b0, a0, y0, x0, 20, k);
        w = beta_large_a_expansion(b0 + 20.0, a0, y0, x0, w);
        flipped = true;
      }
    } else if (b0 <= 1.0) {
      w = beta_power_series(a0, b0, x0, y0, k);
    } else if (x0 >= 0.3) {
      w = beta_power_series(b0, a0, y0, x0, k);
      flipped = true;
    } else if (x0 < 0.1 && pow(x0 * b0, a0) <= 0.7) {
      w = beta_power_series(a0, b0, x0, y0, k);
    } else {
      // a0 <= 1 < b0 with x0^a0 near one: the upper tail I_y0(b0, a0) is the small one, by the
      // large-a expansion (after lifting b0 past 15 if needed).
      double shifted = b0;
      if (b0 <= 15.0) {
        w = beta_shift_sum(b0, a0, y0, x0, 20, k);
        shifted = b0 + 20.0;
      }
      w = beta_large_a_expansion(shifted, a0, y0, x0, w);
      flipped = true;
    }
  } else {
    // lambda >= 0 puts x0 below the mean of Beta(a0, b0), where the continued fraction converges.
    double lambda = beta_mean_deviation(a, b, x, y);
    if (lambda < 0.0) {
      mirror();
      lambda = -lambda;
    }
    if (b0 < 40.0 && b0 * x0 <= 0.7) {
      w = beta_power_series(a0, b0, x0, y0, k);
    } else if (a0 <= 100.0 || b0 <= 100.0 || lambda > 0.03 * (a0 < b0 ? a0 : b0)) {
      out.power = a0 >= kStirlingShape && b0 >= kStirlingShape
                      ? beta_power_ratio_stirling(a0, b0, x0, y0, lambda, k)
                      : beta_power_ratio(a0, b0, x0, y0, k);
      w = beta_continued_fraction(a0, b0, x0, y0, lambda, out.power);
    } else {
      w = beta_large_ab_expansion(a0, b0, lambda);
    }
  }
  const double w1 = 0.5 + (0.5 - w);
  // Back to the caller's orientation: mirroring and flipping each exchange the two tails.
  const bool swap = flipped != mirrored;
  out.lower = swap ? w1 : w;
  out.upper = swap ? w : w1;
  if (want_power && out.power == 0.0) out.power = beta_power_ratio(a, b, x, y, k);
  return out;
}

}  // namespace detail

// I_x(a, b), the regularized incomplete beta function (the Beta(a, b) CDF at x), for finite
// a, b > 0 and 0 <= x <= 1; NaN otherwise.
HBAYES_HD inline double ibeta(double a, double b, double x) {
  if (!(a > 0.0 && b > 0.0 && isfinite(a) && isfinite(b) && x >= 0.0 && x <= 1.0)) return NAN;
  return detail::ibeta_tails(a, b, x, 1.0 - x, detail::beta_power_constant(a, b), false).lower;
}

// 1 - I_x(a, b), the upper tail of Beta(a, b) at x, computed directly (never as 1 - ibeta), for
// finite a, b > 0 and 0 <= x <= 1; NaN otherwise.
HBAYES_HD inline double ibetac(double a, double b, double x) {
  if (!(a > 0.0 && b > 0.0 && isfinite(a) && isfinite(b) && x >= 0.0 && x <= 1.0)) return NAN;
  return detail::ibeta_tails(a, b, x, 1.0 - x, detail::beta_power_constant(a, b), false).upper;
}

}  // namespace hbayes::special
