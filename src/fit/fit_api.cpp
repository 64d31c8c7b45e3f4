// Small public pieces of the fitting API and the helpers shared by the family fits.
#include <algorithm>
#include <cmath>

#include "fit/fit_internal.hpp"
#include "hbayes/errors.hpp"
#include "validation.hpp"

namespace hbayes {

FitMethod parse_fit_method(const std::string& text, const std::string& option_name) {
  if (text == "mom") return FitMethod::Moments;
  if (text == "ml") return FitMethod::MaximumLikelihood;
  if (text == "reml") return FitMethod::RestrictedMaximumLikelihood;
  throw InputError(option_name, 0, "expected mom, ml or reml, got '" + text + "'");
}

const char* fit_method_name(FitMethod method) {
  switch (method) {
    case FitMethod::Moments:
      return "mom";
    case FitMethod::MaximumLikelihood:
      return "ml";
    case FitMethod::RestrictedMaximumLikelihood:
      return "reml";
  }
  return "ml";
}

MarginalDerivatives& MarginalDerivatives::operator+=(const MarginalDerivatives& o) {
  value += o.value;
  d_a += o.d_a;
  d_b += o.d_b;
  d_aa += o.d_aa;
  d_ab += o.d_ab;
  d_bb += o.d_bb;
  return *this;
}

NormalSums& NormalSums::operator+=(const NormalSums& o) {
  *this = fit_detail::to_public(fit_detail::to_kernel(*this) + fit_detail::to_kernel(o));
  return *this;
}

namespace fit_detail {

MarginalDerivatives to_public(const kernels::Derivs2& d) {
  MarginalDerivatives r;
  r.value = d.value;
  r.d_a = d.da;
  r.d_b = d.db;
  r.d_aa = d.daa;
  r.d_ab = d.dab;
  r.d_bb = d.dbb;
  return r;
}

kernels::Derivs2 to_kernel(const MarginalDerivatives& d) {
  kernels::Derivs2 r;
  r.value = d.value;
  r.da = d.d_a;
  r.db = d.d_b;
  r.daa = d.d_aa;
  r.dab = d.d_ab;
  r.dbb = d.d_bb;
  return r;
}

NormalSums to_public(const kernels::NormalPowerSums& s) {
  NormalSums r;
  r.stores = s.stores;
  r.sum_log_v = s.sum_log_v;
  r.w1 = s.w1;
  r.w1d = s.w1d;
  r.w1dd = s.w1dd;
  r.w2 = s.w2;
  r.w2d = s.w2d;
  r.w2dd = s.w2dd;
  r.w3 = s.w3;
  r.w3d = s.w3d;
  r.w3dd = s.w3dd;
  r.d = s.d;
  r.dd = s.dd;
  r.se2 = s.se2;
  return r;
}

kernels::NormalPowerSums to_kernel(const NormalSums& s) {
  kernels::NormalPowerSums r;
  r.stores = s.stores;
  r.sum_log_v = s.sum_log_v;
  r.w1 = s.w1;
  r.w1d = s.w1d;
  r.w1dd = s.w1dd;
  r.w2 = s.w2;
  r.w2d = s.w2d;
  r.w2dd = s.w2dd;
  r.w3 = s.w3;
  r.w3d = s.w3d;
  r.w3dd = s.w3dd;
  r.d = s.d;
  r.dd = s.dd;
  r.se2 = s.se2;
  return r;
}

long double log_factorial_sum(const CountHistogram& h) {
  long double sum = 0.0L;
  for (std::size_t i = 0; i < h.values.size(); ++i) {
    sum += static_cast<long double>(h.multiplicities[i]) *
           std::lgamma(static_cast<long double>(h.values[i]) + 1.0L);
  }
  return sum;
}

double value_sum(const CountHistogram& h) {
  double sum = 0.0;
  for (std::size_t i = 0; i < h.values.size(); ++i) {
    sum += static_cast<double>(h.multiplicities[i]) * static_cast<double>(h.values[i]);
  }
  return sum;
}

std::int64_t max_value(const CountHistogram& h) {
  return h.values.empty() ? 0 : h.values.back();
}

kernels::Derivs2 log_rising_sum(const CountHistogram& h, double p, double theta) {
  return kernels::log_rising_histogram(h.values.data(), h.multiplicities.data(), h.values.size(), p,
                                       theta);
}

NewtonSettings settings_of(const FitOptions& options) {
  NewtonSettings s;
  s.max_iterations = options.max_iterations;
  s.gradient_tolerance = options.gradient_tolerance;
  return s;
}

std::optional<double> se_from_variance(double variance) {
  if (std::isfinite(variance) && variance > 0.0) return std::sqrt(variance);
  return std::nullopt;
}

std::optional<double> delta_se(const Vector& cov, double g0, double g1) {
  return se_from_variance(g0 * g0 * cov[0] + 2.0 * g0 * g1 * cov[1] + g1 * g1 * cov[3]);
}

FitReport make_report(FitMethod method, std::size_t groups, double criterion,
                      const NewtonResult* newton, bool boundary, double boundary_score,
                      double boundary_gradient_norm, double boundary_relative_gradient,
                      const FitOptions& options) {
  FitReport r;
  r.method = method;
  r.groups = groups;
  r.log_marginal_likelihood = criterion;
  r.boundary = boundary;
  r.boundary_score = boundary_score;
  if (newton) {
    r.iterations = newton->iterations;
    r.gradient_norm = norm(newton->at.gradient);
    r.relative_gradient = relative_gradient(newton->at);
    r.converged = newton->converged;
    r.note = newton->note;
  } else {
    r.gradient_norm = boundary_gradient_norm;
    r.relative_gradient = boundary_relative_gradient;
    r.converged =
        method == FitMethod::Moments || boundary_relative_gradient < options.gradient_tolerance;
    if (!r.converged) {
      r.note = "the boundary solution's relative gradient is " +
               std::to_string(boundary_relative_gradient);
    }
  }
  if (boundary && r.note.empty()) {
    r.note = "dispersion at its boundary 0: no between-store variation detected (complete pooling)";
  }
  return r;
}

void throw_first_invalid(std::size_t rows,
                         const std::function<std::optional<std::string>(std::size_t)>& check) {
  for (std::size_t i = 0; i < rows; ++i) {
    if (auto problem = check(i)) throw InputError("row " + std::to_string(i + 1), 0, *problem);
  }
  throw InputError("data", 0, "a row breaks the data rules");  // not reached
}

void check_options(const FitOptions& options, bool reml_allowed, bool expected_allowed) {
  if (options.method == FitMethod::RestrictedMaximumLikelihood && !reml_allowed) {
    throw InputError("options", 0, "method reml is available for normal-normal only");
  }
  if (options.information == Information::Expected && !expected_allowed) {
    throw InputError("options", 0,
                     "expected information is available for normal-normal only; use observed");
  }
  if (options.max_iterations < 1) {
    throw InputError(
        "options", 0,
        "max_iterations must be at least 1 (got " + std::to_string(options.max_iterations) + ")");
  }
  if (!(options.gradient_tolerance > 0.0) || !std::isfinite(options.gradient_tolerance)) {
    throw InputError("options", 0,
                     "gradient_tolerance must be a positive finite number (got " +
                         validation::describe(options.gradient_tolerance) + ")");
  }
}

}  // namespace fit_detail
}  // namespace hbayes
