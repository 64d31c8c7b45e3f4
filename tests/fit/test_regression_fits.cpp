// Regression fits beyond the peers: a design without covariates is the intercept-only fit
// (hbayes::fit), simulated 1e5-store catalogs are recovered within 4 standard errors, the
// boundary is reported with its score, each store's prior follows from the coefficients, and
// designs that cannot identify the coefficients are refused with the column named.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fit/fit_catalogs.hpp"
#include "fit/test_regression_catalogs.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/fit.hpp"
#include "hbayes/fit_regression.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

FitOptions options(FitMethod method = FitMethod::MaximumLikelihood) {
  FitOptions o;
  o.method = method;
  o.backend = Backend::Cpu;
  return o;
}

// The recovery band: the simulated truth lies within this many standard errors.
constexpr double kRecoveryBand = 4.0;

CovariateDesign none(std::size_t rows) {
  CovariateDesign d;
  d.size = rows;
  return d;
}

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

TEST(RegressionFits, NoCovariatesIsTheBetaBinomialFit) {
  const test::BinomialCatalog c = test::simulate_binomial(2000, 4.0, 60.0, 41, 1.0, 300.0);
  const BetaBinomialFit plain = fit(c.columns(), options());
  const BetaBinomialRegression reg = fit_regression(c.columns(), none(c.trials.size()), options());
  ASSERT_TRUE(plain.report.converged && reg.report.converged) << reg.report.note;
  const double mu = logistic(reg.coefficients.estimates[0].value);
  EXPECT_TRUE(test::close(mu, plain.mean.value, test::kSameOptimum)) << mu << " " << plain.mean.value;
  EXPECT_TRUE(test::close(reg.dispersion.value, plain.dispersion.value, test::kSameOptimum));
  EXPECT_TRUE(test::close(reg.report.log_marginal_likelihood, plain.report.log_marginal_likelihood,
                          test::kSameOptimum));
  EXPECT_TRUE(test::close(*reg.coefficients.estimates[0].std_error * mu * (1 - mu),
                          *plain.mean.std_error, test::kSameStandardError));
  EXPECT_TRUE(
      test::close(*reg.dispersion.std_error, *plain.dispersion.std_error, test::kSameStandardError));
}

TEST(RegressionFits, NoCovariatesIsTheGammaPoissonFit) {
  const test::PoissonCatalogData c = test::simulate_poisson(2000, 2.0, 1.5, 42);
  const GammaPoissonFit plain = fit(c.columns(), options());
  const GammaPoissonRegression reg = fit_regression(c.columns(), none(c.counts.size()), options());
  ASSERT_TRUE(plain.report.converged && reg.report.converged) << reg.report.note;
  const double m = std::exp(reg.coefficients.estimates[0].value);
  EXPECT_TRUE(test::close(m, plain.mean.value, test::kSameOptimum));
  EXPECT_TRUE(test::close(reg.dispersion.value, plain.dispersion.value, test::kSameOptimum));
  EXPECT_TRUE(test::close(reg.report.log_marginal_likelihood, plain.report.log_marginal_likelihood,
                          test::kSameOptimum));
  EXPECT_TRUE(test::close(*reg.coefficients.estimates[0].std_error * m, *plain.mean.std_error,
                          test::kSameStandardError));
}

TEST(RegressionFits, NoCovariatesIsTheNormalFitMlAndReml) {
  const test::NormalCatalogData c = test::simulate_normal(300, 2.0, 0.8, 43);
  for (FitMethod method : {FitMethod::MaximumLikelihood, FitMethod::RestrictedMaximumLikelihood}) {
    SCOPED_TRACE(fit_method_name(method));
    const NormalNormalFit plain = fit(c.columns(), options(method));
    const NormalNormalRegression reg =
        fit_regression(c.columns(), none(c.estimates.size()), options(method));
    ASSERT_TRUE(plain.report.converged && reg.report.converged) << reg.report.note;
    EXPECT_TRUE(test::close(reg.coefficients.estimates[0].value, plain.mu.value, test::kSameOptimum));
    EXPECT_TRUE(test::close(reg.tau2.value, plain.tau2.value, test::kSameOptimum));
    EXPECT_TRUE(test::close(reg.report.log_marginal_likelihood,
                            plain.report.log_marginal_likelihood, test::kSameOptimum));
    EXPECT_TRUE(test::close(*reg.coefficients.estimates[0].std_error, *plain.mu.std_error,
                            test::kSameStandardError));
    EXPECT_TRUE(test::close(*reg.tau2.std_error, *plain.tau2.std_error, test::kSameStandardError));
  }
}

void expect_recovered(const RegressionCoefficients& got, const std::vector<double>& truth,
                      const Estimate& dispersion, double true_dispersion) {
  for (std::size_t k = 0; k < truth.size(); ++k) {
    ASSERT_TRUE(got.estimates[k].std_error.has_value());
    EXPECT_LE(std::fabs(got.estimates[k].value - truth[k]),
              kRecoveryBand * *got.estimates[k].std_error)
        << got.names[k] << " " << got.estimates[k].value << " (SE " << *got.estimates[k].std_error
        << ") vs truth " << truth[k];
  }
  ASSERT_TRUE(dispersion.std_error.has_value());
  EXPECT_LE(std::fabs(dispersion.value - true_dispersion), kRecoveryBand * *dispersion.std_error)
      << dispersion.value << " (SE " << *dispersion.std_error << ") vs truth " << true_dispersion;
}

TEST(RegressionFits, RecoversASimulatedBetaBinomialCatalog) {
  const std::vector<double> truth{-2.0, 0.3, 0.5};
  const auto c = test::simulate_binomial_regression(100000, truth, 0.02, 51, 1, 100);
  const BetaBinomialRegression f = fit_regression(c.columns(), c.x.design(), options());
  ASSERT_TRUE(f.report.converged) << f.report.note << " (seed 51)";
  expect_recovered(f.coefficients, truth, f.dispersion, 0.02);
}

TEST(RegressionFits, RecoversASimulatedGammaPoissonCatalog) {
  const std::vector<double> truth{-0.5, 0.4, -0.3};
  const auto c = test::simulate_poisson_regression(100000, truth, 0.5, 52);
  const GammaPoissonRegression f = fit_regression(c.columns(), c.x.design(), options());
  ASSERT_TRUE(f.report.converged) << f.report.note << " (seed 52)";
  expect_recovered(f.coefficients, truth, f.dispersion, 0.5);
}

TEST(RegressionFits, RecoversASimulatedNormalCatalog) {
  const std::vector<double> truth{1.0, -0.7, 2.0};
  const auto c = test::simulate_normal_regression(100000, truth, 0.5, 53);
  for (FitMethod method : {FitMethod::MaximumLikelihood, FitMethod::RestrictedMaximumLikelihood}) {
    SCOPED_TRACE(fit_method_name(method));
    const NormalNormalRegression f = fit_regression(c.columns(), c.x.design(), options(method));
    ASSERT_TRUE(f.report.converged) << f.report.note << " (seed 53)";
    expect_recovered(f.coefficients, truth, f.tau2, 0.25);
  }
}

TEST(RegressionFits, NoVariationBeyondTheCovariatesIsTheBoundary) {
  // Estimates exactly on a line: tau^2 = 0, with the ML score -1/2 sum 1/se^2 there.
  test::NormalRegressionCatalog c = test::simulate_normal_regression(50, {1, 2, 3}, 0.0, 54);
  double score = 0.0;
  for (std::size_t j = 0; j < c.estimates.size(); ++j) {
    c.estimates[j] = c.x.eta({1, 2, 3}, j);
    score -= 0.5 / (c.std_errors[j] * c.std_errors[j]);
  }
  const NormalNormalRegression f = fit_regression(c.columns(), c.x.design(), options());
  EXPECT_TRUE(f.report.boundary);
  EXPECT_TRUE(f.report.converged) << f.report.note;
  EXPECT_EQ(f.tau2.value, 0.0);
  EXPECT_FALSE(f.tau2.std_error.has_value());
  EXPECT_TRUE(test::close(f.report.boundary_score, score, test::kSameOptimum));
  EXPECT_TRUE(test::close(f.coefficients.estimates[2].value, 3.0, test::kSameOptimum));
  EXPECT_THROW(store_priors(f, c.x.design()), InputError);
}

TEST(RegressionFits, StorePriorsFollowTheCoefficients) {
  const auto c = test::simulate_binomial_regression(3000, {-1.5, 0.4, -0.2}, 0.05, 55, 5, 80);
  const BetaBinomialRegression f = fit_regression(c.columns(), c.x.design(), options());
  const std::vector<BetaBinomialPrior> priors = store_priors(f, c.x.design());
  ASSERT_EQ(priors.size(), c.trials.size());
  std::vector<double> b;
  for (const Estimate& e : f.coefficients.estimates) b.push_back(e.value);
  for (std::size_t j : {std::size_t{0}, std::size_t{17}, std::size_t{2999}}) {
    const double mu = logistic(c.x.eta(b, j));
    EXPECT_TRUE(
        test::close(priors[j].alpha + priors[j].beta, 1.0 / f.dispersion.value, test::kMoment));
    EXPECT_TRUE(test::close(priors[j].alpha / (priors[j].alpha + priors[j].beta), mu, {1e-14, 0}));
  }
  // The scoring design must carry the fit's covariates, in its order.
  test::Covariates swapped = c.x;
  std::swap(swapped.names[0], swapped.names[1]);
  EXPECT_THROW(store_priors(f, swapped.design()), InputError);
}

// The message of the InputError that `call` throws (fails the test when it throws none).
template <class Call>
std::string error_of(Call call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

TEST(RegressionFits, RefusesDesignsThatCannotIdentifyTheCoefficients) {
  auto c = test::simulate_normal_regression(40, {1, 2, 3}, 0.5, 56);
  const auto fit_with = [&](const test::Covariates& x) {
    return [&c, x] { fit_regression(c.columns(), x.design(), options()); };
  };
  test::Covariates constant = c.x;
  constant.columns[1].assign(40, 7.0);
  EXPECT_NE(error_of(fit_with(constant)).find("'urban' is constant"), std::string::npos);

  test::Covariates collinear = c.x;
  collinear.names.push_back("double_size");
  collinear.columns.push_back(c.x.columns[0]);
  for (double& v : collinear.columns[2]) v = 2.0 * v + 1.0;
  EXPECT_NE(error_of(fit_with(collinear)).find("'double_size' is collinear"), std::string::npos);

  test::Covariates infinite = c.x;
  infinite.columns[0][4] = std::numeric_limits<double>::infinity();
  const std::string message = error_of(fit_with(infinite));
  EXPECT_NE(message.find("row 5"), std::string::npos) << message;
  EXPECT_NE(message.find("'region_size' is not finite"), std::string::npos) << message;

  test::Covariates many = c.x;
  for (int k = 0; k < 6; ++k) {
    many.names.push_back("extra" + std::to_string(k));
    many.columns.push_back(c.x.columns[0]);
  }
  EXPECT_NE(error_of(fit_with(many)).find("at most 7 covariates"), std::string::npos);

  test::NormalRegressionCatalog three = c;
  three.estimates.resize(3);
  three.std_errors.resize(3);
  for (auto& column : three.x.columns) column.resize(3);
  EXPECT_NE(error_of([&] {
              fit_regression(three.columns(), three.x.design(), options());
            }).find("need at least 4 stores"),
            std::string::npos);

  EXPECT_NE(error_of([&] {
              fit_regression(c.columns(), c.x.design(), options(FitMethod::Moments));
            }).find("method of moments is not available"),
            std::string::npos);
  const auto b = test::simulate_binomial_regression(40, {-1, 0.5, 0.5}, 0.05, 57, 5, 50);
  EXPECT_NE(error_of([&] {
              fit_regression(b.columns(), b.x.design(),
                             options(FitMethod::RestrictedMaximumLikelihood));
            }).find("reml is available for normal-normal only"),
            std::string::npos);
}

}  // namespace
}  // namespace hbayes
