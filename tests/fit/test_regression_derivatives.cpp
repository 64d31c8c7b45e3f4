// The regression reductions (value, gradient, Hessian in the coefficients and the dispersion) of
// each family against the serial long-double reference and its finite differences, in the
// interior and on the boundary dispersion = 0; REML's criterion and its derivatives in tau^2.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "fit/finite_differences.hpp"
#include "fit/test_regression_catalogs.hpp"
#include "hbayes/fit_regression.hpp"
#include "reference/regression_reference.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

using Parameters = std::vector<long double>;  // (b_0 .. b_{p-1}, d)
using Reference = std::function<long double(const Parameters&)>;

std::vector<double> to_double(const Parameters& p) {
  return std::vector<double>(p.begin(), p.end());
}

// Checks the value, and every gradient and Hessian entry among the first `free` parameters,
// against central differences of the reference over each pair of parameters.
void expect_matches_reference(const RegressionDerivatives& got, const Reference& reference,
                              const Parameters& at, const Parameters& steps, std::size_t free,
                              const std::string& where) {
  SCOPED_TRACE(where);
  const std::size_t n = at.size();
  ASSERT_EQ(got.gradient.size(), n);
  ASSERT_EQ(got.hessian.size(), n * n);
  const double want = static_cast<double>(reference(at));
  EXPECT_TRUE(test::close(got.value, want, test::kMarginalValue)) << got.value << " vs " << want;
  for (std::size_t i = 0; i < free; ++i) {
    for (std::size_t k = i + 1; k < free; ++k) {
      const auto f = [&](long double a, long double b) {
        Parameters p = at;
        p[i] = a;
        p[k] = b;
        return reference(p);
      };
      const auto fd = test::central_differences(f, at[i], at[k], steps[i], steps[k]);
      const auto check = [&](double value, long double fd_value, test::Tolerance t,
                             const std::string& what) {
        EXPECT_TRUE(test::close(value, static_cast<double>(fd_value), t))
            << what << ": " << value << " vs finite differences " << static_cast<double>(fd_value);
      };
      const std::string pair = " (" + std::to_string(i) + "," + std::to_string(k) + ")";
      check(got.gradient[i], fd.da, test::kGradientFd, "gradient" + pair);
      check(got.gradient[k], fd.db, test::kGradientFd, "gradient" + pair);
      check(got.hessian[i * n + i], fd.daa, test::kHessianFd, "hessian ii" + pair);
      check(got.hessian[i * n + k], fd.dab, test::kHessianFd, "hessian ik" + pair);
      check(got.hessian[k * n + i], fd.dab, test::kHessianFd, "hessian ki" + pair);
      check(got.hessian[k * n + k], fd.dbb, test::kHessianFd, "hessian kk" + pair);
    }
  }
}

Parameters steps_for(const Parameters& at) {
  Parameters h(at.size(), 1e-3L);
  h.back() = 1e-3L * at.back();
  return h;
}

TEST(RegressionDerivatives, BetaBinomialAgainstReference) {
  const auto c = test::simulate_binomial_regression(60, {-1.2, 0.5, -0.4}, 0.05, 31, 0, 200);
  const Reference reference = [&](const Parameters& p) {
    return reference::beta_binomial_regression_log_marginal(
        c.successes, c.trials, c.x.columns, Parameters(p.begin(), p.end() - 1), p.back());
  };
  for (const Parameters& at :
       {Parameters{-1.1L, 0.45L, -0.3L, 0.07L}, Parameters{-1.3L, 0.6L, -0.5L, 0.5L},
        Parameters{0.8L, -0.2L, 0.1L, 2e-3L}}) {
    const RegressionDerivatives got = regression_log_marginal(
        c.columns(), c.x.design(), to_double(Parameters(at.begin(), at.end() - 1)),
        static_cast<double>(at.back()), Backend::Cpu);
    expect_matches_reference(got, reference, at, steps_for(at), at.size(),
                             "theta " + std::to_string(static_cast<double>(at.back())));
  }
  // theta = 0, the binomial: the coefficients' block by differences of the reference, and the
  // score in theta from its closed form sum_j [y(y-1)/(2 mu) + (n-y)(n-y-1)/(2(1-mu)) - n(n-1)/2].
  const Parameters at{-1.1L, 0.45L, -0.3L, 0.0L};
  const RegressionDerivatives got =
      regression_log_marginal(c.columns(), c.x.design(), {-1.1, 0.45, -0.3}, 0.0, Backend::Cpu);
  expect_matches_reference(got, reference, at, steps_for(at), 3, "theta 0");
  long double score = 0.0L;
  for (std::size_t j = 0; j < c.trials.size(); ++j) {
    const long double y = c.successes[j], n = c.trials[j];
    const long double mu =
        1.0L / (1.0L + std::exp(-static_cast<long double>(c.x.eta({-1.1, 0.45, -0.3}, j))));
    score += y * (y - 1) / (2 * mu) + (n - y) * (n - y - 1) / (2 * (1 - mu)) - n * (n - 1) / 2;
  }
  EXPECT_TRUE(test::close(got.gradient[3], static_cast<double>(score), test::kGradientFd))
      << got.gradient[3] << " vs " << static_cast<double>(score);
}

TEST(RegressionDerivatives, GammaPoissonAgainstReference) {
  const auto c = test::simulate_poisson_regression(80, {0.3, 0.4, -0.5}, 0.3, 32);
  const Reference reference = [&](const Parameters& p) {
    return reference::negative_binomial_regression_log_marginal(
        c.counts, c.exposures, c.x.columns, Parameters(p.begin(), p.end() - 1), p.back());
  };
  for (const Parameters& at :
       {Parameters{0.2L, 0.5L, -0.4L, 0.25L}, Parameters{0.5L, 0.3L, -0.6L, 2.0L},
        Parameters{-0.5L, 0.1L, 0.2L, 1e-3L}}) {
    const RegressionDerivatives got = regression_log_marginal(
        c.columns(), c.x.design(), to_double(Parameters(at.begin(), at.end() - 1)),
        static_cast<double>(at.back()), Backend::Cpu);
    expect_matches_reference(got, reference, at, steps_for(at), at.size(),
                             "phi " + std::to_string(static_cast<double>(at.back())));
  }
  // phi = 0, the Poisson: the coefficients' block, and the score in phi from its closed form
  // sum_j ((y - m)^2 - y) / 2 with m = e exp(eta).
  const Parameters at{0.2L, 0.5L, -0.4L, 0.0L};
  const RegressionDerivatives got =
      regression_log_marginal(c.columns(), c.x.design(), {0.2, 0.5, -0.4}, 0.0, Backend::Cpu);
  expect_matches_reference(got, reference, at, steps_for(at), 3, "phi 0");
  long double score = 0.0L;
  for (std::size_t j = 0; j < c.counts.size(); ++j) {
    const long double y = c.counts[j];
    const long double m =
        c.exposures[j] * std::exp(static_cast<long double>(c.x.eta({0.2, 0.5, -0.4}, j)));
    score += ((y - m) * (y - m) - y) / 2;
  }
  EXPECT_TRUE(test::close(got.gradient[3], static_cast<double>(score), test::kGradientFd))
      << got.gradient[3] << " vs " << static_cast<double>(score);
}

TEST(RegressionDerivatives, NormalMlAgainstReference) {
  const auto c = test::simulate_normal_regression(70, {1.0, 0.8, -1.5}, 0.6, 33);
  const Reference reference = [&](const Parameters& p) {
    return reference::normal_regression_log_marginal(c.estimates, c.std_errors, c.x.columns,
                                                     Parameters(p.begin(), p.end() - 1), p.back());
  };
  for (const Parameters& at :
       {Parameters{0.9L, 0.7L, -1.4L, 0.3L}, Parameters{1.2L, 1.0L, -1.0L, 4.0L}}) {
    const RegressionDerivatives got = regression_log_marginal(
        c.columns(), c.x.design(), to_double(Parameters(at.begin(), at.end() - 1)),
        static_cast<double>(at.back()), Backend::Cpu);
    expect_matches_reference(got, reference, at, steps_for(at), at.size(),
                             "tau2 " + std::to_string(static_cast<double>(at.back())));
  }
  // tau^2 = 0: one-sided differences in tau^2 (the normal density is smooth through 0).
  const RegressionDerivatives got =
      regression_log_marginal(c.columns(), c.x.design(), {0.9, 0.7, -1.4}, 0.0, Backend::Cpu);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto f = [&](long double a, long double tau2) {
      Parameters p{0.9L, 0.7L, -1.4L, tau2};
      p[i] = a;
      return reference(p);
    };
    const Parameters base{0.9L, 0.7L, -1.4L};
    const auto fd = test::boundary_differences(f, base[i], 1e-3L, 1e-5L);
    EXPECT_TRUE(test::close(got.gradient[3], static_cast<double>(fd.db), test::kGradientFd));
    EXPECT_TRUE(test::close(got.hessian[15], static_cast<double>(fd.dbb), test::kHessianFd));
    EXPECT_TRUE(test::close(got.hessian[i * 4 + 3], static_cast<double>(fd.dab), test::kHessianFd));
    EXPECT_TRUE(test::close(got.gradient[i], static_cast<double>(fd.da), test::kGradientFd));
  }
}

TEST(RegressionDerivatives, NormalRemlAgainstReference) {
  const auto c = test::simulate_normal_regression(40, {1.0, 0.8, -1.5}, 0.6, 34);
  const auto reference = [&](long double tau2) {
    return reference::normal_regression_restricted_log_marginal(c.estimates, c.std_errors,
                                                                c.x.columns, tau2);
  };
  for (long double tau2 : {0.0L, 0.05L, 0.4L, 3.0L}) {
    SCOPED_TRACE(static_cast<double>(tau2));
    const RegressionDerivatives got = restricted_regression_log_marginal(
        c.columns(), c.x.design(), static_cast<double>(tau2), Backend::Cpu);
    EXPECT_TRUE(test::close(got.value, static_cast<double>(reference(tau2)), test::kMarginalValue));
    // Richardson central differences, one-sided (forward, O(h^3)) at tau^2 = 0.
    const long double h = tau2 > 0 ? 1e-3L * tau2 : 1e-5L;
    long double d1, d2;
    if (tau2 > 0) {
      const auto c1 = [&](long double s) {
        return (reference(tau2 + s) - reference(tau2 - s)) / (2 * s);
      };
      const auto c2 = [&](long double s) {
        return (reference(tau2 + s) - 2 * reference(tau2) + reference(tau2 - s)) / (s * s);
      };
      d1 = (4 * c1(h / 2) - c1(h)) / 3;
      d2 = (4 * c2(h / 2) - c2(h)) / 3;
    } else {
      const auto g = [&](long double k) { return reference(k * h); };
      d1 = (-25 * g(0) + 48 * g(1) - 36 * g(2) + 16 * g(3) - 3 * g(4)) / (12 * h);
      d2 = (35 * g(0) - 104 * g(1) + 114 * g(2) - 56 * g(3) + 11 * g(4)) / (12 * h * h);
    }
    EXPECT_TRUE(test::close(got.gradient[0], static_cast<double>(d1), test::kGradientFd))
        << got.gradient[0] << " vs " << static_cast<double>(d1);
    EXPECT_TRUE(test::close(got.hessian[0], static_cast<double>(d2), test::kHessianFd))
        << got.hessian[0] << " vs " << static_cast<double>(d2);
  }
}

}  // namespace
}  // namespace hbayes
