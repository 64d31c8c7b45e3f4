// REML for normal-normal meta-regression (metafor's criterion): the coefficients are profiled out
// by generalised least squares at every tau^2, leaving a one-dimensional search in log tau^2.
#pragma once

#include "fit/regression_design.hpp"

namespace hbayes::fit_detail {

// The restricted log likelihood at one tau^2, its derivatives in tau^2, the GLS coefficients
// (working coordinates) and their covariance (X' W X)^-1 (p x p, empty if not positive definite).
struct RemlPoint {
  double value = 0.0, d1 = 0.0, d2 = 0.0;
  Vector c;
  Vector covariance;
};

// start: any working coefficients (the GLS solution is one linear step from them).
RemlPoint reml_point(const kernels::RemlReducer& reducer, const RegressionDesign& design,
                     double tau2, const Vector& start);

// A normal-normal fit's coefficients, tau^2 and report.
struct TauFit {
  RegressionCoefficients coefficients;
  Estimate tau2;
  FitReport report;
};

TauFit fit_reml(const kernels::RemlReducer& reducer, const RegressionDesign& design,
                double max_log_tau2, const FitOptions& options);

}  // namespace hbayes::fit_detail
