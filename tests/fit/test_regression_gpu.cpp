// The regression reductions on the CUDA backend against the CPU backend (same kernel source, nvcc
// build): values, gradients and Hessians to summation-order rounding, fits to the same answer.
// Skipped without a usable device.
#include <gtest/gtest.h>

#include <string>

#include "fit/test_regression_catalogs.hpp"
#include "hbayes/fit_regression.hpp"
#include "support/cuda_probe.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

FitOptions on(Backend backend, FitMethod method = FitMethod::MaximumLikelihood) {
  FitOptions o;
  o.backend = backend;
  o.method = method;
  return o;
}

void expect_same_sums(const RegressionDerivatives& gpu, const RegressionDerivatives& cpu) {
  EXPECT_TRUE(test::close(gpu.value, cpu.value, test::kBackendSums));
  ASSERT_EQ(gpu.gradient.size(), cpu.gradient.size());
  ASSERT_EQ(gpu.hessian.size(), cpu.hessian.size());
  for (std::size_t i = 0; i < gpu.gradient.size(); ++i) {
    EXPECT_TRUE(test::close(gpu.gradient[i], cpu.gradient[i], test::kBackendSums)) << i;
  }
  for (std::size_t i = 0; i < gpu.hessian.size(); ++i) {
    EXPECT_TRUE(test::close(gpu.hessian[i], cpu.hessian[i], test::kBackendSums)) << i;
  }
}

void expect_same_coefficients(const RegressionCoefficients& a, const RegressionCoefficients& b) {
  for (std::size_t k = 0; k < a.estimates.size(); ++k) {
    EXPECT_TRUE(test::close(a.estimates[k].value, b.estimates[k].value, test::kSameFit))
        << a.names[k];
  }
}

TEST(RegressionGpu, BetaBinomialMatchesCpu) {
  if (!test::cuda_usable()) GTEST_SKIP() << "no usable CUDA device";
  const auto c = test::simulate_binomial_regression(200000, {-2.0, 0.3, 0.5}, 0.02, 61, 1, 2000);
  for (double theta : {0.0, 0.03}) {
    SCOPED_TRACE(theta);
    expect_same_sums(
        regression_log_marginal(c.columns(), c.x.design(), {-1.9, 0.2, 0.4}, theta, Backend::Cuda),
        regression_log_marginal(c.columns(), c.x.design(), {-1.9, 0.2, 0.4}, theta, Backend::Cpu));
  }
  const BetaBinomialRegression gpu = fit_regression(c.columns(), c.x.design(), on(Backend::Cuda));
  const BetaBinomialRegression cpu = fit_regression(c.columns(), c.x.design(), on(Backend::Cpu));
  EXPECT_EQ(gpu.report.backend.backend, Backend::Cuda);
  EXPECT_TRUE(gpu.report.converged) << gpu.report.note;
  expect_same_coefficients(gpu.coefficients, cpu.coefficients);
  EXPECT_TRUE(test::close(gpu.dispersion.value, cpu.dispersion.value, test::kSameFit));
}

TEST(RegressionGpu, GammaPoissonAndNormalMatchCpu) {
  if (!test::cuda_usable()) GTEST_SKIP() << "no usable CUDA device";
  const auto p = test::simulate_poisson_regression(200000, {-0.5, 0.4, -0.3}, 0.5, 62);
  expect_same_sums(
      regression_log_marginal(p.columns(), p.x.design(), {-0.4, 0.3, -0.2}, 0.4, Backend::Cuda),
      regression_log_marginal(p.columns(), p.x.design(), {-0.4, 0.3, -0.2}, 0.4, Backend::Cpu));
  const GammaPoissonRegression pg = fit_regression(p.columns(), p.x.design(), on(Backend::Cuda));
  const GammaPoissonRegression pc = fit_regression(p.columns(), p.x.design(), on(Backend::Cpu));
  expect_same_coefficients(pg.coefficients, pc.coefficients);
  EXPECT_TRUE(test::close(pg.dispersion.value, pc.dispersion.value, test::kSameFit));

  const auto n = test::simulate_normal_regression(200000, {1.0, -0.7, 2.0}, 0.5, 63);
  expect_same_sums(
      regression_log_marginal(n.columns(), n.x.design(), {0.9, -0.6, 2.1}, 0.3, Backend::Cuda),
      regression_log_marginal(n.columns(), n.x.design(), {0.9, -0.6, 2.1}, 0.3, Backend::Cpu));
  for (FitMethod method : {FitMethod::MaximumLikelihood, FitMethod::RestrictedMaximumLikelihood}) {
    SCOPED_TRACE(fit_method_name(method));
    const NormalNormalRegression g =
        fit_regression(n.columns(), n.x.design(), on(Backend::Cuda, method));
    const NormalNormalRegression c =
        fit_regression(n.columns(), n.x.design(), on(Backend::Cpu, method));
    expect_same_coefficients(g.coefficients, c.coefficients);
    EXPECT_TRUE(test::close(g.tau2.value, c.tau2.value, test::kSameFit));
  }
}

}  // namespace
}  // namespace hbayes
