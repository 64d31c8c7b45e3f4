// The data side of the regression fits: rows validated with the families' rules, the reducers
// on the chosen backend, and the terms of the log likelihood that depend on the data alone.
#pragma once

#include <memory>

#include "fit/regression_design.hpp"

namespace hbayes::fit_detail {

// Throw InputError("row i", ...) for the first row that breaks the family's data rules.
void check_rows(const BinomialColumns& data);
void check_rows(const PoissonColumns& data);
void check_rows(const NormalColumns& data);

// The reducers over a catalog and its design, on `backend` (Cpu or Cuda).
std::unique_ptr<kernels::RegressionReducer> make_reducer(const BinomialColumns& data,
                                                         const RegressionDesign& design,
                                                         Backend backend);
std::unique_ptr<kernels::RegressionReducer> make_reducer(const PoissonColumns& data,
                                                         const RegressionDesign& design,
                                                         Backend backend);
std::unique_ptr<kernels::RegressionReducer> make_reducer(const NormalColumns& data,
                                                         const RegressionDesign& design,
                                                         Backend backend);
std::unique_ptr<kernels::RemlReducer> make_reml_reducer(const NormalColumns& data,
                                                        const RegressionDesign& design,
                                                        Backend backend);

// sum_j log C(n_j, y_j) and -sum_j log y_j!, in long double (large terms that cancel).
double log_binomial_coefficients(const BinomialColumns& data);
double minus_log_factorials(const PoissonColumns& data);

}  // namespace hbayes::fit_detail
