// The log density of the hierarchical model on the sampler's unconstrained vector
// q = (mu, log tau, u_1 .. u_J), with its gradient, as hyperparameter and per-group terms:
//
//   log p(q) = hyper_log_density(mu, log tau) + sum_j group_log_density(mu, tau, u_j) + const.
//
// The constant (normalising terms and data-only terms) is dropped everywhere, so differences of
// log densities between points are exact; tests/sample compares them with the long-double
// reference in src/reference/hier_reference.cpp.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "hmc/group_density.hpp"
#include "hmc/hier_model.hpp"
#include "hmc/prior_density.hpp"

namespace hbayes::kernels::hmc {

// log p(mu) + log p(tau) + log_tau (the Jacobian of tau = exp(log_tau)), constants dropped.
// ADDS its partial derivatives to *d_mu and *d_log_tau.
HBAYES_HD inline double hyper_log_density(const HierModel& m, double mu, double log_tau,
                                          double* d_mu, double* d_log_tau) {
  const double tau = exp(log_tau);
  double d_mu_prior = 0.0;
  double d_tau_prior = 0.0;
  const double lp = prior_log_density(m.mu_prior, mu, &d_mu_prior) +
                    prior_log_density(m.tau_prior, tau, &d_tau_prior) + log_tau;
  *d_mu += d_mu_prior;
  *d_log_tau += d_tau_prior * tau + 1.0;  // chain rule dtau/dlog_tau = tau, and the Jacobian
  return lp;
}

// What every group's term needs from the hyperparameters, computed once per gradient.
struct GroupScalars {
  double mu;
  double tau;
  double inv_tau;
  double log_tau;
  double nu;  // the Student-t group prior's degrees of freedom (unused for a normal prior)
};

HBAYES_HD inline GroupScalars group_scalars(const HierModel& m, double mu, double log_tau) {
  const double tau = exp(log_tau);
  return GroupScalars{mu, tau, 1.0 / tau, log_tau, m.group_prior.nu};
}

// Group j's share: log p(u_j | mu, tau) + log p(data_j | theta_j(u_j)), constants dropped.
// Non-centered, u_j = (theta_j - mu) / tau has the standardised density (no tau in it); centered,
// u_j = theta_j has that density at z = (u_j - mu) / tau times the Jacobian 1 / tau.
// ADDS the partials to *d_mu and *d_log_tau and WRITES d/du_j to *d_u. Templated on the model's
// enums so that the loop over groups compiles to straight-line code; WithValue = false skips
// the value (returns 0) for the gradient-only leapfrog steps.
template <Likelihood L, Parameterization P, bool StudentT, bool WithValue = true>
HBAYES_HD inline double group_term(const GroupScalars& s, double u, GroupData data, double* d_mu,
                                   double* d_log_tau, double* d_u) {
  double d_z;
  double d_theta;
  if constexpr (P == Parameterization::NonCentered) {
    const double theta = s.mu + s.tau * u;
    const double lp = effect_prior_term<StudentT, WithValue>(s.nu, u, &d_z) +
                      likelihood_term<L, WithValue>(data, theta, &d_theta);
    *d_mu += d_theta;
    *d_log_tau += d_theta * s.tau * u;  // dtheta/dlog_tau = tau u
    *d_u = d_z + d_theta * s.tau;
    return lp;
  } else {
    const double z = (u - s.mu) * s.inv_tau;
    const double lp = effect_prior_term<StudentT, WithValue>(s.nu, z, &d_z) - s.log_tau +
                      likelihood_term<L, WithValue>(data, u, &d_theta);
    const double d_z_du = d_z * s.inv_tau;  // dz/du = 1 / tau = -dz/dmu
    *d_mu -= d_z_du;
    *d_log_tau -= d_z * z + 1.0;  // dz/dlog_tau = -z; the Jacobian -log tau gives -1
    *d_u = d_z_du + d_theta;
    return lp;
  }
}

// Calls f.template run<L, P, StudentT>() with the model's enums as compile-time values: the one
// place where the run-time model description meets the specialised code.
template <class F>
HBAYES_HD inline double dispatch_model(const HierModel& m, const F& f) {
  const bool nc = m.parameterization == Parameterization::NonCentered;
  const bool t = m.group_prior.student_t;
  constexpr Parameterization kNc = Parameterization::NonCentered;
  constexpr Parameterization kC = Parameterization::Centered;
  switch (m.likelihood) {
    case Likelihood::Normal: {
      constexpr Likelihood L = Likelihood::Normal;
      return nc ? (t ? f.template run<L, kNc, true>() : f.template run<L, kNc, false>())
                : (t ? f.template run<L, kC, true>() : f.template run<L, kC, false>());
    }
    case Likelihood::Binomial: {
      constexpr Likelihood L = Likelihood::Binomial;
      return nc ? (t ? f.template run<L, kNc, true>() : f.template run<L, kNc, false>())
                : (t ? f.template run<L, kC, true>() : f.template run<L, kC, false>());
    }
    case Likelihood::Poisson: {
      constexpr Likelihood L = Likelihood::Poisson;
      return nc ? (t ? f.template run<L, kNc, true>() : f.template run<L, kNc, false>())
                : (t ? f.template run<L, kC, true>() : f.template run<L, kC, false>());
    }
  }
  return 0.0;  // unreachable
}

// One group's term with the enums chosen at run time (tests and one-off evaluations); tau =
// exp(log_tau) is passed in precomputed. Same contract as group_term.
struct OneGroupTerm {
  GroupScalars s;
  double u;
  GroupData data;
  double* d_mu;
  double* d_log_tau;
  double* d_u;
  template <Likelihood L, Parameterization P, bool StudentT>
  HBAYES_HD double run() const {
    return group_term<L, P, StudentT>(s, u, data, d_mu, d_log_tau, d_u);
  }
};

HBAYES_HD inline double group_log_density(const HierModel& m, double mu, double tau, double u,
                                          GroupData data, double* d_mu, double* d_log_tau,
                                          double* d_u) {
  const GroupScalars s{mu, tau, 1.0 / tau, log(tau), m.group_prior.nu};
  return dispatch_model(m, OneGroupTerm{s, u, data, d_mu, d_log_tau, d_u});
}

// theta_j from u_j: the group effect that the draws report.
HBAYES_HD inline double group_effect(const HierModel& m, double mu, double tau, double u) {
  return m.parameterization == Parameterization::NonCentered ? mu + tau * u : u;
}

}  // namespace hbayes::kernels::hmc
