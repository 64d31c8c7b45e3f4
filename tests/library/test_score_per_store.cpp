// Scoring with a prior per store (the priors of a fit with covariates): every store's row equals
// scoring that store alone with its own prior, bit for bit (the same kernel; only where the prior
// comes from differs), predictive columns included; a bad prior fails naming its row.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hbayes/errors.hpp"
#include "hbayes/score.hpp"

namespace hbayes {
namespace {

constexpr std::size_t kRows = 2003;

// Row i of every column of `all` equals row 0 of `one`.
void expect_row(const PosteriorTable& all, const PosteriorTable& one, std::size_t i) {
  const std::vector<std::pair<const std::vector<double>*, const std::vector<double>*>> columns = {
      {&all.raw, &one.raw},           {&all.post_mean, &one.post_mean},
      {&all.post_sd, &one.post_sd},   {&all.lower, &one.lower},
      {&all.upper, &one.upper},       {&all.data_weight, &one.data_weight},
      {&all.post_param1, &one.post_param1}, {&all.post_param2, &one.post_param2},
      {&all.pred_mean, &one.pred_mean}, {&all.pred_lower, &one.pred_lower},
      {&all.pred_upper, &one.pred_upper}};
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const auto& [a, b] = columns[c];
    ASSERT_EQ(a->empty(), b->empty()) << "column " << c;
    if (a->empty()) continue;
    const double got = (*a)[i], alone = (*b)[0];
    // raw is NaN for a store with no trials: then both must be NaN.
    ASSERT_TRUE(got == alone || (std::isnan(got) && std::isnan(alone)))
        << "column " << c << ", row " << i << ": " << got << " vs " << alone;
  }
}

TEST(ScorePerStore, BetaBinomialRowsEqualScoringEachStoreAlone) {
  std::vector<std::int64_t> y(kRows), n(kRows);
  std::vector<BetaBinomialPrior> priors(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    n[i] = static_cast<std::int64_t>((i * 37) % 400);
    y[i] = static_cast<std::int64_t>((i * 101) % static_cast<std::size_t>(n[i] + 1));
    // Repeated data with different priors: a cache keyed on the data alone would mix them up.
    if (i % 2 == 1) y[i] = y[i - 1], n[i] = n[i - 1];
    priors[i] = {0.5 + static_cast<double>(i % 17), 3.0 + static_cast<double>(i % 29) * 7.0};
  }
  ScoreOptions options;
  options.backend = Backend::Cpu;
  options.predict_trials = 25;
  const PosteriorTable all = score(BinomialColumns{y.data(), n.data(), kRows}, priors.data(), options);
  for (std::size_t i = 0; i < kRows; ++i) {
    expect_row(all, score(BinomialColumns{&y[i], &n[i], 1}, priors[i], options), i);
  }
}

TEST(ScorePerStore, GammaPoissonRowsEqualScoringEachStoreAlone) {
  std::vector<std::int64_t> count(kRows);
  std::vector<double> exposure(kRows);
  std::vector<GammaPoissonPrior> priors(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    count[i] = static_cast<std::int64_t>((i * 13) % 60);
    exposure[i] = 0.25 + static_cast<double>((i * 7) % 50);
    if (i % 2 == 1) count[i] = count[i - 1], exposure[i] = exposure[i - 1];
    priors[i] = {0.3 + 0.1 * static_cast<double>(i % 23), 0.5 + static_cast<double>(i % 11)};
  }
  ScoreOptions options;
  options.backend = Backend::Cpu;
  options.predict_exposure = 3.5;
  const PosteriorTable all =
      score(PoissonColumns{count.data(), exposure.data(), kRows}, priors.data(), options);
  for (std::size_t i = 0; i < kRows; ++i) {
    expect_row(all, score(PoissonColumns{&count[i], &exposure[i], 1}, priors[i], options), i);
  }
}

TEST(ScorePerStore, NormalNormalRowsEqualScoringEachStoreAlone) {
  std::vector<double> estimate(kRows), se(kRows);
  std::vector<NormalNormalPrior> priors(kRows);
  for (std::size_t i = 0; i < kRows; ++i) {
    estimate[i] = 10.0 * std::sin(static_cast<double>(i));
    se[i] = 0.5 + static_cast<double>(i % 13);
    priors[i] = {std::cos(static_cast<double>(i)), 0.1 + static_cast<double>(i % 7)};
  }
  ScoreOptions options;
  options.backend = Backend::Cpu;
  const PosteriorTable all =
      score(NormalColumns{estimate.data(), se.data(), kRows}, priors.data(), options);
  for (std::size_t i = 0; i < kRows; ++i) {
    expect_row(all, score(NormalColumns{&estimate[i], &se[i], 1}, priors[i], options), i);
  }
}

TEST(ScorePerStore, ABadPriorNamesItsRow) {
  std::vector<std::int64_t> y = {1, 2, 3}, n = {10, 10, 10};
  std::vector<BetaBinomialPrior> priors = {{1, 1}, {1, 1}, {-2, 1}};
  try {
    score(BinomialColumns{y.data(), n.data(), 3}, priors.data());
    FAIL() << "a negative alpha was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hbayes
