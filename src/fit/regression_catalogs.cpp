#include "fit/regression_catalogs.hpp"

#include <cmath>
#include <string>

#include "hbayes/errors.hpp"
#include "validation.hpp"

namespace hbayes::fit_detail {
namespace {

void throw_if(const std::optional<std::string>& problem, std::size_t row) {
  if (problem) throw InputError("row " + std::to_string(row + 1), 0, *problem);
}

}  // namespace

void check_rows(const BinomialColumns& data) {
  for (std::size_t i = 0; i < data.size; ++i) {
    throw_if(validation::binomial_row(data.successes[i], data.trials[i], "successes", "trials"), i);
  }
}

void check_rows(const PoissonColumns& data) {
  for (std::size_t i = 0; i < data.size; ++i) {
    throw_if(validation::poisson_row(data.counts[i], data.exposures[i], "count", "exposure"), i);
  }
}

void check_rows(const NormalColumns& data) {
  for (std::size_t i = 0; i < data.size; ++i) {
    throw_if(validation::normal_row(data.estimates[i], data.std_errors[i], "estimate", "std_error"),
             i);
  }
}

std::unique_ptr<kernels::RegressionReducer> make_reducer(const BinomialColumns& data,
                                                         const RegressionDesign& design,
                                                         Backend backend) {
  return backend == Backend::Cuda ? kernels::cuda::make_regression_reducer(data, design.view())
                                  : kernels::cpu::make_regression_reducer(data, design.view());
}

std::unique_ptr<kernels::RegressionReducer> make_reducer(const PoissonColumns& data,
                                                         const RegressionDesign& design,
                                                         Backend backend) {
  return backend == Backend::Cuda ? kernels::cuda::make_regression_reducer(data, design.view())
                                  : kernels::cpu::make_regression_reducer(data, design.view());
}

std::unique_ptr<kernels::RegressionReducer> make_reducer(const NormalColumns& data,
                                                         const RegressionDesign& design,
                                                         Backend backend) {
  return backend == Backend::Cuda ? kernels::cuda::make_regression_reducer(data, design.view())
                                  : kernels::cpu::make_regression_reducer(data, design.view());
}

std::unique_ptr<kernels::RemlReducer> make_reml_reducer(const NormalColumns& data,
                                                        const RegressionDesign& design,
                                                        Backend backend) {
  return backend == Backend::Cuda ? kernels::cuda::make_reml_reducer(data, design.view())
                                  : kernels::cpu::make_reml_reducer(data, design.view());
}

double log_binomial_coefficients(const BinomialColumns& data) {
  long double sum = 0.0L;
  for (std::size_t i = 0; i < data.size; ++i) {
    const long double n = static_cast<long double>(data.trials[i]);
    const long double y = static_cast<long double>(data.successes[i]);
    sum += std::lgamma(n + 1.0L) - std::lgamma(y + 1.0L) - std::lgamma(n - y + 1.0L);
  }
  return static_cast<double>(sum);
}

double minus_log_factorials(const PoissonColumns& data) {
  long double sum = 0.0L;
  for (std::size_t i = 0; i < data.size; ++i) {
    sum -= std::lgamma(static_cast<long double>(data.counts[i]) + 1.0L);
  }
  return static_cast<double>(sum);
}

}  // namespace hbayes::fit_detail
