// Beta quantiles (BetaQuantiles, ibeta_inv, ibetac_inv) on the accuracy grid against
// Boost.Math (default policy: long double internally), and known hard cases against mpmath.
#include <gtest/gtest.h>

#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <string>

#include "special/incomplete_beta_inverse.hpp"
#include "support/tolerances.hpp"

namespace hbayes::special {
namespace {

// Shapes from 1e-3 to 1e7, including the very asymmetric pairs (1e-3, 1e7) and (1e7, 1e-3).
constexpr double kShapes[] = {1e-3, 1e-2, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7};
// Tail probabilities down to 1e-10, each used for the lower and for the upper tail.
constexpr double kTails[] = {1e-10, 1e-6, 1e-3, 0.025, 0.2, 0.5};

// Boost 1.74 is wrong here (mpmath settles it; see HardCasesAgainstMpmath): a = 0.5, b = 2 and
// p = 1e-10 gives 2.45e-25 instead of 4.44e-21.
bool boost_known_wrong(double a, double b, double p, bool upper) {
  return !upper && a == 0.5 && b == 2.0 && p == 1e-10;
}

TEST(BetaQuantileGrid, MatchesBoostToOneInATrillion) {
  double worst = 0.0;
  std::string worst_case;
  for (double a : kShapes) {
    for (double b : kShapes) {
      const BetaQuantiles quantiles(a, b);
      for (double t : kTails) {
        for (bool upper : {false, true}) {
          if (boost_known_wrong(a, b, t, upper)) continue;
          double want;
          try {
            want = upper ? boost::math::ibetac_inv(a, b, t) : boost::math::ibeta_inv(a, b, t);
          } catch (const std::exception&) {
            continue;  // Boost gives up (root finding > 200 iterations): no oracle value here
          }
          const double got = upper ? quantiles.upper(t) : quantiles.lower(t);
          const double free_form = upper ? ibetac_inv(a, b, t) : ibeta_inv(a, b, t);
          EXPECT_EQ(got, free_form) << "a=" << a << " b=" << b << " t=" << t;
          // Quantiles that underflow to subnormals carry no relative accuracy in double.
          if (want < 1e-300 && got < 1e-300) continue;
          const double rel = std::fabs(got - want) / std::fabs(want);
          if (rel > worst) {
            worst = rel;
            worst_case = "a=" + std::to_string(a) + " b=" + std::to_string(b) +
                         " t=" + std::to_string(t) + (upper ? " upper" : " lower");
          }
          EXPECT_TRUE(test::close(got, want, test::kQuantile))
              << "a=" << a << " b=" << b << " t=" << t << (upper ? " upper" : " lower") << " got "
              << got << " boost " << want;
        }
      }
    }
  }
  RecordProperty("max_relative_error", std::to_string(worst) + " at " + worst_case);
}

// Expected values: mpmath 1.2.1 at 40 digits, by bisection of betainc in log x.
TEST(BetaQuantileGrid, HardCasesAgainstMpmath) {
  // Far upper tail of a huge, very asymmetric posterior.
  EXPECT_TRUE(
      test::close(ibetac_inv(75, 66334470, 2.631e-13), 2.3436232758003592e-6, test::kQuantile));
  // Cephes-based code (Debian scipy 1.10's betaincinv) returns 0.0350 here.
  EXPECT_TRUE(test::close(ibeta_inv(4, 99997, 0.999995), 1.9478415788928877e-4, test::kQuantile));
  EXPECT_TRUE(test::close(ibetac_inv(4, 99997, 5e-6), 1.9478415788928877e-4, test::kQuantile));
  // ...and 0.9651 here.
  EXPECT_TRUE(test::close(ibeta_inv(1e5, 10, 1e-6), 0.99967296480095214, test::kQuantile));
  // Boost 1.74 returns 2.45e-25.
  EXPECT_TRUE(test::close(ibeta_inv(0.5, 2, 1e-10), 4.4444444444444444e-21, test::kQuantile));
}

TEST(BetaQuantileGrid, Edges) {
  EXPECT_EQ(ibeta_inv(2, 3, 0.0), 0.0);
  EXPECT_EQ(ibeta_inv(2, 3, 1.0), 1.0);
  EXPECT_EQ(ibetac_inv(2, 3, 1.0), 0.0);
  EXPECT_EQ(ibetac_inv(2, 3, 0.0), 1.0);
  EXPECT_TRUE(std::isnan(ibeta_inv(-1, 3, 0.5)));
  EXPECT_TRUE(std::isnan(ibeta_inv(2, 3, 1.5)));
  EXPECT_TRUE(std::isnan(ibeta_inv(2, 3, std::nan(""))));
  // a = 1: I_x(1, b) = 1 - (1 - x)^b, so x = -expm1(log1p(-p) / b).
  EXPECT_TRUE(
      test::close(ibeta_inv(1, 7, 0.3), -std::expm1(std::log1p(-0.3) / 7), test::kQuantile));
}

}  // namespace
}  // namespace hbayes::special
