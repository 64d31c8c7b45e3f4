// Reductions over stores for the empirical Bayes fits, on the two backends: same signatures, same
// kernel source (marginal_kernels.cu; the CPU versions are its g++ build on Thrust's OpenMP
// system, the CUDA versions its nvcc build or, without the toolkit,
// marginal_kernels_unavailable.cpp). Inputs are host columns, already validated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "hbayes/fit.hpp"
#include "marginal/derivatives.hpp"
#include "marginal/normal_normal_marginal.hpp"
#include "marginal/regression_terms.hpp"

namespace hbayes::kernels {

// sum_j exposure_term(y_j, e_j, m, phi) over a gamma-Poisson catalog resident on a backend.
class ExposureReducer {
 public:
  virtual ~ExposureReducer() = default;
  virtual Derivs2 reduce(double mean, double dispersion) const = 0;
  // The histogram pass over the resident columns (no second copy of them to the device): the
  // histogram of counts and the moment sums of the valid rows; *invalid_rows counts the others.
  virtual PoissonSummary summarize(std::int64_t* invalid_rows) const = 0;
};

// sum_j normal_power_sums(y_j, se_j, tau^2, centre) over a normal catalog resident on a backend.
class NormalReducer {
 public:
  virtual ~NormalReducer() = default;
  virtual NormalPowerSums reduce(double tau2, double centre) const = 0;
};

// The design of a regression as the reductions see it: `columns` columns of `rows` doubles,
// column-major in one array (column 0 all ones), columns <= kMaxCoefficients.
struct DesignView {
  const double* values;
  std::size_t rows;
  int columns;
};

// sum_j of a family's store term (regression_terms.hpp) at eta_j = x_j' b, over a catalog and its
// design resident on a backend.
class RegressionReducer {
 public:
  virtual ~RegressionReducer() = default;
  virtual RegressionSums reduce(const Coefficients& b, double dispersion) const = 0;
};

// sum_j reml_sums(y_j, se_j, x_j' b, tau^2, x_j) over a normal catalog and its design.
class RemlReducer {
 public:
  virtual ~RemlReducer() = default;
  virtual RemlSums reduce(const Coefficients& b, double tau2) const = 0;
};

#define HBAYES_DECLARE_MARGINAL_KERNELS                                                        \
  /* The histogram pass: successes, failures and trials histograms and moment sums of */       \
  /* the valid rows; *invalid_rows counts the rows that break the data rules. */               \
  BinomialSummary summarize_binomial(const BinomialColumns& data, std::int64_t* invalid_rows); \
  /* A gamma-Poisson catalog resident on the backend: its histogram pass (summarize) and */  \
  /* its per-iteration sums. */                                                                \
  std::unique_ptr<ExposureReducer> make_exposure_reducer(const PoissonColumns& data);          \
  std::unique_ptr<NormalReducer> make_normal_reducer(const NormalColumns& data);               \
  /* Regression reducers over a catalog and its design (read in place on the CPU). */          \
  std::unique_ptr<RegressionReducer> make_regression_reducer(const BinomialColumns& data,      \
                                                             const DesignView& design);        \
  std::unique_ptr<RegressionReducer> make_regression_reducer(const PoissonColumns& data,       \
                                                             const DesignView& design);        \
  std::unique_ptr<RegressionReducer> make_regression_reducer(const NormalColumns& data,        \
                                                             const DesignView& design);        \
  std::unique_ptr<RemlReducer> make_reml_reducer(const NormalColumns& data,                    \
                                                 const DesignView& design);

namespace cpu {
HBAYES_DECLARE_MARGINAL_KERNELS
}  // namespace cpu

namespace cuda {
HBAYES_DECLARE_MARGINAL_KERNELS
}  // namespace cuda

#undef HBAYES_DECLARE_MARGINAL_KERNELS

}  // namespace hbayes::kernels
