// Beta-binomial empirical Bayes from a catalog's histogram summary: Newton steps cost
// O(max count) or less, whatever the number of stores.
#include <cmath>
#include <limits>

#include "fit/fit_internal.hpp"
#include "hbayes/errors.hpp"
#include "marginal/beta_binomial_marginal.hpp"

namespace hbayes {
namespace {

using fit_detail::Evaluation;
using fit_detail::Vector;
using kernels::Derivs2;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// theta = 1 / (alpha + beta) beyond 1e10 is a prior with alpha + beta < 1e-10: treated as the
// fit diverging to the all-or-nothing limit.
const double kMaxLogDispersion = std::log(1e10);

kernels::HistogramView view(const CountHistogram& h) {
  return {h.values.data(), h.multiplicities.data(), h.values.size()};
}

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// The catalog's log marginal likelihood in (mu, theta) and in eta = (logit mu, log theta).
class Model {
 public:
  explicit Model(const BinomialSummary& s)
      : s_(s),
        log_binomial_coefficients_(static_cast<double>(fit_detail::log_factorial_sum(s.trials) -
                                                       fit_detail::log_factorial_sum(s.successes) -
                                                       fit_detail::log_factorial_sum(s.failures))) {
  }

  Derivs2 natural(double mu, double q, double theta) const {
    Derivs2 d = kernels::beta_binomial_log_marginal(view(s_.successes), view(s_.failures),
                                                    view(s_.trials), mu, q, theta);
    d.value += log_binomial_coefficients_;
    return d;
  }

  Evaluation unconstrained(const Vector& eta) const {
    const double mu = logistic(eta[0]);
    const double q = logistic(-eta[0]);
    const double theta = std::exp(eta[1]);
    const Derivs2 d = natural(mu, q, theta);
    const double w = mu * q;  // dmu / deta0
    Evaluation e;
    e.value = d.value;
    e.gradient = {w * d.da, theta * d.db};
    const double h01 = w * theta * d.dab;
    e.hessian = {w * w * d.daa + w * (q - mu) * d.da, h01, h01,
                 theta * theta * d.dbb + theta * d.db};
    return e;
  }

 private:
  const BinomialSummary& s_;
  double log_binomial_coefficients_;
};

// Method of moments on raw rates p_j = y_j / n_j (stores with n_j > 0): the pooled mean, and the
// between-store variance V from E[S^2] = V (1 - mean(1/n)) + mu (1 - mu) mean(1/n) (the seed's
// "sample variance minus average sampling variance", with the beta-binomial's exact sampling
// variance), then theta = rho / (1 - rho) with rho = V / (mu (1 - mu)).
struct Moments {
  bool available = false;  // at least two stores with trials
  double theta = 0.0;
  bool too_dispersed = false;  // rho >= 1: no beta prior has these moments
};

Moments moments(const BinomialSummary& s, double mu, double q) {
  Moments m;
  const double j = s.rate_stores;
  if (j < 2.0) return m;
  m.available = true;
  const double s2 = (s.sum_rate_sq - 2.0 * mu * s.sum_rate + j * mu * mu) / (j - 1.0);
  const double mean_inv = s.sum_inv_trials / j;
  if (!(mean_inv < 1.0)) return m;  // every store has one trial: V is not identified (theta 0)
  const double v = (s2 - mu * q * mean_inv) / (1.0 - mean_inv);
  if (!(v > 0.0)) return m;
  const double rho = v / (mu * q);
  if (rho >= 1.0) {
    m.too_dispersed = true;
    m.theta = 0.99 / 0.01;
    return m;
  }
  m.theta = rho / (1.0 - rho);
  return m;
}

void fill_interior(BetaBinomialFit* f, double mu, double q, double theta, const Derivs2& d) {
  f->mean.value = mu;
  f->dispersion.value = theta;
  f->alpha.value = mu / theta;
  f->beta.value = q / theta;
  Vector cov;
  if (fit_detail::spd_inverse({-d.daa, -d.dab, -d.dab, -d.dbb}, 2, &cov)) {
    f->mean.std_error = fit_detail::se_from_variance(cov[0]);
    f->dispersion.std_error = fit_detail::se_from_variance(cov[3]);
    f->alpha.std_error = fit_detail::delta_se(cov, 1.0 / theta, -mu / (theta * theta));
    f->beta.std_error = fit_detail::delta_se(cov, -1.0 / theta, -q / (theta * theta));
  }
}

void fill_boundary(BetaBinomialFit* f, double mu, const Derivs2& d) {
  f->mean.value = mu;
  f->mean.std_error = fit_detail::se_from_variance(1.0 / -d.daa);
  f->dispersion.value = 0.0;
  f->alpha.value = kInfinity;
  f->beta.value = kInfinity;
}

}  // namespace

BetaBinomialFit fit(const BinomialSummary& s, const FitOptions& options) {
  fit_detail::check_options(options, false, false);
  if (s.groups == 0) throw InputError("data", 0, "no stores to fit");
  const double trials = fit_detail::value_sum(s.trials);
  const double successes = fit_detail::value_sum(s.successes);
  if (trials == 0.0) throw InputError("data", 0, "every store has 0 trials: nothing to fit");
  if (successes == 0.0) {
    throw InputError("data", 0,
                     "no store has a success: the marginal likelihood grows as the prior mean "
                     "falls to 0 (alpha -> 0), so no beta prior maximises it");
  }
  if (successes == trials) {
    throw InputError("data", 0,
                     "every trial is a success: the marginal likelihood grows as the prior mean "
                     "rises to 1 (beta -> 0), so no beta prior maximises it");
  }
  if (fit_detail::max_value(s.trials) < 2) {
    throw InputError("data", 0,
                     "no store has 2 or more trials: a single trial is Bernoulli(mean) whatever "
                     "the dispersion, so alpha + beta is not identified");
  }
  const Model model(s);
  // The boundary theta = 0 (the binomial): mu is the pooled rate.
  const double mu_b = successes / trials;
  const double q_b = (trials - successes) / trials;
  const Derivs2 at_boundary = model.natural(mu_b, q_b, 0.0);
  const double boundary_grad = std::fabs(mu_b * q_b * at_boundary.da);
  const double boundary_rel = boundary_grad / std::max(1.0, std::fabs(at_boundary.value));
  const Moments mom = moments(s, mu_b, q_b);

  BetaBinomialFit f;
  if (options.method == FitMethod::Moments) {
    if (!mom.available) {
      throw InputError("data", 0, "the method of moments needs at least 2 stores with trials");
    }
    if (mom.too_dispersed) {
      throw InputError("data", 0,
                       "method of moments: the rates vary more than any beta prior allows "
                       "(between-store variance >= mean (1 - mean))");
    }
    const Derivs2 d = model.natural(mu_b, q_b, mom.theta);
    f.mean.value = mu_b;
    f.dispersion.value = mom.theta;
    f.alpha.value = mom.theta > 0.0 ? mu_b / mom.theta : kInfinity;
    f.beta.value = mom.theta > 0.0 ? q_b / mom.theta : kInfinity;
    f.report = fit_detail::make_report(options.method, s.groups, d.value, nullptr, mom.theta == 0.0,
                                       at_boundary.db, 0.0, 0.0, options);
    f.report.backend = s.backend;
    return f;
  }

  fit_detail::DispersionProblem problem;
  problem.interior = [&model](const Vector& eta) { return model.unconstrained(eta); };
  problem.boundary_location = {std::log(successes / (trials - successes))};
  problem.boundary_value = at_boundary.value;
  problem.boundary_score = at_boundary.db;
  problem.boundary_curvature = at_boundary.dbb;
  if (mom.theta > 0.0) {
    problem.moments_start = Vector{std::log(successes / (trials - successes)), std::log(mom.theta)};
  }
  problem.max_log_dispersion = kMaxLogDispersion;
  problem.divergence_reason =
      "the dispersion grows without bound (alpha + beta -> 0): the stores look all-or-nothing, "
      "so no beta prior maximises the marginal likelihood";
  const fit_detail::DispersionOutcome outcome =
      fit_detail::fit_dispersion(problem, fit_detail::settings_of(options));

  if (outcome.boundary) {
    fill_boundary(&f, mu_b, at_boundary);
    f.report = fit_detail::make_report(options.method, s.groups, at_boundary.value, nullptr, true,
                                       at_boundary.db, boundary_grad, boundary_rel, options);
  } else {
    const Vector& eta = outcome.newton.x;
    const double mu = logistic(eta[0]);
    const double q = logistic(-eta[0]);
    const double theta = std::exp(eta[1]);
    fill_interior(&f, mu, q, theta, model.natural(mu, q, theta));
    f.report = fit_detail::make_report(options.method, s.groups, outcome.newton.at.value,
                                       &outcome.newton, false, at_boundary.db, 0.0, 0.0, options);
  }
  f.report.backend = s.backend;
  return f;
}

BetaBinomialFit fit(const BinomialColumns& data, const FitOptions& options) {
  fit_detail::check_options(options, false, false);
  return fit(summarize(data, options.backend), options);
}

MarginalDerivatives log_marginal(const BinomialSummary& s, double mean, double dispersion) {
  if (!(mean > 0.0 && mean < 1.0)) {
    throw InputError("mean", 0, "must be strictly between 0 and 1");
  }
  if (!(dispersion >= 0.0) || !std::isfinite(dispersion)) {
    throw InputError("dispersion", 0, "must be a finite number >= 0");
  }
  return fit_detail::to_public(Model(s).natural(mean, 1.0 - mean, dispersion));
}

}  // namespace hbayes
