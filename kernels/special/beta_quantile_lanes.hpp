// Credible intervals of many Beta distributions at once: the common path of beta_quantile_solve
// (incomplete_beta_inverse.hpp) as straight-line arithmetic per lane, which a CPU compiler
// vectorizes across lanes.
//
// For posterior shapes above one the solver takes nearly the same path for most quantiles:
// Temme's estimate with at most one Halley step, one evaluation of the tail, and one fifth-order
// inverse-series step that its own error estimate accepts. The lanes take that path with the
// continued fraction for every tail (the solver sums some by the power series or the normal
// expansion instead; the fraction converges there too, only in more steps) and with one start the
// solver does not use (1 - m where temme_point turns to its far start).
// BetaIntervalLanes runs that path for the lower and upper quantile of L distributions as 2L
// lanes, stage by stage, each stage a loop over the lanes with selects instead of branches and
// the branch-free log and exp: on the CPU one vector instruction then serves 8 (AVX-512) or 4
// (AVX2) quantiles. The continued fractions run in lockstep until every lane has converged; a
// converged lane is frozen, so that no lane's result depends on its neighbours (or on L). A lane
// whose quantile leaves the path (a shape of one or less, a start that would need a second
// Halley step, a step whose error estimate does not accept it, as for small shapes Temme's start
// is often too rough, ...) is marked, and beta_intervals then takes its quantile from
// BetaQuantiles. A lane's result is accepted by the solver's own test at the point it reached, so
// both give the quantile to full double precision: they agree within ~2e-15 relative (the logs
// and exps differ; an independent review found no larger difference in 16 million comparisons).
// On a GPU a thread runs one store (L = 1).
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/eta_map.hpp"
#include "special/exp_branch_free.hpp"
#include "special/incomplete_beta.hpp"
#include "special/incomplete_beta_inverse.hpp"
#include "special/log_beta.hpp"
#include "special/log_branch_free.hpp"
#include "special/stirling.hpp"
#include "special/tail_probability.hpp"

namespace hbayes::special {
namespace detail {

// Bound on the continued fraction's double steps in lockstep: it needs about sqrt(min(a, b)) / 2
// at two standard deviations, so lanes beyond this (shapes in the millions) go to the solver.
constexpr int kMaxLaneFractionSteps = 400;

// The 2L quantiles of L Beta distributions: lane q < L is the lower quantile of distribution q,
// lane L + q its upper quantile. Each quantile is solved in the frame (s, l, v) in which it is a
// lower tail below the mean: I_v(s, l) = t with (s, l, v) = (a, b, x) for a lower quantile and
// (b, a, 1 - x) for an upper one.
template <int L>
class BetaIntervalLanes {
 public:
  static constexpr int kLanes = 2 * L;

  // The lanes' quantiles at tail.t (0 < t < 1/2) for the distributions Beta(a[i], b[i]),
  // i < L: quantile(q) and handled(q) below. Lanes whose shapes are outside the path (one or
  // less, infinite, NaN) are simply not handled.
  HBAYES_CPU_CLONES HBAYES_HD void run(const double* a, const double* b,
                                       const TailProbability& tail) {
    // beta_power_constant calls lgamma: its own loop, which stays scalar.
    for (int i = 0; i < L; ++i) {
      const bool above_one = a[i] > 1.0 && b[i] > 1.0 && isfinite(a[i]) && isfinite(b[i]);
      power_constant_[i] = above_one ? beta_power_constant(a[i], b[i]) : 0.0;
      power_constant_[L + i] = power_constant_[i];  // symmetric in the shapes
    }
    for (int i = 0; i < L; ++i) start(i, a[i], b[i], false, tail);
    for (int i = 0; i < L; ++i) start(L + i, a[i], b[i], true, tail);
    for (int q = 0; q < kLanes; ++q) {
      fraction_.start(q, s_[q], l_[q], v_[q], vc_[q], lambda_[q]);
      // A lane already off the path does not hold up the others.
      fraction_.converged[q] = ok_[q] == 0;
    }
    for (int steps = 0; steps < kMaxLaneFractionSteps; ++steps) {
      LaneFlag all_converged = 1;
      for (int q = 0; q < kLanes; ++q) {
        fraction_.advance(q);
        all_converged &= fraction_.converged[q];
      }
      if (all_converged) break;
    }
    for (int q = 0; q < kLanes; ++q) finish(q, tail);
  }

  // Lane q's quantile, valid where handled(q).
  HBAYES_HD double quantile(int q) const { return x_[q]; }

  // Whether lane q's quantile came out of the path at full precision.
  HBAYES_HD bool handled(int q) const { return (ok_[q] & fraction_.converged[q]) != 0; }

 private:
  // Temme's estimate (temme_point, where the Halley polish may take one step), the frame's
  // variables and the prefactor v^s vc^l / B(s, l).
  HBAYES_HD void start(int q, double a, double b, bool upper, const TailProbability& tail) {
    const double s = select_bits(upper, b, a);
    const double l = select_bits(upper, a, b);
    const double c = a + b;
    const double v0 = s / c;  // the frame's mean
    const double w0 = l / c;
    const double small = select_bits(s < l, s, l);
    bool ok = small > 1.0;  // the continued fraction needs both shapes above one
    // eta0 < 0 in the frame: the quantile lies below the frame's mean.
    const double eta0 = tail.normal / sqrt(c);
    ok &= eta0 * eta0 >= 1e-6 * select_bits(v0 < w0, v0, w0);  // else temme_point's near-mean case
    const double h = 0.5 * eta0 * eta0;
    // The Gamma-case start in the variable with the smaller mean m0 (see temme_point).
    const bool v_small = v0 <= w0;
    const double m0 = select_bits(v_small, v0, w0);
    const double half_g2 = h / m0;
    ok &= half_g2 < 1.5;  // lambda_from_eta_estimate's series range
    const double g = sqrt(2.0 * half_g2);
    const double eta_g = select_bits(v_small, -g, g);
    const GammaCaseStart start = gamma_case_start(m0, lambda_from_eta_estimate_series(eta_g));
    const double m = start.m;
    const double start_error = start.error;
    // temme_point turns to its far start once w = m passes 1/2; at two standard deviations or so
    // (nearly equal shapes are where w passes 1/2) 1 - m is still within one Halley step.
    ok &= v_small | ((m > w0) & (m < 1.0));
    double v = select_bits(v_small, m, 1.0 - m);
    // At most one Halley step on F(v) = v0 log(v / v0) + w0 log(w / w0) = -h (temme_point's
    // polish; the rounding of w = 1 - v is far below what an estimate needs).
    const bool polish = !(start_error * sqrt(small) < 1e-4) | !((v > 0.0) & (v < v0));
    double w = 1.0 - v;
    double f1 = (v0 - v) / (v * w);
    double f2 = -v0 / (v * v) - w0 / (w * w);
    const double f = v0 * log_branch_free(v / v0) + w0 * log_branch_free(w / w0) + h;
    const double step = f / f1 / (1.0 - 0.5 * f * f2 / (f1 * f1));
    const double polished = v - step;
    ok &= (!polish) | ((polished > 0.0) & (polished < v0) & (fabs(step) < 3e-3 * polished));
    v = select_bits(polish, polished, v);
    w = 1.0 - v;
    f1 = (v0 - v) / (v * w);
    f2 = -v0 / (v * v) - w0 / (w * w);
    // Temme's first correction, eta0 + eps1 / c, by Taylor's formula along the map.
    const double eps1 = log_branch_free(fabs(eta0) * sqrt(v0 * w0) / (v0 - v)) / eta0;
    const double d = eps1 / c;
    const double v1 = fabs(eta0) / f1;
    const double v2 = -(1.0 + f2 * v1 * v1) / f1;
    v += d * (v1 + 0.5 * d * v2);
    ok &= (v > 0.0) & (v < 1.0);
    // The refinement variable z = min(v, 1 - v) carries full relative precision.
    const bool z_is_v = v <= 0.5;
    const double z = select_bits(z_is_v, v, 1.0 - v);
    const double zc = 1.0 - z;
    const double v_frame = select_bits(z_is_v, z, zc);
    const double vc_frame = select_bits(z_is_v, zc, z);
    const double lambda = beta_mean_deviation(s, l, v_frame, vc_frame);
    ok &= lambda >= 0.0;  // below the frame's mean, where the continued fraction converges
    // The prefactor v^s vc^l / B(s, l) as beta_power_ratio forms it for shapes above one, every
    // regime's logs taken branch-free and the regime chosen afterwards. k is
    // beta_power_constant(a, b), computed by run for each distribution.
    const double k = power_constant_[q];
    // Both shapes >= 8: Stirling's form (beta_power_ratio_stirling, shape_log1pmx).
    const double e1 = -lambda / s;
    const double cv = c * v_frame;
    const double term1 =
        select_bits(e1 >= -0.5, s * log1pmx_small(e1), s * (log_branch_free(cv / s) - e1));
    const double e2 = lambda / l;
    const double term2 =
        select_bits(e2 <= 0.5, l * log1pmx_small(e2), l * (log_branch_free(1.0 + e2) - e2));
    const double stirling_exponent = term1 + term2 + k;  // times sqrt(s l / (2 pi c))
    // The logs of v and vc, each to full relative precision: of z itself, and of 1 - z as
    // log1p(-z) (log_of_complementary).
    const double log_z = log_branch_free(z);
    const double log_zc = log1p_unit(-z);
    const double log_v = select_bits(z_is_v, log_z, log_zc);
    const double log_vc = select_bits(z_is_v, log_zc, log_z);
    // One shape below 8 and one not: exp(small log(c v_small) + large log(v_large) + k).
    const bool s_small = s <= l;
    const double large = select_bits(s_small, l, s);
    const double cv_small = c * select_bits(s_small, v_frame, vc_frame);
    const double log_v_large = select_bits(s_small, log_vc, log_v);
    const double mixed_exponent = small * log_branch_free(cv_small) + large * log_v_large + k;
    // Both below 8: exp(s log v + l log vc + k).
    const double small_exponent = s * log_v + l * log_vc + k;
    const bool use_stirling = small >= kStirlingShape;
    const bool use_mixed = !use_stirling & (large >= kStirlingShape);
    // (beta_power_ratio turns to other logs where c v underflows to a subnormal.)
    ok &= !use_stirling | (e1 >= -0.5) | (cv >= 0x1p-1022);
    ok &= !use_mixed | (cv_small >= 0x1p-1022);
    const double exponent = select_bits(use_stirling, stirling_exponent,
                                        select_bits(use_mixed, mixed_exponent, small_exponent));
    const double factor = select_bits(use_stirling, sqrt(s * (l / c)) * kInvSqrtTwoPi, 1.0);
    power_[q] = factor * exp_branch_free(exponent);
    s_[q] = s;
    l_[q] = l;
    v_[q] = v_frame;
    vc_[q] = vc_frame;
    lambda_[q] = lambda;
    z_[q] = z;
    z_is_v_[q] = z_is_v;
    upper_[q] = upper;
    ok_[q] = ok;
  }

  // The inverse-series step from the converged fraction, accepted by beta_quantile_solve's test.
  HBAYES_HD void finish(int q, const TailProbability& tail) {
    const double t = tail.t;
    const double z = z_[q];
    const double w = 1.0 - z;
    const bool z_is_v = z_is_v_[q] != 0;
    // The tail I_v(s, l), seen from z: the lower tail of Beta(s, l) at z, or the upper tail of
    // Beta(l, s) at z = 1 - v.
    const double power = power_[q];
    const double tail_value = power * fraction_.value(q);
    const double alpha = select_bits(z_is_v, s_[q], l_[q]);
    const double beta = select_bits(z_is_v, l_[q], s_[q]);
    const double kk = select_bits(z_is_v, 1.0, -1.0) * power / (w * tail_value);
    const double d = (tail_value - t) / t;
    const double log_gap =
        select_bits(fabs(d) < 1e-3, minus_log1p_short(d), tail.log_t - log_branch_free(tail_value));
    const InverseSeriesStep series = inverse_series_step(alpha, beta, z, w, kk, log_gap);
    const double growth =
        select_bits(fabs(series.step) < 1e-3, exp_short(series.step), exp_branch_free(series.step));
    const double next = select_bits(tail_value == t, z, z * growth);
    ok_[q] = (ok_[q] != 0) & (power > 0.0) & (tail_value > 0.0) &
             ((series.done != 0) | (fabs(series.step) < 4e-16) | (tail_value == t)) & (next > 0.0) &
             (next < 1.0);
    // next is v (z_is_v) or 1 - v, and the quantile x is v (lower) or 1 - v (upper).
    x_[q] = select_bits(z_is_v != (upper_[q] != 0), next, 1.0 - next);
  }

  double power_constant_[kLanes];
  double s_[kLanes], l_[kLanes], v_[kLanes], vc_[kLanes], lambda_[kLanes], power_[kLanes];
  double z_[kLanes], x_[kLanes];
  LaneFlag z_is_v_[kLanes], upper_[kLanes], ok_[kLanes];
  BetaFractionLanes<kLanes> fraction_;
};

}  // namespace detail

// The lower and upper tail quantiles at tail.t of Beta(a[i], b[i]) for i < count <= L (lower[i]
// is the x with I_x = t, upper[i] the x with 1 - I_x = t), to BetaQuantiles' accuracy: the common
// case in lanes (above), every other quantile by BetaQuantiles itself.
template <int L>
HBAYES_HD void beta_intervals(const double* a, const double* b, int count,
                              const TailProbability& tail, double* lower, double* upper) {
  if (count <= 0) return;
  // Unused lanes repeat the first distribution; their results are dropped.
  double lane_a[L];
  double lane_b[L];
  for (int i = 0; i < L; ++i) {
    const int from = i < count ? i : 0;
    lane_a[i] = a[from];
    lane_b[i] = b[from];
  }
  detail::BetaIntervalLanes<L> lanes;
  lanes.run(lane_a, lane_b, tail);
  for (int i = 0; i < count; ++i) {
    if (lanes.handled(i) && lanes.handled(L + i)) {
      lower[i] = lanes.quantile(i);
      upper[i] = lanes.quantile(L + i);
      continue;
    }
    const BetaQuantiles solver(a[i], b[i]);
    lower[i] = lanes.handled(i) ? lanes.quantile(i) : solver.lower(tail);
    upper[i] = lanes.handled(L + i) ? lanes.quantile(L + i) : solver.upper(tail);
  }
}

}  // namespace hbayes::special
