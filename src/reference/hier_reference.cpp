#include "reference/hier_reference.hpp"

#include <cmath>
#include <stdexcept>

namespace hbayes::reference {
namespace {

using kernels::hmc::GroupData;
using kernels::hmc::GroupPrior;
using kernels::hmc::HierModel;
using kernels::hmc::Likelihood;
using kernels::hmc::Parameterization;
using kernels::hmc::Prior;
using kernels::hmc::PriorKind;

constexpr long double kPi = 3.141592653589793238462643383279502884L;

long double log_normal_pdf(long double x, long double location, long double scale) {
  const long double z = (x - location) / scale;
  return -0.5L * std::log(2.0L * kPi) - std::log(scale) - 0.5L * z * z;
}

long double log_student_t_pdf(long double x, long double nu, long double location,
                              long double scale) {
  const long double z = (x - location) / scale;
  return std::lgamma(0.5L * (nu + 1.0L)) - std::lgamma(0.5L * nu) - 0.5L * std::log(nu * kPi) -
         std::log(scale) - 0.5L * (nu + 1.0L) * std::log1p(z * z / nu);
}

long double log_cauchy_pdf(long double x, long double location, long double scale) {
  const long double z = (x - location) / scale;
  return -std::log(kPi * scale) - std::log1p(z * z);
}

// The half densities are the full ones at location 0, folded onto x > 0: twice the density.
long double log_prior(const Prior& p, long double x) {
  const long double log_two = std::log(2.0L);
  switch (p.kind) {
    case PriorKind::Normal:
      return log_normal_pdf(x, p.location, p.scale);
    case PriorKind::StudentT:
      return log_student_t_pdf(x, p.nu, p.location, p.scale);
    case PriorKind::Cauchy:
      return log_cauchy_pdf(x, p.location, p.scale);
    case PriorKind::HalfNormal:
      return log_two + log_normal_pdf(x, 0.0L, p.scale);
    case PriorKind::HalfStudentT:
      return log_two + log_student_t_pdf(x, p.nu, 0.0L, p.scale);
    case PriorKind::HalfCauchy:
      return log_two + log_cauchy_pdf(x, 0.0L, p.scale);
  }
  throw std::invalid_argument("hier_reference_log_density: unknown prior kind");
}

// theta ~ Normal(mu, tau^2), or mu + tau t with t ~ Student-t(nu): a location-scale Student-t.
long double log_group_prior(const GroupPrior& g, long double theta, long double mu,
                            long double tau) {
  return g.student_t ? log_student_t_pdf(theta, g.nu, mu, tau) : log_normal_pdf(theta, mu, tau);
}

long double log_choose(long double n, long double k) {
  return std::lgamma(n + 1.0L) - std::lgamma(k + 1.0L) - std::lgamma(n - k + 1.0L);
}

long double log_likelihood(Likelihood likelihood, const GroupData& d, long double theta) {
  switch (likelihood) {
    case Likelihood::Normal:
      return log_normal_pdf(d.first, theta, d.second);
    case Likelihood::Binomial: {
      // p = 1 / (1 + e^-theta): log p = -log(1 + e^-theta), log(1 - p) = -log(1 + e^theta),
      // neither of which loses p's tiny complement at |theta| = 40 the way log(1 - p) would.
      const long double y = d.first;
      const long double n = d.second;
      return log_choose(n, y) - y * std::log1p(std::exp(-theta)) -
             (n - y) * std::log1p(std::exp(theta));
    }
    case Likelihood::Poisson: {
      const long double y = d.first;
      const long double log_rate = std::log(static_cast<long double>(d.second)) + theta;
      return y * log_rate - std::exp(log_rate) - std::lgamma(y + 1.0L);
    }
  }
  throw std::invalid_argument("hier_reference_log_density: unknown likelihood");
}

}  // namespace

long double hier_reference_log_density(const HierModel& model, const std::vector<GroupData>& data,
                                       const std::vector<double>& q) {
  if (q.size() != data.size() + kernels::hmc::kFirstGroupIndex) {
    throw std::invalid_argument("hier_reference_log_density: q must hold J + 2 values");
  }
  const long double mu = q[kernels::hmc::kMuIndex];
  const long double log_tau = q[kernels::hmc::kLogTauIndex];
  const long double tau = std::exp(log_tau);
  const bool non_centered = model.parameterization == Parameterization::NonCentered;

  // p(mu) p(tau) |dtau/dlog_tau|, with dtau/dlog_tau = tau.
  long double total = log_prior(model.mu_prior, mu) + log_prior(model.tau_prior, tau) + log_tau;
  for (std::size_t j = 0; j < data.size(); ++j) {
    const long double u = q[kernels::hmc::kFirstGroupIndex + j];
    // Non-centered theta = mu + tau u has dtheta/du = tau; centered theta = u has 1.
    const long double theta = non_centered ? mu + tau * u : u;
    total += log_group_prior(model.group_prior, theta, mu, tau) +
             log_likelihood(model.likelihood, data[j], theta);
    if (non_centered) total += log_tau;
  }
  return total;
}

}  // namespace hbayes::reference
