// The sampler on the GPU against the CPU build of the same kernels: transitions in every layout
// and slicing (equal up to summation order), warmup's cross-chain statistics, and whole runs
// (eight schools against the long Stan run on the per-chain path, a simulated binomial catalog
// on the GPU's interleaved slices). Skipped without a usable device; labelled "gpu".
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hbayes/sample.hpp"
#include "sample/ensemble_cases.hpp"
#include "sample/sampler_checks.hpp"
#include "sample_kernels.hpp"
#include "support/cuda_probe.hpp"

namespace hbayes::kernels {
namespace {

class SampleGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!hbayes::test::cuda_usable()) GTEST_SKIP() << "no usable CUDA device";
  }
};

std::string describe(const EnsembleConfig& config) {
  return std::string(config.layout == EnsembleLayout::ChainMajor ? "chain-major" : "parameter-major") +
         (config.group_slices ? ", " + std::to_string(config.slices) +
                                    (config.interleaved ? " interleaved" : " contiguous") + " slices"
                              : ", one thread per chain");
}

TEST_F(SampleGpu, TransitionsMatchTheCpu) {
  for (const test::Case& c : test::cases()) {
    const std::vector<EnsembleConfig> configs = {
        {EnsembleLayout::ChainMajor, false, 1, false},
        {EnsembleLayout::ParameterMajor, false, 1, false},
        {EnsembleLayout::ChainMajor, true, 4, false},
        {EnsembleLayout::ChainMajor, true, 6, true},
        {EnsembleLayout::ChainMajor, true, 37, true},
        cuda::default_config(5, c.data.size())};
    for (const EnsembleConfig& config : configs) {
      const std::string what = c.name + ", " + describe(config);
      const test::Outcome cpu_run = test::run(c, config, 5, cpu::make_ensemble);
      const test::Outcome gpu_run = test::run(c, config, 5, cuda::make_ensemble);
      test::expect_close(cpu_run.log_densities, gpu_run.log_densities, what + ": log densities");
      test::expect_close(cpu_run.records, gpu_run.records, what + ": records");
      test::expect_close(cpu_run.positions, gpu_run.positions, what + ": positions");
      test::expect_close(cpu_run.gradients, gpu_run.gradients, what + ": gradients");
      test::expect_close(cpu_run.momenta, gpu_run.momenta, what + ": momenta");
    }
  }
}

TEST_F(SampleGpu, WarmupStatisticsMatchTheCpu) {
  const test::Case c = test::cases().front();
  const std::size_t chains = 5, dim = hmc::kFirstGroupIndex + c.data.size();
  for (const EnsembleConfig& config :
       {EnsembleConfig{EnsembleLayout::ParameterMajor, false, 1, false},
        EnsembleConfig{EnsembleLayout::ChainMajor, true, 6, true}}) {
    test::Outcome cpu_run, gpu_run;
    const auto on_cpu = test::advance(c, config, chains, cpu::make_ensemble, &cpu_run);
    const auto on_gpu = test::advance(c, config, chains, cuda::make_ensemble, &gpu_run);
    // The last transition's acceptance probabilities, as the sampler passes them.
    std::vector<double> accept(chains);
    const std::size_t width = on_cpu->record_width();
    for (std::size_t chain = 0; chain < chains; ++chain) {
      accept[chain] = cpu_run.records[(5 * chains + chain) * width + hmc::kAcceptStat];
    }
    const double cpu_gradient = on_cpu->chees_gradient(accept.data(), 0.7);
    const double gpu_gradient = on_gpu->chees_gradient(accept.data(), 0.7);
    EXPECT_NEAR(cpu_gradient, gpu_gradient, 1e-9 * std::max(1.0, std::fabs(cpu_gradient)))
        << describe(config);
    std::vector<double> cpu_moments(4 * dim), gpu_moments(4 * dim);
    for (auto* ensemble : {on_cpu.get(), on_gpu.get()}) ensemble->accumulate_moments();
    const std::size_t cpu_draws = on_cpu->read_moments(
        &cpu_moments[0], &cpu_moments[dim], &cpu_moments[2 * dim], &cpu_moments[3 * dim]);
    const std::size_t gpu_draws = on_gpu->read_moments(
        &gpu_moments[0], &gpu_moments[dim], &gpu_moments[2 * dim], &gpu_moments[3 * dim]);
    EXPECT_EQ(cpu_draws, gpu_draws);
    test::expect_close(cpu_moments, gpu_moments, describe(config) + ": moments");
  }
}

TEST_F(SampleGpu, EightSchoolsMatchesALongStanRun) {
  const std::uint64_t seed = 20261125;
  const SampleResult result = sample(HierModelSpec{}, hbayes::test::eight_schools(),
                                     hbayes::test::options_on(Backend::Cuda, 64, seed));
  EXPECT_EQ(result.backend, Backend::Cuda);
  EXPECT_EQ(hbayes::test::total(result.divergences), 0u) << "seed " << seed;
  hbayes::test::expect_matches_stan_reference(result, seed);
}

TEST_F(SampleGpu, SlicedBinomialCatalogRecoversItsHyperparameters) {
  const std::uint64_t seed = 77;
  const std::size_t groups = 400, chains = 8;
  ASSERT_TRUE(cuda::default_config(chains, groups).group_slices);
  const hbayes::test::Simulated sim = hbayes::test::simulate(HierFamily::Binomial, groups, seed);
  HierModelSpec spec;
  spec.family = HierFamily::Binomial;
  SampleOptions options = hbayes::test::options_on(Backend::Cuda, chains, seed);
  options.warmup = 500;
  options.draws = 500;
  const SampleResult result = sample(spec, sim.data, options);
  EXPECT_EQ(hbayes::test::total(result.divergences), 0u) << "seed " << seed;
  const auto mu = hbayes::test::moments(result, "mu"), tau = hbayes::test::moments(result, "tau");
  // As the CPU's Recovery test: within 4 posterior sds of the truth, with informative posteriors.
  EXPECT_NEAR(mu.mean, sim.mu, 4.0 * mu.sd) << "seed " << seed;
  EXPECT_NEAR(tau.mean, sim.tau, 4.0 * tau.sd) << "seed " << seed;
  EXPECT_LT(mu.sd, 0.1);
  EXPECT_LT(tau.sd, 0.1);
}

}  // namespace
}  // namespace hbayes::kernels
