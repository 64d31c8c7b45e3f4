// The fused marginal-likelihood reductions (value, gradient, Hessian) of each family against the
// serial long-double reference: values directly, gradients and Hessians against the reference's
// finite differences, in the interior and on the boundary dispersion = 0.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "fit/finite_differences.hpp"
#include "fit/fit_catalogs.hpp"
#include "hbayes/fit.hpp"
#include "reference/marginal_reference.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

// The histogram sums of the beta-binomial add up terms of total size ~ sum_j n_j log n_j for the
// failures and the trials, which cancel to the much smaller log likelihood: its absolute rounding
// is ~10 eps times that total (segment values are shared by many stores), not times the result.
test::Tolerance binomial_value_tolerance(const std::vector<std::int64_t>& trials) {
  double total = 0.0;
  for (std::int64_t n : trials) total += (n + 1.0) * std::log(n + 2.0);
  return {test::kMarginalValue.rtol, 4e-15 * total};
}

void expect_derivatives(const MarginalDerivatives& got, long double want_value,
                        const test::FiniteDerivatives& fd, const std::string& what,
                        test::Tolerance value_tolerance = test::kMarginalValue) {
  EXPECT_TRUE(test::close(got.value, static_cast<double>(want_value), value_tolerance))
      << what << ": value " << got.value << " vs reference " << static_cast<double>(want_value);
  EXPECT_TRUE(test::close(got.d_a, static_cast<double>(fd.da), test::kGradientFd))
      << what << ": d_a " << got.d_a << " vs " << static_cast<double>(fd.da);
  EXPECT_TRUE(test::close(got.d_b, static_cast<double>(fd.db), test::kGradientFd))
      << what << ": d_b " << got.d_b << " vs " << static_cast<double>(fd.db);
  EXPECT_TRUE(test::close(got.d_aa, static_cast<double>(fd.daa), test::kHessianFd))
      << what << ": d_aa " << got.d_aa << " vs " << static_cast<double>(fd.daa);
  EXPECT_TRUE(test::close(got.d_ab, static_cast<double>(fd.dab), test::kHessianFd))
      << what << ": d_ab " << got.d_ab << " vs " << static_cast<double>(fd.dab);
  EXPECT_TRUE(test::close(got.d_bb, static_cast<double>(fd.dbb), test::kHessianFd))
      << what << ": d_bb " << got.d_bb << " vs " << static_cast<double>(fd.dbb);
}

std::string point(const char* family, double a, double b) {
  char text[96];
  std::snprintf(text, sizeof text, "%s at (%g, %g)", family, a, b);
  return text;
}

// A catalog with small, repeated and large counts: trials up to max_trials (beyond 4096: the
// sparse part of the histogram) exercise the gamma-function segments between distinct counts; a
// few stores with 0 trials contribute nothing.
test::BinomialCatalog mixed_binomial_catalog(double max_trials) {
  test::BinomialCatalog c = test::simulate_binomial(300, 2.0, 30.0, 11, 1.0, max_trials);
  c.successes.insert(c.successes.end(), {0, 0, 3, 3});
  c.trials.insert(c.trials.end(), {0, 5, 3, 9});
  return c;
}

// Derivatives at dispersion 0 in closed form (sums of k^p over k < count), computed store by store
// in long double: the finite differences of the lgamma-based reference cannot resolve theta -> 0.
struct BoundarySums {
  long double s1 = 0, s2 = 0;  // sum_{k<c} k, sum_{k<c} k^2
};
BoundarySums power_sums(std::int64_t c) {
  BoundarySums b;
  for (std::int64_t k = 0; k < c; ++k) {
    b.s1 += k;
    b.s2 += static_cast<long double>(k) * k;
  }
  return b;
}

TEST(MarginalDerivatives, BetaBinomialAgainstReference) {
  // Finite differences need moderate counts (the reference's lgamma values stay below ~1e5).
  const test::BinomialCatalog c = mixed_binomial_catalog(3000.0);
  const BinomialSummary s = summarize(c.columns(), Backend::Cpu);
  const test::Function2 f = [&](long double mu, long double theta) {
    return reference::beta_binomial_log_marginal(c.successes, c.trials, mu, theta);
  };
  const double points[][2] = {{0.06, 0.03}, {0.3, 0.5}, {0.9, 2e-3}, {0.02, 4e-4}, {0.5, 8.0}};
  for (const auto& p : points) {
    const auto fd = test::central_differences(f, p[0], p[1], 1e-3L * p[0], 1e-3L * p[1]);
    expect_derivatives(log_marginal(s, p[0], p[1]), f(p[0], p[1]), fd,
                       point("beta-binomial", p[0], p[1]), binomial_value_tolerance(c.trials));
  }
  // theta = 0: the binomial. d/dmu by differences of the reference; d/dtheta from the closed
  // forms sum_j [sum_{k<y} k / mu + sum_{k<n-y} k / (1-mu) - sum_{k<n} k] and their derivatives.
  for (long double mu : {0.06L, 0.4L}) {
    const long double q = 1 - mu;
    test::FiniteDerivatives want{};
    const long double h = 1e-3L * mu;
    const auto g = [&](long double m) { return f(m, 0.0L); };
    want.da = (4 * (g(mu + h / 2) - g(mu - h / 2)) / h - (g(mu + h) - g(mu - h)) / (2 * h)) / 3;
    want.daa = (4 * (g(mu + h / 2) - 2 * g(mu) + g(mu - h / 2)) / (h * h / 4) -
                (g(mu + h) - 2 * g(mu) + g(mu - h)) / (h * h)) /
               3;
    for (std::size_t j = 0; j < c.trials.size(); ++j) {
      const BoundarySums sy = power_sums(c.successes[j]);
      const BoundarySums sf = power_sums(c.trials[j] - c.successes[j]);
      const BoundarySums sn = power_sums(c.trials[j]);
      want.db += sy.s1 / mu + sf.s1 / q - sn.s1;
      want.dab += -sy.s1 / (mu * mu) + sf.s1 / (q * q);
      want.dbb += -sy.s2 / (mu * mu) - sf.s2 / (q * q) + sn.s2;
    }
    expect_derivatives(log_marginal(s, static_cast<double>(mu), 0.0), f(mu, 0.0L), want,
                       point("beta-binomial", static_cast<double>(mu), 0),
                       binomial_value_tolerance(c.trials));
  }
}

TEST(MarginalDerivatives, BetaBinomialLargeCountsValues) {
  // Trials up to 1e6: values only (the reference's finite differences are too coarse here; the
  // segment derivatives are checked against direct sums in test_log_rising).
  const test::BinomialCatalog c = mixed_binomial_catalog(1e6);
  const BinomialSummary s = summarize(c.columns(), Backend::Cpu);
  for (const auto& p : {std::pair{0.06, 0.03}, std::pair{0.5, 1e-5}, std::pair{0.2, 3.0}}) {
    const long double want =
        reference::beta_binomial_log_marginal(c.successes, c.trials, p.first, p.second);
    const double got = log_marginal(s, p.first, p.second).value;
    EXPECT_TRUE(test::close(got, static_cast<double>(want), binomial_value_tolerance(c.trials)))
        << point("beta-binomial", p.first, p.second) << ": " << got << " vs "
        << static_cast<double>(want);
  }
}

TEST(MarginalDerivatives, GammaPoissonAgainstReference) {
  test::PoissonCatalogData c = test::simulate_poisson(300, 1.5, 0.5, 12, 0.2, 400.0);
  c.counts.insert(c.counts.end(), {0, 0, 6000, 17});
  c.exposures.insert(c.exposures.end(), {0.01, 3.0, 900.0, 1.0});
  const auto catalog = make_catalog(c.columns(), Backend::Cpu);
  const test::Function2 f = [&](long double m, long double phi) {
    return reference::negative_binomial_log_marginal(c.counts, c.exposures, m, phi);
  };
  const double points[][2] = {{3.0, 0.6}, {0.2, 3.0}, {10.0, 2e-3}};
  for (const auto& p : points) {
    const auto fd = test::central_differences(f, p[0], p[1], 1e-3L * p[0], 1e-3L * p[1]);
    expect_derivatives(log_marginal(*catalog, p[0], p[1]), f(p[0], p[1]), fd,
                       point("gamma-poisson", p[0], p[1]));
  }
  // Near and at phi = 0: value against the reference, phi-derivatives against the closed forms
  // sum_j [sum_{k<y} k - y e m + (e m)^2 / 2] and its derivatives.
  const double near = 3e-7;
  EXPECT_TRUE(test::close(log_marginal(*catalog, 2.0, near).value,
                          static_cast<double>(f(2.0L, near)), test::kMarginalValue));
  for (long double m : {3.0L, 0.5L}) {
    test::FiniteDerivatives want{};
    const long double h = 1e-3L * m;
    const auto g = [&](long double x) { return f(x, 0.0L); };
    want.da = (4 * (g(m + h / 2) - g(m - h / 2)) / h - (g(m + h) - g(m - h)) / (2 * h)) / 3;
    want.daa = (4 * (g(m + h / 2) - 2 * g(m) + g(m - h / 2)) / (h * h / 4) -
                (g(m + h) - 2 * g(m) + g(m - h)) / (h * h)) /
               3;
    for (std::size_t j = 0; j < c.counts.size(); ++j) {
      const BoundarySums sy = power_sums(c.counts[j]);
      const long double y = c.counts[j], e = c.exposures[j], em = e * m;
      want.db += sy.s1 - y * em + em * em / 2;
      want.dab += e * (em - y);
      want.dbb += -sy.s2 + y * em * em - 2 * em * em * em / 3;
    }
    expect_derivatives(log_marginal(*catalog, static_cast<double>(m), 0.0), f(m, 0.0L), want,
                       point("gamma-poisson", static_cast<double>(m), 0));
  }
}

TEST(MarginalDerivatives, NormalMlAgainstReference) {
  const test::NormalCatalogData c = test::simulate_normal(200, 3.0, 0.7, 13, 0.05, 3.0);
  const auto catalog = make_catalog(c.columns(), Backend::Cpu);
  const test::Function2 f = [&](long double mu, long double tau2) {
    return reference::normal_log_marginal(c.estimates, c.std_errors, mu, tau2);
  };
  const double points[][2] = {{3.0, 0.5}, {2.5, 4.0}, {-1.0, 1e-3}};
  for (const auto& p : points) {
    const auto fd = test::central_differences(f, p[0], p[1], 1e-3L, 1e-3L * p[1]);
    expect_derivatives(log_marginal(*catalog, p[0], p[1]), f(p[0], p[1]), fd,
                       point("normal-normal", p[0], p[1]));
  }
  const auto fd = test::boundary_differences(f, 3.0L, 1e-3L, 1e-6L);
  expect_derivatives(log_marginal(*catalog, 3.0, 0.0), f(3.0L, 0.0L), fd,
                     point("normal-normal", 3.0, 0.0));
}

TEST(MarginalDerivatives, NormalRemlAgainstReference) {
  const test::NormalCatalogData c = test::simulate_normal(200, 3.0, 0.7, 14, 0.05, 3.0);
  const auto catalog = make_catalog(c.columns(), Backend::Cpu);
  const auto f = [&](long double tau2) {
    return reference::normal_restricted_log_marginal(c.estimates, c.std_errors, tau2);
  };
  for (double tau2 : {0.05, 0.5, 4.0}) {
    const long double h = 1e-3L * tau2;
    const auto d1 = [&](long double k) { return (f(tau2 + k) - f(tau2 - k)) / (2 * k); };
    const auto d2 = [&](long double k) {
      return (f(tau2 + k) - 2 * f(tau2) + f(tau2 - k)) / (k * k);
    };
    const double want_d1 = static_cast<double>((4 * d1(h / 2) - d1(h)) / 3);
    const double want_d2 = static_cast<double>((4 * d2(h / 2) - d2(h)) / 3);
    const MarginalDerivatives got = restricted_log_marginal(*catalog, tau2);
    EXPECT_TRUE(test::close(got.value, static_cast<double>(f(tau2)), test::kMarginalValue))
        << tau2 << ": " << got.value << " vs " << static_cast<double>(f(tau2));
    EXPECT_TRUE(test::close(got.d_a, want_d1, test::kGradientFd)) << got.d_a << " vs " << want_d1;
    EXPECT_TRUE(test::close(got.d_aa, want_d2, test::kHessianFd)) << got.d_aa << " vs " << want_d2;
  }
}

}  // namespace
}  // namespace hbayes
