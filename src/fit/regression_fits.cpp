// ML regression fits of the three families: data checks, the start of the boundary fit, and the
// public form of the solution. The Newton runs are regression_ml.cpp's; REML is
// regression_reml.cpp's.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "fit/fit_internal.hpp"
#include "fit/regression_catalogs.hpp"
#include "fit/regression_ml.hpp"
#include "fit/regression_reml.hpp"
#include "hbayes/errors.hpp"

namespace hbayes {
namespace {

using fit_detail::RegressionDesign;
using fit_detail::RegressionModel;
using fit_detail::RegressionProblem;
using fit_detail::RegressionSolution;
using fit_detail::Vector;

// theta or phi beyond 1e10: a prior with alpha + beta or shape below 1e-10, treated as diverging
// (the intercept-only fits' limit).
const double kMaxLogDispersion = std::log(1e10);

// The dispersion's estimate from a solution (no standard error at the boundary).
Estimate dispersion_of(const RegressionSolution& s, std::size_t p) {
  Estimate d;
  d.value = s.dispersion;
  if (!s.report.boundary && !s.covariance.empty()) {
    d.std_error = fit_detail::se_from_variance(s.covariance[p * (p + 1) + p]);
  }
  return d;
}

// The ML fit of a family with a dispersion (beta-binomial, gamma-Poisson): the Newton run from
// the boundary fit, whose intercept starts at `intercept_start` (the pooled rate's link), and the
// public form of its solution. `constant`: the data-only part of the log likelihood.
template <class Fit, class Columns>
Fit dispersion_regression(const Columns& data, const CovariateDesign& covariates,
                          double constant, double intercept_start,
                          const char* divergence_reason, const FitOptions& options) {
  const BackendChoice backend = resolve_backend(options.backend);
  const RegressionDesign design(covariates, data.size, true);
  const RegressionModel model(fit_detail::make_reducer(data, design, backend.backend),
                              design.columns(), constant);
  RegressionProblem problem;
  problem.boundary_start.assign(design.columns(), 0.0);
  problem.boundary_start[0] = intercept_start;
  problem.max_log_dispersion = kMaxLogDispersion;
  problem.divergence_reason = divergence_reason;
  const RegressionSolution s = fit_detail::fit_ml(model, problem, data.size, options);
  Fit f;
  f.coefficients = fit_detail::report_coefficients(design, s.c, s.covariance);
  f.dispersion = dispersion_of(s, design.columns());
  f.report = s.report;
  f.report.backend = backend;
  return f;
}

}  // namespace

BetaBinomialRegression fit_regression(const BinomialColumns& data,
                                      const CovariateDesign& covariates,
                                      const FitOptions& options) {
  fit_detail::check_regression_options(options, false);
  fit_detail::check_rows(data);
  if (data.size == 0) throw InputError("data", 0, "no stores to fit");
  double successes = 0.0, trials = 0.0;
  std::int64_t max_trials = 0;
  for (std::size_t i = 0; i < data.size; ++i) {
    successes += static_cast<double>(data.successes[i]);
    trials += static_cast<double>(data.trials[i]);
    max_trials = std::max(max_trials, data.trials[i]);
  }
  if (successes == 0.0 || successes == trials) {
    throw InputError("data", 0,
                     successes == 0.0
                         ? "no store has a success: the prior mean falls to 0, so no beta prior "
                           "maximises the marginal likelihood"
                         : "every trial is a success: the prior mean rises to 1, so no beta prior "
                           "maximises the marginal likelihood");
  }
  if (max_trials < 2) {
    throw InputError("data", 0,
                     "no store has 2 or more trials: a single trial is Bernoulli(mean) whatever "
                     "the dispersion, so alpha + beta is not identified");
  }
  return dispersion_regression<BetaBinomialRegression>(
      data, covariates, fit_detail::log_binomial_coefficients(data),
      std::log(successes / (trials - successes)),
      "the dispersion grows without bound (alpha + beta -> 0): the stores look all-or-nothing, "
      "so no beta prior maximises the marginal likelihood",
      options);
}

GammaPoissonRegression fit_regression(const PoissonColumns& data, const CovariateDesign& covariates,
                                      const FitOptions& options) {
  fit_detail::check_regression_options(options, false);
  fit_detail::check_rows(data);
  if (data.size == 0) throw InputError("data", 0, "no stores to fit");
  double events = 0.0, exposure = 0.0;
  for (std::size_t i = 0; i < data.size; ++i) {
    events += static_cast<double>(data.counts[i]);
    exposure += data.exposures[i];
  }
  if (events == 0.0) {
    throw InputError("data", 0,
                     "no store has an event: the prior mean falls to 0, so no gamma prior "
                     "maximises the marginal likelihood");
  }
  return dispersion_regression<GammaPoissonRegression>(
      data, covariates, fit_detail::minus_log_factorials(data), std::log(events / exposure),
      "the dispersion grows without bound (shape -> 0): the counts are too concentrated in a "
      "few stores for any gamma prior to maximise the marginal likelihood",
      options);
}

NormalNormalRegression fit_regression(const NormalColumns& data, const CovariateDesign& covariates,
                                      const FitOptions& options) {
  fit_detail::check_regression_options(options, true);
  fit_detail::check_rows(data);
  if (data.size == 0) throw InputError("data", 0, "no stores to fit");
  const BackendChoice backend = resolve_backend(options.backend);
  const RegressionDesign design(covariates, data.size, true);
  // tau^2 cannot diverge (the likelihood falls like -J/2 log tau^2); the domain's edge only keeps
  // the search finite: far beyond the spread of the estimates and of their errors.
  double mean = 0.0;
  for (std::size_t i = 0; i < data.size; ++i) mean += data.estimates[i];
  mean /= static_cast<double>(data.size);
  double scale = 0.0;
  for (std::size_t i = 0; i < data.size; ++i) {
    const double d = data.estimates[i] - mean;
    scale += (d * d + data.std_errors[i] * data.std_errors[i]) / static_cast<double>(data.size);
  }
  const double max_log_tau2 = std::log(1e12 * (scale > 0.0 ? scale : 1.0));

  NormalNormalRegression f;
  fit_detail::TauFit tau;
  if (options.method == FitMethod::RestrictedMaximumLikelihood) {
    const auto reducer = fit_detail::make_reml_reducer(data, design, backend.backend);
    tau = fit_detail::fit_reml(*reducer, design, max_log_tau2, options);
  } else {
    const RegressionModel model(fit_detail::make_reducer(data, design, backend.backend),
                                design.columns(), 0.0);
    RegressionProblem problem;
    problem.boundary_start.assign(design.columns(), 0.0);
    problem.boundary_start[0] = mean;
    problem.max_log_dispersion = max_log_tau2;
    problem.divergence_reason = "tau^2 grows without bound";
    const RegressionSolution s = fit_detail::fit_ml(model, problem, data.size, options);
    tau.coefficients = fit_detail::report_coefficients(design, s.c, s.covariance);
    tau.tau2 = dispersion_of(s, design.columns());
    tau.report = s.report;
  }
  f.coefficients = std::move(tau.coefficients);
  f.tau2 = tau.tau2;
  f.tau.value = std::sqrt(f.tau2.value);
  if (f.tau2.std_error && f.tau2.value > 0.0) {
    f.tau.std_error = *f.tau2.std_error / (2.0 * f.tau.value);
  }
  f.report = tau.report;
  f.report.backend = backend;
  return f;
}

}  // namespace hbayes
