// The per-group terms of the hierarchical log density: the likelihood of one group's data given
// its effect theta, and the density of its standardised effect z = (theta - mu) / tau.
//
// These sit in the sampler's innermost loop (chains x groups x leapfrog steps), so they are kept
// lean: no loops, at most one division per function, and branches only on the model's enums,
// which are the same for every group and chain (data-dependent choices are selects). exp and log
// are the branch-free versions in special/, so that the loops over groups vectorize on a CPU. Terms
// that depend on the data alone (log binomial coefficients, log y!, log se, y log exposure) are
// dropped.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "hmc/hier_model.hpp"
#include "special/exp_branch_free.hpp"
#include "special/log_branch_free.hpp"

namespace hbayes::kernels::hmc {

// log p(data | theta) + const for likelihood L, and d/dtheta in *d_theta. A template, so that
// the sampler's loop over groups is compiled once per likelihood with nothing to branch on.
// WithValue = false computes the derivative alone and returns 0: the leapfrog steps inside a
// trajectory need only gradients, and the binomial's log1p is a third of its cost.
template <Likelihood L, bool WithValue = true>
HBAYES_HD inline double likelihood_term(GroupData data, double theta, double* d_theta) {
  if constexpr (L == Likelihood::Normal) {
    const double inv_se = 1.0 / data.second;
    const double r = (data.first - theta) * inv_se;
    *d_theta = r * inv_se;
    return -0.5 * r * r;
  } else if constexpr (L == Likelihood::Binomial) {
    // y log s(theta) + (n - y) log s(-theta) with log s(x) = -max(-x, 0) - log1p(exp(-|x|)):
    // exp never overflows, and at |theta| = 40 with y = 0 or y = n the result keeps its tiny
    // exact value instead of cancelling y theta against n log(1 + e^theta).
    const double y = data.first;
    const double n = data.second;
    const double e = special::exp_branch_free(-fabs(theta));
    const double s_abs = 1.0 / (1.0 + e);  // s(|theta|)
    const double s_neg_abs = e * s_abs;    // s(-|theta|), without the cancellation of 1 - s
    const bool positive = theta >= 0.0;
    const double s = positive ? s_abs : s_neg_abs;  // s(theta)
    const double t = positive ? s_neg_abs : s_abs;  // s(-theta) = 1 - s(theta)
    *d_theta = y * t - (n - y) * s;
    if constexpr (!WithValue) return 0.0;
    return -y * (positive ? 0.0 : -theta) - (n - y) * (positive ? theta : 0.0) -
           n * special::log1p_unit(e);
  } else {
    const double rate = data.second * special::exp_branch_free(theta);
    *d_theta = data.first - rate;
    return data.first * theta - rate;
  }
}

// The same with the likelihood chosen at run time (tests and one-off evaluations).
HBAYES_HD inline double group_log_likelihood(Likelihood likelihood, GroupData data, double theta,
                                             double* d_theta) {
  switch (likelihood) {
    case Likelihood::Normal: return likelihood_term<Likelihood::Normal>(data, theta, d_theta);
    case Likelihood::Binomial: return likelihood_term<Likelihood::Binomial>(data, theta, d_theta);
    case Likelihood::Poisson: return likelihood_term<Likelihood::Poisson>(data, theta, d_theta);
  }
  *d_theta = 0.0;  // unreachable: every likelihood returns above (keeps -Wreturn-type quiet)
  return 0.0;
}

// log g(z) + const of the standardised group effect, standard normal or (StudentT) Student-t(nu),
// and dlog g/dz in *d_z (WithValue = false: the derivative alone, 0 returned).
template <bool StudentT, bool WithValue = true>
HBAYES_HD inline double effect_prior_term(double nu, double z, double* d_z) {
  if constexpr (!StudentT) {
    *d_z = -z;
    return -0.5 * z * z;
  } else {
    // -(nu + 1)/2 log(nu + z^2) differs from -(nu + 1)/2 log(1 + z^2/nu) by a constant, and
    // shares its one division with the derivative.
    const double w = nu + z * z;
    *d_z = -(nu + 1.0) * z / w;
    if constexpr (!WithValue) return 0.0;
    return -0.5 * (nu + 1.0) * special::log_branch_free(w);
  }
}

HBAYES_HD inline double group_effect_log_prior(GroupPrior prior, double z, double* d_z) {
  return prior.student_t ? effect_prior_term<true>(prior.nu, z, d_z)
                         : effect_prior_term<false>(prior.nu, z, d_z);
}

}  // namespace hbayes::kernels::hmc
