// Regression fits against peer software, on the fixtures that tests/data/make_regression_fixtures.R
// writes: metafor's meta-regression of the BCG trials on absolute latitude (REML and ML), VGAM's
// beta-binomial regression and MASS's negative-binomial regression on simulated catalogs.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "fit/fit_data.hpp"
#include "hbayes/fit_regression.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

std::map<std::string, double> expected(const std::string& name) {
  std::map<std::string, double> values;
  for (const auto& row : test::read_data_csv(name)) values[row[0]] = std::stod(row[1]);
  return values;
}

FitOptions options(FitMethod method) {
  FitOptions o;
  o.method = method;
  o.backend = Backend::Cpu;
  return o;
}

void expect_peer(double got, double want, const std::string& what) {
  EXPECT_TRUE(test::close(got, want, test::kPeerEstimate)) << what << ": " << got << " vs peer " << want;
}

struct Bcg {
  std::vector<double> ablat, yi, se;
  NormalColumns columns() const { return {yi.data(), se.data(), yi.size()}; }
  CovariateDesign design() const { return {{"ablat"}, {ablat.data()}, ablat.size()}; }
};

Bcg bcg() {
  Bcg b;
  for (const auto& row : test::read_data_csv("regression_bcg_metafor_data.csv")) {
    b.ablat.push_back(std::stod(row[1]));
    b.yi.push_back(std::stod(row[2]));
    b.se.push_back(std::sqrt(std::stod(row[3])));
  }
  return b;
}

TEST(RegressionPeers, MetaforBcgRemlMetaRegression) {
  const Bcg data = bcg();
  const auto want = expected("regression_bcg_metafor.csv");
  const NormalNormalRegression f = fit_regression(data.columns(), data.design(),
                                                  options(FitMethod::RestrictedMaximumLikelihood));
  ASSERT_TRUE(f.report.converged) << f.report.note;
  ASSERT_EQ(f.coefficients.names, (std::vector<std::string>{"intercept", "ablat"}));
  expect_peer(f.coefficients.estimates[0].value, want.at("reml_intercept"), "intercept");
  expect_peer(f.coefficients.estimates[1].value, want.at("reml_ablat"), "ablat");
  expect_peer(f.tau2.value, want.at("reml_tau2"), "tau2");
  expect_peer(f.report.log_marginal_likelihood, want.at("reml_loglik"), "REML log likelihood");
  // REML's coefficient SEs are metafor's: sqrt(diag (X' W X)^-1) at tau^2.
  expect_peer(f.coefficients.estimates[0].std_error.value(), want.at("reml_intercept_se"),
              "intercept SE");
  expect_peer(f.coefficients.estimates[1].std_error.value(), want.at("reml_ablat_se"), "ablat SE");
}

TEST(RegressionPeers, MetaforBcgMlMetaRegression) {
  const Bcg data = bcg();
  const auto want = expected("regression_bcg_metafor.csv");
  const NormalNormalRegression f =
      fit_regression(data.columns(), data.design(), options(FitMethod::MaximumLikelihood));
  ASSERT_TRUE(f.report.converged) << f.report.note;
  expect_peer(f.coefficients.estimates[0].value, want.at("ml_intercept"), "intercept");
  expect_peer(f.coefficients.estimates[1].value, want.at("ml_ablat"), "ablat");
  expect_peer(f.tau2.value, want.at("ml_tau2"), "tau2");
  expect_peer(f.report.log_marginal_likelihood, want.at("ml_loglik"), "log likelihood");
  // metafor's ML SEs are (X' W X)^-1, ours the observed information of (b, tau^2) jointly, which
  // adds the coefficients' uncertainty through tau^2: never smaller.
  EXPECT_GE(f.coefficients.estimates[1].std_error.value(), want.at("ml_ablat_se") * (1 - 1e-9));
}

TEST(RegressionPeers, VgamBetaBinomialRegression) {
  std::vector<double> x;
  std::vector<std::int64_t> y, n;
  for (const auto& row : test::read_data_csv("regression_betabinomial_catalog.csv")) {
    x.push_back(std::stod(row[1]));
    y.push_back(std::stoll(row[2]));
    n.push_back(std::stoll(row[3]));
  }
  const auto want = expected("regression_betabinomial_vgam.csv");
  const BetaBinomialRegression f = fit_regression(BinomialColumns{y.data(), n.data(), y.size()},
                                                  CovariateDesign{{"x"}, {x.data()}, x.size()},
                                                  options(FitMethod::MaximumLikelihood));
  ASSERT_TRUE(f.report.converged) << f.report.note;
  expect_peer(f.coefficients.estimates[0].value, want.at("intercept"), "logit mu intercept");
  expect_peer(f.coefficients.estimates[1].value, want.at("x"), "logit mu slope");
  expect_peer(f.dispersion.value, want.at("theta"), "theta (VGAM's rho / (1 - rho))");
  expect_peer(f.report.log_marginal_likelihood, want.at("loglik"), "log likelihood");
}

TEST(RegressionPeers, MassNegativeBinomialRegression) {
  std::vector<double> x, e;
  std::vector<std::int64_t> y;
  for (const auto& row : test::read_data_csv("regression_gammapoisson_catalog.csv")) {
    x.push_back(std::stod(row[1]));
    y.push_back(std::stoll(row[2]));
    e.push_back(std::stod(row[3]));
  }
  const auto want = expected("regression_gammapoisson_mass.csv");
  const GammaPoissonRegression f = fit_regression(PoissonColumns{y.data(), e.data(), y.size()},
                                                  CovariateDesign{{"x"}, {x.data()}, x.size()},
                                                  options(FitMethod::MaximumLikelihood));
  ASSERT_TRUE(f.report.converged) << f.report.note;
  expect_peer(f.coefficients.estimates[0].value, want.at("intercept"), "log mean intercept");
  expect_peer(f.coefficients.estimates[1].value, want.at("x"), "log mean slope");
  expect_peer(f.dispersion.value, want.at("phi"), "phi (1 / MASS's theta)");
  expect_peer(f.report.log_marginal_likelihood, want.at("loglik"), "log likelihood");
}

}  // namespace
}  // namespace hbayes
