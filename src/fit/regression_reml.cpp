#include "fit/regression_reml.hpp"

#include <cmath>

#include "fit/fit_internal.hpp"
#include "fit/regression_ml.hpp"

namespace hbayes::fit_detail {
namespace {

constexpr double kLogTwoPi = 1.8378770664093454836;

Vector unpack(const double* packed, std::size_t p) {
  Vector m(p * p);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t k = 0; k <= i; ++k) {
      const double v = packed[kernels::packed_index(static_cast<int>(i), static_cast<int>(k))];
      m[i * p + k] = v;
      m[k * p + i] = v;
    }
  }
  return m;
}

// tr(M N) for p x p matrices.
double trace_product(const Vector& m, const Vector& n, std::size_t p) {
  double t = 0.0;
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t k = 0; k < p; ++k) t += m[i * p + k] * n[k * p + i];
  return t;
}

Vector product(const Vector& m, const Vector& n, std::size_t p) {
  Vector r(p * p, 0.0);
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t k = 0; k < p; ++k)
      for (std::size_t j = 0; j < p; ++j) r[i * p + j] += m[i * p + k] * n[k * p + j];
  return r;
}

}  // namespace

RemlPoint reml_point(const kernels::RemlReducer& reducer, const RegressionDesign& design,
                     double tau2, const Vector& start) {
  const std::size_t p = design.columns();
  RemlPoint point;
  point.value = std::nan("");
  // GLS: c = start + (X' W X)^-1 X' W r(start), exact in one step since r is linear in c.
  const kernels::RemlSums s0 = reducer.reduce(to_kernel_coefficients(start), tau2);
  Vector step;
  if (!cholesky_solve(unpack(s0.xwx[0], p), Vector(s0.xwr[0], s0.xwr[0] + p), &step)) return point;
  point.c = start;
  for (std::size_t i = 0; i < p; ++i) point.c[i] += step[i];
  const kernels::RemlSums s = reducer.reduce(to_kernel_coefficients(point.c), tau2);
  const Vector a = unpack(s.xwx[0], p);
  if (!spd_inverse(a, p, &point.covariance)) {
    point.covariance.clear();
    return point;
  }
  const Vector& ainv = point.covariance;
  const Vector b = unpack(s.xwx[1], p);
  const Vector c = unpack(s.xwx[2], p);
  const Vector m = product(ainv, b, p);  // A^-1 X' W^2 X
  double quad = 0.0;                     // (X' W^2 r)' A^-1 (X' W^2 r)
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t k = 0; k < p; ++k) quad += s.xwr[1][i] * ainv[i * p + k] * s.xwr[1][k];
  const double k = static_cast<double>(design.rows());
  // With P = W - W X A^-1 X' W and X' W r = 0 at the GLS solution: P y = W r, dP/dtau^2 = -P P,
  // tr P = sum w - tr(A^-1 B), tr PP = sum w^2 - 2 tr(A^-1 C) + tr((A^-1 B)^2).
  point.value = -0.5 * ((k - static_cast<double>(p)) * kLogTwoPi - design.log_det_gram() +
                        s.sum_log_v + spd_log_det(a, p) + s.wrr[0]);
  point.d1 = -0.5 * (s.w[0] - trace_product(ainv, b, p)) + 0.5 * s.wrr[1];
  point.d2 =
      0.5 * (s.w[1] - 2.0 * trace_product(ainv, c, p) + trace_product(m, m, p)) - (s.wrr[2] - quad);
  return point;
}

TauFit fit_reml(const kernels::RemlReducer& reducer, const RegressionDesign& design,
                double max_log_tau2, const FitOptions& options) {
  const std::size_t p = design.columns();
  const RemlPoint at_boundary = reml_point(reducer, design, 0.0, Vector(p, 0.0));
  const Vector start = at_boundary.c;
  DispersionProblem dp;
  dp.interior = [&](const Vector& eta) {
    const double tau2 = std::exp(eta[0]);
    const RemlPoint r = reml_point(reducer, design, tau2, start);
    Evaluation e;
    e.value = r.value;
    e.gradient = {tau2 * r.d1};
    e.hessian = {tau2 * tau2 * r.d2 + tau2 * r.d1};
    return e;
  };
  dp.boundary_value = at_boundary.value;
  dp.boundary_score = at_boundary.d1;
  dp.boundary_curvature = at_boundary.d2;
  dp.max_log_dispersion = max_log_tau2;
  dp.divergence_reason = "tau^2 grows without bound";
  const DispersionOutcome outcome = fit_dispersion(dp, settings_of(options));

  TauFit f;
  if (outcome.boundary) {
    f.coefficients = report_coefficients(design, at_boundary.c, at_boundary.covariance);
    f.tau2.value = 0.0;
    f.report = make_report(options.method, design.rows(), at_boundary.value, nullptr, true,
                           at_boundary.d1, 0.0, 0.0, options);
    return f;
  }
  const double tau2 = std::exp(outcome.newton.x[0]);
  const RemlPoint at = reml_point(reducer, design, tau2, start);
  f.coefficients = report_coefficients(design, at.c, at.covariance);
  f.tau2.value = tau2;
  f.tau2.std_error = se_from_variance(-1.0 / at.d2);
  f.report = make_report(options.method, design.rows(), outcome.newton.at.value, &outcome.newton,
                         false, at_boundary.d1, 0.0, 0.0, options);
  return f;
}

}  // namespace hbayes::fit_detail
