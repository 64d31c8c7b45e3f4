// incomplete_gamma.hpp and incomplete_gamma_inverse.hpp against Boost.Math (default policy, which
// evaluates in long double) and against mpmath at 50 digits where Boost itself is unreliable.
#include <gtest/gtest.h>

#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "gamma_fixture.hpp"
#include "special/incomplete_gamma.hpp"
#include "special/incomplete_gamma_inverse.hpp"
#include "support/tolerances.hpp"

namespace hbayes::special {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Below this a value is "denormal-small": its relative accuracy is not compared.
constexpr double kSmallestCompared = 1e-300;

// 25 shapes, log-spaced from 1e-3 to 1e7.
std::vector<double> shapes() {
  std::vector<double> a;
  for (int k = 0; k <= 24; ++k) a.push_back(std::pow(10.0, -3.0 + 10.0 * k / 24.0));
  return a;
}

// Points around Gamma(a)'s bulk on the standard-deviation scale, and far out multiplicatively.
std::vector<double> abscissae(double a) {
  std::vector<double> x;
  for (double z : {-8.0, -5.0, -3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0}) {
    if (a + z * std::sqrt(a) > 0.0) x.push_back(a + z * std::sqrt(a));
  }
  for (double m : {1e-300, 1e-100, 1e-10, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.01, 1.1, 1.5, 2.0,
                   3.0, 10.0, 100.0}) {
    // Skip x so far below a that P ~ (x/a)^a is beyond any double (and Boost's tgamma throws).
    if (a * std::log(1.0 / m) <= 2000.0) x.push_back(a * m);
  }
  for (double v : {0.01, 0.5, 1.0, 1.09, 1.11, 2.0, 20.0, 300.0}) x.push_back(v);
  return x;
}

// The grid points where Boost 1.74 itself misses by more than the tolerance, each settled with
// mpmath and tested against it instead (gamma_mpmath.csv, with more points like it). Boost forms
// the prefactor's logarithm in long double with an absolute error of about a * 5e-20, so beyond
// a ~ 1e6, outside its Temme zone ((x - a)^2 / a >= 20), it can be off by 5e-13.
struct GridPoint {
  double a;
  double x;
};
constexpr GridPoint kBoostMisses[] = {
    {1e7, 1e7 * 1.01},  // Q = 2.4553e-218: Boost off by 6.1e-13, this code by 1.2e-13
};

bool boost_misses(double a, double x) {
  for (const GridPoint& p : kBoostMisses) {
    if (p.a == a && p.x == x) return true;
  }
  return false;
}

TEST(IncompleteGamma, MatchesBoostAcrossShapes) {
  int compared = 0;
  for (double a : shapes()) {
    const GammaShape shape = make_gamma_shape(a);
    for (double x : abscissae(a)) {
      if (boost_misses(a, x)) continue;
      const GammaRatios r = incomplete_gamma(shape, x);
      const double p = boost::math::gamma_p(a, x);
      const double q = boost::math::gamma_q(a, x);
      if (p >= kSmallestCompared) {
        EXPECT_TRUE(test::close(r.p, p, test::kSpecialValue))
            << "P(a=" << a << ", x=" << x << ") = " << r.p << ", Boost " << p;
        ++compared;
      }
      if (q >= kSmallestCompared) {
        EXPECT_TRUE(test::close(r.q, q, test::kSpecialValue))
            << "Q(a=" << a << ", x=" << x << ") = " << r.q << ", Boost " << q;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(IncompleteGamma, MatchesMpmath) {
  for (const char* function : {"gamma_p", "gamma_q"}) {
    const auto rows = test::mpmath_rows(function);
    EXPECT_GE(rows.size(), 10u) << function;
    for (const auto& row : rows) {
      const double got = function[6] == 'p' ? gamma_p(row.x1, row.x2) : gamma_q(row.x1, row.x2);
      EXPECT_TRUE(test::close(got, row.expected, test::kSpecialValue))
          << function << "(" << row.x1 << ", " << row.x2 << ") = " << got << ", mpmath "
          << row.expected << " (gamma_mpmath.csv:" << row.line << ")";
    }
  }
}

TEST(IncompleteGamma, PrefactorMatchesBoostDerivative) {
  // x^a e^-x / Gamma(a) = x * dP/dx; Boost's gamma_p_derivative is dP/dx.
  for (double a : shapes()) {
    const GammaShape shape = make_gamma_shape(a);
    for (double x : abscissae(a)) {
      if (boost_misses(a, x)) continue;
      const double expected = x * boost::math::gamma_p_derivative(a, x);
      if (!(expected >= kSmallestCompared)) continue;
      const double got = incomplete_gamma(shape, x).prefactor;
      EXPECT_TRUE(test::close(got, expected, test::kSpecialValue))
          << "prefactor(a=" << a << ", x=" << x << ") = " << got << ", Boost " << expected;
    }
  }
}

TEST(IncompleteGamma, EdgeCases) {
  EXPECT_EQ(gamma_p(2.5, 0.0), 0.0);
  EXPECT_EQ(gamma_q(2.5, 0.0), 1.0);
  EXPECT_EQ(gamma_p(2.5, kInf), 1.0);
  EXPECT_EQ(gamma_q(2.5, kInf), 0.0);
  // a = 1 is the exponential distribution, in closed form.
  for (double x : {1e-300, 1e-10, 0.3, 1.0, 7.5, 700.0}) {
    EXPECT_EQ(gamma_p(1.0, x), -std::expm1(-x)) << x;
    EXPECT_EQ(gamma_q(1.0, x), std::exp(-x)) << x;
  }
  for (double a : {0.0, -1.0, kNaN, kInf}) {
    EXPECT_TRUE(std::isnan(gamma_p(a, 1.0))) << a;
    EXPECT_TRUE(std::isnan(gamma_q(a, 1.0))) << a;
  }
  for (double x : {-1e-300, -1.0, kNaN, -kInf}) {
    EXPECT_TRUE(std::isnan(gamma_p(2.0, x))) << x;
    EXPECT_TRUE(std::isnan(gamma_q(2.0, x))) << x;
  }
}

// Tail probabilities 1e-10 .. 0.5 of the brief's grid, and a few central-to-upper p for p_inv.
std::vector<double> tail_probabilities() {
  std::vector<double> t;
  for (int k = -10; k <= -1; ++k) t.push_back(std::pow(10.0, k));
  for (double v : {0.025, 0.05, 0.2, 0.3, 0.4, 0.5}) t.push_back(v);
  return t;
}

TEST(GammaQuantile, MatchesBoostAcrossShapes) {
  int compared = 0;
  for (double a : shapes()) {
    const GammaInverse inverse(a);
    for (double t : tail_probabilities()) {
      const double lower = boost::math::gamma_p_inv(a, t);
      if (lower >= std::numeric_limits<double>::min()) {
        EXPECT_TRUE(test::close(inverse.p_inv(t), lower, test::kQuantile))
            << "gamma_p_inv(" << a << ", " << t << ") = " << inverse.p_inv(t) << ", Boost "
            << lower;
        ++compared;
      }
      const double upper = boost::math::gamma_q_inv(a, t);
      if (upper >= std::numeric_limits<double>::min()) {
        EXPECT_TRUE(test::close(inverse.q_inv(t), upper, test::kQuantile))
            << "gamma_q_inv(" << a << ", " << t << ") = " << inverse.q_inv(t) << ", Boost "
            << upper;
        ++compared;
      }
    }
    // p > 1/2 goes through the upper tail (q = 1 - p exactly), and q > 1/2 through the lower.
    for (double t : {0.6, 0.9, 0.975, 0.999}) {
      const double lower = boost::math::gamma_p_inv(a, t);
      const double upper = boost::math::gamma_q_inv(a, t);
      if (lower >= std::numeric_limits<double>::min()) {
        EXPECT_TRUE(test::close(inverse.p_inv(t), lower, test::kQuantile)) << a << " p=" << t;
      }
      if (upper >= std::numeric_limits<double>::min()) {
        EXPECT_TRUE(test::close(inverse.q_inv(t), upper, test::kQuantile)) << a << " q=" << t;
      }
    }
  }
  EXPECT_GT(compared, 600);
}

TEST(GammaQuantile, MatchesMpmath) {
  for (const char* function : {"gamma_p_inv", "gamma_q_inv"}) {
    const auto rows = test::mpmath_rows(function);
    EXPECT_GE(rows.size(), 10u) << function;
    for (const auto& row : rows) {
      const double got =
          function[6] == 'p' ? gamma_p_inv(row.x1, row.x2) : gamma_q_inv(row.x1, row.x2);
      EXPECT_TRUE(test::close(got, row.expected, test::kQuantile))
          << function << "(" << row.x1 << ", " << row.x2 << ") = " << got << ", mpmath "
          << row.expected << " (gamma_mpmath.csv:" << row.line << ")";
    }
  }
}

TEST(GammaQuantile, EdgeCases) {
  for (double a : {1e-3, 0.5, 3.0, 1e5}) {
    EXPECT_EQ(gamma_p_inv(a, 0.0), 0.0) << a;
    EXPECT_EQ(gamma_p_inv(a, 1.0), kInf) << a;
    EXPECT_EQ(gamma_q_inv(a, 0.0), kInf) << a;
    EXPECT_EQ(gamma_q_inv(a, 1.0), 0.0) << a;
    for (double t : {-1e-300, -0.5, 1.0000000000000002, 2.0, kNaN}) {
      EXPECT_TRUE(std::isnan(gamma_p_inv(a, t))) << a << " " << t;
      EXPECT_TRUE(std::isnan(gamma_q_inv(a, t))) << a << " " << t;
    }
  }
  for (double a : {0.0, -2.0, kNaN, kInf}) {
    EXPECT_TRUE(std::isnan(gamma_p_inv(a, 0.3))) << a;
    EXPECT_TRUE(std::isnan(gamma_q_inv(a, 0.3))) << a;
  }
  // a = 1: the exponential quantiles in closed form, exactly.
  for (double t : {1e-300, 1e-10, 0.025, 0.5, 0.975, 0.9999999}) {
    EXPECT_EQ(gamma_p_inv(1.0, t), -std::log1p(-t)) << t;
    EXPECT_EQ(gamma_q_inv(1.0, t), -std::log(t)) << t;
  }
}

}  // namespace
}  // namespace hbayes::special
