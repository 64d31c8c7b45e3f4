// Group-level covariates in the prior mean: empirical Bayes fits whose chain-level prior mean
// varies from store to store as a linear function of the store's covariates, with one
// dispersion shared by every store.
//
//   beta-binomial  logit mu_j = x_j' b,  theta = 1 / (alpha_j + beta_j) shared
//   gamma-poisson  log mean_j = x_j' b,  phi = 1 / shape shared (exposure is an offset)
//   normal-normal  mu_j = x_j' b,        tau^2 shared (meta-regression)
//
// x_j is (1, covariates of store j): the intercept is added by the fit. ML for all three
// families, REML (metafor's, for meta-regression) for normal-normal. The boundary conventions
// are those of hbayes::fit: a dispersion exactly 0 is an answer, reported with its score.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hbayes/fit.hpp"
#include "hbayes/score.hpp"

namespace hbayes {

// Coefficients per fit, intercept included: so at most 7 covariates. The reductions over stores
// carry the p x p Hessian in fixed-size structs (kernels/marginal/regression_terms.hpp).
constexpr std::size_t kMaxRegressionCoefficients = 8;

// The covariates of n stores: columns[k] points to n doubles, named names[k] (the names used in
// error messages and in the fit's output). No intercept column: the fit adds it.
struct CovariateDesign {
  std::vector<std::string> names;
  std::vector<const double*> columns;
  std::size_t size = 0;  // n, the stores of the catalog the design goes with
};

// Coefficients on the link scale (logit, log or identity), "intercept" first, then the design's
// columns in order; standard errors from the inverse information (see each fit).
struct RegressionCoefficients {
  std::vector<std::string> names;
  std::vector<Estimate> estimates;
};

// Beta-binomial regression. dispersion = theta = 1 / (alpha_j + beta_j); theta = 0 (boundary):
// every store's prior is a point mass at its own mu_j.
struct BetaBinomialRegression {
  RegressionCoefficients coefficients;
  Estimate dispersion;
  FitReport report;
};

// Gamma-Poisson regression. dispersion = phi = 1 / shape; phi = 0 (boundary): the Poisson
// log-linear model, with no between-store variation beyond the covariates'.
struct GammaPoissonRegression {
  RegressionCoefficients coefficients;
  Estimate dispersion;
  FitReport report;
};

// Normal-normal meta-regression. ML: standard errors from the observed information of
// (coefficients, tau^2). REML: the coefficients' from (X' W X)^-1 at tau^2 (metafor's), tau^2's
// from the observed information of the restricted likelihood.
struct NormalNormalRegression {
  RegressionCoefficients coefficients;
  Estimate tau, tau2;
  FitReport report;
};

// Fits with options.method ml (all families) or reml (normal-normal); options.information must
// be Observed. Throws InputError for invalid rows (naming the row), for a design that cannot
// identify the coefficients (a non-finite value, naming the column and row; a constant column; a
// column collinear with earlier ones; more than 7 covariates; fewer than p + 1 stores) and for
// data that identify no prior (as hbayes::fit does).
BetaBinomialRegression fit_regression(const BinomialColumns& data, const CovariateDesign& design,
                                      const FitOptions& options = {});
GammaPoissonRegression fit_regression(const PoissonColumns& data, const CovariateDesign& design,
                                      const FitOptions& options = {});
NormalNormalRegression fit_regression(const NormalColumns& data, const CovariateDesign& design,
                                      const FitOptions& options = {});

// Each store's own prior under a fitted regression, for scoring: design holds the scoring
// catalog's covariates (n rows; the fit's covariate names, in the fit's order). Throws
// InputError for a non-finite covariate or a mismatch of names, and for a fit on its boundary
// (a point-mass prior, which hbayes::score does not take).
std::vector<BetaBinomialPrior> store_priors(const BetaBinomialRegression& fit,
                                            const CovariateDesign& design);
std::vector<GammaPoissonPrior> store_priors(const GammaPoissonRegression& fit,
                                            const CovariateDesign& design);
std::vector<NormalNormalPrior> store_priors(const NormalNormalRegression& fit,
                                            const CovariateDesign& design);

// A log-likelihood with its gradient and Hessian in (b_0 .. b_{p-1}, d): p + 1 entries and
// (p + 1) x (p + 1) row-major.
struct RegressionDerivatives {
  double value = 0.0;
  std::vector<double> gradient;
  std::vector<double> hessian;
};

// sum_j of the store's log marginal likelihood at coefficients b (intercept first, p entries) and
// dispersion d >= 0 (theta, phi or tau^2), with derivatives: for likelihood-ratio tests, profiles
// and tests of the fits.
RegressionDerivatives regression_log_marginal(const BinomialColumns& data,
                                              const CovariateDesign& design,
                                              const std::vector<double>& coefficients,
                                              double dispersion, Backend backend = Backend::Auto);
RegressionDerivatives regression_log_marginal(const PoissonColumns& data,
                                              const CovariateDesign& design,
                                              const std::vector<double>& coefficients,
                                              double dispersion, Backend backend = Backend::Auto);
RegressionDerivatives regression_log_marginal(const NormalColumns& data,
                                              const CovariateDesign& design,
                                              const std::vector<double>& coefficients,
                                              double dispersion, Backend backend = Backend::Auto);

// The normal-normal REML criterion of meta-regression (metafor's constants) at tau^2 >= 0, with
// its first and second derivatives in tau^2 (gradient and hessian of one entry each).
RegressionDerivatives restricted_regression_log_marginal(const NormalColumns& data,
                                                         const CovariateDesign& design, double tau2,
                                                         Backend backend = Backend::Auto);

}  // namespace hbayes
