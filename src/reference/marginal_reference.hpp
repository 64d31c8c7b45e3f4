// Serial reference log marginal likelihoods of whole catalogs, the test oracle of the empirical
// Bayes reductions and fits.
//
// Written independently of kernels/ and src/fit/: the textbook per-store formulas (lgamma
// differences, the normal density) in long double with Boost.Math, summed store by store. Never
// optimised; tests difference them numerically for gradients and Hessians.
#pragma once

#include <cstdint>
#include <vector>

namespace hbayes::reference {

// sum_j log BetaBinomial(y_j | n_j, alpha, beta) with alpha = mu / theta, beta = (1 - mu) / theta;
// theta = 0 is the binomial with rate mu.
long double beta_binomial_log_marginal(const std::vector<std::int64_t>& successes,
                                       const std::vector<std::int64_t>& trials, long double mu,
                                       long double theta);

// sum_j log NegBinomial(y_j; shape 1/phi, mean e_j m); phi = 0 is the Poisson with mean e_j m.
long double negative_binomial_log_marginal(const std::vector<std::int64_t>& counts,
                                           const std::vector<double>& exposures, long double m,
                                           long double phi);

// sum_j log N(y_j | mu, tau2 + se_j^2).
long double normal_log_marginal(const std::vector<double>& estimates,
                                const std::vector<double>& std_errors, long double mu,
                                long double tau2);

// The REML log-likelihood of the random-effects model with intercept only, with metafor's
// constants: -1/2 [(k - 1) log 2 pi - log k + sum log v_j + log sum w_j + sum w_j (y_j - mu_w)^2],
// v_j = tau2 + se_j^2, w_j = 1 / v_j, mu_w the w-weighted mean.
long double normal_restricted_log_marginal(const std::vector<double>& estimates,
                                           const std::vector<double>& std_errors, long double tau2);

}  // namespace hbayes::reference
