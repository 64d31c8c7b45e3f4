// The regression fits' public helpers: log marginal likelihoods at given parameters (on the
// caller's scale, for tests and likelihood-ratio tests) and each store's prior for scoring.
#include <cmath>
#include <string>

#include "fit/fit_internal.hpp"
#include "fit/regression_catalogs.hpp"
#include "fit/regression_ml.hpp"
#include "fit/regression_reml.hpp"
#include "hbayes/errors.hpp"
#include "validation.hpp"

namespace hbayes {
namespace {

using fit_detail::RegressionDesign;
using fit_detail::Vector;

void check_parameters(const RegressionDesign& design, const Vector& coefficients,
                      double dispersion) {
  if (coefficients.size() != design.columns()) {
    throw InputError("coefficients", 0,
                     "expected " + std::to_string(design.columns()) +
                         " (the intercept and one per covariate), got " +
                         std::to_string(coefficients.size()));
  }
  for (double b : coefficients) {
    if (!std::isfinite(b)) throw InputError("coefficients", 0, "must be finite");
  }
  if (!(dispersion >= 0.0) || !std::isfinite(dispersion)) {
    throw InputError("dispersion", 0, "must be a finite number >= 0");
  }
}

template <class Columns>
RegressionDerivatives log_marginal_of(const Columns& data, const CovariateDesign& covariates,
                                      const Vector& coefficients, double dispersion,
                                      Backend backend, double constant) {
  // Unstandardised: the working coordinates are the caller's.
  const RegressionDesign design(covariates, data.size, false);
  check_parameters(design, coefficients, dispersion);
  const fit_detail::RegressionModel model(
      fit_detail::make_reducer(data, design, resolve_backend(backend).backend), design.columns(),
      constant);
  const fit_detail::Evaluation e = model.natural(coefficients, dispersion);
  return {e.value, e.gradient, e.hessian};
}

// x_j' b for every store of a scoring design, checked against the fit's coefficient names.
std::vector<double> linear_predictors(const RegressionCoefficients& fit,
                                      const CovariateDesign& design, const FitReport& report) {
  if (report.boundary) {
    throw InputError("prior", 0,
                     "the fit's dispersion is at its boundary 0: every store's prior is a point "
                     "mass, which scoring does not take");
  }
  const std::vector<std::string> expected(fit.names.begin() + 1, fit.names.end());
  if (design.names != expected) {
    std::string list;
    for (const std::string& name : expected) list += (list.empty() ? "" : ",") + name;
    throw InputError("covariates", 0, "the fit's covariates are '" + list + "'");
  }
  fit_detail::check_covariate_values(design, design.size);
  std::vector<double> eta(design.size, fit.estimates[0].value);
  for (std::size_t k = 0; k < design.columns.size(); ++k) {
    const double b = fit.estimates[k + 1].value;
    for (std::size_t i = 0; i < design.size; ++i) eta[i] += b * design.columns[k][i];
  }
  return eta;
}

}  // namespace

RegressionDerivatives regression_log_marginal(const BinomialColumns& data,
                                              const CovariateDesign& design,
                                              const std::vector<double>& coefficients,
                                              double dispersion, Backend backend) {
  fit_detail::check_rows(data);
  return log_marginal_of(data, design, coefficients, dispersion, backend,
                         fit_detail::log_binomial_coefficients(data));
}

RegressionDerivatives regression_log_marginal(const PoissonColumns& data,
                                              const CovariateDesign& design,
                                              const std::vector<double>& coefficients,
                                              double dispersion, Backend backend) {
  fit_detail::check_rows(data);
  return log_marginal_of(data, design, coefficients, dispersion, backend,
                         fit_detail::minus_log_factorials(data));
}

RegressionDerivatives regression_log_marginal(const NormalColumns& data,
                                              const CovariateDesign& design,
                                              const std::vector<double>& coefficients,
                                              double dispersion, Backend backend) {
  fit_detail::check_rows(data);
  return log_marginal_of(data, design, coefficients, dispersion, backend, 0.0);
}

RegressionDerivatives restricted_regression_log_marginal(const NormalColumns& data,
                                                         const CovariateDesign& covariates,
                                                         double tau2, Backend backend) {
  fit_detail::check_rows(data);
  if (!(tau2 >= 0.0) || !std::isfinite(tau2)) {
    throw InputError("tau2", 0, "must be a finite number >= 0");
  }
  const RegressionDesign design(covariates, data.size, false);
  const auto reducer =
      fit_detail::make_reml_reducer(data, design, resolve_backend(backend).backend);
  const fit_detail::RemlPoint r =
      fit_detail::reml_point(*reducer, design, tau2, Vector(design.columns(), 0.0));
  return {r.value, {r.d1}, {r.d2}};
}

std::vector<BetaBinomialPrior> store_priors(const BetaBinomialRegression& fit,
                                            const CovariateDesign& design) {
  const std::vector<double> eta = linear_predictors(fit.coefficients, design, fit.report);
  const double theta = fit.dispersion.value;
  std::vector<BetaBinomialPrior> priors(eta.size());
  for (std::size_t i = 0; i < eta.size(); ++i) {
    // mu and 1 - mu each from its own exponential (neither loses precision near 0 or 1).
    priors[i] = {1.0 / ((1.0 + std::exp(-eta[i])) * theta),
                 1.0 / ((1.0 + std::exp(eta[i])) * theta)};
  }
  return priors;
}

std::vector<GammaPoissonPrior> store_priors(const GammaPoissonRegression& fit,
                                            const CovariateDesign& design) {
  const std::vector<double> eta = linear_predictors(fit.coefficients, design, fit.report);
  const double shape = 1.0 / fit.dispersion.value;
  std::vector<GammaPoissonPrior> priors(eta.size());
  for (std::size_t i = 0; i < eta.size(); ++i) priors[i] = {shape, shape * std::exp(-eta[i])};
  return priors;
}

std::vector<NormalNormalPrior> store_priors(const NormalNormalRegression& fit,
                                            const CovariateDesign& design) {
  const std::vector<double> eta = linear_predictors(fit.coefficients, design, fit.report);
  std::vector<NormalNormalPrior> priors(eta.size());
  for (std::size_t i = 0; i < eta.size(); ++i) priors[i] = {eta[i], fit.tau.value};
  return priors;
}

}  // namespace hbayes
