// The branch-free exp, log, log1p and sin/cos of the sampler's inner loops against 50-digit
// Boost.Multiprecision values, their edge cases, and the property they exist for: compiled in a
// vectorized loop (HBAYES_CPU_CLONES picks AVX-512 or AVX2 where the machine has it) they give
// the same bits as one call at a time.
#include <gtest/gtest.h>

#include <boost/math/constants/constants.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "device_macros.hpp"
#include "special/exp_branch_free.hpp"
#include "special/log_branch_free.hpp"
#include "special/sin_cos_turns.hpp"

namespace hbayes::special {
namespace {

using Wide = boost::multiprecision::cpp_bin_float_50;

// |got - exact| in units of the last place of the double nearest to exact.
double ulps(double got, const Wide& exact) {
  const double nearest = static_cast<double>(exact);
  const double ulp = std::nextafter(std::fabs(nearest), std::numeric_limits<double>::infinity()) -
                     std::fabs(nearest);
  return static_cast<double>(boost::multiprecision::abs(Wide(got) - exact) / ulp);
}

// Arguments spread over every binade of [lo, hi] (log-uniform magnitudes) and uniform in it.
std::vector<double> spread(double lo, double hi, int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> x;
  std::uniform_real_distribution<double> uniform(lo, hi);
  for (int i = 0; i < n; ++i) x.push_back(uniform(rng));
  return x;
}

// Under 1 ulp with fused multiply-adds (this build's x86-64 g++ and GPU paths); 1.2 without.
TEST(ExpBranchFree, WithinOneUlpOverTheNormalRange) {
  std::vector<double> x = spread(-708.3, 709.78, 20000, 1);
  for (double v : {0.0, 1e-300, -1e-17, 1e-10, 0.5, -0.5, 0.34657359027997264, 1.0, -1.0, 2.0, 10.0,
                   100.0, -100.0, 700.0, -700.0, 709.782712893383973, -708.39}) {
    x.push_back(v);
  }
  double worst = 0.0;
  for (double v : x) {
    const double err = ulps(exp_branch_free(v), boost::multiprecision::exp(Wide(v)));
#if defined(HBAYES_CPU_CLONES_X86) || defined(__FMA__) || defined(__aarch64__)
    ASSERT_LT(err, 1.0) << "x=" << v;
#else
    ASSERT_LT(err, 1.2) << "x=" << v;
#endif
    worst = std::max(worst, err);
  }
  EXPECT_GT(worst, 0.0);  // the comparison saw rounding, so it is not vacuous
}

TEST(ExpBranchFree, OverflowUnderflowAndNan) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(exp_branch_free(709.79), inf);
  EXPECT_EQ(exp_branch_free(1e300), inf);
  EXPECT_EQ(exp_branch_free(inf), inf);
  EXPECT_EQ(exp_branch_free(-746.0), 0.0);
  EXPECT_EQ(exp_branch_free(-inf), 0.0);
  EXPECT_TRUE(std::isnan(exp_branch_free(std::nan(""))));
  // Subnormal results: one rounding, as libm's.
  for (double v = -745.1; v < -708.4; v += 0.37) EXPECT_EQ(exp_branch_free(v), std::exp(v)) << v;
}

TEST(LogBranchFree, WithinTwoUlpFromSubnormalsToTheLargestDouble) {
  std::vector<double> x;
  for (double e : spread(-744.0, 709.7, 20000, 2)) x.push_back(std::exp(e));
  for (double v : spread(0.5, 2.0, 5000, 3)) x.push_back(v);  // where log is near 0
  for (double v : {5e-324, 1e-310, 2.2250738585072014e-308, 0.7071067811865475, 0.7071067811865476,
                   1.0, 1.0000000000000002, 0.9999999999999999, 1.4142135623730951, 2.0, 1e300,
                   1.7976931348623157e308}) {
    x.push_back(v);
  }
  for (double v : x) {
    if (v == 1.0) {
      EXPECT_EQ(log_branch_free(v), 0.0);
      continue;
    }
    ASSERT_LT(ulps(log_branch_free(v), boost::multiprecision::log(Wide(v))), 2.0) << "x=" << v;
  }
  EXPECT_TRUE(std::isnan(log_branch_free(std::nan(""))));
}

TEST(Log1pUnit, WithinTwoUlpFromMinusAHalfToOne) {
  std::vector<double> e = spread(-0.5, 1.0, 20000, 4);
  for (double v : spread(-745.0, 0.0, 20000, 5)) {
    e.push_back(std::exp(v));  // tiny e, both signs
    e.push_back(-0.5 * std::exp(v));
  }
  for (double v :
       {5e-324, 1e-300, 1e-17, 1e-9, 0.41421356237309503, 0.5, 1.0, -1e-17, -0.25, -0.5}) {
    e.push_back(v);
  }
  for (double v : e) {
    ASSERT_LT(ulps(log1p_unit(v), boost::multiprecision::log1p(Wide(v))), 2.0) << "e=" << v;
  }
  EXPECT_EQ(log1p_unit(0.0), 0.0);
}

TEST(SinCosTurns, AbsoluteErrorBelow2e16) {
  std::vector<double> u = spread(0.0, 1.0, 20000, 6);
  for (int k = 0; k <= 16; ++k) u.push_back(k / 16.0);  // quadrant and octant boundaries
  for (double v : {1e-300, 1e-17, 0.125 + 1e-16, 0.375 - 1e-16, 1.0 - 1e-16, -0.3, 7.25}) {
    u.push_back(v);
  }
  const Wide two_pi = 2 * boost::math::constants::pi<Wide>();
  for (double v : u) {
    double sine, cosine;
    sin_cos_turns(v, &sine, &cosine);
    const Wide angle = two_pi * Wide(v);
    ASSERT_LT(boost::multiprecision::abs(Wide(sine) - boost::multiprecision::sin(angle)), 2e-16)
        << "u=" << v;
    ASSERT_LT(boost::multiprecision::abs(Wide(cosine) - boost::multiprecision::cos(angle)), 2e-16)
        << "u=" << v;
  }
  double sine, cosine;
  sin_cos_turns(0.25, &sine, &cosine);
  EXPECT_EQ(sine, 1.0);
  EXPECT_EQ(std::fabs(cosine), 0.0);
}

// Each function over a whole array in a loop the compiler vectorizes (the sampler's situation),
// and the same arguments one call at a time through a pointer the compiler cannot see through.
struct Results {
  std::vector<double> exp, log, log1p, sine, cosine;
};

HBAYES_CPU_CLONES Results in_vectorized_loops(const std::vector<double>& x,
                                              const std::vector<double>& unit) {
  const std::size_t n = x.size();
  Results r{std::vector<double>(n), std::vector<double>(n), std::vector<double>(n),
            std::vector<double>(n), std::vector<double>(n)};
  for (std::size_t i = 0; i < n; ++i) r.exp[i] = exp_branch_free(x[i]);
  for (std::size_t i = 0; i < n; ++i) r.log[i] = log_branch_free(std::fabs(x[i]) + 1e-300);
  for (std::size_t i = 0; i < n; ++i) r.log1p[i] = log1p_unit(unit[i]);
  for (std::size_t i = 0; i < n; ++i) sin_cos_turns(unit[i], &r.sine[i], &r.cosine[i]);
  return r;
}

TEST(BranchFreeMath, VectorizedLoopsGiveTheBitsOfSingleCalls) {
  const std::vector<double> x = spread(-800.0, 800.0, 4099, 7);
  const std::vector<double> unit = spread(0.0, 1.0, 4099, 8);
  const Results vectorized = in_vectorized_loops(x, unit);
  double (*volatile exp_one)(double) = exp_branch_free;
  double (*volatile log_one)(double) = log_branch_free;
  double (*volatile log1p_one)(double) = log1p_unit;
  void (*volatile sin_cos_one)(double, double*, double*) = sin_cos_turns;
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_EQ(vectorized.exp[i], exp_one(x[i])) << x[i];
    ASSERT_EQ(vectorized.log[i], log_one(std::fabs(x[i]) + 1e-300)) << x[i];
    ASSERT_EQ(vectorized.log1p[i], log1p_one(unit[i])) << unit[i];
    double sine, cosine;
    sin_cos_one(unit[i], &sine, &cosine);
    ASSERT_EQ(vectorized.sine[i], sine) << unit[i];
    ASSERT_EQ(vectorized.cosine[i], cosine) << unit[i];
  }
}

}  // namespace
}  // namespace hbayes::special
