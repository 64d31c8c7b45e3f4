// The covariates of a regression fit, validated and laid out for the reductions: an intercept
// column of ones, then the covariates, column-major, in the coordinates the fit works in.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fit/newton.hpp"
#include "hbayes/fit_regression.hpp"
#include "marginal_kernels.hpp"

namespace hbayes::fit_detail {

class RegressionDesign {
 public:
  // Validates covariates against a catalog of `stores` rows (InputError naming the column, and the
  // row for a non-finite value). standardise: each covariate centred at its mean and divided by
  // its standard deviation (the fit's working coordinates, in which Newton's damping and the
  // Cholesky tolerances see columns of one scale); otherwise the covariates as given.
  RegressionDesign(const CovariateDesign& covariates, std::size_t stores, bool standardise);

  kernels::DesignView view() const;
  std::size_t columns() const { return names_.size(); }
  std::size_t rows() const { return rows_; }
  const std::vector<std::string>& names() const { return names_; }  // "intercept", covariates
  // log det(Z' Z) of the working design Z (the REML criterion's constant).
  double log_det_gram() const { return log_det_gram_; }

  // Coefficients b on the caller's scale from working coefficients c (b = T c), and back.
  Vector to_original(const Vector& c) const;
  Vector to_working(const Vector& b) const;
  // T cov T': a p x p covariance of working coefficients on the caller's scale.
  Vector covariance_to_original(const Vector& cov) const;

 private:
  std::vector<std::string> names_;
  std::size_t rows_;
  std::vector<double> values_;          // rows x columns, column-major
  std::vector<double> centre_, scale_;  // per column: z = (x - centre) / scale (intercept 0, 1)
  double log_det_gram_ = 0.0;
};

// Throws InputError unless design.names and design.columns match, the design has `stores` rows
// and every value is finite (naming the column and the row).
void check_covariate_values(const CovariateDesign& design, std::size_t stores);

// kernels::Coefficients from p working coefficients.
kernels::Coefficients to_kernel_coefficients(const Vector& c);

}  // namespace hbayes::fit_detail
