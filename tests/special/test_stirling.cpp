// stirling.hpp against Boost.Math: the building blocks every large-argument formula relies on.
#include <gtest/gtest.h>

#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>

#include "special/stirling.hpp"
#include "support/tolerances.hpp"

namespace hbayes::special {
namespace {

using Wide = boost::multiprecision::cpp_bin_float_50;

TEST(Log1pmx, MatchesHighPrecisionAcrossScales) {
  for (double x : {-0.9, -0.5, -0.3, -1e-3, -1e-9, 1e-12, 1e-5, 0.01, 0.25, 0.5, 0.75, 3.0, 1e6}) {
    const Wide wx = x;
    const double expected = static_cast<double>(boost::multiprecision::log1p(wx) - wx);
    EXPECT_TRUE(test::close(log1pmx(x), expected, {4e-16, 0.0}))
        << "x=" << x << " got " << log1pmx(x) << " want " << expected;
  }
}

// The truncated series covers |x| <= 1/2: sweep it densely, ends and both signs included.
TEST(Log1pmx, SeriesRangeSweep) {
  for (int i = -1000; i <= 1000; ++i) {
    const double x = i / 2000.0 + (i % 7) * 1e-7 * (i > -1000 && i < 1000);
    if (x == 0.0) continue;
    const Wide wx = x;
    const double expected = static_cast<double>(boost::multiprecision::log1p(wx) - wx);
    ASSERT_TRUE(test::close(log1pmx(x), expected, {4e-16, 0.0}))
        << "x=" << x << " got " << log1pmx(x) << " want " << expected;
  }
}

TEST(StirlingError, MatchesHighPrecisionAcrossScales) {
  for (double x : {0.5, 1.0, 2.5, 9.0, 14.99, 15.0, 20.0, 123.456, 1e4, 1e7, 1e12}) {
    const Wide wx = x;
    const Wide exact = boost::multiprecision::lgamma(wx) -
                       ((wx - 0.5) * boost::multiprecision::log(wx) - wx +
                        boost::multiprecision::log(2 * boost::math::constants::pi<Wide>()) / 2);
    const double expected = static_cast<double>(exact);
    // Absolute error is what matters (the term is added to logs); ask for 1e-15 of it.
    EXPECT_NEAR(stirling_error(x), expected, 1e-15 + 1e-13 * std::fabs(expected)) << "x=" << x;
  }
}

}  // namespace
}  // namespace hbayes::special
