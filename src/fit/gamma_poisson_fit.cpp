// Gamma-Poisson (negative binomial with exposures) empirical Bayes: the histogram of counts
// carries the rising-factorial part; each Newton step adds one reduction over stores for the
// exposure part.
#include <cmath>
#include <limits>

#include "fit/fit_internal.hpp"
#include "hbayes/errors.hpp"

namespace hbayes {
namespace {

using fit_detail::Evaluation;
using fit_detail::Vector;
using kernels::Derivs2;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
const double kMaxLogDispersion = std::log(1e10);  // shape = 1 / phi below 1e-10: diverging

// The log marginal likelihood in (m, phi) and in eta = (log m, log phi).
class Model {
 public:
  Model(const PoissonCatalog& catalog, const PoissonSummary& summary)
      : catalog_(catalog),
        summary_(summary),
        log_factorials_(static_cast<double>(fit_detail::log_factorial_sum(summary.counts))) {}

  Derivs2 natural(double m, double phi) const {
    const Derivs2 rising = fit_detail::log_rising_sum(summary_.counts, 1.0, phi);
    const Derivs2 exposure = fit_detail::to_kernel(catalog_.exposure_terms(m, phi));
    Derivs2 d;
    d.value = rising.value + exposure.value - log_factorials_;
    d.da = exposure.da;
    d.db = rising.db + exposure.db;
    d.daa = exposure.daa;
    d.dab = exposure.dab;
    d.dbb = rising.dbb + exposure.dbb;
    return d;
  }

  Evaluation unconstrained(const Vector& eta) const {
    const double m = std::exp(eta[0]);
    const double phi = std::exp(eta[1]);
    const Derivs2 d = natural(m, phi);
    Evaluation e;
    e.value = d.value;
    e.gradient = {m * d.da, phi * d.db};
    const double h01 = m * phi * d.dab;
    e.hessian = {m * m * d.daa + m * d.da, h01, h01, phi * phi * d.dbb + phi * d.db};
    return e;
  }

 private:
  const PoissonCatalog& catalog_;
  const PoissonSummary& summary_;
  double log_factorials_;
};

// Method of moments on raw rates r_j = y_j / e_j: m = sum y / sum e, and the between-store
// variance V = S^2 - m mean(1/e) (Var(r_j) = V + m / e_j exactly), phi = V / m^2.
double moments_dispersion(const PoissonSummary& s, double m) {
  const double j = static_cast<double>(s.groups);
  const double s2 = (s.sum_rate_sq - 2.0 * m * s.sum_rate + j * m * m) / (j - 1.0);
  const double v = s2 - m * s.sum_inv_exposure / j;
  return v > 0.0 ? v / (m * m) : 0.0;
}

void fill_interior(GammaPoissonFit* f, double m, double phi, const Derivs2& d) {
  f->mean.value = m;
  f->dispersion.value = phi;
  f->shape.value = 1.0 / phi;
  f->rate.value = 1.0 / (phi * m);
  Vector cov;
  if (fit_detail::spd_inverse({-d.daa, -d.dab, -d.dab, -d.dbb}, 2, &cov)) {
    f->mean.std_error = fit_detail::se_from_variance(cov[0]);
    f->dispersion.std_error = fit_detail::se_from_variance(cov[3]);
    f->shape.std_error = fit_detail::delta_se(cov, 0.0, -1.0 / (phi * phi));
    f->rate.std_error = fit_detail::delta_se(cov, -1.0 / (phi * m * m), -1.0 / (phi * phi * m));
  }
}

}  // namespace

GammaPoissonFit fit(const PoissonCatalog& catalog, const FitOptions& options) {
  fit_detail::check_options(options, false, false);
  const PoissonSummary s = catalog.summary();
  if (s.groups == 0) throw InputError("data", 0, "no stores to fit");
  const double events = fit_detail::value_sum(s.counts);
  if (events == 0.0) {
    throw InputError("data", 0,
                     "no store has an event: the marginal likelihood grows as the prior mean "
                     "falls to 0, so no gamma prior maximises it");
  }
  const Model model(catalog, s);
  const double m_b = events / s.sum_exposure;  // the Poisson MLE with exposures
  const Derivs2 at_boundary = model.natural(m_b, 0.0);
  const double boundary_grad = std::fabs(m_b * at_boundary.da);
  const double boundary_rel = boundary_grad / std::max(1.0, std::fabs(at_boundary.value));
  const double phi_m = s.groups >= 2 ? moments_dispersion(s, m_b) : 0.0;

  GammaPoissonFit f;
  if (options.method == FitMethod::Moments) {
    if (s.groups < 2) throw InputError("data", 0, "the method of moments needs at least 2 stores");
    f.mean.value = m_b;
    f.dispersion.value = phi_m;
    f.shape.value = phi_m > 0.0 ? 1.0 / phi_m : kInfinity;
    f.rate.value = phi_m > 0.0 ? 1.0 / (phi_m * m_b) : kInfinity;
    f.report = fit_detail::make_report(options.method, s.groups, model.natural(m_b, phi_m).value,
                                       nullptr, phi_m == 0.0, at_boundary.db, 0.0, 0.0, options);
    f.report.backend = catalog.backend();
    return f;
  }

  fit_detail::DispersionProblem problem;
  problem.interior = [&model](const Vector& eta) { return model.unconstrained(eta); };
  problem.boundary_location = {std::log(m_b)};
  problem.boundary_value = at_boundary.value;
  problem.boundary_score = at_boundary.db;
  problem.boundary_curvature = at_boundary.dbb;
  if (phi_m > 0.0) problem.moments_start = Vector{std::log(m_b), std::log(phi_m)};
  problem.max_log_dispersion = kMaxLogDispersion;
  problem.divergence_reason =
      "the dispersion grows without bound (shape -> 0): the counts are too concentrated in a "
      "few stores for any gamma prior to maximise the marginal likelihood";
  const fit_detail::DispersionOutcome outcome =
      fit_detail::fit_dispersion(problem, fit_detail::settings_of(options));

  if (outcome.boundary) {
    f.mean.value = m_b;
    f.mean.std_error = fit_detail::se_from_variance(1.0 / -at_boundary.daa);
    f.dispersion.value = 0.0;
    f.shape.value = kInfinity;
    f.rate.value = kInfinity;
    f.report = fit_detail::make_report(options.method, s.groups, at_boundary.value, nullptr, true,
                                       at_boundary.db, boundary_grad, boundary_rel, options);
  } else {
    const double m = std::exp(outcome.newton.x[0]);
    const double phi = std::exp(outcome.newton.x[1]);
    fill_interior(&f, m, phi, model.natural(m, phi));
    f.report = fit_detail::make_report(options.method, s.groups, outcome.newton.at.value,
                                       &outcome.newton, false, at_boundary.db, 0.0, 0.0, options);
  }
  f.report.backend = catalog.backend();
  return f;
}

GammaPoissonFit fit(const PoissonColumns& data, const FitOptions& options) {
  fit_detail::check_options(options, false, false);
  return fit(*make_catalog(data, options.backend), options);
}

MarginalDerivatives log_marginal(const PoissonCatalog& catalog, double mean, double dispersion) {
  if (!(mean > 0.0) || !std::isfinite(mean)) {
    throw InputError("mean", 0, "must be a positive finite number");
  }
  if (!(dispersion >= 0.0) || !std::isfinite(dispersion)) {
    throw InputError("dispersion", 0, "must be a finite number >= 0");
  }
  const PoissonSummary s = catalog.summary();
  return fit_detail::to_public(Model(catalog, s).natural(mean, dispersion));
}

}  // namespace hbayes
