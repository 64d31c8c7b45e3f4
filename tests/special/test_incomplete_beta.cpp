// log_beta.hpp, incomplete_beta.hpp and incomplete_beta_inverse.hpp against Boost.Math and the
// mpmath fixtures in tests/data/ibeta_mpmath.csv (written by make_ibeta_fixtures.py).
#include <gtest/gtest.h>

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <cfloat>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "special/incomplete_beta.hpp"
#include "special/incomplete_beta_inverse.hpp"
#include "special/log_beta.hpp"
#include "support/fixture_csv.hpp"
#include "support/tolerances.hpp"

namespace hbayes::special {
namespace {

using Wide = boost::multiprecision::cpp_bin_float_50;

// Shapes of the accuracy grids: log-spaced from 1e-3 to 1e7, every pair (a, b) taken, so the grid
// holds the most asymmetric pairs (1e-3, 1e7) and (1e7, 1e-3) as well as the regime boundaries.
const std::vector<double> kShapes = {1e-3,  1e-2, 0.1, 0.5, 1.0, 2.0, 10.0,
                                     100.0, 1e3,  1e4, 1e5, 1e6, 1e7};
// Target tail probabilities: from 1e-10 to the middle, and beyond it (solved via the other tail).
const std::vector<double> kProbabilities = {1e-10, 1e-6, 1e-3,  0.025, 0.1,       0.3,
                                            0.5,   0.7,  0.975, 0.999, 1.0 - 1e-6};

// Grid points where Boost.Math 1.74's quantile (default policy) fails: no root found, or (the
// first, under other policies) 2.45e-25 instead of 4.44e-21. mpmath settles each of them in the
// fixture file, whose test below checks them; the Boost grid skips exactly these.
struct GridPoint {
  bool upper;  // ibetac_inv rather than ibeta_inv
  double a, b, p;
};
const std::vector<GridPoint> kBoostFailures = {{false, 0.5, 2.0, 1e-10},
                                               {true, 2.0, 0.5, 1e-10},
                                               {false, 5.0, 5.0, 0.5},
                                               {true, 5.0, 5.0, 0.5}};

// A relative error for RecordProperty, which would print std::to_string's 0.000000.
std::string scientific(double v) {
  std::ostringstream out;
  out << std::scientific << std::setprecision(2) << v;
  return out.str();
}

bool is_boost_failure(bool upper, double a, double b, double p) {
  for (const GridPoint& f : kBoostFailures) {
    if (f.upper == upper && f.a == a && f.b == b && f.p == p) return true;
  }
  return false;
}

// ---- the mpmath fixture ----------------------------------------------------------------------

struct FixtureRow {
  std::string function;  // ibeta, ibetac, ibeta_inv or ibetac_inv
  double a, b, arg, expected;
  std::string note;
  int line;
};

std::vector<FixtureRow> fixture_rows() {  // function,a,b,arg,expected,note
  std::vector<FixtureRow> rows;
  for (const test::FixtureRecord& r : test::read_fixture_csv("ibeta_mpmath.csv", 6)) {
    rows.push_back({r.fields[0], test::fixture_number(r.fields[1]),
                    test::fixture_number(r.fields[2]), test::fixture_number(r.fields[3]),
                    test::fixture_number(r.fields[4]), r.fields[5], r.line});
  }
  return rows;
}

double evaluate(const std::string& function, double a, double b, double arg) {
  if (function == "ibeta") return ibeta(a, b, arg);
  if (function == "ibetac") return ibetac(a, b, arg);
  if (function == "ibeta_inv") return ibeta_inv(a, b, arg);
  if (function == "ibetac_inv") return ibetac_inv(a, b, arg);
  ADD_FAILURE() << "unknown function " << function;
  return NAN;
}

test::Tolerance tolerance_for(const std::string& function) {
  return function == "ibeta" || function == "ibetac" ? test::kSpecialValue : test::kQuantile;
}

// Checks the fixture row for function(a, b, arg), which must exist.
void expect_matches_fixture(const std::string& function, double a, double b, double arg) {
  for (const FixtureRow& row : fixture_rows()) {
    if (row.function == function && row.a == a && row.b == b && row.arg == arg) {
      const double got = evaluate(function, a, b, arg);
      EXPECT_TRUE(test::close(got, row.expected, tolerance_for(function)))
          << function << "(" << a << ", " << b << ", " << arg << ") = " << got << ", mpmath "
          << row.expected << " (ibeta_mpmath.csv:" << row.line << ")";
      return;
    }
  }
  ADD_FAILURE() << "no fixture row for " << function << "(" << a << ", " << b << ", " << arg << ")";
}

TEST(IncompleteBetaFixture, EveryRowMatchesMpmath) {
  const std::vector<FixtureRow> rows = fixture_rows();
  ASSERT_GT(rows.size(), 200u) << "ibeta_mpmath.csv missing or truncated";
  for (const FixtureRow& row : rows) {
    const double got = evaluate(row.function, row.a, row.b, row.arg);
    EXPECT_TRUE(test::close(got, row.expected, tolerance_for(row.function)))
        << row.function << "(" << row.a << ", " << row.b << ", " << row.arg << ") = " << got
        << ", mpmath " << row.expected << " (ibeta_mpmath.csv:" << row.line << ") " << row.note;
  }
}

// ---- the named traps (expected values in the fixture, from mpmath) --------------------------

TEST(BetaQuantileTraps, FarUpperTailOfVerySkewedBeta) {
  // Beta(75, 66334470) with upper-tail probability 2.631e-13: x = 2.343623e-6.
  expect_matches_fixture("ibetac_inv", 75.0, 66334470.0, 2.631e-13);
}

TEST(BetaQuantileTraps, LowerTailProbabilityNearOne) {
  // Beta^-1(0.999995; 4, 99997) = 1.947842e-4, from p and, equivalently, from q = 5e-6.
  expect_matches_fixture("ibeta_inv", 4.0, 99997.0, 0.999995);
  expect_matches_fixture("ibetac_inv", 4.0, 99997.0, 5e-6);
}

TEST(BetaQuantileTraps, LowerTailOfBetaConcentratedNearOne) {
  // betaincinv(1e5, 10, 1e-6) = 0.99967...
  expect_matches_fixture("ibeta_inv", 1e5, 10.0, 1e-6);
}

TEST(BetaQuantileTraps, SeedExampleNinetyFivePercentInterval) {
  // Beta(7, 113): the 95% equal-tailed interval (0.024, 0.107), the upper end from p and from q.
  expect_matches_fixture("ibeta_inv", 7.0, 113.0, 0.025);
  expect_matches_fixture("ibeta_inv", 7.0, 113.0, 0.975);
  expect_matches_fixture("ibetac_inv", 7.0, 113.0, 0.025);
  const BetaQuantiles q(7.0, 113.0);
  EXPECT_EQ(q.lower(0.025), ibeta_inv(7.0, 113.0, 0.025));
  EXPECT_EQ(q.upper(0.025), ibetac_inv(7.0, 113.0, 0.025));
}

TEST(BetaQuantileTraps, PointsWhereBoostFails) {
  // Among them Beta(0.5, 2) at p = 1e-10, whose quantile is 4.44e-21 (Boost: 2.45e-25 or none).
  for (const GridPoint& f : kBoostFailures) {
    expect_matches_fixture(f.upper ? "ibetac_inv" : "ibeta_inv", f.a, f.b, f.p);
  }
}

// ---- Boost grids -----------------------------------------------------------------------------

TEST(BetaQuantile, MatchesBoostOnShapeGrid) {
  double worst = 0.0;
  for (double a : kShapes) {
    for (double b : kShapes) {
      const BetaQuantiles shared(a, b);
      for (double p : kProbabilities) {
        for (bool upper : {false, true}) {
          if (is_boost_failure(upper, a, b, p)) continue;
          const double want =
              upper ? boost::math::ibetac_inv(a, b, p) : boost::math::ibeta_inv(a, b, p);
          const double got = upper ? ibetac_inv(a, b, p) : ibeta_inv(a, b, p);
          const double got_shared = upper ? shared.upper(p) : shared.lower(p);
          // Below DBL_MIN a quantile has fewer than 53 bits: compare on the scale of DBL_MIN.
          const test::Tolerance tol{test::kQuantile.rtol, test::kQuantile.rtol * DBL_MIN};
          EXPECT_TRUE(test::close(got, want, tol))
              << (upper ? "ibetac_inv(" : "ibeta_inv(") << a << ", " << b << ", " << p
              << ") = " << got << ", Boost " << want;
          EXPECT_EQ(got, got_shared);
          if (want >= DBL_MIN) worst = std::fmax(worst, std::fabs(got - want) / want);
        }
      }
    }
  }
  RecordProperty("max_relative_error", scientific(worst));
}

TEST(IncompleteBeta, BothTailsMatchBoostOnShapeGrid) {
  // The points are Boost's own double quantiles of each grid Beta (any x would do); the reference
  // is Boost at 50 digits, since its long double evaluation loses up to 5e-13 for shapes > 1e6.
  double worst = 0.0;
  for (double a : kShapes) {
    for (double b : kShapes) {
      for (double p : {1e-10, 1e-3, 0.3}) {
        for (bool upper : {false, true}) {
          if (is_boost_failure(upper, a, b, p)) continue;
          const double x =
              upper ? boost::math::ibetac_inv(a, b, p) : boost::math::ibeta_inv(a, b, p);
          if (!(x > 0.0 && x < 1.0)) continue;
          const Wide wa = a, wb = b, wx = x;
          const double want_lower = static_cast<double>(boost::math::ibeta(wa, wb, wx));
          const double want_upper = static_cast<double>(boost::math::ibetac(wa, wb, wx));
          const double got_lower = ibeta(a, b, x);
          const double got_upper = ibetac(a, b, x);
          for (const auto& [got, want, name] :
               {std::tuple{got_lower, want_lower, "ibeta"}, {got_upper, want_upper, "ibetac"}}) {
            if (want < 1e-290) continue;  // the neighbourhood of underflow
            EXPECT_TRUE(test::close(got, want, test::kSpecialValue))
                << name << "(" << a << ", " << b << ", " << x << ") = " << got << ", Boost "
                << want;
            worst = std::fmax(worst, std::fabs(got - want) / want);
          }
        }
      }
    }
  }
  RecordProperty("max_relative_error", scientific(worst));
}

TEST(BetaQuantile, RoundTripsThroughIbeta) {
  // I_x(a, b) at the computed quantile gives back p, to the accuracy that rounding x to a double
  // allows: moving x by its last place (2.2e-16 x) moves I_x by up to 2.2e-16 x f(x).
  for (double a : {0.5, 3.0, 40.0, 900.0}) {
    for (double b : {0.5, 3.0, 40.0, 900.0}) {
      for (double p : {1e-8, 0.01, 0.4, 0.6, 0.99}) {
        const double x = ibeta_inv(a, b, p);
        const double x_density =
            std::exp(a * std::log(x) + (b - 1.0) * std::log1p(-x) - log_beta(a, b));
        const double allowed = 1e-13 * std::fmin(p, 1.0 - p) + 1e-15 * x_density;
        EXPECT_NEAR(ibeta(a, b, x), p, allowed) << "a=" << a << " b=" << b << " x=" << x;
      }
    }
  }
}

TEST(BetaQuantile, IsMonotoneInTheProbability) {
  for (double a : {1e-3, 0.7, 12.0, 3e4}) {
    for (double b : {1e-3, 0.7, 12.0, 3e4}) {
      const BetaQuantiles q(a, b);
      double previous = 0.0;
      for (int i = 1; i < 400; ++i) {
        const double p = i / 400.0;
        const double x = q.lower(p);
        EXPECT_GE(x, previous) << "a=" << a << " b=" << b << " p=" << p;
        previous = x;
      }
    }
  }
}

// ---- edge cases and closed forms -------------------------------------------------------------

TEST(IncompleteBeta, EndPoints) {
  for (double a : {1e-3, 1.0, 7.5, 1e7}) {
    for (double b : {1e-3, 1.0, 7.5, 1e7}) {
      EXPECT_EQ(ibeta(a, b, 0.0), 0.0);
      EXPECT_EQ(ibeta(a, b, 1.0), 1.0);
      EXPECT_EQ(ibetac(a, b, 0.0), 1.0);
      EXPECT_EQ(ibetac(a, b, 1.0), 0.0);
      EXPECT_EQ(ibeta_inv(a, b, 0.0), 0.0);
      EXPECT_EQ(ibeta_inv(a, b, 1.0), 1.0);
      EXPECT_EQ(ibetac_inv(a, b, 0.0), 1.0);
      EXPECT_EQ(ibetac_inv(a, b, 1.0), 0.0);
    }
  }
}

TEST(IncompleteBeta, ClosedFormsForAShapeOfOne) {
  // I_x(s, 1) = x^s and I_x(1, s) = 1 - (1 - x)^s, evaluated in 50 digits.
  for (double s : {1e-3, 0.3, 1.0, 4.5, 250.0, 1e6}) {
    for (double x : {1e-12, 1e-4, 0.2, 0.5, 0.9, 0.999999}) {
      const Wide ws = s, wx = x;
      const Wide power = boost::multiprecision::pow(wx, ws);         // I_x(s, 1)
      const Wide co_power = boost::multiprecision::pow(1 - wx, ws);  // 1 - I_x(1, s)
      const auto check = [&](double got, const Wide& want, const char* what) {
        if (want < 1e-290) return;  // the neighbourhood of underflow
        EXPECT_TRUE(test::close(got, static_cast<double>(want), test::kSpecialValue))
            << what << " s=" << s << " x=" << x << ": " << got;
      };
      check(ibeta(s, 1.0, x), power, "I_x(s, 1)");
      check(ibetac(s, 1.0, x), 1 - power, "1 - I_x(s, 1)");
      check(ibeta(1.0, s, x), 1 - co_power, "I_x(1, s)");
      check(ibetac(1.0, s, x), co_power, "1 - I_x(1, s)");
    }
  }
}

TEST(BetaQuantile, ClosedFormsForAShapeOfOne) {
  // Beta(s, 1): x = p^(1/s) = (1 - q)^(1/s); Beta(1, s): x = 1 - (1 - p)^(1/s) = 1 - q^(1/s);
  // evaluated in 50 digits.
  for (double s : {1e-3, 0.3, 1.0, 4.5, 250.0, 1e6}) {
    for (double t : {1e-10, 0.025, 0.5, 0.975}) {
      const Wide ws = s, wt = t;
      const auto check = [&](double got, const Wide& want, const char* what) {
        if (want < 1e-290) return;  // quantiles that underflow
        EXPECT_TRUE(test::close(got, static_cast<double>(want), test::kQuantile))
            << what << " s=" << s << " t=" << t << ": " << got;
      };
      check(ibeta_inv(s, 1.0, t), boost::multiprecision::pow(wt, 1 / ws), "Beta(s, 1) lower");
      check(ibetac_inv(s, 1.0, t), boost::multiprecision::pow(1 - wt, 1 / ws), "Beta(s, 1) upper");
      check(ibeta_inv(1.0, s, t), 1 - boost::multiprecision::pow(1 - wt, 1 / ws),
            "Beta(1, s) lower");
      check(ibetac_inv(1.0, s, t), 1 - boost::multiprecision::pow(wt, 1 / ws), "Beta(1, s) upper");
    }
  }
}

TEST(IncompleteBeta, InvalidArgumentsGiveNaN) {
  for (double bad : {0.0, -1.0, std::nan(""), -HUGE_VAL}) {
    EXPECT_TRUE(std::isnan(ibeta(bad, 2.0, 0.5)));
    EXPECT_TRUE(std::isnan(ibetac(2.0, bad, 0.5)));
    EXPECT_TRUE(std::isnan(ibeta_inv(bad, 2.0, 0.5)));
    EXPECT_TRUE(std::isnan(ibetac_inv(2.0, bad, 0.5)));
    EXPECT_TRUE(std::isnan(BetaQuantiles(bad, 2.0).lower(0.5)));
    EXPECT_TRUE(std::isnan(BetaQuantiles(2.0, bad).upper(0.5)));
    EXPECT_TRUE(std::isnan(log_beta(bad, 2.0)));
    EXPECT_TRUE(std::isnan(log_beta(2.0, bad)));
  }
  for (double bad : {-0.1, 1.1, std::nan(""), HUGE_VAL}) {
    EXPECT_TRUE(std::isnan(ibeta(2.0, 3.0, bad)));
    EXPECT_TRUE(std::isnan(ibetac(2.0, 3.0, bad)));
    EXPECT_TRUE(std::isnan(ibeta_inv(2.0, 3.0, bad)));
    EXPECT_TRUE(std::isnan(ibetac_inv(2.0, 3.0, bad)));
  }
}

// ---- log B(a, b) -----------------------------------------------------------------------------

TEST(LogBeta, MatchesHighPrecisionWithoutCancellation) {
  // lgamma(a) + lgamma(b) - lgamma(a + b) in double would lose ~8 digits at (1e-3, 1e7).
  for (double a : {1e-3, 0.5, 1.0, 7.9, 8.0, 14.5, 1e3, 1e7}) {
    for (double b : {1e-3, 0.5, 1.0, 7.9, 8.0, 14.5, 1e3, 1e7}) {
      const Wide wa = a, wb = b;
      const double want = static_cast<double>(boost::multiprecision::lgamma(wa) +
                                              boost::multiprecision::lgamma(wb) -
                                              boost::multiprecision::lgamma(wa + wb));
      EXPECT_NEAR(log_beta(a, b), want, 1e-15 * std::fmax(1.0, std::fabs(want)))
          << "a=" << a << " b=" << b;
    }
  }
}

}  // namespace
}  // namespace hbayes::special
