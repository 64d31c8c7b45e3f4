// GPU-only: the CUDA build of the kernels against the CPU build of the same source, on catalogs
// large enough to span many thread blocks (a row count that is no multiple of any block size),
// with every output column, predictive columns included. The per-row comparison with the Boost
// reference runs for both backends in test_score_parity.cpp. Skipped (and labelled "gpu" in
// CTest, so CI lists them as skipped) when no CUDA device is usable.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hbayes/score.hpp"
#include "support/cuda_probe.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

constexpr std::size_t kRows = 1'000'003;

ScoreOptions on(Backend backend) {
  ScoreOptions options;
  options.backend = backend;
  return options;
}

// Every column of two tables agrees: continuous ones to the kernel tolerances (the two builds
// differ only in libm and in contraction to fused multiply-adds), discrete ones exactly.
// location_slack: per-row absolute slack for the location columns (mean, interval ends), which
// for the normal family cross zero, where the precision left is absolute, set by the inputs'
// magnitude; empty for none.
void expect_same_tables(const PosteriorTable& cpu, const PosteriorTable& gpu,
                        const std::vector<double>& location_slack = {}) {
  struct Column {
    const char* name;
    const std::vector<double>& a;
    const std::vector<double>& b;
    test::Tolerance tol;
    bool location = false;
  };
  const std::vector<Column> columns = {
      {"raw", cpu.raw, gpu.raw, test::kMoment},
      {"post_mean", cpu.post_mean, gpu.post_mean, test::kMoment, true},
      {"post_sd", cpu.post_sd, gpu.post_sd, test::kMoment},
      {"lower", cpu.lower, gpu.lower, test::kInterval, true},
      {"upper", cpu.upper, gpu.upper, test::kInterval, true},
      {"data_weight", cpu.data_weight, gpu.data_weight, test::kMoment},
      {"post_param1", cpu.post_param1, gpu.post_param1, test::kMoment},
      {"post_param2", cpu.post_param2, gpu.post_param2, test::kMoment},
      {"pred_mean", cpu.pred_mean, gpu.pred_mean, test::kMoment},
      {"pred_lower", cpu.pred_lower, gpu.pred_lower, {0.0, 0.0}},
      {"pred_upper", cpu.pred_upper, gpu.pred_upper, {0.0, 0.0}},
  };
  for (const Column& c : columns) {
    ASSERT_EQ(c.a.size(), c.b.size()) << c.name;
    for (std::size_t i = 0; i < c.a.size(); ++i) {
      test::Tolerance tol = c.tol;
      if (c.location && !location_slack.empty()) tol.atol += location_slack[i];
      ASSERT_TRUE(test::close(c.a[i], c.b[i], tol))
          << c.name << " row " << i << ": cpu " << c.a[i] << " cuda " << c.b[i];
    }
  }
}

class CudaParity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::cuda_usable()) GTEST_SKIP() << "no usable CUDA device";
  }
};

TEST_F(CudaParity, BetaBinomialLargeCatalog) {
  std::vector<std::int64_t> y(kRows), n(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    n[i] = static_cast<std::int64_t>((i * 7919) % 100'000);  // includes zero trials
    y[i] = static_cast<std::int64_t>((i * 104'729) % static_cast<std::size_t>(n[i] + 1));
  }
  ScoreOptions cpu = on(Backend::Cpu), gpu = on(Backend::Cuda);
  cpu.predict_trials = gpu.predict_trials = 50;
  const BinomialColumns data{y.data(), n.data(), kRows};
  const BetaBinomialPrior prior{0.7, 40};
  expect_same_tables(score(data, prior, cpu), score(data, prior, gpu));
}

TEST_F(CudaParity, GammaPoissonLargeCatalog) {
  std::vector<std::int64_t> count(kRows);
  std::vector<double> exposure(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    exposure[i] = 1e-3 * static_cast<double>(1 + (i * 7919) % 1'000'000);
    count[i] = static_cast<std::int64_t>((i * 104'729) % 5000);
  }
  ScoreOptions cpu = on(Backend::Cpu), gpu = on(Backend::Cuda);
  cpu.predict_exposure = gpu.predict_exposure = 2.5;
  const PoissonColumns data{count.data(), exposure.data(), kRows};
  const GammaPoissonPrior prior{0.4, 3};
  expect_same_tables(score(data, prior, cpu), score(data, prior, gpu));
}

TEST_F(CudaParity, NormalNormalLargeCatalog) {
  std::vector<double> estimate(kRows), se(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    estimate[i] = 20.0 * std::sin(static_cast<double>(i));
    se[i] = 0.01 + static_cast<double>(i % 997);
  }
  const NormalColumns data{estimate.data(), se.data(), kRows};
  const NormalNormalPrior prior{1.5, 4};
  std::vector<double> slack(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    slack[i] = 1e-14 * (std::fabs(estimate[i]) + std::fabs(prior.mu) + se[i]);
  }
  expect_same_tables(score(data, prior, on(Backend::Cpu)), score(data, prior, on(Backend::Cuda)),
                     slack);
}

// Priors per store (a fit with covariates) travel to the device with the data.
TEST_F(CudaParity, BetaBinomialPerStorePriors) {
  std::vector<std::int64_t> y(kRows), n(kRows);
  std::vector<BetaBinomialPrior> priors(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    n[i] = static_cast<std::int64_t>((i * 7919) % 5'000);
    y[i] = static_cast<std::int64_t>((i * 104'729) % static_cast<std::size_t>(n[i] + 1));
    priors[i] = {0.5 + static_cast<double>(i % 31), 2.0 + static_cast<double>(i % 97)};
  }
  ScoreOptions cpu = on(Backend::Cpu), gpu = on(Backend::Cuda);
  cpu.predict_trials = gpu.predict_trials = 20;
  const BinomialColumns data{y.data(), n.data(), kRows};
  expect_same_tables(score(data, priors.data(), cpu), score(data, priors.data(), gpu));
}

TEST_F(CudaParity, EmptyCatalog) {
  const BinomialColumns data{nullptr, nullptr, 0};
  EXPECT_EQ(score(data, BetaBinomialPrior{1, 1}, on(Backend::Cuda)).lower.size(), 0u);
}

}  // namespace
}  // namespace hbayes
