// Pieces shared by the three family fits: conversions between the kernels' reduction types and
// the public ones, standard errors by the delta method, and the report of a dispersion fit.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "fit/dispersion_fit.hpp"
#include "fit/newton.hpp"
#include "hbayes/fit.hpp"
#include "marginal/derivatives.hpp"
#include "marginal/log_rising.hpp"
#include "marginal/normal_normal_marginal.hpp"

namespace hbayes::fit_detail {

MarginalDerivatives to_public(const kernels::Derivs2& d);
kernels::Derivs2 to_kernel(const MarginalDerivatives& d);
NormalSums to_public(const kernels::NormalPowerSums& s);
kernels::NormalPowerSums to_kernel(const NormalSums& s);

// sum over a histogram of multiplicity * lgamma(value + 1), in long double: these sums are large
// (lgamma(1e6) ~ 1.3e7) and cancel against each other in sum_j log C(n_j, y_j). Host only.
long double log_factorial_sum(const CountHistogram& h);
// sum of multiplicity * value (exact while the total is below 2^53).
double value_sum(const CountHistogram& h);
std::int64_t max_value(const CountHistogram& h);

// sum_j R(p, theta; 0, c_j) from a public histogram.
kernels::Derivs2 log_rising_sum(const CountHistogram& h, double p, double theta);

NewtonSettings settings_of(const FitOptions& options);

// sqrt(g^T cov g) for a 2 x 2 covariance (row-major) and gradient g, or nothing if not finite
// and positive.
std::optional<double> delta_se(const Vector& cov, double g0, double g1);
std::optional<double> se_from_variance(double variance);

// The common part of a report: method, groups, convergence of the Newton run (or of a closed form
// when newton is null), boundary and its score.
FitReport make_report(FitMethod method, std::size_t groups, double criterion,
                      const NewtonResult* newton, bool boundary, double boundary_score,
                      double boundary_gradient_norm, double boundary_relative_gradient,
                      const FitOptions& options);

// Throws InputError("row i", reason) for the first row whose check(i) returns a reason; called
// once a reduction has counted invalid rows, so it always finds one.
void throw_first_invalid(std::size_t rows,
                         const std::function<std::optional<std::string>(std::size_t)>& check);

// InputError("options", ...) for a method the family does not have, or bad numeric options.
void check_options(const FitOptions& options, bool reml_allowed, bool expected_allowed);

}  // namespace hbayes::fit_detail
