// The worked examples of the seed notes (shared/seed/hierarchical-bayes-notes.txt), scored
// through the library API. Expected values are the notes' algebra (exact fractions) or, for
// interval ends, mpmath at 40 digits; the notes' own 9.062 is a rounding slip (9.0588 is exact).
#include <gtest/gtest.h>

#include <cmath>

#include "hbayes/score.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

ScoreOptions cpu_options() {
  ScoreOptions options;
  options.backend = Backend::Cpu;
  return options;
}

TEST(SeedExamples, SmallStoreBeta7_113) {
  const std::int64_t y[] = {2}, n[] = {20};
  const PosteriorTable t = score(BinomialColumns{y, n, 1}, BetaBinomialPrior{5, 95}, cpu_options());
  EXPECT_DOUBLE_EQ(t.post_param1[0], 7.0);
  EXPECT_DOUBLE_EQ(t.post_param2[0], 113.0);
  EXPECT_TRUE(test::close(t.post_mean[0], 7.0 / 120.0, test::kMoment));
  EXPECT_DOUBLE_EQ(t.raw[0], 0.1);
  // mpmath: betaincinv at tail (1 - 0.95) / 2 evaluated in double, 0.025000000000000022.
  EXPECT_TRUE(test::close(t.lower[0], 0.023974559730976159095, test::kQuantile)) << t.lower[0];
  EXPECT_TRUE(test::close(t.upper[0], 0.10651501471202392943, test::kQuantile)) << t.upper[0];
  EXPECT_TRUE(test::close(t.data_weight[0], 20.0 / 120.0, test::kMoment));
  // Var of Beta(7, 113) = 7 * 113 / (120^2 * 121).
  EXPECT_TRUE(
      test::close(t.post_sd[0], std::sqrt(7.0 * 113.0 / (120.0 * 120.0 * 121.0)), test::kMoment));
}

TEST(SeedExamples, StoresAAndBUnderBeta10_190) {
  const std::int64_t y[] = {2, 40}, n[] = {20, 400};
  const PosteriorTable t =
      score(BinomialColumns{y, n, 2}, BetaBinomialPrior{10, 190}, cpu_options());
  EXPECT_TRUE(test::close(t.post_mean[0], 12.0 / 220.0, test::kMoment));
  EXPECT_TRUE(test::close(t.post_mean[1], 50.0 / 600.0, test::kMoment));
}

TEST(SeedExamples, PracticeProblemTwoStores) {
  const std::int64_t y[] = {3, 20}, n[] = {30, 200};
  const PosteriorTable t =
      score(BinomialColumns{y, n, 2}, BetaBinomialPrior{6, 114}, cpu_options());
  EXPECT_TRUE(test::close(t.post_mean[0], 0.06, test::kMoment));
  EXPECT_TRUE(test::close(t.post_mean[1], 0.08125, test::kMoment));
  // The small store is pulled harder towards the prior mean 0.05.
  EXPECT_LT(t.data_weight[0], t.data_weight[1]);
}

TEST(SeedExamples, NormalNormalKappaFiveNinths) {
  // sigma^2 = 4, n = 5 -> se^2 = 0.8; tau^2 = 1; ybar = 10; mu = 8.
  const double estimate[] = {10.0}, se[] = {std::sqrt(4.0 / 5.0)};
  const PosteriorTable t =
      score(NormalColumns{estimate, se, 1}, NormalNormalPrior{8.0, 1.0}, cpu_options());
  EXPECT_TRUE(test::close(t.data_weight[0], 5.0 / 9.0, test::kMoment));
  EXPECT_TRUE(test::close(t.post_mean[0], 8.0 + 2.0 * 5.0 / 9.0, test::kMoment));  // 9.1111
}

TEST(SeedExamples, NormalNormalUnequalN) {
  // sigma^2 = 9, n = (10, 2), ybar = (12, 8), mu = 10, tau^2 = 4.
  const double estimate[] = {12.0, 8.0}, se[] = {std::sqrt(0.9), std::sqrt(4.5)};
  const PosteriorTable t =
      score(NormalColumns{estimate, se, 2}, NormalNormalPrior{10.0, 2.0}, cpu_options());
  // Posterior precision 1/4 + n/9; mean (10/4 + n ybar/9) / precision.
  EXPECT_TRUE(
      test::close(t.post_mean[0], (2.5 + 120.0 / 9.0) / (0.25 + 10.0 / 9.0), test::kMoment));
  EXPECT_TRUE(test::close(t.post_mean[1], (2.5 + 16.0 / 9.0) / (0.25 + 2.0 / 9.0), test::kMoment));
  EXPECT_NEAR(t.post_mean[0], 11.6327, 5e-5);
  EXPECT_NEAR(t.post_mean[1], 9.0588, 5e-5);
  EXPECT_NEAR(t.post_sd[0] * t.post_sd[0], 0.7347, 5e-5);
  EXPECT_NEAR(t.post_sd[1] * t.post_sd[1], 2.1176, 5e-5);
}

TEST(SeedExamples, ZeroTrialsGivesThePrior) {
  const std::int64_t y[] = {0}, n[] = {0};
  const PosteriorTable t = score(BinomialColumns{y, n, 1}, BetaBinomialPrior{5, 95}, cpu_options());
  EXPECT_TRUE(std::isnan(t.raw[0]));
  EXPECT_DOUBLE_EQ(t.post_param1[0], 5.0);
  EXPECT_DOUBLE_EQ(t.post_param2[0], 95.0);
  EXPECT_DOUBLE_EQ(t.data_weight[0], 0.0);
}

}  // namespace
}  // namespace hbayes
