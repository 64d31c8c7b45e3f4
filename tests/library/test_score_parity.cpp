// Kernel output against the serial Boost.Math reference, on random catalogs of every family, for
// each backend: the CPU (the g++ build of the kernel source) always, CUDA (the nvcc build of the
// same source) when a device is usable, else those cases skip. Seeds are fixed and printed on
// failure.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hbayes/score.hpp"
#include "reference/conjugate_reference.hpp"
#include "support/cuda_probe.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

constexpr unsigned kSeed = 20261125;

class ScoreParity : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Cuda && !test::cuda_usable()) {
      GTEST_SKIP() << "no usable CUDA device";
    }
  }

  ScoreOptions options(double level) const {
    ScoreOptions result;
    result.backend = GetParam();
    result.level = level;
    return result;
  }
};

double log_uniform(std::mt19937_64& rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(std::log(lo), std::log(hi));
  return std::exp(u(rng));
}

// Compares one row; returns a description of the first mismatch, or "" when all agree.
// location_atol: absolute slack for location outputs (mean, interval ends), which for the
// normal family may cross zero where a purely relative rule cannot apply.
std::string compare_row(const PosteriorTable& t, std::size_t i, const reference::Posterior& r,
                        bool has_params, bool predicting, double location_atol = 0.0) {
  const test::Tolerance mean_tol{test::kMoment.rtol, test::kMoment.atol + location_atol};
  const test::Tolerance interval_tol{test::kInterval.rtol, test::kInterval.atol + location_atol};
  struct Field {
    const char* name;
    double got, want;
    test::Tolerance tol;
  };
  std::vector<Field> fields = {{"raw", t.raw[i], r.raw, test::kMoment},
                               {"post_mean", t.post_mean[i], r.post_mean, mean_tol},
                               {"post_sd", t.post_sd[i], r.post_sd, test::kMoment},
                               {"lower", t.lower[i], r.lower, interval_tol},
                               {"upper", t.upper[i], r.upper, interval_tol},
                               {"data_weight", t.data_weight[i], r.data_weight, test::kMoment}};
  if (has_params) {
    fields.push_back({"post_param1", t.post_param1[i], r.post_param1, test::kMoment});
    fields.push_back({"post_param2", t.post_param2[i], r.post_param2, test::kMoment});
  }
  if (predicting) {
    fields.push_back({"pred_mean", t.pred_mean[i], r.pred_mean, test::kMoment});
    // Discrete outputs match exactly.
    fields.push_back({"pred_lower", t.pred_lower[i], r.pred_lower, {0.0, 0.0}});
    fields.push_back({"pred_upper", t.pred_upper[i], r.pred_upper, {0.0, 0.0}});
  }
  for (const Field& f : fields) {
    if (!test::close(f.got, f.want, f.tol)) {
      return std::string(f.name) + ": kernel " + std::to_string(f.got) + " reference " +
             std::to_string(f.want);
    }
  }
  return "";
}

TEST_P(ScoreParity, BetaBinomialRandomCatalog) {
  std::mt19937_64 rng(kSeed);
  const std::size_t n = 3000;
  std::vector<std::int64_t> y(n), trials(n);
  for (std::size_t i = 0; i < n; ++i) {
    trials[i] = (i % 10 == 0) ? 0 : static_cast<std::int64_t>(log_uniform(rng, 1, 1e7));
    y[i] = std::uniform_int_distribution<std::int64_t>(0, trials[i])(rng);
  }
  for (double level : {0.95, 0.5, 0.999}) {
    const double alpha = log_uniform(rng, 1e-2, 1e3), beta = log_uniform(rng, 1e-2, 1e4);
    const PosteriorTable t = score(BinomialColumns{y.data(), trials.data(), n},
                                   BetaBinomialPrior{alpha, beta}, options(level));
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = reference::beta_binomial(y[i], trials[i], alpha, beta, level, 0);
      const std::string mismatch = compare_row(t, i, r, true, false);
      ASSERT_EQ(mismatch, "") << "seed " << kSeed << " row " << i << " y=" << y[i]
                              << " n=" << trials[i] << " alpha=" << alpha << " beta=" << beta
                              << " level=" << level;
    }
  }
}

TEST_P(ScoreParity, BetaBinomialPredictive) {
  std::mt19937_64 rng(kSeed + 1);
  const std::size_t n = 400;
  std::vector<std::int64_t> y(n), trials(n);
  for (std::size_t i = 0; i < n; ++i) {
    trials[i] = static_cast<std::int64_t>(log_uniform(rng, 1, 1e4)) - 1;
    y[i] = std::uniform_int_distribution<std::int64_t>(0, trials[i])(rng);
  }
  // Priors with alpha or beta below 1 exercise the non-log-concave predictive.
  for (BetaBinomialPrior prior :
       {BetaBinomialPrior{5, 95}, BetaBinomialPrior{0.5, 0.7}, BetaBinomialPrior{0.3, 40}}) {
    for (std::int64_t m : {1, 10, 250}) {
      ScoreOptions opts = options(0.9);
      opts.predict_trials = m;
      const PosteriorTable t = score(BinomialColumns{y.data(), trials.data(), n}, prior, opts);
      for (std::size_t i = 0; i < n; ++i) {
        const auto r = reference::beta_binomial(y[i], trials[i], prior.alpha, prior.beta, 0.9, m);
        const std::string mismatch = compare_row(t, i, r, true, true);
        ASSERT_EQ(mismatch, "") << "seed " << kSeed + 1 << " row " << i << " y=" << y[i]
                                << " n=" << trials[i] << " m=" << m << " alpha=" << prior.alpha
                                << " beta=" << prior.beta;
      }
    }
  }
}

TEST_P(ScoreParity, GammaPoissonRandomCatalog) {
  std::mt19937_64 rng(kSeed + 2);
  const std::size_t n = 3000;
  std::vector<std::int64_t> count(n);
  std::vector<double> exposure(n);
  for (std::size_t i = 0; i < n; ++i) {
    exposure[i] = log_uniform(rng, 1e-3, 1e6);
    count[i] =
        std::poisson_distribution<std::int64_t>(exposure[i] * log_uniform(rng, 1e-3, 10))(rng);
  }
  for (double level : {0.95, 0.8}) {
    const double shape = log_uniform(rng, 1e-2, 1e3), rate = log_uniform(rng, 1e-2, 1e3);
    const PosteriorTable t = score(PoissonColumns{count.data(), exposure.data(), n},
                                   GammaPoissonPrior{shape, rate}, options(level));
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = reference::gamma_poisson(count[i], exposure[i], shape, rate, level, 0.0);
      const std::string mismatch = compare_row(t, i, r, true, false);
      ASSERT_EQ(mismatch, "") << "seed " << kSeed + 2 << " row " << i << " count=" << count[i]
                              << " exposure=" << exposure[i] << " shape=" << shape
                              << " rate=" << rate;
    }
  }
}

TEST_P(ScoreParity, GammaPoissonPredictive) {
  std::mt19937_64 rng(kSeed + 3);
  const std::size_t n = 300;
  std::vector<std::int64_t> count(n);
  std::vector<double> exposure(n);
  for (std::size_t i = 0; i < n; ++i) {
    exposure[i] = log_uniform(rng, 1e-2, 1e3);
    count[i] = std::poisson_distribution<std::int64_t>(exposure[i] * 0.3)(rng);
  }
  for (GammaPoissonPrior prior : {GammaPoissonPrior{2, 5}, GammaPoissonPrior{0.4, 0.1}}) {
    for (double f : {0.5, 30.0}) {
      ScoreOptions opts = options(0.95);
      opts.predict_exposure = f;
      const PosteriorTable t = score(PoissonColumns{count.data(), exposure.data(), n}, prior, opts);
      for (std::size_t i = 0; i < n; ++i) {
        const auto r =
            reference::gamma_poisson(count[i], exposure[i], prior.shape, prior.rate, 0.95, f);
        const std::string mismatch = compare_row(t, i, r, true, true);
        ASSERT_EQ(mismatch, "") << "seed " << kSeed + 3 << " row " << i << " count=" << count[i]
                                << " exposure=" << exposure[i] << " f=" << f;
      }
    }
  }
}

TEST_P(ScoreParity, NormalNormalRandomCatalog) {
  std::mt19937_64 rng(kSeed + 4);
  const std::size_t n = 3000;
  std::vector<double> estimate(n), se(n);
  for (std::size_t i = 0; i < n; ++i) {
    estimate[i] = std::normal_distribution<double>(0, 50)(rng);
    se[i] = log_uniform(rng, 1e-3, 1e3);
  }
  for (double level : {0.95, 0.99}) {
    const double mu = std::normal_distribution<double>(0, 10)(rng),
                 tau = log_uniform(rng, 1e-2, 1e2);
    const PosteriorTable t = score(NormalColumns{estimate.data(), se.data(), n},
                                   NormalNormalPrior{mu, tau}, options(level));
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = reference::normal_normal(estimate[i], se[i], mu, tau, level);
      const double scale = 1e-14 * (std::fabs(estimate[i]) + std::fabs(mu) + se[i]);
      const std::string mismatch = compare_row(t, i, r, false, false, scale);
      ASSERT_EQ(mismatch, "") << "seed " << kSeed + 4 << " row " << i << " estimate=" << estimate[i]
                              << " se=" << se[i] << " mu=" << mu << " tau=" << tau;
    }
  }
}

// Catalogs in which stores repeat (the CPU backend caches recent posteriors by their inputs):
// every row equals the row of its distinct inputs scored alone, bit for bit, with more distinct
// inputs than the cache has entries so that slots are evicted and collide.
TEST_P(ScoreParity, RepeatedStoresMatchDistinctOnes) {
  std::mt19937_64 rng(kSeed + 5);
  const std::size_t distinct = 3000, n = 60000;
  std::vector<std::int64_t> y0(distinct), t0(distinct), y(n), t(n);
  std::vector<double> e0(distinct), e(n);
  for (std::size_t k = 0; k < distinct; ++k) {
    t0[k] = static_cast<std::int64_t>(log_uniform(rng, 1, 1e5));
    y0[k] = std::uniform_int_distribution<std::int64_t>(0, t0[k])(rng);
    e0[k] = log_uniform(rng, 1e-2, 1e4);
  }
  std::uniform_int_distribution<std::size_t> pick(0, distinct - 1);
  std::vector<std::size_t> source(n);
  for (std::size_t i = 0; i < n; ++i) {
    source[i] = pick(rng);
    y[i] = y0[source[i]], t[i] = t0[source[i]], e[i] = e0[source[i]];
  }
  ScoreOptions opts = options(0.9);
  opts.predict_trials = 20;
  const PosteriorTable beta_all =
      score(BinomialColumns{y.data(), t.data(), n}, BetaBinomialPrior{3, 30}, opts);
  const PosteriorTable beta_one =
      score(BinomialColumns{y0.data(), t0.data(), distinct}, BetaBinomialPrior{3, 30}, opts);
  opts.predict_trials = 0;
  opts.predict_exposure = 2;
  const PosteriorTable gamma_all =
      score(PoissonColumns{y.data(), e.data(), n}, GammaPoissonPrior{2, 1}, opts);
  const PosteriorTable gamma_one =
      score(PoissonColumns{y0.data(), e0.data(), distinct}, GammaPoissonPrior{2, 1}, opts);
  // The same rows again under another prior: nothing computed under the first may be reused.
  opts.predict_exposure = 0;
  const PosteriorTable other_all =
      score(BinomialColumns{y.data(), t.data(), n}, BetaBinomialPrior{0.5, 2}, opts);
  const PosteriorTable other_one =
      score(BinomialColumns{y0.data(), t0.data(), distinct}, BetaBinomialPrior{0.5, 2}, opts);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = source[i];
    ASSERT_EQ(other_all.upper[i], other_one.upper[k]) << "row " << i;
    ASSERT_NE(other_all.upper[i], beta_all.upper[i]) << "row " << i;
    ASSERT_EQ(beta_all.lower[i], beta_one.lower[k]) << "row " << i;
    ASSERT_EQ(beta_all.upper[i], beta_one.upper[k]) << "row " << i;
    ASSERT_EQ(beta_all.post_mean[i], beta_one.post_mean[k]) << "row " << i;
    ASSERT_EQ(beta_all.pred_upper[i], beta_one.pred_upper[k]) << "row " << i;
    ASSERT_EQ(gamma_all.lower[i], gamma_one.lower[k]) << "row " << i;
    ASSERT_EQ(gamma_all.upper[i], gamma_one.upper[k]) << "row " << i;
    ASSERT_EQ(gamma_all.pred_lower[i], gamma_one.pred_lower[k]) << "row " << i;
  }
}

// A catalog of distinct stores long enough for the CPU backend to stop probing its cache (it does
// after 4,096 rows with few repeats), then the same stores again: every row still equals the
// distinct store scored alone.
TEST_P(ScoreParity, DistinctThenRepeatedStoresMatch) {
  std::mt19937_64 rng(kSeed + 6);
  const std::size_t distinct = 20000;
  std::vector<std::int64_t> y(2 * distinct), t(2 * distinct);
  for (std::size_t k = 0; k < distinct; ++k) {
    t[k] = t[k + distinct] = static_cast<std::int64_t>(log_uniform(rng, 1, 1e5));
    y[k] = y[k + distinct] = std::uniform_int_distribution<std::int64_t>(0, t[k])(rng);
  }
  const ScoreOptions opts = options(0.95);
  const PosteriorTable all =
      score(BinomialColumns{y.data(), t.data(), 2 * distinct}, BetaBinomialPrior{2, 50}, opts);
  const PosteriorTable one =
      score(BinomialColumns{y.data(), t.data(), distinct}, BetaBinomialPrior{2, 50}, opts);
  for (std::size_t i = 0; i < 2 * distinct; ++i) {
    ASSERT_EQ(all.lower[i], one.lower[i % distinct]) << "row " << i;
    ASSERT_EQ(all.upper[i], one.upper[i % distinct]) << "row " << i;
    ASSERT_EQ(all.post_sd[i], one.post_sd[i % distinct]) << "row " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ScoreParity, ::testing::Values(Backend::Cpu, Backend::Cuda),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return std::string(backend_name(info.param));
                         });

}  // namespace
}  // namespace hbayes
