// Named tolerances of the empirical Bayes tests, and helpers to compare with published figures.
// Scalars are compared with test::close (|a - b| <= rtol (|a| + |b|) + atol).
#pragma once

#include <cmath>

#include "support/tolerances.hpp"

namespace hbayes::test {

// Sums of log(p + k theta) and their derivatives against long-double term-by-term sums.
constexpr Tolerance kRisingSum{2e-14, 1e-300};
// Catalog log marginal likelihoods against the serial long-double reference.
constexpr Tolerance kMarginalValue{1e-13, 1e-10};
// Gradients and Hessians against finite differences of the reference (5-point stencils).
constexpr Tolerance kGradientFd{1e-9, 1e-9};
constexpr Tolerance kHessianFd{1e-7, 1e-7};
// The same catalog reduced in shards and whole: floating sums in a different order.
constexpr Tolerance kShardSums{1e-13, 1e-12};
// Fitted hyperparameters of the same data by two routes (shards, backends, optimisers).
constexpr Tolerance kSameFit{1e-8, 1e-12};
// CPU and CUDA reductions of the same catalog (different summation order).
constexpr Tolerance kBackendSums{1e-12, 1e-9};

// True when value, rounded to `decimals` places, is the published figure (within half a unit
// in the last published place).
inline bool matches_published(double value, double published, int decimals) {
  return std::fabs(value - published) <= 0.5 * std::pow(10.0, -decimals) * (1.0 + 1e-9);
}

}  // namespace hbayes::test
