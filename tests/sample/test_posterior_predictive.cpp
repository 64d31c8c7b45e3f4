// hbayes::posterior_predictive_check: p-values against exact tail probabilities when every draw
// is the true theta, calibration on data simulated from the model, blatant misfits, the mid-p
// tie rule, reproducibility for a seed and any thread count, input checks, and eight schools
// end to end on the CPU backend. Every test names its seed.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hbayes/errors.hpp"
#include "hbayes/predictive.hpp"
#include "hbayes/sample.hpp"
#include "sample/fake_sample_result.hpp"

namespace hbayes {
namespace {

constexpr std::size_t kFirstTheta = SampleResult::kSamplerColumns + 2;

HierModelSpec model(HierFamily family) {
  HierModelSpec spec;
  spec.family = family;
  return spec;
}

// chains x draws whose theta columns all hold `theta` (the other columns are irrelevant here).
SampleResult draws_at(const std::vector<double>& theta, std::size_t chains, std::size_t draws) {
  SampleResult r = test::fake_sample_result(chains, draws, theta.size());
  for (std::size_t c = 0; c < chains; ++c) {
    for (std::size_t i = 0; i < draws; ++i) {
      for (std::size_t j = 0; j < theta.size(); ++j) {
        test::value_at(r, c, i, kFirstTheta + j) = theta[j];
      }
    }
  }
  return r;
}

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// Pr(Y > y) + Pr(Y = y) / 2 for a discrete Y.
template <class Distribution>
double exact_mid_p(const Distribution& dist, double y) {
  return cdf(complement(dist, y)) + 0.5 * pdf(dist, y);
}

TEST(PosteriorPredictive, GroupPValuesMatchExactTailProbabilities) {
  const std::uint64_t seed = 11;
  const std::size_t chains = 4, draws = 2000;
  // Mid-p indicators lie in [0, 1]: a standard error of at most 0.5 / sqrt(chains * draws).
  const double band = 5.0 * 0.5 / std::sqrt(static_cast<double>(chains * draws));
  struct Case {
    HierFamily family;
    HierDataset data;
    std::vector<double> theta;
  };
  const Case cases[] = {
      {HierFamily::Normal, {{1.0, -3.0, 30.0}, {1.0, 2.0, 15.0}}, {0.5, -1.0, 10.0}},
      // Inversion (3 of 10, 4 of 1000 at p ~ 0.005) and BTRS (420 of 1000 at p ~ 0.4).
      {HierFamily::Binomial, {{3, 4, 420}, {10, 1000, 1000}}, {-1.0, -5.3, -0.4}},
      // Inversion (rate 2) and PTRS (rates 50 and 2e4).
      {HierFamily::Poisson, {{1, 61, 20100}, {2.0, 10.0, 2.0}}, {0.0, std::log(5.0), 9.2}},
  };
  for (const Case& c : cases) {
    const PredictiveCheck check =
        posterior_predictive_check(model(c.family), c.data, draws_at(c.theta, chains, draws), seed);
    ASSERT_EQ(check.group_p_value.size(), c.theta.size());
    for (std::size_t j = 0; j < c.theta.size(); ++j) {
      const double y = c.data.first[j], size = c.data.second[j];
      const double want = c.family == HierFamily::Normal
                              ? cdf(complement(boost::math::normal(c.theta[j], size), y))
                          : c.family == HierFamily::Binomial
                              ? exact_mid_p(boost::math::binomial(size, logistic(c.theta[j])), y)
                              : exact_mid_p(boost::math::poisson(size * std::exp(c.theta[j])), y);
      EXPECT_NEAR(check.group_p_value[j], want, band)
          << "family " << static_cast<int>(c.family) << ", group " << j + 1 << ", seed " << seed;
    }
  }
}

// Data simulated from the model at known mu and tau, checked against draws that are the true
// thetas: then y_j and y_rep_j are exchangeable, so the group p-values are (nearly) uniform.
TEST(PosteriorPredictive, CalibratedWhenTheDrawsAreTheTruth) {
  const std::uint64_t seed = 20260412;
  const std::size_t groups = 300;
  for (HierFamily family : {HierFamily::Normal, HierFamily::Binomial, HierFamily::Poisson}) {
    std::mt19937_64 random(seed + static_cast<int>(family));
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> size(10, 200);
    HierDataset data;
    std::vector<double> theta(groups);
    for (std::size_t j = 0; j < groups; ++j) {
      if (family == HierFamily::Normal) {
        theta[j] = 1.0 + 2.0 * normal(random);
        const double se = 0.5 + 0.05 * size(random);
        data.first.push_back(theta[j] + se * normal(random));
        data.second.push_back(se);
      } else if (family == HierFamily::Binomial) {
        theta[j] = -1.0 + 0.5 * normal(random);
        const int trials = size(random);
        data.first.push_back(std::binomial_distribution<int>(trials, logistic(theta[j]))(random));
        data.second.push_back(trials);
      } else {
        theta[j] = 0.3 * normal(random);
        const double exposure = size(random);
        data.first.push_back(std::poisson_distribution<int>(exposure * std::exp(theta[j]))(random));
        data.second.push_back(exposure);
      }
    }
    const PredictiveCheck check =
        posterior_predictive_check(model(family), data, draws_at(theta, 2, 400), seed);
    const std::string what =
        "family " + std::to_string(static_cast<int>(family)) + ", seed " + std::to_string(seed);
    double mean = 0.0;
    std::size_t extreme = 0;
    for (double p : check.group_p_value) {
      mean += p / groups;
      extreme += p < 0.025 || p > 0.975;
    }
    // Uniform p-values: mean 1/2 with sd sqrt(1/12 / J); 5% extreme, sd 1.3% at J = 300.
    EXPECT_NEAR(mean, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / groups)) << what;
    EXPECT_LT(extreme, 0.1 * groups) << what;
    // Kolmogorov-Smirnov distance to the uniform: 1.95 / sqrt(J) is its 0.1% point, widened for
    // the draws' Monte Carlo error and the discreteness of mid-p values.
    std::vector<double> sorted = check.group_p_value;
    std::sort(sorted.begin(), sorted.end());
    double distance = 0.0;
    for (std::size_t j = 0; j < groups; ++j) {
      distance = std::max({distance, std::fabs(sorted[j] - j / double(groups)),
                           std::fabs(sorted[j] - (j + 1) / double(groups))});
    }
    EXPECT_LT(distance, 1.95 / std::sqrt(double(groups)) + 0.03) << what;
    // The variance statistic is one uniform-ish draw: only the extremes would be wrong.
    EXPECT_GT(check.variance_p_value, 0.001) << what;
    EXPECT_LT(check.variance_p_value, 0.999) << what;
  }
}

// Observed rates far more spread out than any draw allows: the variance p-value is (near) 0 and
// the outlying groups' p-values sit at the ends.
TEST(PosteriorPredictive, OverdispersedDataFailTheVarianceCheck) {
  const std::uint64_t seed = 3;
  const std::size_t groups = 20;
  struct Case {
    HierFamily family;
    double low, high, size, theta, observed_variance;
  };
  // Alternating low/high values: sample variance (high - low)^2 / 4 * J / (J - 1), in rates.
  const double spread = static_cast<double>(groups) / (groups - 1) / 4.0;
  const Case cases[] = {
      {HierFamily::Normal, -10.0, 10.0, 1.0, 0.0, 400.0 * spread},
      {HierFamily::Binomial, 10.0, 90.0, 100.0, 0.0, 0.64 * spread},
      {HierFamily::Poisson, 5.0, 95.0, 1.0, std::log(50.0), 8100.0 * spread},
  };
  for (const Case& c : cases) {
    HierDataset data;
    for (std::size_t j = 0; j < groups; ++j) {
      data.first.push_back(j % 2 == 0 ? c.low : c.high);
      data.second.push_back(c.size);
    }
    const PredictiveCheck check = posterior_predictive_check(
        model(c.family), data, draws_at(std::vector<double>(groups, c.theta), 2, 500), seed);
    const std::string what =
        "family " + std::to_string(static_cast<int>(c.family)) + ", seed " + std::to_string(seed);
    EXPECT_NEAR(check.observed_variance, c.observed_variance, 1e-12 * c.observed_variance) << what;
    EXPECT_LT(check.variance_p_value, 0.001) << what;
    EXPECT_LT(check.group_p_value[1], 0.001) << what;  // a high group
    EXPECT_GT(check.group_p_value[0], 0.999) << what;  // a low group
  }
}

// Two Bernoulli groups at p = 1/2 observed as (0, 1): the replicates' variance equals the observed
// 1/2 half the time and is 0 otherwise, so the mid-p value is 1/4; group p-values are 3/4, 1/4.
TEST(PosteriorPredictive, TiesCountHalf) {
  const std::uint64_t seed = 8;
  const std::size_t chains = 2, draws = 4000;
  const PredictiveCheck check =
      posterior_predictive_check(model(HierFamily::Binomial), HierDataset{{0, 1}, {1, 1}},
                                 draws_at({0.0, 0.0}, chains, draws), seed);
  const double band = 5.0 * 0.25 / std::sqrt(static_cast<double>(chains * draws));
  EXPECT_EQ(check.observed_variance, 0.5);
  EXPECT_NEAR(check.variance_p_value, 0.25, band) << "seed " << seed;
  EXPECT_NEAR(check.group_p_value[0], 0.75, band) << "seed " << seed;
  EXPECT_NEAR(check.group_p_value[1], 0.25, band) << "seed " << seed;
}

TEST(PosteriorPredictive, SameSeedSameAnswerOnAnyThreadCount) {
  const std::size_t groups = 50;
  HierDataset data;
  std::vector<double> theta;
  for (std::size_t j = 0; j < groups; ++j) {
    data.first.push_back(static_cast<double>(j));
    data.second.push_back(100.0);
    theta.push_back(-2.0 + 0.05 * j);
  }
  const SampleResult draws = draws_at(theta, 8, 1000);
  const HierModelSpec spec = model(HierFamily::Binomial);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const PredictiveCheck serial = posterior_predictive_check(spec, data, draws, 21);
  omp_set_num_threads(4);
  const PredictiveCheck parallel = posterior_predictive_check(spec, data, draws, 21);
  omp_set_num_threads(threads);
  const PredictiveCheck other_seed = posterior_predictive_check(spec, data, draws, 22);
  EXPECT_EQ(serial.group_p_value, parallel.group_p_value);
  EXPECT_EQ(serial.variance_p_value, parallel.variance_p_value);
  EXPECT_NE(serial.group_p_value, other_seed.group_p_value);
}

TEST(PosteriorPredictive, RejectsDrawsOfOtherDataAndHandlesOneGroup) {
  const HierDataset three{{1, 2, 3}, {1, 1, 1}};
  EXPECT_THROW(
      posterior_predictive_check(model(HierFamily::Normal), three, draws_at({0.0, 0.0}, 2, 10), 1),
      InputError);
  EXPECT_THROW(posterior_predictive_check(model(HierFamily::Binomial), HierDataset{{5}, {3}},
                                          draws_at({0.0}, 2, 10), 1),
               InputError);
  const PredictiveCheck one = posterior_predictive_check(
      model(HierFamily::Normal), HierDataset{{0.0}, {1.0}}, draws_at({0.0}, 2, 10), 1);
  EXPECT_EQ(one.group_p_value.size(), 1u);
  EXPECT_TRUE(std::isnan(one.variance_p_value));
  EXPECT_TRUE(std::isnan(one.observed_variance));
}

// A group with no trials has no rate: it is left out of the variance and its replicate always
// ties with its observation.
TEST(PosteriorPredictive, GroupsWithoutTrialsHaveNoRate) {
  const PredictiveCheck check =
      posterior_predictive_check(model(HierFamily::Binomial), HierDataset{{0, 3, 5}, {0, 10, 10}},
                                 draws_at({0.0, 0.0, 0.0}, 2, 100), 1);
  EXPECT_EQ(check.group_p_value[0], 0.5);
  EXPECT_NEAR(check.observed_variance, 0.02, 1e-15);  // of the rates 0.3 and 0.5
  EXPECT_FALSE(std::isnan(check.variance_p_value));
}

// Eight schools fit well (Gelman et al., BDA3 section 6.3): no p-value near 0 or 1.
TEST(PosteriorPredictive, EightSchoolsEndToEnd) {
  const HierDataset schools{{28, 8, -3, 7, -1, 1, 18, 12}, {15, 10, 16, 11, 9, 11, 10, 18}};
  SampleOptions options;
  options.chains = 4;
  options.seed = 20260412;
  options.backend = Backend::Cpu;
  const SampleResult result = sample(HierModelSpec{}, schools, options);
  const PredictiveCheck check = posterior_predictive_check(HierModelSpec{}, schools, result, 5);
  ASSERT_EQ(check.group_p_value.size(), 8u);
  for (std::size_t j = 0; j < 8; ++j) {
    EXPECT_GT(check.group_p_value[j], 0.05) << "school " << j + 1 << ", seed " << options.seed;
    EXPECT_LT(check.group_p_value[j], 0.95) << "school " << j + 1 << ", seed " << options.seed;
  }
  EXPECT_NEAR(check.observed_variance, 763.5 / 7.0, 1e-12);  // sum of squares 763.5 about 8.75
  EXPECT_GT(check.variance_p_value, 0.05) << "seed " << options.seed;
  EXPECT_LT(check.variance_p_value, 0.95) << "seed " << options.seed;
}

}  // namespace
}  // namespace hbayes
