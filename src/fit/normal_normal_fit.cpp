// Normal-normal empirical Bayes (ML and REML): mu is profiled out in closed form, so the fit is a
// one-dimensional Newton search in log tau^2, one reduction over stores per step.
#include <algorithm>
#include <cmath>
#include <optional>

#include "fit/fit_internal.hpp"
#include "hbayes/errors.hpp"

namespace hbayes {
namespace {

using fit_detail::Evaluation;
using fit_detail::Vector;
using kernels::NormalCriteria;
using kernels::NormalPowerSums;

constexpr double kLogTwoPi = 1.8378770664093454836;

// The criterion (ML profile or REML) as a function of tau^2, with sums centred once at the
// fixed-effect mean (every shard must use the same centre).
class Model {
 public:
  Model(const NormalCatalog& catalog, double centre, bool reml)
      : catalog_(catalog), centre_(centre), reml_(reml) {}

  NormalPowerSums sums(double tau2) const {
    return fit_detail::to_kernel(catalog_.sums(tau2, centre_));
  }
  NormalCriteria criteria(double tau2) const {
    return kernels::normal_criteria(sums(tau2), centre_);
  }
  double value(const NormalCriteria& c) const { return reml_ ? c.reml : c.ml; }
  double d1(const NormalCriteria& c) const { return reml_ ? c.reml_d1 : c.ml_d1; }
  double d2(const NormalCriteria& c) const { return reml_ ? c.reml_d2 : c.ml_d2; }

  Evaluation unconstrained(const Vector& eta) const {
    const double tau2 = std::exp(eta[0]);
    const NormalCriteria c = criteria(tau2);
    Evaluation e;
    e.value = value(c);
    e.gradient = {tau2 * d1(c)};
    e.hessian = {tau2 * tau2 * d2(c) + tau2 * d1(c)};
    return e;
  }

 private:
  const NormalCatalog& catalog_;
  double centre_;
  bool reml_;
};

// sum_j log N(y_j | mu, tau^2 + se_j^2) and its derivatives in (mu, tau^2), from sums centred
// at mu itself.
kernels::Derivs2 full_ml(const NormalCatalog& catalog, double mu, double tau2) {
  const NormalPowerSums s = fit_detail::to_kernel(catalog.sums(tau2, mu));
  kernels::Derivs2 d;
  d.value = -0.5 * (s.stores * kLogTwoPi + s.sum_log_v + s.w1dd);
  d.da = s.w1d;
  d.db = -0.5 * (s.w1 - s.w2dd);
  d.daa = -s.w1;
  d.dab = -s.w2d;
  d.dbb = 0.5 * s.w2 - s.w3dd;
  return d;
}

void set_tau(NormalNormalFit* f, double tau2, std::optional<double> tau2_se) {
  f->tau2.value = tau2;
  f->tau2.std_error = tau2_se;
  f->tau.value = std::sqrt(tau2);
  if (tau2_se && tau2 > 0.0) f->tau.std_error = *tau2_se / (2.0 * f->tau.value);
}

}  // namespace

NormalNormalFit fit(const NormalCatalog& catalog, const FitOptions& options) {
  fit_detail::check_options(options, true, true);
  const bool reml = options.method == FitMethod::RestrictedMaximumLikelihood;
  const NormalSums raw = catalog.sums(0.0, 0.0);
  const double j = raw.stores;
  if (j == 0.0) throw InputError("data", 0, "no stores to fit");
  if (reml && j < 2.0) {
    throw InputError("data", 0,
                     "REML needs at least 2 stores (with one, the restricted likelihood is flat)");
  }
  const std::size_t groups = static_cast<std::size_t>(j);
  const double centre = raw.w1d / raw.w1;  // the fixed-effect (tau^2 = 0) weighted mean
  const Model model(catalog, centre, reml);
  const NormalPowerSums s0 = model.sums(0.0);
  const NormalCriteria at_boundary = kernels::normal_criteria(s0, centre);
  // The seed's method of moments: the precision-weighted mean, and tau^2 = max(0, S^2 - mean se^2)
  // with S^2 the sample variance of the estimates about that mean (divisor J - 1).
  double tau2_m = 0.0;
  if (j >= 2.0) {
    const double delta = at_boundary.mu_hat - centre;
    const double s2 = (s0.dd - 2.0 * delta * s0.d + j * delta * delta) / (j - 1.0);
    tau2_m = std::max(0.0, s2 - s0.se2 / j);
  }

  NormalNormalFit f;
  f.mu.value = at_boundary.mu_hat;
  if (options.method == FitMethod::Moments) {
    if (j < 2.0) throw InputError("data", 0, "the method of moments needs at least 2 stores");
    set_tau(&f, tau2_m, std::nullopt);
    f.report =
        fit_detail::make_report(options.method, groups, full_ml(catalog, f.mu.value, tau2_m).value,
                                nullptr, tau2_m == 0.0, at_boundary.ml_d1, 0.0, 0.0, options);
    f.report.backend = catalog.backend();
    return f;
  }

  fit_detail::DispersionProblem problem;
  problem.interior = [&model](const Vector& eta) { return model.unconstrained(eta); };
  problem.boundary_value = model.value(at_boundary);
  problem.boundary_score = model.d1(at_boundary);
  problem.boundary_curvature = model.d2(at_boundary);
  if (tau2_m > 0.0) problem.moments_start = Vector{std::log(tau2_m)};
  // tau^2 cannot diverge (the likelihood falls like -J/2 log tau^2); the domain edge only keeps
  // the search finite: far beyond the spread of the estimates and of their errors.
  const double scale = (s0.dd + s0.se2) / j;
  problem.max_log_dispersion = std::log(1e12 * (scale > 0.0 ? scale : 1.0));
  problem.divergence_reason = "tau^2 grows without bound";
  const fit_detail::DispersionOutcome outcome =
      fit_detail::fit_dispersion(problem, fit_detail::settings_of(options));

  const bool expected = options.information == Information::Expected;
  if (outcome.boundary) {
    // tau^2 = 0 exactly: mu is the fixed-effect mean, its SE 1 / sqrt(sum 1/se^2).
    f.mu.std_error = fit_detail::se_from_variance(1.0 / s0.w1);
    set_tau(&f, 0.0, std::nullopt);
    f.report = fit_detail::make_report(options.method, groups, model.value(at_boundary), nullptr,
                                       true, model.d1(at_boundary), 0.0, 0.0, options);
  } else {
    const double tau2 = std::exp(outcome.newton.x[0]);
    const NormalCriteria c = model.criteria(tau2);
    f.mu.value = c.mu_hat;
    std::optional<double> tau2_se;
    if (reml) {
      f.mu.std_error = fit_detail::se_from_variance(1.0 / c.info_mumu);
      tau2_se = fit_detail::se_from_variance(1.0 / (expected ? c.reml_expected : -c.reml_d2));
    } else if (expected) {
      f.mu.std_error = fit_detail::se_from_variance(1.0 / c.info_mumu);
      tau2_se = fit_detail::se_from_variance(1.0 / c.ml_expected);
    } else {
      Vector cov;
      if (fit_detail::spd_inverse({c.info_mumu, c.info_mutau, c.info_mutau, c.info_tautau}, 2,
                                  &cov)) {
        f.mu.std_error = fit_detail::se_from_variance(cov[0]);
        tau2_se = fit_detail::se_from_variance(cov[3]);
      }
    }
    set_tau(&f, tau2, tau2_se);
    f.report =
        fit_detail::make_report(options.method, groups, outcome.newton.at.value, &outcome.newton,
                                false, model.d1(at_boundary), 0.0, 0.0, options);
  }
  f.report.backend = catalog.backend();
  return f;
}

NormalNormalFit fit(const NormalColumns& data, const FitOptions& options) {
  fit_detail::check_options(options, true, true);
  return fit(*make_catalog(data, options.backend), options);
}

MarginalDerivatives log_marginal(const NormalCatalog& catalog, double mu, double tau2) {
  if (!std::isfinite(mu)) throw InputError("mu", 0, "must be a finite number");
  if (!(tau2 >= 0.0) || !std::isfinite(tau2)) {
    throw InputError("tau2", 0, "must be a finite number >= 0");
  }
  return fit_detail::to_public(full_ml(catalog, mu, tau2));
}

MarginalDerivatives restricted_log_marginal(const NormalCatalog& catalog, double tau2) {
  if (!(tau2 >= 0.0) || !std::isfinite(tau2)) {
    throw InputError("tau2", 0, "must be a finite number >= 0");
  }
  const NormalSums raw = catalog.sums(0.0, 0.0);
  if (raw.stores < 2.0) throw InputError("data", 0, "REML needs at least 2 stores");
  const Model model(catalog, raw.w1d / raw.w1, true);
  const NormalCriteria c = model.criteria(tau2);
  MarginalDerivatives d;
  d.value = c.reml;
  d.d_a = c.reml_d1;
  d.d_aa = c.reml_d2;
  return d;
}

}  // namespace hbayes
