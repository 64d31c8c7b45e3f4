// Beta credible intervals solved in lanes (beta_quantile_lanes.hpp) against Boost.Math, and the
// properties the scoring kernels rely on: the lanes handle the common case themselves (so that
// it is what these tests check), anything else falls back to BetaQuantiles bit for bit, and a
// store's interval does not depend on the block it is solved in.
#include <gtest/gtest.h>

#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "special/beta_quantile_lanes.hpp"
#include "support/tolerances.hpp"

namespace hbayes::special {
namespace {

constexpr int kBlock = 8;

// Shapes above one (the lanes' range) up to 1e7, on both sides of the prefactor's regimes at 8,
// with very asymmetric pairs.
constexpr double kShapes[] = {1.01, 1.5,   2.0, 3.0, 5.0, 7.99, 8.0, 12.0,
                              50.0, 333.0, 1e3, 1e4, 1e5, 1e6,  1e7};
constexpr double kTails[] = {1e-10, 1e-6, 1e-3, 0.025, 0.2, 0.45};

struct Pair {
  double a;
  double b;
};

std::vector<Pair> shape_grid() {
  std::vector<Pair> pairs;
  for (double a : kShapes) {
    for (double b : kShapes) pairs.push_back({a, b});
  }
  return pairs;
}

// Intervals of every pair, blocks of kBlock (the last one short).
template <int L>
void solve_in_blocks(const std::vector<Pair>& pairs, const TailProbability& tail,
                     std::vector<double>* lower, std::vector<double>* upper) {
  lower->assign(pairs.size(), 0.0);
  upper->assign(pairs.size(), 0.0);
  for (std::size_t first = 0; first < pairs.size(); first += L) {
    const int count = static_cast<int>(std::min<std::size_t>(L, pairs.size() - first));
    double a[L] = {};
    double b[L] = {};
    for (int i = 0; i < count; ++i) a[i] = pairs[first + i].a, b[i] = pairs[first + i].b;
    beta_intervals<L>(a, b, count, tail, &(*lower)[first], &(*upper)[first]);
  }
}

// How many of the pairs' 2 * size quantiles the lanes handle without the solver.
int handled_by_lanes(const std::vector<Pair>& pairs, const TailProbability& tail) {
  int handled = 0;
  for (std::size_t first = 0; first + kBlock <= pairs.size(); first += kBlock) {
    double a[kBlock];
    double b[kBlock];
    for (int i = 0; i < kBlock; ++i) a[i] = pairs[first + i].a, b[i] = pairs[first + i].b;
    detail::BetaIntervalLanes<kBlock> lanes;
    lanes.run(a, b, tail);
    for (int q = 0; q < 2 * kBlock; ++q) handled += lanes.handled(q);
  }
  return handled;
}

TEST(BetaQuantileLanes, MatchesBoostToOneInATrillion) {
  const std::vector<Pair> pairs = shape_grid();
  double worst = 0.0;
  std::string worst_case;
  for (double t : kTails) {
    const TailProbability tail = tail_probability(t);
    std::vector<double> lower, upper;
    solve_in_blocks<kBlock>(pairs, tail, &lower, &upper);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const double a = pairs[i].a;
      const double b = pairs[i].b;
      const double want_lower = boost::math::ibeta_inv(a, b, t);
      const double want_upper = boost::math::ibetac_inv(a, b, t);
      for (const auto& [got, want] : {std::pair{lower[i], want_lower}, {upper[i], want_upper}}) {
        const double rel = std::fabs(got - want) / want;
        if (rel > worst) {
          worst = rel;
          std::ostringstream where;
          where << "a=" << a << " b=" << b << " t=" << t;
          worst_case = where.str();
        }
        EXPECT_TRUE(test::close(got, want, test::kQuantile))
            << "a=" << a << " b=" << b << " t=" << t << " got " << got << " boost " << want;
      }
    }
  }
  std::ostringstream summary;
  summary << std::setprecision(3) << worst << " at " << worst_case;
  RecordProperty("max_relative_error", summary.str());
}

// Scoring shortcuts through the lanes only if they take nearly every common quantile; were they to
// hand everything to the solver, the test above would check the solver alone.
TEST(BetaQuantileLanes, HandleTheCommonCaseThemselves) {
  std::vector<Pair> pairs;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> trials(1, 2000);
  for (int i = 0; i < 4096; ++i) {
    const int n = trials(rng);
    const int y = std::uniform_int_distribution<int>(0, n)(rng);
    pairs.push_back({8.0 + y, 95.0 + (n - y)});  // posteriors of a Beta(8, 95) prior
  }
  for (double t : {1e-6, 0.025, 0.05}) {
    const int handled = handled_by_lanes(pairs, tail_probability(t));
    EXPECT_GE(handled, 0.99 * 2 * static_cast<double>(pairs.size())) << "t=" << t;
  }
  // Stores with little data under a weak prior, Beta(2, 30): small shapes, where Temme's start
  // is rougher and the solver takes more of the quantiles.
  std::vector<Pair> small;
  std::uniform_int_distribution<int> few_trials(0, 50);
  for (int i = 0; i < 4096; ++i) {
    const int n = few_trials(rng);
    const int y = std::binomial_distribution<int>(n, 0.06)(rng);
    small.push_back({2.0 + y, 30.0 + (n - y)});
  }
  EXPECT_GE(handled_by_lanes(small, tail_probability(0.025)), 0.75 * 2 * 4096.0);
  // The accuracy grid's extreme pairs and tails go to the solver more often.
  const std::vector<Pair> grid = shape_grid();
  int handled = 0;
  for (double t : kTails) handled += handled_by_lanes(grid, tail_probability(t));
  EXPECT_GE(handled, 0.4 * 2 * static_cast<double>(grid.size() * std::size(kTails)));
}

// Shapes of one or less, invalid shapes, mixed into blocks with shapes the lanes take: the
// solver's bits exactly (NaN for invalid shapes).
TEST(BetaQuantileLanes, OtherShapesGoToTheSolver) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Pair> pairs = {{0.5, 40.0}, {1.0, 100.0}, {2.0, 3.0}, {100.0, 1e-3},
                                   {-1.0, 9.0}, {nan, 9.0},   {9.0, inf}, {30.0, 40.0},
                                   {1.0, 1.0},  {8.0, 7.5},   {1e7, 0.2}, {0.0, 12.0}};
  const TailProbability tail = tail_probability(0.025);
  std::vector<double> lower, upper;
  solve_in_blocks<kBlock>(pairs, tail, &lower, &upper);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const BetaQuantiles solver(pairs[i].a, pairs[i].b);
    const double want_lower = solver.lower(tail);
    const double want_upper = solver.upper(tail);
    if (std::isnan(want_lower)) {
      EXPECT_TRUE(std::isnan(lower[i]) && std::isnan(upper[i])) << "pair " << i;
      continue;
    }
    if (pairs[i].a <= 1.0 || pairs[i].b <= 1.0) {
      EXPECT_EQ(lower[i], want_lower) << "pair " << i;
      EXPECT_EQ(upper[i], want_upper) << "pair " << i;
    }
    EXPECT_TRUE(test::close(lower[i], want_lower, test::kQuantile)) << "pair " << i;
    EXPECT_TRUE(test::close(upper[i], want_upper, test::kQuantile)) << "pair " << i;
  }
}

TEST(BetaQuantileLanes, AnEmptyBlockWritesNothing) {
  const double shapes[kBlock] = {};
  double lower[kBlock] = {-1.0};
  double upper[kBlock] = {-1.0};
  beta_intervals<kBlock>(shapes, shapes, 0, tail_probability(0.025), lower, upper);
  EXPECT_EQ(lower[0], -1.0);
  EXPECT_EQ(upper[0], -1.0);
}

// The CPU scores stores in blocks of 8 and the GPU (and the CPU's cache of repeated stores) one
// at a time: a store's interval must come out the same bits either way, whatever its neighbours.
TEST(BetaQuantileLanes, ResultsDoNotDependOnTheBlock) {
  std::vector<Pair> pairs;
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> shape(4.0, 2.5);
  for (int i = 0; i < 997; ++i) pairs.push_back({1.0 + shape(rng), 1.0 + shape(rng)});
  for (double t : {1e-8, 0.025, 0.3}) {
    const TailProbability tail = tail_probability(t);
    std::vector<double> lower8, upper8, lower1, upper1;
    solve_in_blocks<kBlock>(pairs, tail, &lower8, &upper8);
    solve_in_blocks<1>(pairs, tail, &lower1, &upper1);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      EXPECT_EQ(lower8[i], lower1[i]) << "a=" << pairs[i].a << " b=" << pairs[i].b << " t=" << t;
      EXPECT_EQ(upper8[i], upper1[i]) << "a=" << pairs[i].a << " b=" << pairs[i].b << " t=" << t;
    }
  }
}

TEST(SelectBits, ChoosesExactlyOneOperand) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(std::signbit(detail::select_bits(true, -0.0, 1.0)), true);
  EXPECT_EQ(detail::select_bits(false, nan, 2.5), 2.5);
  EXPECT_TRUE(std::isnan(detail::select_bits(true, nan, 2.5)));
  EXPECT_EQ(detail::select_bits(true, std::numeric_limits<double>::infinity(), 0.0),
            std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace hbayes::special
