// The library API enforces the same data rules as the CLI and names the offending row.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hbayes/errors.hpp"
#include "hbayes/score.hpp"

namespace hbayes {
namespace {

ScoreOptions cpu() {
  ScoreOptions o;
  o.backend = Backend::Cpu;
  return o;
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LibraryValidation, SuccessesAboveTrialsNamesTheRow) {
  const std::int64_t y[] = {1, 57}, n[] = {3, 40};
  EXPECT_EQ(error_of([&] {
              score(BinomialColumns{y, n, 2}, BetaBinomialPrior{1, 1}, cpu());
            }),
            "row 2: successes (57) exceeds trials (40)");
}

TEST(LibraryValidation, NegativeCountsAreRejected) {
  const std::int64_t y[] = {-1}, n[] = {3};
  EXPECT_EQ(error_of([&] {
              score(BinomialColumns{y, n, 1}, BetaBinomialPrior{1, 1}, cpu());
            }),
            "row 1: successes (-1) is negative");
  const std::int64_t c[] = {-2};
  const double e[] = {1.0};
  EXPECT_EQ(error_of([&] {
              score(PoissonColumns{c, e, 1}, GammaPoissonPrior{1, 1}, cpu());
            }),
            "row 1: count (-2) is negative");
}

TEST(LibraryValidation, ExposureAndStdErrorMustBePositiveFinite) {
  const std::int64_t c[] = {2};
  for (double bad : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::nan("")}) {
    const double e[] = {bad};
    EXPECT_NE(error_of([&] {
                score(PoissonColumns{c, e, 1}, GammaPoissonPrior{1, 1}, cpu());
              }).find("row 1: exposure must be a positive finite number"),
              std::string::npos);
    const double est[] = {1.0};
    EXPECT_NE(error_of([&] {
                score(NormalColumns{est, e, 1}, NormalNormalPrior{0, 1}, cpu());
              }).find("row 1: std_error must be a positive finite number"),
              std::string::npos);
  }
  const double est[] = {std::nan("")}, se[] = {1.0};
  EXPECT_EQ(error_of([&] {
              score(NormalColumns{est, se, 1}, NormalNormalPrior{0, 1}, cpu());
            }),
            "row 1: estimate must be a finite number (got nan)");
}

TEST(LibraryValidation, HyperparametersMustBeValid) {
  const std::int64_t y[] = {1}, n[] = {2};
  EXPECT_EQ(error_of([&] {
              score(BinomialColumns{y, n, 1}, BetaBinomialPrior{0, 1}, cpu());
            }),
            "prior: alpha must be a positive finite number (got 0)");
  EXPECT_EQ(error_of([&] {
              score(BinomialColumns{y, n, 1}, BetaBinomialPrior{1, -2}, cpu());
            }),
            "prior: beta must be a positive finite number (got -2)");
  const double e[] = {1.0};
  EXPECT_EQ(error_of([&] {
              score(PoissonColumns{y, e, 1}, GammaPoissonPrior{1, 0}, cpu());
            }),
            "prior: rate must be a positive finite number (got 0)");
  const double est[] = {1.0};
  EXPECT_EQ(error_of([&] {
              score(NormalColumns{est, e, 1}, NormalNormalPrior{0, 0}, cpu());
            }),
            "prior: tau must be a positive finite number (got 0)");
}

TEST(LibraryValidation, OptionsMustFitTheFamily) {
  const std::int64_t y[] = {1}, n[] = {2};
  ScoreOptions o = cpu();
  o.level = 1.0;
  EXPECT_EQ(error_of([&] {
              score(BinomialColumns{y, n, 1}, BetaBinomialPrior{1, 1}, o);
            }),
            "options: level must be strictly between 0 and 1 (got 1)");
  o = cpu();
  o.predict_exposure = 2.0;
  EXPECT_EQ(error_of([&] {
              score(BinomialColumns{y, n, 1}, BetaBinomialPrior{1, 1}, o);
            }),
            "options: predict-exposure applies to the gamma-poisson model only");
}

TEST(LibraryValidation, EmptyCatalogIsFine) {
  const PosteriorTable t =
      score(BinomialColumns{nullptr, nullptr, 0}, BetaBinomialPrior{1, 1}, cpu());
  EXPECT_TRUE(t.post_mean.empty());
}

}  // namespace
}  // namespace hbayes
