// digamma.hpp and trigamma.hpp against Boost.Math (default policy: long double) and mpmath.
#include <gtest/gtest.h>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <cmath>
#include <limits>

#include "gamma_fixture.hpp"
#include "special/digamma.hpp"
#include "special/trigamma.hpp"
#include "support/tolerances.hpp"

namespace hbayes::special {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Digamma, MatchesBoostFrom1em8To1e10) {
  // 1801 log-spaced points, 100 a decade, stepping across every regime boundary (the Taylor
  // window around the root, the shift to x >= 10).
  for (int k = 0; k <= 1800; ++k) {
    const double x = std::pow(10.0, -8.0 + k / 100.0);
    const double expected = boost::math::digamma(x);
    EXPECT_TRUE(test::close(digamma(x), expected, test::kSpecialValue))
        << "psi(" << x << ") = " << digamma(x) << ", Boost " << expected;
  }
}

TEST(Digamma, MatchesMpmathNearItsRoot) {
  // psi(1.4616...) = 0: mpmath values at x0 +- a few ulp up to +- 0.3, where relative error is
  // hardest to keep.
  const auto rows = test::mpmath_rows("digamma");
  EXPECT_GE(rows.size(), 10u);
  for (const auto& row : rows) {
    EXPECT_TRUE(test::close(digamma(row.x1), row.expected, test::kSpecialValue))
        << "psi(" << row.x1 << ") = " << digamma(row.x1) << ", mpmath " << row.expected
        << " (gamma_mpmath.csv:" << row.line << ")";
  }
}

TEST(Digamma, ReflectsToNegativeNonIntegers) {
  // Away from psi's negative roots, where reflection keeps relative accuracy.
  for (double x : {-0.5, -0.9, -1.5, -2.25, -3.75, -10.1, -100.5, -1e5 - 0.3}) {
    const double expected = boost::math::digamma(x);
    EXPECT_TRUE(test::close(digamma(x), expected, test::kSpecialValue))
        << "psi(" << x << ") = " << digamma(x) << ", Boost " << expected;
  }
}

TEST(Trigamma, MatchesBoostFrom1em8To1e10) {
  for (int k = 0; k <= 1800; ++k) {
    const double x = std::pow(10.0, -8.0 + k / 100.0);
    const double expected = boost::math::trigamma(x);
    EXPECT_TRUE(test::close(trigamma(x), expected, test::kSpecialValue))
        << "psi'(" << x << ") = " << trigamma(x) << ", Boost " << expected;
  }
}

TEST(Trigamma, MatchesMpmath) {
  const auto rows = test::mpmath_rows("trigamma");
  EXPECT_GE(rows.size(), 5u);
  for (const auto& row : rows) {
    EXPECT_TRUE(test::close(trigamma(row.x1), row.expected, test::kSpecialValue))
        << "psi'(" << row.x1 << ") = " << trigamma(row.x1) << ", mpmath " << row.expected
        << " (gamma_mpmath.csv:" << row.line << ")";
  }
}

TEST(Trigamma, ReflectsToNegativeNonIntegers) {
  for (double x : {-0.5, -0.9, -1.5, -2.25, -3.75, -10.1, -100.5, -1e5 - 0.3}) {
    const double expected = boost::math::trigamma(x);
    EXPECT_TRUE(test::close(trigamma(x), expected, test::kSpecialValue))
        << "psi'(" << x << ") = " << trigamma(x) << ", Boost " << expected;
  }
}

TEST(DigammaTrigamma, NaNAtPolesAndForNaN) {
  for (double x : {0.0, -0.0, -1.0, -2.0, -37.0, -kInf, kNaN}) {
    EXPECT_TRUE(std::isnan(digamma(x))) << x;
    EXPECT_TRUE(std::isnan(trigamma(x))) << x;
  }
}

}  // namespace
}  // namespace hbayes::special
