// The replicate samplers of kernels/hmc/replicate.hpp against the exact distributions: chi-square
// goodness of fit of 2e5 draws to Boost.Math's pmf, and mean and variance within 5 standard
// errors, for parameters on both sides of the inversion/rejection switch (mean 10) and at the
// extremes (p near 0 and 1, n = 1 to 1e6, lambda = 0.01 to 1e6). Each case names its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "hmc/replicate.hpp"

namespace hbayes::kernels::hmc {
namespace {

constexpr std::uint64_t kSeed = 20260412;
constexpr int kDraws = 200000;
// Fail only on a chi-square p-value this small: about 30 fixed-seed cases, so a correct sampler
// passes them all unless something near a 1e-5 accident happens.
constexpr double kMinGoodnessP = 1e-6;
// Cells are merged until each expects at least this many draws (the chi-square approximation).
constexpr double kMinExpected = 5.0;

// Draws `kDraws` variates, each from its own stream (seed, case, draw), as the check draws them.
std::vector<double> draw(std::uint64_t case_id, const std::function<double(WordCounter&)>& one) {
  std::vector<double> x(kDraws);
  for (int i = 0; i < kDraws; ++i) {
    WordCounter words{
        ChainStream{kSeed, case_id, static_cast<std::uint64_t>(i), RandomPurpose::Predictive}, 0};
    x[i] = one(words);
  }
  return x;
}

// The largest value of a discrete distribution's support.
double support_end(const boost::math::binomial& d) {
  return d.trials();
}
double support_end(const boost::math::poisson&) {
  return INFINITY;
}

// Chi-square p-value of integer draws against a discrete distribution. Cells are runs of
// consecutive values from `first` to `last`, each expecting at least kMinExpected draws; the
// tails below and above that range join the end cells.
template <class Distribution>
double goodness_of_fit_p(const std::vector<double>& x, const Distribution& dist, double first,
                         double last) {
  std::vector<double> upper;     // each cell's largest value; the last cell is open above
  std::vector<double> expected;  // probabilities
  double open = first > 0.0 ? cdf(dist, first - 1.0) : 0.0;  // the cell being filled
  for (double k = first; k <= last; ++k) {
    open += pdf(dist, k);
    if (open * kDraws >= kMinExpected) {
      upper.push_back(k);
      expected.push_back(open);
      open = 0.0;
    }
  }
  if (upper.size() < 2) return 1.0;  // one cell: nothing to compare
  expected.back() += open + (last < support_end(dist) ? cdf(complement(dist, last)) : 0.0);
  upper.back() = INFINITY;
  std::vector<double> observed(upper.size(), 0.0);
  for (double v : x) observed[std::lower_bound(upper.begin(), upper.end(), v) - upper.begin()]++;
  double chi2 = 0.0;
  for (std::size_t c = 0; c < upper.size(); ++c) {
    const double e = expected[c] * kDraws;
    chi2 += (observed[c] - e) * (observed[c] - e) / e;
  }
  return cdf(complement(boost::math::chi_squared(upper.size() - 1.0), chi2));
}

struct Moments {
  double mean, variance;
};
Moments sample_moments(const std::vector<double>& x) {
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= x.size();
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return {mean, ss / (x.size() - 1.0)};
}

// Sample mean and variance within 5 standard errors of the exact ones; mu4 is the exact fourth
// central moment, which sets the variance's standard error sqrt((mu4 - sigma^4) / N).
void expect_moments(const std::vector<double>& x, double mean, double variance, double mu4,
                    const std::string& what) {
  const Moments m = sample_moments(x);
  const double n = static_cast<double>(x.size());
  EXPECT_NEAR(m.mean, mean, 5.0 * std::sqrt(variance / n)) << what;
  EXPECT_NEAR(m.variance, variance, 5.0 * std::sqrt((mu4 - variance * variance) / n)) << what;
}

struct BinomialCase {
  double n, p;
};

TEST(Replicate, BinomialMatchesItsPmf) {
  const BinomialCase cases[] = {
      {1, 0.3},      {1, 1e-3},     {1, 0.999},  {10, 0.5},       {10, 0.999},       {19, 0.5},
      {20, 0.5},     {1000, 0.001}, {1000, 0.2}, {1000, 0.995},   {1000, 0.98},      {1e6, 1e-6},
      {1e6, 9.9e-6}, {1e6, 1e-5},   {1e6, 0.5},  {1e6, 1 - 1e-5}, {1e6, 1 - 9.9e-6}, {1e9, 0.3}};
  std::uint64_t case_id = 0;
  for (const BinomialCase& c : cases) {
    const std::vector<double> x =
        draw(++case_id, [&](WordCounter& w) { return binomial_variate(c.n, c.p, w); });
    std::ostringstream what;
    what << "Binomial(" << c.n << ", " << c.p << "), seed " << kSeed << ", case " << case_id;
    const boost::math::binomial dist(c.n, c.p);
    const double mean = c.n * c.p, q = 1.0 - c.p, variance = mean * q;
    const double sd = std::sqrt(variance);
    const double first = std::max(0.0, std::floor(mean - 12.0 * sd - 12.0));
    const double last = std::min(c.n, std::ceil(mean + 12.0 * sd + 12.0));
    for (double v : x)
      ASSERT_TRUE(v >= 0.0 && v <= c.n && v == std::floor(v)) << v << ", " << what.str();
    EXPECT_GT(goodness_of_fit_p(x, dist, first, last), kMinGoodnessP) << what.str();
    expect_moments(x, mean, variance, variance * (1.0 + 3.0 * (c.n - 2.0) * c.p * q), what.str());
  }
}

TEST(Replicate, PoissonMatchesItsPmf) {
  const double lambdas[] = {0.01, 3, 9.9, 10, 10.5, 50, 1e6, 1e9};
  std::uint64_t case_id = 100;
  for (double lambda : lambdas) {
    const std::vector<double> x =
        draw(++case_id, [&](WordCounter& w) { return poisson_variate(lambda, w); });
    std::ostringstream what;
    what << "Poisson(" << lambda << "), seed " << kSeed << ", case " << case_id;
    const double sd = std::sqrt(lambda);
    const double first = std::max(0.0, std::floor(lambda - 12.0 * sd - 12.0));
    const double last = std::ceil(lambda + 12.0 * sd + 12.0);
    for (double v : x) ASSERT_TRUE(v >= 0.0 && v == std::floor(v)) << v << ", " << what.str();
    EXPECT_GT(goodness_of_fit_p(x, boost::math::poisson(lambda), first, last), kMinGoodnessP)
        << what.str();
    expect_moments(x, lambda, lambda, lambda * (1.0 + 3.0 * lambda), what.str());
  }
}

TEST(Replicate, NormalMatchesItsDistribution) {
  const std::vector<double> x =
      draw(200, [](WordCounter& w) { return normal_variate(3.0, 2.0, w); });
  // 100 equiprobable cells through the normal quantiles.
  const boost::math::normal dist(3.0, 2.0);
  constexpr int kCells = 100;
  std::vector<double> observed(kCells, 0.0);
  for (double v : x) {
    observed[std::min(kCells - 1, static_cast<int>(cdf(dist, v) * kCells))]++;
  }
  double chi2 = 0.0;
  const double e = static_cast<double>(kDraws) / kCells;
  for (double o : observed) chi2 += (o - e) * (o - e) / e;
  EXPECT_GT(cdf(complement(boost::math::chi_squared(kCells - 1.0), chi2)), kMinGoodnessP)
      << "seed " << kSeed;
  expect_moments(x, 3.0, 4.0, 3.0 * 16.0, "Normal(3, 2^2), seed " + std::to_string(kSeed));
}

TEST(Replicate, DegenerateParametersGiveTheirOnlyValue) {
  WordCounter words{ChainStream{kSeed, 300, 0, RandomPurpose::Predictive}, 0};
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(binomial_variate(10, 0.0, words), 0.0);
    EXPECT_EQ(binomial_variate(10, 1.0, words), 10.0);
    EXPECT_EQ(binomial_variate(0, 0.4, words), 0.0);
    EXPECT_EQ(binomial_variate(1e6, 0.0, words), 0.0);
    EXPECT_EQ(poisson_variate(0.0, words), 0.0);
  }
  EXPECT_EQ(poisson_variate(INFINITY, words), INFINITY);
}

TEST(Replicate, WordCounterWalksItsStreamInOrder) {
  const ChainStream stream{kSeed, 7, 11, RandomPurpose::Predictive};
  WordCounter words{stream, 5};
  for (std::uint64_t b = 5; b < 8; ++b) {
    const PhiloxBlock block = stream.block(b);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(words.next_word(), block.v[k]) << "block " << b;
  }
}

// The log pmfs the rejection tests use, against Boost.Math, including where lgamma's large
// terms would cancel (n and lambda of 1e12).
TEST(Replicate, LogPmfsMatchBoost) {
  const BinomialCase cases[] = {{20, 0.5}, {1000, 0.01}, {1e6, 0.3}, {1e12, 1e-6}};
  for (const BinomialCase& c : cases) {
    const boost::math::binomial dist(c.n, c.p);
    const double mean = c.n * c.p, sd = std::sqrt(mean * (1.0 - c.p));
    for (double k : {0.0, std::floor(mean - 3 * sd), std::floor(mean), std::ceil(mean + 3 * sd)}) {
      if (k < 0) continue;
      const double want = std::log(pdf(dist, k));
      EXPECT_NEAR(binomial_log_pmf(k, c.n, c.p), want, 1e-12 * (1.0 + std::fabs(want)))
          << "Binomial(" << c.n << ", " << c.p << ") at " << k;
    }
  }
  for (double lambda : {10.0, 1e3, 1e12}) {
    const boost::math::poisson dist(lambda);
    for (double k : {0.0, std::floor(lambda - 3 * std::sqrt(lambda)), std::floor(lambda)}) {
      if (k < 0) continue;
      const double want = k == 0.0 ? -lambda : std::log(pdf(dist, k));
      EXPECT_NEAR(poisson_log_pmf(k, lambda), want, 1e-12 * (1.0 + std::fabs(want)))
          << "Poisson(" << lambda << ") at " << k;
    }
  }
}

}  // namespace
}  // namespace hbayes::kernels::hmc
