// Serial reference log marginal likelihoods of catalogs whose prior mean depends on covariates:
// the oracle of the regression reductions and fits.
//
// Written independently of kernels/ and src/fit/: per store, the linear predictor
// eta_j = b_0 + sum_k b_k x_jk and the textbook log marginal (lgamma differences, the normal
// density) in long double with Boost.Math; the REML criterion from normal equations solved by
// Gaussian elimination. Never optimised; tests difference them numerically.
#pragma once

#include <cstdint>
#include <vector>

namespace hbayes::reference {

// covariates[k][j]: covariate k of store j (no intercept column); b: intercept first.
using Covariates = std::vector<std::vector<double>>;

// sum_j log BetaBinomial(y_j | n_j, mu_j / theta, (1 - mu_j) / theta), mu_j = logistic(eta_j);
// theta = 0 is the binomial.
long double beta_binomial_regression_log_marginal(const std::vector<std::int64_t>& successes,
                                                  const std::vector<std::int64_t>& trials,
                                                  const Covariates& covariates,
                                                  const std::vector<long double>& b,
                                                  long double theta);

// sum_j log NegBinomial(y_j; shape 1/phi, mean e_j exp(eta_j)); phi = 0 is the Poisson.
long double negative_binomial_regression_log_marginal(const std::vector<std::int64_t>& counts,
                                                      const std::vector<double>& exposures,
                                                      const Covariates& covariates,
                                                      const std::vector<long double>& b,
                                                      long double phi);

// sum_j log N(y_j | eta_j, tau2 + se_j^2).
long double normal_regression_log_marginal(const std::vector<double>& estimates,
                                           const std::vector<double>& std_errors,
                                           const Covariates& covariates,
                                           const std::vector<long double>& b, long double tau2);

// metafor's REML criterion of meta-regression: -1/2 [(k - p) log 2 pi - log det X'X
// + sum log v_j + log det X'WX + sum w_j (y_j - x_j' b_GLS)^2], v_j = tau2 + se_j^2, w_j = 1/v_j.
long double normal_regression_restricted_log_marginal(const std::vector<double>& estimates,
                                                      const std::vector<double>& std_errors,
                                                      const Covariates& covariates,
                                                      long double tau2);

}  // namespace hbayes::reference
