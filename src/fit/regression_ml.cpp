#include "fit/regression_ml.hpp"

#include <cmath>

#include "fit/fit_internal.hpp"
#include "hbayes/errors.hpp"

namespace hbayes::fit_detail {

RegressionModel::RegressionModel(std::unique_ptr<kernels::RegressionReducer> reducer,
                                 std::size_t columns, double constant)
    : reducer_(std::move(reducer)), p_(columns), constant_(constant) {}

kernels::RegressionSums RegressionModel::sums(const Vector& c, double dispersion) const {
  kernels::RegressionSums s = reducer_->reduce(to_kernel_coefficients(c), dispersion);
  s.value += constant_;
  return s;
}

Vector unpack_hessian(const kernels::RegressionSums& s, std::size_t p) {
  const std::size_t n = p + 1;
  Vector h(n * n);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t k = 0; k <= i; ++k) {
      const double v = s.h[kernels::packed_index(static_cast<int>(i), static_cast<int>(k))];
      h[i * n + k] = v;
      h[k * n + i] = v;
    }
    h[i * n + p] = s.hd[i];
    h[p * n + i] = s.hd[i];
  }
  h[p * n + p] = s.hdd;
  return h;
}

Evaluation RegressionModel::natural(const Vector& c, double dispersion) const {
  const kernels::RegressionSums s = sums(c, dispersion);
  Evaluation e;
  e.value = s.value;
  e.gradient.assign(s.g, s.g + p_);
  e.gradient.push_back(s.gd);
  e.hessian = unpack_hessian(s, p_);
  return e;
}

Evaluation RegressionModel::at_boundary(const Vector& c) const {
  const Evaluation full = natural(c, 0.0);
  Evaluation e;
  e.value = full.value;
  e.gradient.assign(full.gradient.begin(), full.gradient.begin() + p_);
  e.hessian.resize(p_ * p_);
  for (std::size_t i = 0; i < p_; ++i)
    for (std::size_t k = 0; k < p_; ++k) e.hessian[i * p_ + k] = full.hessian[i * (p_ + 1) + k];
  return e;
}

Evaluation RegressionModel::unconstrained(const Vector& eta) const {
  const Vector c(eta.begin(), eta.begin() + p_);
  const double d = std::exp(eta[p_]);
  Evaluation e = natural(c, d);
  // d = exp(u): d/du = d d/dd, d2/du2 = d^2 d2/dd2 + d d/dd, d2/dc du = d d2/dc dd.
  const std::size_t n = p_ + 1;
  const double gd = e.gradient[p_];
  e.gradient[p_] = d * gd;
  for (std::size_t i = 0; i < p_; ++i) {
    e.hessian[i * n + p_] *= d;
    e.hessian[p_ * n + i] *= d;
  }
  e.hessian[p_ * n + p_] = d * d * e.hessian[p_ * n + p_] + d * gd;
  return e;
}

RegressionSolution fit_ml(const RegressionModel& model, const RegressionProblem& problem,
                          std::size_t groups, const FitOptions& options) {
  const NewtonSettings settings = settings_of(options);
  // The boundary d = 0: a concave GLM (or least-squares) problem in c.
  const NewtonResult boundary = maximize([&model](const Vector& c) { return model.at_boundary(c); },
                                         problem.boundary_start, settings);
  const std::size_t p = boundary.x.size();
  const Evaluation at_boundary = model.natural(boundary.x, 0.0);

  DispersionProblem dp;
  dp.interior = [&model](const Vector& eta) { return model.unconstrained(eta); };
  dp.boundary_location = boundary.x;
  dp.boundary_value = at_boundary.value;
  dp.boundary_score = at_boundary.gradient[p];
  dp.boundary_curvature = at_boundary.hessian[p * (p + 1) + p];
  dp.max_log_dispersion = problem.max_log_dispersion;
  dp.divergence_reason = problem.divergence_reason;
  const DispersionOutcome outcome = fit_dispersion(dp, settings);

  RegressionSolution s;
  if (outcome.boundary) {
    s.c = boundary.x;
    Vector info(p * p);
    for (std::size_t i = 0; i < p * p; ++i) info[i] = -boundary.at.hessian[i];
    if (!spd_inverse(info, p, &s.covariance)) s.covariance.clear();
    s.report =
        make_report(options.method, groups, at_boundary.value, nullptr, true, dp.boundary_score,
                    norm(boundary.at.gradient), relative_gradient(boundary.at), options);
    if (!boundary.converged) s.report.note = boundary.note;
    return s;
  }
  s.c.assign(outcome.newton.x.begin(), outcome.newton.x.begin() + p);
  s.dispersion = std::exp(outcome.newton.x[p]);
  const Evaluation at = model.natural(s.c, s.dispersion);
  Vector info(at.hessian.size());
  for (std::size_t i = 0; i < info.size(); ++i) info[i] = -at.hessian[i];
  if (!spd_inverse(info, p + 1, &s.covariance)) s.covariance.clear();
  s.report = make_report(options.method, groups, outcome.newton.at.value, &outcome.newton, false,
                         dp.boundary_score, 0.0, 0.0, options);
  return s;
}

RegressionCoefficients report_coefficients(const RegressionDesign& design, const Vector& c,
                                           const Vector& covariance) {
  const std::size_t p = c.size();
  RegressionCoefficients out;
  out.names = design.names();
  const Vector b = design.to_original(c);
  Vector cov_b;
  if (!covariance.empty()) {
    // The coefficients' block of a covariance that may carry the dispersion last.
    const std::size_t n = covariance.size() == p * p ? p : p + 1;
    Vector block(p * p);
    for (std::size_t i = 0; i < p; ++i)
      for (std::size_t k = 0; k < p; ++k) block[i * p + k] = covariance[i * n + k];
    cov_b = design.covariance_to_original(block);
  }
  for (std::size_t i = 0; i < p; ++i) {
    Estimate e;
    e.value = b[i];
    if (!cov_b.empty()) e.std_error = se_from_variance(cov_b[i * p + i]);
    out.estimates.push_back(e);
  }
  return out;
}

void check_regression_options(const FitOptions& options, bool reml_allowed) {
  if (options.method == FitMethod::Moments) {
    throw InputError("options", 0,
                     "the method of moments is not available with covariates; use ml" +
                         std::string(reml_allowed ? " or reml" : ""));
  }
  if (options.information == Information::Expected) {
    throw InputError("options", 0,
                     "expected information is not available with covariates; use observed");
  }
  check_options(options, reml_allowed, false);
}

}  // namespace hbayes::fit_detail
