// Beta-binomial store posterior: theta ~ Beta(alpha, beta), y ~ Binomial(n, theta).
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "families/discrete_quantiles.hpp"
#include "families/store_posterior.hpp"
#include "special/beta_quantile_lanes.hpp"

namespace hbayes::kernels {

// One store's posterior without its credible interval (lower and upper are left NaN): y
// successes of n trials (as doubles, exact below 2^53); tail.t = (1-level)/2; predict_trials = 0
// skips the predictive columns (left NaN).
HBAYES_HD inline StorePosterior beta_binomial_posterior_without_interval(
    double y, double n, double alpha, double beta, const special::TailProbability& tail,
    double predict_trials) {
  StorePosterior out;
  const double a = alpha + y;
  const double b = beta + (n - y);
  const double s = a + b;
  out.raw = n > 0.0 ? y / n : NAN;
  out.post_mean = a / s;
  // Var = ab / (s^2 (s + 1)), written as a product of ratios so that huge counts cannot overflow.
  out.post_sd = sqrt((a / s) * (b / s) / (s + 1.0));
  out.lower = out.upper = NAN;
  out.data_weight = n / (alpha + beta + n);
  out.post_param1 = a;
  out.post_param2 = b;
  out.pred_mean = out.pred_lower = out.pred_upper = NAN;
  if (predict_trials > 0.0) {
    // Future successes Y of m trials: Beta-binomial(m, a, b), mean m a / (a + b). Its pmf ratio
    // p(k+1)/p(k) = (m - k)(k + a) / ((k + 1)(m - k - 1 + b)); log-concave when a, b >= 1.
    const double m = predict_trials;
    const auto ratio = [m, a, b](double k) {
      return (m - k) * (k + a) / ((k + 1.0) * (m - k - 1.0 + b));
    };
    out.pred_mean = m * (a / s);
    const double mode_guess = (a + b > 2.0) ? (m + 1.0) * (a - 1.0) / (a + b - 2.0) : m / 2.0;
    discrete_interval_from_ratios(ratio, m, a >= 1.0 && b >= 1.0, mode_guess, tail.t,
                                  &out.pred_lower, &out.pred_upper);
  }
  return out;
}

// Scores count <= L stores at once: out[i] from y[i] successes of n[i] trials under the prior
// Beta(alpha[i], beta[i]). The credible intervals of the block are solved together
// (special::beta_intervals); a store's result does not depend on the block it is scored in.
template <int L>
HBAYES_HD void beta_binomial_posteriors(const double* y, const double* n, const double* alpha,
                                        const double* beta, int count,
                                        const special::TailProbability& tail, double predict_trials,
                                        StorePosterior* out) {
  double a[L] = {};
  double b[L] = {};
  double lower[L];
  double upper[L];
  for (int i = 0; i < count; ++i) {
    out[i] = beta_binomial_posterior_without_interval(y[i], n[i], alpha[i], beta[i], tail,
                                                      predict_trials);
    a[i] = out[i].post_param1;
    b[i] = out[i].post_param2;
  }
  special::beta_intervals<L>(a, b, count, tail, lower, upper);
  for (int i = 0; i < count; ++i) {
    out[i].lower = lower[i];
    out[i].upper = upper[i];
  }
}

// Scores one store (see beta_binomial_posterior_without_interval for the arguments).
HBAYES_HD inline StorePosterior beta_binomial_posterior(double y, double n, double alpha,
                                                        double beta,
                                                        const special::TailProbability& tail,
                                                        double predict_trials) {
  StorePosterior out;
  beta_binomial_posteriors<1>(&y, &n, &alpha, &beta, 1, tail, predict_trials, &out);
  return out;
}

}  // namespace hbayes::kernels
