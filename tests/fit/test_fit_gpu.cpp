// The fit reductions on the CUDA backend against the CPU backend (same kernel source, nvcc build):
// histograms exactly, floating sums to summation-order rounding, fits to the same answer.
// Skipped without a usable device.
#include <gtest/gtest.h>

#include "fit/fit_catalogs.hpp"
#include "hbayes/fit.hpp"
#include "support/cuda_probe.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

FitOptions on(Backend backend) {
  FitOptions o;
  o.backend = backend;
  return o;
}

TEST(FitGpu, BinomialHistogramsAndFitMatchCpu) {
  if (!test::cuda_usable()) GTEST_SKIP() << "no usable CUDA device";
  // Trials to 2e4 exercise both the dense bins (atomics) and the sorted large values.
  const test::BinomialCatalog c = test::simulate_binomial(200000, 5.0, 95.0, 51, 1.0, 20000.0);
  const BinomialSummary cpu = summarize(c.columns(), Backend::Cpu);
  const BinomialSummary gpu = summarize(c.columns(), Backend::Cuda);
  EXPECT_EQ(gpu.backend.backend, Backend::Cuda);
  EXPECT_EQ(gpu.successes.values, cpu.successes.values);
  EXPECT_EQ(gpu.successes.multiplicities, cpu.successes.multiplicities);
  EXPECT_EQ(gpu.failures.values, cpu.failures.values);
  EXPECT_EQ(gpu.failures.multiplicities, cpu.failures.multiplicities);
  EXPECT_EQ(gpu.trials.values, cpu.trials.values);
  EXPECT_EQ(gpu.trials.multiplicities, cpu.trials.multiplicities);
  EXPECT_EQ(gpu.rate_stores, cpu.rate_stores);
  EXPECT_TRUE(test::close(gpu.sum_rate, cpu.sum_rate, test::kBackendSums));
  EXPECT_TRUE(test::close(gpu.sum_rate_sq, cpu.sum_rate_sq, test::kBackendSums));
  EXPECT_TRUE(test::close(gpu.sum_inv_trials, cpu.sum_inv_trials, test::kBackendSums));
  const BetaBinomialFit a = fit(c.columns(), on(Backend::Cuda));
  const BetaBinomialFit b = fit(c.columns(), on(Backend::Cpu));
  EXPECT_TRUE(a.report.converged) << a.report.note;
  EXPECT_TRUE(test::close(a.alpha.value, b.alpha.value, test::kSameFit));
  EXPECT_TRUE(test::close(a.beta.value, b.beta.value, test::kSameFit));
}

TEST(FitGpu, PoissonAndNormalReductionsMatchCpu) {
  if (!test::cuda_usable()) GTEST_SKIP() << "no usable CUDA device";
  const test::PoissonCatalogData p = test::simulate_poisson(200000, 3.0, 1.5, 52);
  const auto pc = make_catalog(p.columns(), Backend::Cpu);
  const auto pg = make_catalog(p.columns(), Backend::Cuda);
  EXPECT_EQ(pg->summary().counts.values, pc->summary().counts.values);
  EXPECT_EQ(pg->summary().counts.multiplicities, pc->summary().counts.multiplicities);
  for (double phi : {0.0, 0.3, 5.0}) {
    const MarginalDerivatives a = pg->exposure_terms(2.0, phi), b = pc->exposure_terms(2.0, phi);
    EXPECT_TRUE(test::close(a.value, b.value, test::kBackendSums)) << phi;
    EXPECT_TRUE(test::close(a.d_b, b.d_b, test::kBackendSums)) << phi;
    EXPECT_TRUE(test::close(a.d_bb, b.d_bb, test::kBackendSums)) << phi;
    EXPECT_TRUE(test::close(a.d_ab, b.d_ab, test::kBackendSums)) << phi;
  }
  const GammaPoissonFit gf = fit(*pg, on(Backend::Cuda)), cf = fit(*pc, on(Backend::Cpu));
  EXPECT_TRUE(test::close(gf.shape.value, cf.shape.value, test::kSameFit));

  const test::NormalCatalogData n = test::simulate_normal(200000, 1.0, 0.5, 53);
  const auto nc = make_catalog(n.columns(), Backend::Cpu);
  const auto ng = make_catalog(n.columns(), Backend::Cuda);
  const NormalSums a = ng->sums(0.25, 1.0), b = nc->sums(0.25, 1.0);
  EXPECT_EQ(a.stores, b.stores);
  EXPECT_TRUE(test::close(a.w1, b.w1, test::kBackendSums));
  EXPECT_TRUE(test::close(a.w3dd, b.w3dd, test::kBackendSums));
  EXPECT_TRUE(test::close(a.sum_log_v, b.sum_log_v, test::kBackendSums));
  FitOptions reml = on(Backend::Cuda);
  reml.method = FitMethod::RestrictedMaximumLikelihood;
  const NormalNormalFit g = fit(*ng, reml);
  reml.backend = Backend::Cpu;
  const NormalNormalFit c = fit(*nc, reml);
  EXPECT_TRUE(test::close(g.tau2.value, c.tau2.value, test::kSameFit));
}

}  // namespace
}  // namespace hbayes
