#include "fit/regression_design.hpp"

#include <cmath>
#include <set>

#include "hbayes/errors.hpp"
#include "validation.hpp"

namespace hbayes::fit_detail {
namespace {

// The public limit is the kernels' fixed size (the public header includes no kernel code).
static_assert(kMaxRegressionCoefficients == static_cast<std::size_t>(kernels::kMaxCoefficients));

// A working column whose component orthogonal to the earlier columns has a mean square below
// this (the columns have unit mean square) carries no information of its own.
constexpr double kCollinear = 1e-10;

std::string quoted(const std::string& name) {
  return "'" + name + "'";
}

}  // namespace

void check_covariate_values(const CovariateDesign& design, std::size_t stores) {
  if (design.names.size() != design.columns.size()) {
    throw InputError("covariates", 0,
                     std::to_string(design.names.size()) + " names for " +
                         std::to_string(design.columns.size()) + " columns");
  }
  if (design.size != stores) {
    throw InputError("covariates", 0,
                     "the covariates have " + std::to_string(design.size) +
                         " rows and the catalog " + std::to_string(stores));
  }
  for (std::size_t k = 0; k < design.columns.size(); ++k) {
    if (design.columns[k] == nullptr && stores > 0) {
      throw InputError("covariates", 0, "column " + quoted(design.names[k]) + " has no values");
    }
    for (std::size_t i = 0; i < stores; ++i) {
      const double x = design.columns[k][i];
      if (!std::isfinite(x)) {
        throw InputError(
            "row " + std::to_string(i + 1), 0,
            "covariate " + quoted(design.names[k]) + " is not finite " + validation::describe(x));
      }
    }
  }
}

RegressionDesign::RegressionDesign(const CovariateDesign& covariates, std::size_t stores,
                                   bool standardise)
    : rows_(stores) {
  if (covariates.columns.size() + 1 > kMaxRegressionCoefficients) {
    throw InputError("covariates", 0,
                     "at most " + std::to_string(kMaxRegressionCoefficients - 1) +
                         " covariates are supported (got " +
                         std::to_string(covariates.columns.size()) + ")");
  }
  check_covariate_values(covariates, stores);
  std::set<std::string> seen{"intercept"};
  for (const std::string& name : covariates.names) {
    if (name.empty() || !seen.insert(name).second) {
      throw InputError("covariates", 0,
                       "covariate names must be distinct, non-empty and not 'intercept' (got " +
                           quoted(name) + ")");
    }
  }
  const std::size_t p = covariates.columns.size() + 1;
  if (stores < p + 1) {
    throw InputError("data", 0,
                     std::to_string(p) + " coefficients and a dispersion need at least " +
                         std::to_string(p + 1) + " stores (got " + std::to_string(stores) + ")");
  }
  names_.push_back("intercept");
  names_.insert(names_.end(), covariates.names.begin(), covariates.names.end());
  values_.assign(stores * p, 1.0);
  centre_.assign(p, 0.0);
  scale_.assign(p, 1.0);
  // Every covariate standardised (mean 0, mean square 1) for the checks; the working design keeps
  // them so when standardise is set.
  std::vector<std::vector<double> > standard(p, std::vector<double>(stores, 1.0));
  const double n = static_cast<double>(stores);
  for (std::size_t k = 1; k < p; ++k) {
    const double* x = covariates.columns[k - 1];
    double mean = 0.0;
    for (std::size_t i = 0; i < stores; ++i) mean += x[i];
    mean /= n;
    double ss = 0.0;
    for (std::size_t i = 0; i < stores; ++i) ss += (x[i] - mean) * (x[i] - mean);
    const double sd = std::sqrt(ss / n);
    if (!(sd > 1e-13 * std::fabs(mean)) || !(sd > 0.0)) {
      throw InputError("covariates", 0,
                       "column " + quoted(names_[k]) +
                           " is constant: its coefficient cannot be told from the intercept's");
    }
    for (std::size_t i = 0; i < stores; ++i) standard[k][i] = (x[i] - mean) / sd;
    if (standardise) {
      centre_[k] = mean;
      scale_[k] = sd;
    } else {
      log_det_gram_ += 2.0 * std::log(sd);  // X = S diag(sd) plus multiples of the intercept
    }
    for (std::size_t i = 0; i < stores; ++i) {
      values_[k * stores + i] = (x[i] - centre_[k]) / scale_[k];
    }
  }
  // Gram-Schmidt on the standardised columns, in order: a column with (almost) nothing orthogonal
  // to the earlier ones is collinear with them. The squared norms of the orthogonal parts multiply
  // to det(S' S).
  for (std::size_t k = 0; k < p; ++k) {
    std::vector<double>& u = standard[k];
    for (std::size_t j = 0; j < k; ++j) {
      const std::vector<double>& q = standard[j];  // already orthonormal
      double dot = 0.0;
      for (std::size_t i = 0; i < stores; ++i) dot += q[i] * u[i];
      for (std::size_t i = 0; i < stores; ++i) u[i] -= dot * q[i];
    }
    double r2 = 0.0;
    for (double v : u) r2 += v * v;
    if (!(r2 > kCollinear * n)) {
      throw InputError("covariates", 0,
                       "column " + quoted(names_[k]) +
                           " is collinear with the intercept and the columns before it: its "
                           "coefficient is not identified");
    }
    log_det_gram_ += std::log(r2);
    const double inv = 1.0 / std::sqrt(r2);
    for (double& v : u) v *= inv;
  }
}

kernels::DesignView RegressionDesign::view() const {
  return {values_.data(), rows_, static_cast<int>(columns())};
}

Vector RegressionDesign::to_original(const Vector& c) const {
  // eta = c0 + sum_k c_k (x_k - centre_k) / scale_k.
  Vector b(c.size());
  b[0] = c[0];
  for (std::size_t k = 1; k < c.size(); ++k) {
    b[k] = c[k] / scale_[k];
    b[0] -= b[k] * centre_[k];
  }
  return b;
}

Vector RegressionDesign::to_working(const Vector& b) const {
  Vector c(b.size());
  c[0] = b[0];
  for (std::size_t k = 1; k < b.size(); ++k) {
    c[k] = b[k] * scale_[k];
    c[0] += b[k] * centre_[k];
  }
  return c;
}

Vector RegressionDesign::covariance_to_original(const Vector& cov) const {
  const std::size_t p = columns();
  // T: b = T c, row 0 (1, -centre_k / scale_k), row k e_k / scale_k.
  Vector t(p * p, 0.0);
  t[0] = 1.0;
  for (std::size_t k = 1; k < p; ++k) {
    t[k] = -centre_[k] / scale_[k];
    t[k * p + k] = 1.0 / scale_[k];
  }
  Vector tc(p * p, 0.0), out(p * p, 0.0);
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = 0; k < p; ++k) tc[i * p + j] += t[i * p + k] * cov[k * p + j];
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = 0; k < p; ++k) out[i * p + j] += tc[i * p + k] * t[j * p + k];
  return out;
}

kernels::Coefficients to_kernel_coefficients(const Vector& c) {
  kernels::Coefficients k{};
  for (std::size_t i = 0; i < c.size(); ++i) k.b[i] = c[i];
  return k;
}

}  // namespace hbayes::fit_detail
