// Boundaries are answers: dispersion exactly 0 with the score there; degenerate catalogs give a
// clear result or a clear InputError, never NaN and never a silent non-convergence. Also the
// method-of-moments formulas and the options' validation.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "fit/fit_catalogs.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/fit.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

FitOptions with(FitMethod method = FitMethod::MaximumLikelihood) {
  FitOptions o;
  o.method = method;
  o.backend = Backend::Cpu;
  return o;
}

// Runs f, expecting InputError whose message contains `part`.
template <class F>
void expect_input_error(F f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "expected InputError containing '" << part << "'";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

void expect_no_nan(const FitReport& r) {
  EXPECT_FALSE(std::isnan(r.log_marginal_likelihood));
  EXPECT_FALSE(std::isnan(r.boundary_score));
  EXPECT_FALSE(std::isnan(r.gradient_norm));
  EXPECT_FALSE(std::isnan(r.relative_gradient));
}

void expect_no_nan(const Estimate& e) {
  EXPECT_FALSE(std::isnan(e.value));
  if (e.std_error) {
    EXPECT_FALSE(std::isnan(*e.std_error));
  }
}

BetaBinomialFit fit_binomial(const std::vector<std::int64_t>& y, const std::vector<std::int64_t>& n,
                             FitMethod method = FitMethod::MaximumLikelihood) {
  return fit(BinomialColumns{y.data(), n.data(), y.size()}, with(method));
}

TEST(FitBoundaries, BetaBinomialIdenticalStoresHaveNoOverdispersion) {
  const std::vector<std::int64_t> y(50, 2), n(50, 20);
  const BetaBinomialFit f = fit_binomial(y, n);
  EXPECT_TRUE(f.report.boundary);
  EXPECT_EQ(f.dispersion.value, 0.0);
  EXPECT_EQ(f.alpha.value, INFINITY);
  EXPECT_EQ(f.beta.value, INFINITY);
  EXPECT_FALSE(f.alpha.std_error.has_value());
  EXPECT_FALSE(f.dispersion.std_error.has_value());
  EXPECT_TRUE(f.report.converged) << f.report.note;
  EXPECT_DOUBLE_EQ(f.mean.value, 0.1);
  // Binomial SE of the pooled rate, sqrt(mu (1 - mu) / sum n).
  ASSERT_TRUE(f.mean.std_error.has_value());
  EXPECT_TRUE(test::close(*f.mean.std_error, std::sqrt(0.1 * 0.9 / 1000.0), {1e-13, 0}));
  // Score at theta = 0: sum_j [y(y-1)/(2 mu) + f(f-1)/(2 (1-mu)) - n(n-1)/2] = 50 (10 + 170 - 190).
  EXPECT_TRUE(test::close(f.report.boundary_score, -500.0, {1e-12, 1e-9}))
      << f.report.boundary_score;
  expect_no_nan(f.report);
  expect_no_nan(f.mean);
}

TEST(FitBoundaries, BetaBinomialSingleStore) {
  const BetaBinomialFit f = fit_binomial({3}, {10});
  EXPECT_TRUE(f.report.boundary);
  EXPECT_EQ(f.dispersion.value, 0.0);
  EXPECT_DOUBLE_EQ(f.mean.value, 0.3);
  EXPECT_TRUE(
      test::close(f.report.boundary_score, 3.0 * 2 / 0.6 + 7.0 * 6 / 1.4 - 45.0, {1e-12, 0}));
  expect_no_nan(f.report);
  expect_input_error([] { fit_binomial({3}, {10}, FitMethod::Moments); }, "at least 2 stores");
}

TEST(FitBoundaries, BetaBinomialUnderdispersedCatalogIsOnTheBoundary) {
  // Every store converts exactly 10%: less spread than the binomial itself.
  std::vector<std::int64_t> y, n;
  for (std::int64_t k = 1; k <= 200; ++k) {
    n.push_back(10 * k);
    y.push_back(k);
  }
  const BetaBinomialFit f = fit_binomial(y, n);
  EXPECT_TRUE(f.report.boundary);
  EXPECT_EQ(f.dispersion.value, 0.0);
  EXPECT_LT(f.report.boundary_score, 0.0);
  const BetaBinomialFit mom = fit_binomial(y, n, FitMethod::Moments);
  EXPECT_EQ(mom.dispersion.value, 0.0);
  EXPECT_TRUE(mom.report.boundary);
}

TEST(FitBoundaries, BetaBinomialDegenerateCatalogsAreClearErrors) {
  expect_input_error([] { fit_binomial({}, {}); }, "no stores");
  expect_input_error([] { fit_binomial({0, 0, 0}, {5, 8, 0}); }, "no store has a success");
  expect_input_error([] { fit_binomial({5, 8}, {5, 8}); }, "every trial is a success");
  expect_input_error([] { fit_binomial({0, 0}, {0, 0}); }, "every store has 0 trials");
  expect_input_error([] { fit_binomial({0, 1, 1, 0}, {1, 1, 1, 1}); }, "not identified");
  // All-or-nothing stores: the likelihood rises as alpha + beta -> 0.
  expect_input_error(
      [] {
        fit_binomial({0, 10, 0, 7, 20}, {10, 10, 5, 7, 20});
      },
      "grows without bound");
  expect_input_error(
      [] {
        const std::vector<std::int64_t> y = {3}, n = {2};
        fit(BinomialColumns{y.data(), n.data(), 1}, with());
      },
      "row 1: successes (3) exceeds trials (2)");
}

TEST(FitBoundaries, GammaPoissonBoundaryAndErrors) {
  const std::vector<std::int64_t> counts(40, 6);
  const std::vector<double> exposures(40, 2.0);
  const GammaPoissonFit f =
      fit(PoissonColumns{counts.data(), exposures.data(), counts.size()}, with());
  EXPECT_TRUE(f.report.boundary);
  EXPECT_EQ(f.dispersion.value, 0.0);
  EXPECT_EQ(f.shape.value, INFINITY);
  EXPECT_DOUBLE_EQ(f.mean.value, 3.0);
  // Score at phi = 0: 1/2 sum_j [(y - e m)^2 - y] = -40 * 3.
  EXPECT_TRUE(test::close(f.report.boundary_score, -120.0, {1e-12, 1e-9}));
  ASSERT_TRUE(f.mean.std_error.has_value());
  EXPECT_TRUE(
      test::close(*f.mean.std_error, std::sqrt(3.0 / 80.0), {1e-12, 0}));  // sqrt(m / sum e)
  expect_no_nan(f.report);

  const std::vector<std::int64_t> zeros(5, 0);
  const std::vector<double> e5(5, 1.0);
  expect_input_error(
      [&] {
        fit(PoissonColumns{zeros.data(), e5.data(), 5}, with());
      },
      "no store has an event");
  const std::int64_t one = 4;
  const double e1 = 2.0;
  const GammaPoissonFit single = fit(PoissonColumns{&one, &e1, 1}, with());
  EXPECT_TRUE(single.report.boundary);
  EXPECT_DOUBLE_EQ(single.mean.value, 2.0);
  expect_input_error(
      [&] {
        fit(PoissonColumns{&one, &e1, 1}, with(FitMethod::Moments));
      },
      "at least 2 stores");
  const double bad = 0.0;
  expect_input_error([&] { fit(PoissonColumns{&one, &bad, 1}, with()); }, "row 1: exposure");
}

TEST(FitBoundaries, NormalSingleAndIdenticalStores) {
  const double y = 3.5, se = 0.5;
  const NormalNormalFit ml = fit(NormalColumns{&y, &se, 1}, with());
  EXPECT_TRUE(ml.report.boundary);
  EXPECT_EQ(ml.tau2.value, 0.0);
  EXPECT_DOUBLE_EQ(ml.mu.value, 3.5);
  ASSERT_TRUE(ml.mu.std_error.has_value());
  EXPECT_DOUBLE_EQ(*ml.mu.std_error, 0.5);
  expect_input_error(
      [&] {
        fit(NormalColumns{&y, &se, 1}, with(FitMethod::RestrictedMaximumLikelihood));
      },
      "REML needs at least 2 stores");
  expect_input_error(
      [&] {
        fit(NormalColumns{&y, &se, 1}, with(FitMethod::Moments));
      },
      "at least 2 stores");
  expect_input_error([&] { fit(NormalColumns{&y, &se, 0}, with()); }, "no stores");

  const std::vector<double> same(20, 1.25), ses(20, 0.3);
  for (FitMethod m :
       {FitMethod::MaximumLikelihood, FitMethod::RestrictedMaximumLikelihood, FitMethod::Moments}) {
    const NormalNormalFit f = fit(NormalColumns{same.data(), ses.data(), same.size()}, with(m));
    EXPECT_TRUE(f.report.boundary) << fit_method_name(m);
    EXPECT_EQ(f.tau2.value, 0.0) << fit_method_name(m);
    EXPECT_DOUBLE_EQ(f.mu.value, 1.25);
    expect_no_nan(f.report);
    expect_no_nan(f.mu);
  }
}

TEST(FitBoundaries, MethodOfMomentsFormulas) {
  // Beta-binomial: pooled mean; V = (S^2 - mu (1 - mu) mean(1/n)) / (1 - mean(1/n)) from the raw
  // rates; theta = rho / (1 - rho), rho = V / (mu (1 - mu)). Recomputed here from the data.
  const test::BinomialCatalog c = test::simulate_binomial(500, 4.0, 16.0, 21, 5.0, 300.0);
  double sy = 0, sn = 0;
  for (std::size_t j = 0; j < c.trials.size(); ++j) sy += c.successes[j], sn += c.trials[j];
  const double mu = sy / sn;
  double s2 = 0, inv = 0;
  for (std::size_t j = 0; j < c.trials.size(); ++j) {
    const double p = static_cast<double>(c.successes[j]) / c.trials[j];
    s2 += (p - mu) * (p - mu) / (c.trials.size() - 1.0);
    inv += 1.0 / c.trials[j] / c.trials.size();
  }
  const double rho = (s2 - mu * (1 - mu) * inv) / (1 - inv) / (mu * (1 - mu));
  const BetaBinomialFit f = fit(c.columns(), with(FitMethod::Moments));
  EXPECT_TRUE(test::close(f.mean.value, mu, {1e-14, 0}));
  EXPECT_TRUE(test::close(f.dispersion.value, rho / (1 - rho), {1e-10, 0}))
      << f.dispersion.value << " vs " << rho / (1 - rho);
  EXPECT_TRUE(test::close(f.alpha.value, mu * (1 - rho) / rho, {1e-10, 0}));
  EXPECT_TRUE(f.report.converged);
  EXPECT_EQ(f.report.iterations, 0);
  EXPECT_FALSE(f.alpha.std_error.has_value());

  // Gamma-Poisson: m = sum y / sum e; V = S^2 - m mean(1/e) from the raw rates; phi = V / m^2.
  const test::PoissonCatalogData p = test::simulate_poisson(500, 2.0, 1.0, 22);
  double sc = 0, se = 0;
  for (std::size_t j = 0; j < p.counts.size(); ++j) sc += p.counts[j], se += p.exposures[j];
  const double m = sc / se;
  double r2 = 0, inv_e = 0;
  for (std::size_t j = 0; j < p.counts.size(); ++j) {
    const double r = p.counts[j] / p.exposures[j];
    r2 += (r - m) * (r - m) / (p.counts.size() - 1.0);
    inv_e += 1.0 / p.exposures[j] / p.counts.size();
  }
  const GammaPoissonFit g = fit(p.columns(), with(FitMethod::Moments));
  EXPECT_TRUE(test::close(g.mean.value, m, {1e-14, 0}));
  EXPECT_TRUE(test::close(g.dispersion.value, (r2 - m * inv_e) / (m * m), {1e-10, 0}));
}

TEST(FitBoundaries, NonConvergenceIsReportedNotHidden) {
  const test::NormalCatalogData c = test::simulate_normal(50, 0.0, 2.0, 23);
  FitOptions o = with();
  o.max_iterations = 1;
  o.gradient_tolerance = 1e-300;  // unreachable: the fit must say so
  const NormalNormalFit f = fit(c.columns(), o);
  EXPECT_FALSE(f.report.converged);
  EXPECT_FALSE(f.report.note.empty());
  EXPECT_GT(f.report.relative_gradient, 0.0);
  expect_no_nan(f.report);
}

TEST(FitBoundaries, OptionsAreValidated) {
  const std::vector<std::int64_t> y = {1, 2}, n = {10, 10};
  const BinomialColumns data{y.data(), n.data(), 2};
  expect_input_error([&] { fit(data, with(FitMethod::RestrictedMaximumLikelihood)); },
                     "normal-normal only");
  FitOptions o = with();
  o.information = Information::Expected;
  expect_input_error([&] { fit(data, o); }, "expected information");
  o = with();
  o.max_iterations = 0;
  expect_input_error([&] { fit(data, o); }, "max_iterations");
  o = with();
  o.gradient_tolerance = -1.0;
  expect_input_error([&] { fit(data, o); }, "gradient_tolerance");
  EXPECT_EQ(parse_fit_method("mom"), FitMethod::Moments);
  EXPECT_EQ(parse_fit_method("ml"), FitMethod::MaximumLikelihood);
  EXPECT_EQ(parse_fit_method("reml"), FitMethod::RestrictedMaximumLikelihood);
  expect_input_error([] { parse_fit_method("bayes"); }, "--method: expected mom, ml or reml");
  EXPECT_STREQ(fit_method_name(FitMethod::RestrictedMaximumLikelihood), "reml");
}

}  // namespace
}  // namespace hbayes
