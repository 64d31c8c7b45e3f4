// Normal-normal store posterior with known sampling error:
// theta ~ N(mu, tau^2), estimate ~ N(theta, se^2).
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "families/store_posterior.hpp"
#include "special/tail_probability.hpp"

namespace hbayes::kernels {

// Scores one store; tau is the between-group SD, se the estimate's standard error; tail.t =
// (1-level)/2. There are no extra posterior parameters and no predictive columns (left NaN).
HBAYES_HD inline StorePosterior normal_normal_posterior(double estimate, double se, double mu,
                                                        double tau,
                                                        const special::TailProbability& tail) {
  StorePosterior out;
  const double tau2 = tau * tau;
  const double se2 = se * se;
  // kappa = tau^2 / (tau^2 + se^2): precision-weighted pull towards the store's own estimate.
  const double kappa = tau2 / (tau2 + se2);
  out.raw = estimate;
  out.post_mean = mu + kappa * (estimate - mu);
  // Posterior variance 1 / (1/tau^2 + 1/se^2) = tau^2 se^2 / (tau^2 + se^2).
  out.post_sd = tau * se / hypot(tau, se);
  const double z = tail.normal;  // negative for tail.t < 1/2
  out.lower = out.post_mean + z * out.post_sd;
  out.upper = out.post_mean - z * out.post_sd;
  out.data_weight = kappa;
  out.post_param1 = out.post_param2 = NAN;
  out.pred_mean = out.pred_lower = out.pred_upper = NAN;
  return out;
}

}  // namespace hbayes::kernels
