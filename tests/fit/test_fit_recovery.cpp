// Recovery of known hyperparameters from simulated catalogs of 1e5 stores: every ML/REML estimate
// within 4 of its own standard errors of the truth (seeds fixed and printed), converged to the
// 1e-10 relative gradient, and its standard error of the size the information predicts.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "fit/fit_catalogs.hpp"
#include "hbayes/fit.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

constexpr std::size_t kStores = 100000;
constexpr double kSigmas = 4.0;

FitOptions with(FitMethod method = FitMethod::MaximumLikelihood) {
  FitOptions o;
  o.method = method;
  o.backend = Backend::Cpu;
  return o;
}

void expect_recovers(const Estimate& e, double truth, const std::string& what) {
  ASSERT_TRUE(e.std_error.has_value()) << what;
  EXPECT_GT(*e.std_error, 0.0) << what;
  EXPECT_LT(std::fabs(e.value - truth), kSigmas * *e.std_error)
      << what << ": estimate " << e.value << ", truth " << truth << ", SE " << *e.std_error;
}

void expect_converged(const FitReport& r, const std::string& what) {
  EXPECT_TRUE(r.converged) << what << ": " << r.note;
  EXPECT_LT(r.relative_gradient, 1e-10) << what;
  EXPECT_FALSE(r.boundary) << what;
  EXPECT_EQ(r.groups, kStores) << what;
}

TEST(FitRecovery, BetaBinomial) {
  // Beta(5, 95) conversion rates, visits log-uniform in 1..5000 (examples/stores.csv's design).
  const std::uint64_t seed = 31;
  const test::BinomialCatalog c = test::simulate_binomial(kStores, 5.0, 95.0, seed);
  const BetaBinomialFit f = fit(c.columns(), with());
  const std::string what = "beta-binomial seed " + std::to_string(seed);
  expect_converged(f.report, what);
  expect_recovers(f.alpha, 5.0, what + " alpha");
  expect_recovers(f.beta, 95.0, what + " beta");
  expect_recovers(f.mean, 0.05, what + " mean");
  expect_recovers(f.dispersion, 0.01, what + " dispersion");
  // The dispersion's SE from 1e5 stores is a few percent of it, not more.
  EXPECT_LT(*f.dispersion.std_error, 0.05 * f.dispersion.value) << what;
  // The ML-II estimate beats the moments' starting point in likelihood.
  const BetaBinomialFit mom = fit(c.columns(), with(FitMethod::Moments));
  EXPECT_GE(f.report.log_marginal_likelihood, mom.report.log_marginal_likelihood);
  EXPECT_GT(f.report.iterations, 0);
}

TEST(FitRecovery, GammaPoisson) {
  // Rates from Gamma(shape 3, rate 1.5) (mean 2 per unit exposure), exposures log-uniform.
  const std::uint64_t seed = 32;
  const test::PoissonCatalogData c = test::simulate_poisson(kStores, 3.0, 1.5, seed);
  const GammaPoissonFit f = fit(c.columns(), with());
  const std::string what = "gamma-poisson seed " + std::to_string(seed);
  expect_converged(f.report, what);
  expect_recovers(f.shape, 3.0, what + " shape");
  expect_recovers(f.rate, 1.5, what + " rate");
  expect_recovers(f.mean, 2.0, what + " mean");
  expect_recovers(f.dispersion, 1.0 / 3.0, what + " dispersion");
}

TEST(FitRecovery, NormalNormalMlAndReml) {
  const std::uint64_t seed = 33;
  const test::NormalCatalogData c = test::simulate_normal(kStores, 1.5, 0.4, seed);
  for (FitMethod m : {FitMethod::MaximumLikelihood, FitMethod::RestrictedMaximumLikelihood}) {
    const NormalNormalFit f = fit(c.columns(), with(m));
    const std::string what =
        std::string("normal-normal ") + fit_method_name(m) + " seed " + std::to_string(seed);
    expect_converged(f.report, what);
    expect_recovers(f.mu, 1.5, what + " mu");
    expect_recovers(f.tau, 0.4, what + " tau");
    expect_recovers(f.tau2, 0.16, what + " tau2");
  }
}

}  // namespace
}  // namespace hbayes
