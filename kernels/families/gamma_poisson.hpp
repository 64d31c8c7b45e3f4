// Gamma-Poisson store posterior: lambda ~ Gamma(shape, rate), y ~ Poisson(exposure * lambda).
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "families/discrete_quantiles.hpp"
#include "families/store_posterior.hpp"
#include "special/incomplete_beta.hpp"
#include "special/incomplete_gamma_inverse.hpp"

namespace hbayes::kernels {

// Scores one store. y events over exposure e > 0; tail.t = (1-level)/2; predict_exposure = 0
// skips the predictive columns (left NaN).
HBAYES_HD inline StorePosterior gamma_poisson_posterior(double y, double e, double shape,
                                                        double rate,
                                                        const special::TailProbability& tail,
                                                        double predict_exposure) {
  StorePosterior out;
  const double a = shape + y;
  const double b = rate + e;
  out.raw = y / e;
  out.post_mean = a / b;
  out.post_sd = sqrt(a) / b;
  // Quantiles of Gamma(a, rate b) are those of Gamma(a, 1) divided by b.
  const special::GammaInverse quantiles(a);
  out.lower = quantiles.p_inv(tail) / b;
  out.upper = quantiles.q_inv(tail) / b;
  out.data_weight = e / b;
  out.post_param1 = a;
  out.post_param2 = b;
  out.pred_mean = out.pred_lower = out.pred_upper = NAN;
  if (predict_exposure > 0.0) {
    // Future count Y over exposure f: negative binomial with size a and success probability
    // p = b / (b + f), whose CDF is P(Y <= k) = I_p(a, k + 1) and survival I_{1-p}(k + 1, a).
    const double f = predict_exposure;
    const double p = b / (b + f);
    const double q = f / (b + f);
    out.pred_mean = a * (f / b);
    const double t = tail.t;
    const auto cdf_reaches = [a, p, t](double k) { return special::ibeta(a, k + 1.0, p) >= t; };
    const auto survival_within = [a, q, t](double k) { return special::ibeta(k + 1.0, a, q) <= t; };
    // Start from the continuous (Gamma-mixture) approximation of each quantile.
    out.pred_lower = first_integer_where(cdf_reaches, out.lower * f);
    out.pred_upper = first_integer_where(survival_within, out.upper * f);
  }
  return out;
}

}  // namespace hbayes::kernels
