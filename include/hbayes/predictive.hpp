// Posterior predictive checks of a sampled hierarchical model (`hbayes sample --ppc`).
//
// For every kept draw, each group's observation is replicated from that draw's theta_j:
// Normal(theta_j, std_error_j^2), Binomial(trials_j, logistic(theta_j)) or
// Poisson(exposure_j * exp(theta_j)). A p-value is the mid-p tail probability over the draws,
//   Pr(T(y_rep) > T(y)) + Pr(T(y_rep) = T(y)) / 2,
// so that a discrete statistic that fits is centred on 1/2; values near 0 or 1 flag misfit.
#pragma once

#include <cstdint>
#include <vector>

#include "hbayes/sample.hpp"

namespace hbayes {

struct PredictiveCheck {
  // J entries; T is the group's own observation (estimate, successes or count).
  std::vector<double> group_p_value;
  // T is the sample variance (divisor J - 1) across groups of the observed rates on the data
  // scale: estimate_j, successes_j / trials_j or count_j / exposure_j. Groups with no trials
  // have no rate and are left out; with fewer than two rates both values below are NaN.
  double variance_p_value;
  double observed_variance;  // T(y), in the rates' units squared
};

// The checks for `result`, the draws of sample(spec, data, ...). Replicates come from Philox keyed
// by (seed, chain, kept draw, group), so the answer depends only on the arguments, never on the
// thread count. Throws InputError when the data break the family's rules or the draws' theta
// columns do not match the data's groups.
PredictiveCheck posterior_predictive_check(const HierModelSpec& spec, const HierDataset& data,
                                           const SampleResult& result, std::uint64_t seed);

}  // namespace hbayes
