// Maximum marginal likelihood for the three regression families: Newton on the working
// coefficients c and log d, with the boundary d = 0 (a binomial, Poisson or weighted least-squares
// regression) solved first, as every dispersion fit here does (dispersion_fit.hpp).
#pragma once

#include <memory>
#include <string>

#include "fit/regression_design.hpp"

namespace hbayes::fit_detail {

// A catalog's log marginal likelihood in working coordinates, from one reduction per evaluation.
class RegressionModel {
 public:
  // constant: the data's own terms that the store terms leave out (log C(n, y), -log y!).
  RegressionModel(std::unique_ptr<kernels::RegressionReducer> reducer, std::size_t columns,
                  double constant);

  kernels::RegressionSums sums(const Vector& c, double dispersion) const;
  // In c alone at d = 0.
  Evaluation at_boundary(const Vector& c) const;
  // In eta = (c, log d).
  Evaluation unconstrained(const Vector& eta) const;
  // Value, gradient and Hessian in (c, d), d on its natural scale; hessian (p + 1)^2 row-major.
  Evaluation natural(const Vector& c, double dispersion) const;

 private:
  std::unique_ptr<kernels::RegressionReducer> reducer_;
  std::size_t p_;
  double constant_;
};

// What every family needs to set up an ML fit.
struct RegressionProblem {
  Vector boundary_start;          // working coefficients to start the d = 0 fit from
  double max_log_dispersion = 0;  // the edge of the searched domain
  std::string divergence_reason;  // InputError text when d grows without bound
};

// The ML solution: working coefficients, dispersion (0 at the boundary), the covariance of
// (c, d) (p x p of c alone at the boundary; empty when the information is not positive
// definite), and the report.
struct RegressionSolution {
  Vector c;
  double dispersion = 0.0;
  Vector covariance;
  FitReport report;
};

RegressionSolution fit_ml(const RegressionModel& model, const RegressionProblem& problem,
                          std::size_t groups, const FitOptions& options);

// The public form of a fit's coefficients: original scale, with standard errors from the
// working covariance (p x p, or (p + 1) x (p + 1) with the dispersion last).
RegressionCoefficients report_coefficients(const RegressionDesign& design, const Vector& c,
                                           const Vector& covariance);

// Row-major (p + 1) x (p + 1) information pieces: sums unpacked into a full Hessian in (c, d).
Vector unpack_hessian(const kernels::RegressionSums& s, std::size_t p);

// InputError for options the regression fits do not take (moments; expected information;
// reml outside normal-normal).
void check_regression_options(const FitOptions& options, bool reml_allowed);

}  // namespace hbayes::fit_detail
