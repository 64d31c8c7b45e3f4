// Named tolerances for every compared quantity, and the one closeness rule the tests use.
//
// A scalar passes when |a - b| <= rtol * (|a| + |b|) + atol (Thrust's unittest rule), so a
// tolerance is always a pair. Integer and discrete outputs are compared exactly instead.
#pragma once

#include <cmath>

namespace hbayes::test {

struct Tolerance {
  double rtol;
  double atol;
};

// Quantiles of Beta and Gamma distributions against the oracle (issue 2: <= 1e-12 relative).
constexpr Tolerance kQuantile{1e-12, 0.0};
// Regularised incomplete beta/gamma values and digamma/trigamma against the oracle.
constexpr Tolerance kSpecialValue{1e-13, 0.0};
// Kernel output versus the serial CPU reference: means, sds, weights, posterior parameters.
constexpr Tolerance kMoment{1e-13, 1e-300};
// Kernel credible-interval ends versus the reference (both sides solve to ~1e-15).
constexpr Tolerance kInterval{1e-12, 1e-300};

// ---- empirical Bayes (tests/fit) ----

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
// Method-of-moments sums expanded from the joint (trials, successes) table (a few hundred
// thousand cells, each a multiple of one rate) against long-double sums over the stores.
constexpr Tolerance kTableMoments{1e-12, 0.0};
// Plain double sums over millions of stores against long-double ones: rounding grows with length.
constexpr Tolerance kLongSums{1e-10, 0.0};
// A fit's estimates against a peer's (metafor, VGAM, MASS): the 1e-6 relative (the
// closeness rule scales rtol by |a| + |b|, hence half); the peers ran to far tighter tolerances,
// and the CLI writes numbers that read back exactly.
constexpr Tolerance kPeerEstimate{5e-7, 1e-12};
// The same regression optimum reached in two parameterisations (logit mean against mean ...).
constexpr Tolerance kSameOptimum{1e-9, 1e-12};
// Standard errors of the same optimum by the delta method from two information matrices.
constexpr Tolerance kSameStandardError{1e-6, 0.0};
// A posterior parameter or mean computed by hand from a fit's coefficients against the scored
// file (both sides a few roundings from the same doubles).
constexpr Tolerance kByHand{1e-12, 1e-300};

// True when value, rounded to `decimals` places, is the published figure (within half a unit
// in the last published place).
inline bool matches_published(double value, double published, int decimals) {
  return std::fabs(value - published) <= 0.5 * std::pow(10.0, -decimals) * (1.0 + 1e-9);
}

// ---- MCMC diagnostics (tests/diagnostics) ----

// R's posterior package against ours: the issue asks for 1e-6 relative; the closeness rule scales
// rtol by |a| + |b|, hence half.
constexpr Tolerance kPosteriorMeasure{5e-7, 0.0};

// ---- full-posterior sampling (tests/sample) ----

// Differences of the hierarchical log density between two points, kernels against the
// long-double reference (the constants the kernels drop cancel in a difference).
constexpr Tolerance kLogDensityDifference{1e-12, 1e-12};
// The kernels' gradient of that log density against Richardson central differences of the
// reference.
constexpr Tolerance kLogDensityGradientFd{1e-9, 1e-9};
// The long-double reference's normalised log density against Boost.Math's pdfs.
constexpr Tolerance kReferenceLogDensity{1e-15, 0.0};

// Warmup's ChEES gradient on the backend against the host reference: the same sums, except that
// per-chain sums over more than 1,024 coordinates are added in slices.
constexpr Tolerance kCheesGradient{1e-12, 0.0};
// Welford's running moments against the two-pass mean and variance of the same draws.
constexpr Tolerance kPooledMoment{1e-12, 1e-300};
// What the streaming summary computes exactly (mean, sd, classic split R-hat, E-BFMI) against
// the kept draws' oracle, summed in another order.
constexpr Tolerance kStreamedExact{1e-10, 0.0};

// A posterior mean or sd from hbayes sample agrees with a long reference run when it lies
// within this many combined Monte Carlo standard errors (the "within 4 MCSE").
constexpr double kMcseBand = 4.0;

inline bool close(double a, double b, Tolerance t) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;  // also covers equal infinities
  return std::fabs(a - b) <= t.rtol * (std::fabs(a) + std::fabs(b)) + t.atol;
}

}  // namespace hbayes::test
