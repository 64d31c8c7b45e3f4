// Serial reference scoring of one store, the test oracle of the scoring kernels.
//
// Written independently of kernels/: Boost.Math distributions (default policy, which promotes
// double to long double internally) and plain summation of predictive pmfs. Never optimised.
#pragma once

#include <cstdint>

namespace hbayes::reference {

// Same meaning as hbayes::PosteriorColumns' fields; NaN where a field does not apply.
struct Posterior {
  double raw, post_mean, post_sd, lower, upper, data_weight;
  double post_param1, post_param2;
  double pred_mean, pred_lower, pred_upper;
};

// predict_trials = 0: no predictive.
Posterior beta_binomial(std::int64_t successes, std::int64_t trials, double alpha, double beta,
                        double level, std::int64_t predict_trials);
// predict_exposure = 0: no predictive.
Posterior gamma_poisson(std::int64_t count, double exposure, double shape, double rate,
                        double level, double predict_exposure);
Posterior normal_normal(double estimate, double std_error, double mu, double tau, double level);

}  // namespace hbayes::reference
