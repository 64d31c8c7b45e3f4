// normal_quantile.hpp against Boost.Math's erfc_inv in long double, Phi^{-1}(p) =
// -sqrt(2) erfc_inv(2p), and against mpmath.
#include <gtest/gtest.h>

#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>

#include "gamma_fixture.hpp"
#include "special/normal_quantile.hpp"
#include "support/tolerances.hpp"

namespace hbayes::special {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

double boost_quantile(double p) {
  const long double two_p = 2.0L * p;  // exact
  return static_cast<double>(-std::sqrt(2.0L) * boost::math::erfc_inv(two_p));
}

TEST(NormalQuantile, MatchesBoostFrom1em300ToOneMinus1em16) {
  // Lower tail 1e-300 .. 0.5 (log-spaced, 20 a decade), the centre, and the upper tail through
  // 1 - p for p down to 1e-16 (1 - p is then the double nearest, and Boost gets that same p).
  for (int k = 0; k <= 6000; ++k) {
    const double p = std::pow(10.0, -300.0 + k * (300.0 - std::log10(2.0)) / 6000.0);
    EXPECT_TRUE(test::close(normal_quantile(p), boost_quantile(p), test::kSpecialValue))
        << "p=" << p << ": " << normal_quantile(p) << ", Boost " << boost_quantile(p);
    const double upper = 1.0 - p;
    if (p >= 1e-16 && upper != 1.0) {
      EXPECT_TRUE(test::close(normal_quantile(upper), boost_quantile(upper), test::kSpecialValue))
          << "p=1-" << p << ": " << normal_quantile(upper) << ", Boost " << boost_quantile(upper);
    }
  }
  for (int k = -100; k <= 100; ++k) {
    const double p = 0.5 + k * 0.00497;
    EXPECT_TRUE(test::close(normal_quantile(p), boost_quantile(p), test::kSpecialValue))
        << "p=" << p << ": " << normal_quantile(p) << ", Boost " << boost_quantile(p);
  }
}

TEST(NormalQuantile, MatchesMpmath) {
  const auto rows = test::mpmath_rows("normal_quantile");
  EXPECT_GE(rows.size(), 10u);
  for (const auto& row : rows) {
    EXPECT_TRUE(test::close(normal_quantile(row.x1), row.expected, test::kSpecialValue))
        << "p=" << row.x1 << ": " << normal_quantile(row.x1) << ", mpmath " << row.expected
        << " (gamma_mpmath.csv:" << row.line << ")";
  }
}

TEST(NormalQuantile, IsOddAboutOneHalf) {
  // Phi^{-1}(1 - u) = -Phi^{-1}(u) exactly for u in [1/2, 1), where 1 - u is exact (Sterbenz).
  for (double u : {0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.975, 0.999999, 1.0 - 1e-12}) {
    EXPECT_EQ(normal_quantile(1.0 - u), -normal_quantile(u)) << u;
  }
}

TEST(NormalQuantile, EdgeCases) {
  EXPECT_EQ(normal_quantile(0.0), -kInf);
  EXPECT_EQ(normal_quantile(1.0), kInf);
  for (double p : {-1e-300, -0.5, 1.0000000000000002, 2.0, kNaN, kInf, -kInf}) {
    EXPECT_TRUE(std::isnan(normal_quantile(p))) << p;
  }
}

}  // namespace
}  // namespace hbayes::special
